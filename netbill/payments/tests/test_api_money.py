"""REST API v1: payments (take, list, void, edit), online transactions (approve, reject),
recharge card batches, redemption and distributors — scope, keys, validation, effects."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from netbill.accounts.models import User
from netbill.billing.models import Bill, BillLine
from netbill.billing.services import bill_create
from netbill.core import permissions as P
from netbill.core.models import ActivityLog, OutboxMessage
from netbill.core.testing import db_state, make_customer
from netbill.customers.models import Customer
from netbill.ledger.models import JournalEntry, JournalLine
from netbill.ledger.resellers import reseller_add_balance
from netbill.ledger.selectors import wallet_balance
from netbill.payments.cards import card_batch_create, distributor_create
from netbill.payments.models import (
    CardDistributor,
    OnlineTransaction,
    Payment,
    PaymentAllocation,
    RechargeCard,
    RechargeCardBatch,
)
from netbill.payments.online import online_transaction_record
from netbill.payments.services import payment_record

pytestmark = pytest.mark.django_db
D = Decimal
PAYMENTS = "/api/v1/payments/"
ONLINE = "/api/v1/online-transactions/"
BATCHES = "/api/v1/card-batches/"
REDEEM = "/api/v1/cards/redeem/"
DISTRIBUTORS = "/api/v1/card-distributors/"
MAY = (datetime.date(2026, 5, 1), datetime.date(2026, 5, 31))
JUNE = (datetime.date(2026, 6, 1), datetime.date(2026, 6, 30))


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=user.pk))
    return client


def grant(user, *keys):
    user.granted_keys = sorted(keys)
    user.save(update_fields=["granted_keys"])


def money_state():
    return db_state(
        Bill,
        BillLine,
        Payment,
        PaymentAllocation,
        JournalEntry,
        JournalLine,
        OnlineTransaction,
        RechargeCardBatch,
        RechargeCard,
        CardDistributor,
        Customer,
        ActivityLog,
        OutboxMessage,
    )


def make_bill(world, customer, period=MAY):
    return bill_create(
        actor=world.admin,
        customer=customer,
        kind="monthly",
        period_start=period[0],
        period_end=period[1],
    )


def entry_lines(entry_id) -> list[tuple]:
    """(account code, amount, book, staff) of an entry's lines (book 0: the ISP's)."""
    return sorted(
        (row.account.code, row.amount, row.book_id or 0, row.staff_id)
        for row in JournalLine.objects.filter(entry_id=entry_id).select_related("account")
    )


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return sorted(row["id"] for row in response.json()["results"])


@pytest.fixture
def setup(world, other_world):
    reseller_add_balance(actor=world.admin, reseller=world.operator, amount="10000")
    reseller_add_balance(actor=world.admin, reseller=world.operator2, amount="10000")
    own = make_customer(world, owner=world.operator)
    other_reseller = make_customer(world, owner=world.operator2)
    foreign = make_customer(other_world, owner=other_world.admin)
    return {
        "own": own,
        "bill": make_bill(world, own),
        "other_reseller": other_reseller,
        "other_bill": make_bill(world, other_reseller),
        "foreign": foreign,
        "foreign_bill": make_bill(other_world, foreign),
    }


# --- take a payment


def test_cash_payment_against_a_bill_settles_it_and_posts_cash_of_the_collector(world, setup):
    grant(world.op_manager, P.RECEIVE_PAYMENT)
    bill = setup["bill"]

    response = api(world.op_manager).post(
        PAYMENTS,
        {
            "customer": setup["own"].pk,
            "amount": "1000.00",
            "method": "cash",
            "bill": bill.pk,
            "note": "At the office",
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["method"], body["amount"], body["to_bills"], body["to_wallet"]) == (
        "cash",
        "1000.00",
        "800.00",
        "200.00",
    )
    assert (body["collected_by"], body["note"]) == (world.op_manager.pk, "At the office")
    assert [(a["bill"], a["amount"]) for a in body["allocations"]] == [(bill.pk, "800.00")]
    assert body["receipt_number"].startswith("R")
    bill.refresh_from_db()
    assert (bill.paid_amount, bill.status) == (D("800.00"), "paid")
    payment = Payment.objects.get(pk=body["id"])
    op = world.operator.pk
    assert entry_lines(payment.entry_id) == [
        ("1000", D("1000.00"), op, world.op_manager.pk),
        ("1300", D("-800.00"), op, None),
        ("2000", D("-200.00"), op, None),
    ]
    assert wallet_balance(setup["own"]) == D("200.00")


def test_advance_payment_goes_to_the_wallet_and_pays_the_next_bill(world, setup):
    customer = make_customer(world, owner=world.admin)

    response = api(world.admin).post(
        PAYMENTS, {"customer": customer.pk, "amount": "1000", "method": "advance"}
    )

    assert response.status_code == 201, response.content
    assert (response.json()["to_bills"], response.json()["to_wallet"]) == ("0.00", "1000.00")
    assert wallet_balance(customer) == D("1000.00")
    bill = make_bill(world, customer)
    assert (bill.status, wallet_balance(customer)) == ("paid", D("200.00"))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "abc"}, "amount"),
        ({"amount": "-10"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "10.001"}, "amount"),
        ({"method": "cheque"}, "method"),
        ({"method": "online"}, "method"),  # gateways record online payments, not staff
        ({"bill": "other_bill"}, "bill"),  # a bill in scope, of another customer
        ({"bill": "foreign_bill"}, "bill"),  # another tenant's bill
        ({"customer": "foreign"}, "customer"),
        ({"customer": "other_reseller"}, "customer"),
        ({"customer": None}, "customer"),
    ],
)
def test_bad_payment_answers_400_naming_the_field_and_changes_nothing(world, setup, change, field):
    payload = {"customer": setup["own"].pk, "amount": "100", "method": "cash"}
    for name, value in change.items():
        payload[name] = setup[value].pk if value in setup else value
    before = money_state()

    response = api(world.operator).post(PAYMENTS, payload, format="json")

    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    assert money_state() == before


def test_bill_of_another_customer_is_refused_even_for_the_group_admin(world, setup):
    before = money_state()
    response = api(world.admin).post(
        PAYMENTS,
        {"customer": setup["own"].pk, "amount": "100", "bill": setup["other_bill"].pk},
    )
    assert response.status_code == 400
    assert response.json() == {"bill": ["This bill belongs to another customer."]}
    assert money_state() == before


def test_manager_without_receive_payment_gets_403_and_nothing_changed(world, setup):
    grant(world.op_manager, P.VIEW_PAYMENTS)
    before = money_state()

    response = api(world.op_manager).post(
        PAYMENTS, {"customer": setup["own"].pk, "amount": "100", "method": "cash"}
    )

    assert response.status_code == 403
    assert money_state() == before


# --- list and detail


def test_payment_list_is_scoped_and_filtered(world, setup):
    own = payment_record(actor=world.admin, customer=setup["own"], amount="100")
    bank = payment_record(actor=world.admin, customer=setup["own"], amount="50", method="bank")
    other = payment_record(actor=world.admin, customer=setup["other_reseller"], amount="70")
    client = api(world.operator)

    assert ids(client.get(PAYMENTS)) == sorted([own.pk, bank.pk])
    assert ids(client.get(PAYMENTS, {"method": "bank"})) == [bank.pk]
    assert ids(client.get(PAYMENTS, {"customer": setup["own"].pk})) == sorted([own.pk, bank.pk])
    assert ids(client.get(PAYMENTS, {"q": own.receipt_number})) == [own.pk]
    assert ids(client.get(PAYMENTS, {"status": "void"})) == []
    assert ids(client.get(PAYMENTS, {"date_to": "2020-01-01"})) == []
    assert ids(api(world.admin).get(PAYMENTS)) == sorted([own.pk, bank.pk, other.pk])
    assert client.get(f"{PAYMENTS}{other.pk}/").status_code == 404
    detail = client.get(f"{PAYMENTS}{own.pk}/").json()
    assert (detail["amount"], detail["to_bills"], detail["allocations"][0]["bill_number"]) == (
        "100.00",
        "100.00",
        setup["bill"].number,
    )


def test_payment_list_queries_do_not_grow_with_the_payments(world, setup):
    payment_record(actor=world.admin, customer=setup["own"], amount="100")
    client = api(world.admin)
    with CaptureQueriesContext(connection) as few:
        assert client.get(PAYMENTS).status_code == 200
    for customer in (setup["own"], setup["other_reseller"]) * 3:
        payment_record(actor=world.admin, customer=customer, amount="300")
    with CaptureQueriesContext(connection) as many:
        response = client.get(PAYMENTS)
    assert response.json()["count"] == 7
    assert len(many) == len(few)


# --- void and edit


def test_void_reverses_the_payment_and_the_bill_is_unpaid_again(world, setup):
    grant(world.op_manager, P.DELETE_CUSTOMER_PAYMENT)
    bill = setup["bill"]
    payment = payment_record(actor=world.admin, customer=setup["own"], amount="300", bill=bill)

    response = api(world.op_manager).post(f"{PAYMENTS}{payment.pk}/void/", {"reason": "Typo"})

    assert response.status_code == 200, response.content
    assert response.json()["void_reason"] == "Typo"
    assert response.json()["voided_at"] is not None
    bill.refresh_from_db()
    assert (bill.paid_amount, bill.status) == (D("0.00"), "unpaid")
    reversal = JournalEntry.objects.get(reverses_id=payment.entry_id)
    assert entry_lines(reversal.pk) == sorted(
        (code, -amount, book, staff) for code, amount, book, staff in entry_lines(payment.entry_id)
    )


def test_void_and_edit_of_another_tenants_or_resellers_payment_answer_404(world, setup):
    foreign = payment_record(actor=setup["foreign"].owner, customer=setup["foreign"], amount="100")
    other = payment_record(actor=world.admin, customer=setup["other_reseller"], amount="100")
    before = money_state()
    client = api(world.operator)
    for payment in (foreign, other):
        assert client.get(f"{PAYMENTS}{payment.pk}/").status_code == 404
        assert client.post(f"{PAYMENTS}{payment.pk}/void/", {"reason": "x"}).status_code == 404
        response = client.post(f"{PAYMENTS}{payment.pk}/edit/", {"amount": "5", "reason": "x"})
        assert response.status_code == 404
    assert money_state() == before


def test_void_without_the_key_or_a_reason_changes_nothing(world, setup):
    payment = payment_record(actor=world.admin, customer=setup["own"], amount="100")
    grant(world.op_manager, P.VIEW_PAYMENTS, P.EDIT_CUSTOMER_PAYMENT)
    before = money_state()

    assert (
        api(world.op_manager).post(f"{PAYMENTS}{payment.pk}/void/", {"reason": "x"}).status_code
        == 403
    )
    response = api(world.operator).post(f"{PAYMENTS}{payment.pk}/void/", {"reason": ""})
    assert (response.status_code, list(response.json())) == (400, ["reason"])
    assert money_state() == before


def test_edit_voids_the_payment_and_records_the_corrected_one(world, setup):
    payment = payment_record(
        actor=world.admin, customer=setup["own"], amount="300", bill=setup["bill"]
    )

    response = api(world.operator).post(
        f"{PAYMENTS}{payment.pk}/edit/", {"amount": "250", "reason": "Counted wrong"}
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"] != payment.pk
    assert (body["amount"], body["allocations"][0]["bill"]) == ("250.00", setup["bill"].pk)
    assert Payment.objects.get(pk=payment.pk).voided_at is not None
    setup["bill"].refresh_from_db()
    assert (setup["bill"].paid_amount, setup["bill"].status) == (D("250.00"), "partial")


# --- online transactions


@pytest.fixture
def pending(world, setup):
    def record(reference, customer=None, amount="500"):
        customer = customer or setup["own"]
        return online_transaction_record(
            tenant=customer.tenant,
            gateway="bkash",
            gateway_reference=reference,
            amount=amount,
            customer=customer,
        )

    return record


def test_pending_list_is_scoped_and_approve_records_the_payment(world, setup, pending):
    tx = pending("TRX-1")
    pending("TRX-2", customer=setup["other_reseller"])
    pending("TRX-F", customer=setup["foreign"])
    grant(world.op_manager, P.VERIFY_PAYMENTS)
    client = api(world.op_manager)

    assert ids(client.get(ONLINE)) == [tx.pk]
    response = client.post(f"{ONLINE}{tx.pk}/approve/")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["decided_by"]) == ("completed", world.op_manager.pk)
    payment = Payment.objects.get(pk=body["payment"])
    assert (payment.method, payment.amount, payment.reference) == ("online", D("500.00"), "TRX-1")
    assert entry_lines(payment.entry_id)[0] == ("1200", D("500.00"), world.operator.pk, None)
    assert ids(client.get(ONLINE)) == []
    assert ids(client.get(ONLINE, {"status": "completed"})) == [tx.pk]
    again = client.post(f"{ONLINE}{tx.pk}/approve/")
    assert (again.status_code, list(again.json())) == (400, ["status"])
    assert Payment.objects.filter(reference="TRX-1").count() == 1


def test_reject_needs_a_reason_and_moves_no_money(world, setup, pending):
    tx = pending("TRX-9")
    client = api(world.operator)
    before = money_state()
    response = client.post(f"{ONLINE}{tx.pk}/reject/", {})
    assert (response.status_code, list(response.json())) == (400, ["reason"])
    assert money_state() == before

    response = client.post(f"{ONLINE}{tx.pk}/reject/", {"reason": "Not received"})

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["reject_reason"]) == (
        "rejected",
        "Not received",
    )
    assert Payment.objects.count() == 0


def test_another_tenants_transaction_answers_404_and_no_key_403(world, setup, pending):
    foreign = pending("TRX-F", customer=setup["foreign"])
    own = pending("TRX-O")
    before = money_state()
    client = api(world.admin)
    assert client.get(f"{ONLINE}{foreign.pk}/").status_code == 404
    assert client.post(f"{ONLINE}{foreign.pk}/approve/").status_code == 404
    assert client.post(f"{ONLINE}{foreign.pk}/reject/", {"reason": "x"}).status_code == 404
    grant(world.op_manager, P.RECEIVE_PAYMENT, P.VIEW_PAYMENTS)
    assert api(world.op_manager).post(f"{ONLINE}{own.pk}/approve/").status_code == 403
    assert api(world.op_manager).get(ONLINE).status_code == 403
    assert money_state() == before


# --- recharge cards


def test_card_batch_create_shows_the_pins_once_and_stores_only_hashes(world):
    grant(world.op_manager, P.MANAGE_RECHARGE_CARDS)
    client = api(world.op_manager)

    response = client.post(
        BATCHES, {"name": "Eid cards", "value": "500", "count": 3, "expires_on": "2099-12-31"}
    )

    assert response.status_code == 201, response.content
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert (body["value"], body["count"], body["unused"], body["owner"]) == (
        "500.00",
        3,
        3,
        world.operator.pk,
    )
    pins = [card["pin"] for card in body["cards"]]
    assert len(set(pins)) == 3 and all(len(p) == 14 and p.isdigit() for p in pins)
    stored = set(RechargeCard.objects.values_list("pin_hash", flat=True))
    assert not stored & set(pins)
    detail = client.get(f"{BATCHES}{body['id']}/")
    assert "cards" not in detail.json()
    assert not any(pin in detail.content.decode() for pin in pins)
    assert ids(client.get(BATCHES)) == [body["id"]]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"value": "abc"}, "value"),
        ({"value": "-5"}, "value"),
        ({"count": 0}, "count"),
        ({"count": 10001}, "count"),
        ({"name": ""}, "name"),
        ({"expires_on": "2001-01-01"}, "expires_on"),
        ({"distributor": 999999}, "distributor"),
    ],
)
def test_bad_card_batch_answers_400_naming_the_field(world, change, field):
    before = money_state()
    payload = {"name": "Batch", "value": "100", "count": 2, **change}
    response = api(world.operator).post(BATCHES, payload)
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    assert money_state() == before


def test_redeem_pays_the_card_value_in_once(world, setup):
    _batch, printed = card_batch_create(actor=world.operator, name="B", value="300", count=1)
    client = api(world.operator)

    response = client.post(REDEEM, {"customer": setup["own"].pk, "pin": printed[0].grouped_pin})

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["method"], body["amount"], body["to_bills"]) == ("card", "300.00", "300.00")
    setup["bill"].refresh_from_db()
    assert (setup["bill"].paid_amount, setup["bill"].status) == (D("300.00"), "partial")
    before = money_state()
    again = client.post(REDEEM, {"customer": setup["own"].pk, "pin": printed[0].pin})
    assert again.status_code == 400
    assert again.json() == {"pin": ["This card has already been used."]}
    assert money_state() == before


def test_redeem_refusals_answer_400_or_403_and_change_nothing(world, setup):
    _batch, printed = card_batch_create(actor=world.operator, name="B", value="300", count=1)
    pin = printed[0].pin
    before = money_state()
    client = api(world.operator)
    for payload, field in (
        ({"customer": setup["own"].pk, "pin": "1234"}, "pin"),
        ({"customer": setup["own"].pk, "pin": "1" * 14}, "pin"),
        ({"customer": setup["foreign"].pk, "pin": pin}, "customer"),
        ({"customer": setup["own"].pk}, "pin"),
    ):
        response = client.post(REDEEM, payload)
        assert response.status_code == 400, payload
        assert list(response.json()) == [field]
    grant(world.op_manager, P.MANAGE_RECHARGE_CARDS)
    response = api(world.op_manager).post(REDEEM, {"customer": setup["own"].pk, "pin": pin})
    assert response.status_code == 403
    assert money_state() == before


def test_another_tenants_batch_answers_404_on_read_and_void(world, other_world):
    batch, _printed = card_batch_create(actor=other_world.admin, name="F", value="100", count=2)
    before = money_state()
    client = api(world.admin)
    assert client.get(f"{BATCHES}{batch.pk}/").status_code == 404
    assert client.post(f"{BATCHES}{batch.pk}/void/", {}).status_code == 404
    assert ids(client.get(BATCHES)) == []
    assert money_state() == before


def test_void_batch_voids_its_unused_cards(world):
    batch, _printed = card_batch_create(actor=world.admin, name="Lost", value="100", count=2)
    response = api(world.admin).post(f"{BATCHES}{batch.pk}/void/", {"reason": "Lost"})
    assert response.status_code == 200, response.content
    assert response.json()["voided"] == 2
    assert (response.json()["batch"]["unused"], response.json()["batch"]["voided"]) == (0, 2)


def test_distributor_owes_the_redeemed_value_less_commission_and_payments(world, setup):
    distributor = distributor_create(
        actor=world.operator, name="Corner shop", commission_percent="10"
    )
    _batch, printed = card_batch_create(
        actor=world.operator, name="Shop", value="200", count=2, distributor=distributor
    )
    client = api(world.operator)
    client.post(REDEEM, {"customer": setup["own"].pk, "pin": printed[0].pin})

    listed = client.get(DISTRIBUTORS).json()["results"]
    assert [(d["name"], d["owes"], d["commission"], d["unused_cards"]) for d in listed] == [
        ("Corner shop", "180.00", "20.00", 1)
    ]
    response = client.post(f"{DISTRIBUTORS}{distributor.pk}/payment/", {"amount": "100"})
    assert response.status_code == 200, response.content
    assert response.json()["owes"] == "80.00"
    renamed = client.patch(f"{DISTRIBUTORS}{distributor.pk}/", {"mobile": "01700000001"})
    assert (renamed.status_code, renamed.json()["mobile"]) == (200, "01700000001")
    assert renamed.json()["commission_percent"] == "10.00"


def test_distributor_create_is_in_the_callers_book(world, other_world):
    response = api(world.operator).post(
        DISTRIBUTORS, {"name": "Market stall", "commission_percent": "5"}
    )
    assert response.status_code == 201, response.content
    assert (response.json()["owner"], response.json()["owes"]) == (world.operator.pk, "0.00")
    foreign = distributor_create(actor=other_world.admin, name="Far away")
    assert api(world.admin).get(f"{DISTRIBUTORS}{foreign.pk}/").status_code == 404
    bad = api(world.operator).post(DISTRIBUTORS, {"name": "X", "commission_percent": "101"})
    assert (bad.status_code, list(bad.json())) == (400, ["commission_percent"])
