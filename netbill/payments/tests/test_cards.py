"""Recharge cards: PINs stored hashed and shown once, redemption paying bills at once,
refusals naming the PIN, distributors with stock and commission, and the panel pages."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import io
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from netbill.billing.models import Bill
from netbill.billing.services import bill_create
from netbill.core import permissions as P
from netbill.core.models import ActivityLog
from netbill.core.testing import db_state, make_customer
from netbill.ledger.models import JournalEntry, JournalLine
from netbill.ledger.resellers import reseller_add_balance
from netbill.ledger.selectors import customer_due, reseller_balance, wallet_balance
from netbill.payments.cards import (
    DIRECT_PARTY,
    card_batch_create,
    card_batch_void,
    card_redeem,
    distributor_accounts,
    distributor_create,
    distributor_payment_record,
    distributor_update,
    format_pin,
    pin_hash,
)
from netbill.payments.models import CardDistributor, Payment, RechargeCard, RechargeCardBatch

pytestmark = pytest.mark.django_db
D = Decimal
MAY = (datetime.date(2026, 5, 1), datetime.date(2026, 5, 31))


def monthly_bill(world, customer):
    return bill_create(
        actor=world.admin,
        customer=customer,
        kind="monthly",
        period_start=MAY[0],
        period_end=MAY[1],
    )


def money_state():
    return db_state(Payment, RechargeCard, JournalEntry, JournalLine, Bill, ActivityLog)


def lines_of(entry):
    return sorted(
        (line.account.code, line.amount, line.book_id, line.party, line.customer_id)
        for line in entry.lines.select_related("account")
    )


# --- PINs -------------------------------------------------------------------------------------


def test_pins_are_stored_only_as_hmac_hashes_with_unique_serials(world):
    batch, printed = card_batch_create(actor=world.admin, name="Eid 500", value="500", count=5)

    cards = list(RechargeCard.objects.filter(batch=batch).order_by("serial"))
    assert [c.serial for c in cards] == [p.serial for p in printed]
    assert [c.serial for c in cards] == [f"C{n:09d}" for n in range(1, 6)]
    pepper = hmac.new(
        settings.SECRET_KEY.encode(), f"netbill.card-pin.{world.tenant.pk}".encode(), hashlib.sha256
    ).digest()
    for card, p in zip(cards, printed, strict=True):
        assert re.fullmatch(r"\d{14}", p.pin)
        assert card.pin_hash == hmac.new(pepper, p.pin.encode(), hashlib.sha256).hexdigest()
        assert (card.value, card.status) == (D("500.00"), "active")
    # no column of any card row holds a PIN in clear text
    every_value = " ".join(
        str(v) for row in RechargeCard.objects.values_list() for v in row
    ) + " ".join(str(v) for row in RechargeCardBatch.objects.values_list() for v in row)
    audit = " ".join(str(a.after) for a in ActivityLog.objects.all())
    for p in printed:
        assert p.pin not in every_value
        assert p.pin not in audit
    assert len({c.pin_hash for c in cards}) == 5


def test_the_same_pin_hashes_differently_in_another_tenant(world, other_world):
    assert pin_hash(world.tenant.pk, "12345678901234") != pin_hash(
        other_world.tenant.pk, "12345678901234"
    )


def test_serials_continue_across_batches_of_a_tenant(world):
    card_batch_create(actor=world.admin, name="A", value="100", count=2)
    _batch, printed = card_batch_create(actor=world.admin, name="B", value="100", count=2)
    assert [p.serial for p in printed] == ["C000000003", "C000000004"]


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("count", {"count": 10_001}),
        ("count", {"count": 0}),
        ("value", {"value": "0"}),
        ("name", {"name": "  "}),
        ("expires_on", {"expires_on": datetime.date(2020, 1, 1)}),
    ],
)
def test_invalid_batch_is_refused_naming_the_field_and_nothing_is_created(world, field, values):
    data = {"name": "Batch", "value": "500", "count": 3, **values}
    before = db_state(RechargeCardBatch, RechargeCard, ActivityLog)
    with pytest.raises(ValidationError) as exc:
        card_batch_create(actor=world.admin, **data)
    assert list(exc.value.message_dict) == [field]
    assert db_state(RechargeCardBatch, RechargeCard, ActivityLog) == before


def test_a_batch_of_ten_thousand_cards_is_accepted(world):
    batch, printed = card_batch_create(actor=world.admin, name="Big", value="50", count=10_000)
    assert RechargeCard.objects.filter(batch=batch).count() == 10_000
    assert len({p.pin for p in printed}) == 10_000


def test_batch_with_another_owners_distributor_is_refused(world):
    theirs = distributor_create(actor=world.operator2, name="Corner Shop")
    with pytest.raises(ValidationError) as exc:
        card_batch_create(actor=world.operator, name="X", value="100", count=1, distributor=theirs)
    assert list(exc.value.message_dict) == ["distributor"]


def test_managers_batch_belongs_to_its_operator(world):
    world.op_manager.granted_keys = [P.MANAGE_RECHARGE_CARDS]
    world.op_manager.save()
    batch, _printed = card_batch_create(actor=world.op_manager, name="M", value="100", count=1)
    assert batch.owner == world.operator
    assert batch.created_by == world.op_manager


def test_manager_without_manage_recharge_cards_cannot_print_cards(world):
    with pytest.raises(PermissionDenied):
        card_batch_create(actor=world.op_manager, name="M", value="100", count=1)
    assert RechargeCardBatch.objects.count() == 0


# --- redemption -------------------------------------------------------------------------------


def test_redemption_pays_the_open_bill_at_once_and_the_rest_goes_to_the_wallet(world):
    # given an ISP customer with an 800.00 bill and two 500 cards sold by a 5 % distributor
    customer = make_customer(world, owner=world.admin)
    bill = monthly_bill(world, customer)
    shop = distributor_create(actor=world.admin, name="Rahim Store", commission_percent="5")
    _batch, printed = card_batch_create(
        actor=world.admin, name="500s", value="500", count=2, distributor=shop
    )

    # when the first card is redeemed
    payment = card_redeem(actor=world.admin, customer=customer, pin=printed[0].pin)

    # then the bill is partly paid by it, at once
    bill.refresh_from_db()
    assert (bill.paid_amount, bill.status) == (D("500.00"), "partial")
    assert (payment.method, payment.amount, payment.reference) == (
        "card",
        D("500.00"),
        "C000000001",
    )
    assert payment.collected_by == world.admin
    assert lines_of(payment.entry) == [
        ("1300", D("-500.00"), None, "", customer.pk),
        ("1500", D("500.00"), None, "Rahim Store", customer.pk),
    ]
    card = RechargeCard.objects.get(serial="C000000001")
    assert (card.status, card.redeemed_by, card.payment) == ("redeemed", customer, payment)
    commission = JournalEntry.objects.get(kind="card.commission")
    assert lines_of(commission) == [
        ("1500", D("-25.00"), None, "Rahim Store", None),
        ("5100", D("25.00"), None, "Rahim Store", None),
    ]

    # when the second card is redeemed (grouped as printed)
    card_redeem(actor=world.admin, customer=customer, pin=format_pin(printed[1].pin))

    # then the bill is paid and 200 is wallet credit; the distributor owes 1000 - 50
    bill.refresh_from_db()
    assert (bill.paid_amount, bill.status) == (D("800.00"), "paid")
    assert (customer_due(customer), wallet_balance(customer)) == (D("0.00"), D("200.00"))
    assert distributor_accounts(world.admin, [shop]) == {
        shop.pk: {"owes": D("950.00"), "commission": D("50.00")}
    }


def test_customer_portal_redeems_as_the_system_without_a_collector(world):
    customer = make_customer(world, owner=world.admin)
    _batch, printed = card_batch_create(actor=world.admin, name="P", value="300", count=1)

    payment = card_redeem(actor=None, customer=customer, pin=printed[0].pin, system=True)

    assert (payment.collected_by, payment.amount) == (None, D("300.00"))
    assert wallet_balance(customer) == D("300.00")
    assert lines_of(payment.entry) == [
        ("1500", D("300.00"), None, DIRECT_PARTY, customer.pk),
        ("2000", D("-300.00"), None, "", customer.pk),
    ]
    log = ActivityLog.objects.get(action="card.redeem")
    assert (log.actor, log.after["by_customer"]) == (None, True)


def test_operator_card_pays_the_operator_customer_in_the_operator_book(world):
    reseller_add_balance(actor=world.admin, reseller=world.operator, amount="1000")
    customer = make_customer(world, owner=world.operator)
    _batch, printed = card_batch_create(actor=world.operator, name="Op", value="600", count=1)

    payment = card_redeem(actor=world.operator, customer=customer, pin=printed[0].pin)

    assert {line.book_id for line in payment.entry.lines.all()} == {world.operator.pk}
    # collecting a card payment does not charge the reseller again
    assert reseller_balance(world.operator) == D("1000.00")


def test_used_pin_is_refused_naming_pin_and_nothing_changes(world):
    customer = make_customer(world, owner=world.admin)
    _batch, printed = card_batch_create(actor=world.admin, name="U", value="500", count=1)
    card_redeem(actor=world.admin, customer=customer, pin=printed[0].pin)
    before = money_state()

    with pytest.raises(ValidationError) as exc:
        card_redeem(actor=world.admin, customer=customer, pin=printed[0].pin)

    assert exc.value.message_dict == {"pin": ["This card has already been used."]}
    assert money_state() == before


def test_expired_card_is_refused_naming_pin(world):
    customer = make_customer(world, owner=world.admin)
    today = timezone.localdate()
    batch, printed = card_batch_create(
        actor=world.admin, name="E", value="500", count=1, expires_on=today
    )
    # still good on its last day
    RechargeCardBatch.objects.filter(pk=batch.pk).update(
        expires_on=today - datetime.timedelta(days=1)
    )
    before = money_state()

    with pytest.raises(ValidationError) as exc:
        card_redeem(actor=world.admin, customer=customer, pin=printed[0].pin)

    yesterday = today - datetime.timedelta(days=1)
    assert exc.value.message_dict == {"pin": [f"This card expired on {yesterday}."]}
    assert money_state() == before


def test_card_valid_on_its_expiry_day(world):
    customer = make_customer(world, owner=world.admin)
    _batch, printed = card_batch_create(
        actor=world.admin, name="E", value="500", count=1, expires_on=timezone.localdate()
    )
    assert card_redeem(actor=world.admin, customer=customer, pin=printed[0].pin).amount == D(
        "500.00"
    )


def test_void_card_is_refused_and_voiding_keeps_redeemed_cards(world):
    customer = make_customer(world, owner=world.admin)
    batch, printed = card_batch_create(actor=world.admin, name="V", value="100", count=3)
    card_redeem(actor=world.admin, customer=customer, pin=printed[0].pin)

    assert card_batch_void(actor=world.admin, batch=batch, reason="stolen") == 2

    statuses = dict(RechargeCard.objects.filter(batch=batch).values_list("serial", "status"))
    assert statuses == {"C000000001": "redeemed", "C000000002": "void", "C000000003": "void"}
    with pytest.raises(ValidationError) as exc:
        card_redeem(actor=world.admin, customer=customer, pin=printed[1].pin)
    assert exc.value.message_dict == {"pin": ["This card is void."]}


def test_another_tenants_card_is_not_found(world, other_world):
    customer = make_customer(world, owner=world.admin)
    _batch, printed = card_batch_create(actor=other_world.admin, name="F", value="500", count=1)
    before = money_state()

    with pytest.raises(ValidationError) as exc:
        card_redeem(actor=world.admin, customer=customer, pin=printed[0].pin)

    assert exc.value.message_dict == {"pin": ["No card has this PIN."]}
    assert money_state() == before


def test_another_resellers_card_cannot_pay_this_customer(world):
    customer = make_customer(world, owner=world.operator)
    _batch, printed = card_batch_create(actor=world.operator2, name="O2", value="500", count=1)
    isp_batch, isp_printed = card_batch_create(actor=world.admin, name="ISP", value="500", count=1)
    before = money_state()

    for pin in (printed[0].pin, isp_printed[0].pin):
        with pytest.raises(ValidationError) as exc:
            card_redeem(actor=world.admin, customer=customer, pin=pin)
        assert list(exc.value.message_dict) == ["pin"]
        assert "another reseller" in exc.value.message_dict["pin"][0]
    assert money_state() == before


@pytest.mark.parametrize("pin", ["", "1234", "1234567890123a", "123456789012345"])
def test_malformed_pin_is_refused_naming_pin(world, pin):
    customer = make_customer(world, owner=world.admin)
    with pytest.raises(ValidationError) as exc:
        card_redeem(actor=world.admin, customer=customer, pin=pin)
    assert exc.value.message_dict == {"pin": ["Enter the 14-digit PIN printed on the card."]}


def test_staff_without_receive_payment_cannot_redeem(world):
    customer = make_customer(world, owner=world.operator)
    _batch, printed = card_batch_create(actor=world.operator, name="K", value="500", count=1)
    before = money_state()
    with pytest.raises(PermissionDenied):
        card_redeem(actor=world.op_manager, customer=customer, pin=printed[0].pin)
    assert money_state() == before


# --- distributors -----------------------------------------------------------------------------


def test_distributor_cash_received_reduces_what_it_owes(world):
    customer = make_customer(world, owner=world.admin)
    shop = distributor_create(actor=world.admin, name="Karim Telecom", commission_percent="10")
    _b, printed = card_batch_create(
        actor=world.admin, name="D", value="200", count=2, distributor=shop
    )
    card_redeem(actor=world.admin, customer=customer, pin=printed[0].pin)

    entry = distributor_payment_record(actor=world.admin, distributor=shop, amount="100")

    assert lines_of(entry) == [
        ("1000", D("100.00"), None, "", None),
        ("1500", D("-100.00"), None, "Karim Telecom", None),
    ]
    assert distributor_accounts(world.admin, [shop])[shop.pk] == {
        "owes": D("80.00"),
        "commission": D("20.00"),
    }


def test_distributor_keeps_its_name_once_posted_and_names_are_unique(world):
    shop = distributor_create(actor=world.admin, name="Shop One", mobile="01711000000")
    with pytest.raises(ValidationError) as exc:
        distributor_create(actor=world.admin, name="shop one")
    assert list(exc.value.message_dict) == ["name"]
    # renaming before any card was used is fine
    shop = distributor_update(
        actor=world.admin, distributor=shop, name="Shop 1", commission_percent="3"
    )
    customer = make_customer(world, owner=world.admin)
    _b, printed = card_batch_create(
        actor=world.admin, name="N", value="100", count=1, distributor=shop
    )
    card_redeem(actor=world.admin, customer=customer, pin=printed[0].pin)
    with pytest.raises(ValidationError) as exc:
        distributor_update(actor=world.admin, distributor=shop, name="Shop Renamed")
    assert list(exc.value.message_dict) == ["name"]
    shop.refresh_from_db()
    assert (shop.name, shop.commission_percent) == ("Shop 1", D("3.00"))


@pytest.mark.parametrize("percent", ["-1", "100.01", "abc"])
def test_commission_outside_0_to_100_is_refused(world, percent):
    with pytest.raises(ValidationError) as exc:
        distributor_create(actor=world.admin, name="Bad", commission_percent=percent)
    assert list(exc.value.message_dict) == ["commission_percent"]
    assert CardDistributor.objects.count() == 0


# --- pages ------------------------------------------------------------------------------------


def test_creation_page_shows_the_pins_once_and_allows_one_download(client, world):
    client.force_login(world.admin)
    response = client.post(
        reverse("payments:card_batch_create"),
        {"name": "Web batch", "value": "250", "count": "3", "expires_on": ""},
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    printed = response.context["printed"]
    body = response.content.decode()
    for card in printed:
        assert format_pin(card.pin) in body
    batch = RechargeCardBatch.objects.get(name="Web batch")

    # the detail page never shows a PIN
    detail = client.get(reverse("payments:card_batch_detail", args=[batch.pk])).content.decode()
    assert "C000000001" in detail
    for card in printed:
        assert card.pin not in detail and format_pin(card.pin) not in detail

    # one CSV download with every PIN
    url = reverse("payments:card_export", args=[batch.pk])
    download = client.get(url + "?format=csv")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    rows = download.content.decode("utf-8-sig").strip().splitlines()
    assert rows[0] == "Serial,PIN,Value,Expires on,Batch"
    assert rows[1:] == [f"{c.serial},{format_pin(c.pin)},250.00,,Web batch" for c in printed]

    # and never again
    again = client.get(url + "?format=xlsx")
    assert again.status_code == 302
    assert again["Location"] == reverse("payments:card_batch_detail", args=[batch.pk])
    page = client.get(again["Location"]).content.decode()
    assert "cannot be downloaded again" in page


def test_pins_download_as_excel(client, world):
    client.force_login(world.admin)
    response = client.post(
        reverse("payments:card_batch_create"),
        {"name": "Excel", "value": "100", "count": "2", "expires_on": "2099-12-31"},
    )
    printed = response.context["printed"]
    batch = RechargeCardBatch.objects.get(name="Excel")

    download = client.get(reverse("payments:card_export", args=[batch.pk]) + "?format=xlsx")

    sheet = load_workbook(io.BytesIO(download.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("Serial", "PIN", "Value", "Expires on", "Batch")
    assert values[1:] == [
        (c.serial, format_pin(c.pin), 100, "2099-12-31", "Excel") for c in printed
    ]


def test_another_users_session_cannot_download_the_pins(client, world):
    client.force_login(world.admin)
    client.post(
        reverse("payments:card_batch_create"), {"name": "Mine", "value": "100", "count": "1"}
    )
    batch = RechargeCardBatch.objects.get(name="Mine")
    other = type(client)()
    world.admin_manager.granted_keys = [P.MANAGE_RECHARGE_CARDS]
    world.admin_manager.save()
    other.force_login(world.admin_manager)

    response = other.get(reverse("payments:card_export", args=[batch.pk]) + "?format=csv")

    assert response.status_code == 302


def test_invalid_batch_form_shows_the_error(client, world):
    client.force_login(world.admin)
    response = client.post(
        reverse("payments:card_batch_create"), {"name": "Too many", "value": "10", "count": "10001"}
    )
    assert response.status_code == 400
    assert 'data-error-for="count"' in response.content.decode()
    assert RechargeCardBatch.objects.count() == 0


def test_batch_list_shows_counts(client, world):
    customer = make_customer(world, owner=world.admin)
    batch, printed = card_batch_create(actor=world.admin, name="Listed", value="100", count=3)
    card_redeem(actor=world.admin, customer=customer, pin=printed[0].pin)
    client.force_login(world.admin)

    response = client.get(reverse("payments:card_batches"))

    assert response.status_code == 200
    row = response.context["page_obj"][0]
    assert (row.pk, row.count, row.unused, row.redeemed, row.voided) == (batch.pk, 3, 2, 1, 0)


def test_operator_sees_only_its_own_batches(client, world):
    card_batch_create(actor=world.operator, name="Op batch", value="100", count=1)
    theirs, _p = card_batch_create(actor=world.operator2, name="Op2 batch", value="100", count=1)
    client.force_login(world.operator)

    body = client.get(reverse("payments:card_batches")).content.decode()

    assert "Op batch" in body and "Op2 batch" not in body
    response = client.get(reverse("payments:card_batch_detail", args=[theirs.pk]))
    assert response.status_code == 404


def test_distributor_pages_show_stock_and_commission(client, world):
    customer = make_customer(world, owner=world.operator)
    client.force_login(world.operator)
    response = client.post(
        reverse("payments:distributor_create"),
        {"name": "Bazar Shop", "mobile": "01811000000", "commission_percent": "4"},
    )
    assert response.status_code == 302
    shop = CardDistributor.objects.get(name="Bazar Shop")
    assert (shop.owner, shop.commission_percent) == (world.operator, D("4.00"))
    _b, printed = card_batch_create(
        actor=world.operator, name="S1", value="500", count=3, distributor=shop
    )
    card_batch_create(actor=world.operator, name="S2", value="300", count=2, distributor=shop)
    card_redeem(actor=world.operator, customer=customer, pin=printed[0].pin)

    response = client.get(reverse("payments:distributors"))

    assert response.status_code == 200
    [row] = response.context["distributors"]
    assert row.stock == [
        {"value": D("300.00"), "count": 2, "total": D("600.00")},
        {"value": D("500.00"), "count": 2, "total": D("1000.00")},
    ]
    assert (row.commission, row.owes) == (D("20.00"), D("480.00"))

    response = client.post(
        reverse("payments:distributor_payment", args=[shop.pk]), {"amount": "480", "note": "paid"}
    )
    assert response.status_code == 302
    assert distributor_accounts(world.operator, [shop])[shop.pk]["owes"] == D("0.00")

    response = client.post(
        reverse("payments:distributor_edit", args=[shop.pk]),
        {"name": "Bazar Shop", "mobile": "01811000001", "commission_percent": "6"},
    )
    assert response.status_code == 302
    shop.refresh_from_db()
    assert (shop.mobile, shop.commission_percent) == ("01811000001", D("6.00"))


def test_staff_redeem_page_pays_the_customer(client, world):
    customer = make_customer(world, owner=world.operator)
    bill_customer_balance = reseller_add_balance(
        actor=world.admin, reseller=world.operator, amount="600"
    )
    assert bill_customer_balance is not None
    bill = monthly_bill(world, customer)
    _b, printed = card_batch_create(actor=world.operator, name="R", value="800", count=1)
    world.op_manager.granted_keys = [P.RECEIVE_PAYMENT]
    world.op_manager.save()
    client.force_login(world.op_manager)

    assert client.get(reverse("payments:card_redeem")).status_code == 200
    response = client.post(
        reverse("payments:card_redeem"),
        {"customer": customer.username, "pin": format_pin(printed[0].pin)},
        follow=True,
    )

    assert response.status_code == 200
    bill.refresh_from_db()
    assert (bill.status, bill.paid_amount) == ("paid", D("800.00"))
    payment = Payment.objects.get()
    assert payment.collected_by == world.op_manager
    assert f"receipt {payment.receipt_number}" in response.content.decode()


def test_redeem_page_shows_pin_errors_and_refuses_customers_out_of_scope(client, world):
    mine = make_customer(world, owner=world.operator)
    theirs = make_customer(world, owner=world.operator2)
    _b, printed = card_batch_create(actor=world.operator, name="R", value="100", count=1)
    client.force_login(world.operator)
    before = money_state()

    response = client.post(
        reverse("payments:card_redeem"), {"customer": theirs.username, "pin": printed[0].pin}
    )
    assert response.status_code == 400
    assert 'data-error-for="customer"' in response.content.decode()

    response = client.post(
        reverse("payments:card_redeem"), {"customer": mine.username, "pin": "0000 0000 0000 00"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-error-for="pin"' in body and "No card has this PIN." in body
    assert money_state() == before


def test_every_card_page_renders(client, world):
    shop = distributor_create(actor=world.admin, name="Render Shop")
    batch, _printed = card_batch_create(
        actor=world.admin, name="Render", value="100", count=2, distributor=shop
    )
    client.force_login(world.admin)
    urls = [
        reverse("payments:card_batches"),
        reverse("payments:card_batch_create"),
        reverse("payments:card_batch_detail", args=[batch.pk]),
        reverse("payments:card_batch_detail", args=[batch.pk]) + "?status=active",
        reverse("payments:distributors"),
        reverse("payments:distributor_create"),
        reverse("payments:distributor_edit", args=[shop.pk]),
        reverse("payments:distributor_payment", args=[shop.pk]),
        reverse("payments:card_redeem") + "?customer=user1",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'data-menu="payments:card_batches"' in response.content.decode()


def test_card_lists_take_the_same_queries_for_more_rows(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.admin)

    def add(n):
        shop = distributor_create(actor=world.admin, name=f"Shop {n}", commission_percent="2")
        _b, printed = card_batch_create(
            actor=world.admin, name=f"B{n}", value="100", count=2, distributor=shop
        )
        card_redeem(
            actor=world.admin, customer=make_customer(world, owner=world.admin), pin=printed[0].pin
        )

    add(1)
    counts = []
    for more in (0, 3):
        for n in range(more):
            add(10 + n)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("payments:distributors")).status_code == 200
            assert client.get(reverse("payments:card_batches")).status_code == 200
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]
