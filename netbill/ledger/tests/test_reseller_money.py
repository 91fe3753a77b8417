"""Reseller money pages: the parent's list (one aggregate query), Add Balance, Entry Cash
Received, credit limit, statements with exact figures, the reseller's own account, and the
prepaid / postpaid refusals one level down too."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from netbill.accounts.models import User
from netbill.billing.models import Bill
from netbill.billing.services import bill_create
from netbill.core.choices import Role
from netbill.core.models import ActivityLog
from netbill.core.testing import db_state, make_customer, make_user
from netbill.customers.models import Customer
from netbill.ledger.models import JournalEntry, JournalLine
from netbill.ledger.resellers import ResellerRefused, reseller_add_balance, reseller_cash_received
from netbill.ledger.selectors import reseller_balance, reseller_position, reseller_statement

pytestmark = pytest.mark.django_db
D = Decimal
_periods = iter(range(1, 10_000))


def charge(world, customer, on=None):
    """Bill ``customer`` for a fresh period (charging its resellers their price: 600)."""
    start = datetime.date(2026, 1, 1) + datetime.timedelta(days=31 * next(_periods))
    return bill_create(
        actor=world.admin,
        customer=customer,
        kind="monthly",
        period_start=start,
        period_end=start + datetime.timedelta(days=29),
        on=on,
    )


def postpaid(user, limit):
    user.account_type, user.credit_limit = "postpaid", D(limit)
    user.save()
    return user


def money_state():
    return db_state(Bill, JournalEntry, JournalLine, Customer, ActivityLog)


# --- Add Balance / Entry Cash Received -------------------------------------------------------


def test_group_admin_adds_balance_to_an_operator_from_the_list(client, world):
    client.force_login(world.admin)
    url = reverse("ledger:reseller_add_balance", args=[world.operator.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, {"amount": "1000", "note": "bKash 8N7A6"})

    assert response.status_code == 302
    assert reseller_balance(world.operator) == D("1000.00")
    entry = JournalEntry.objects.get(kind="reseller.add_balance")
    assert (entry.memo, entry.actor) == ("bKash 8N7A6", world.admin)
    rows = sorted(
        (line.account.code, line.amount, line.book_id, line.reseller_id, line.staff_id)
        for line in entry.lines.select_related("account")
    )
    assert rows == [
        ("1000", D("1000.00"), None, None, world.admin.pk),
        ("1400", D("-1000.00"), None, world.operator.pk, None),
    ]
    log = ActivityLog.objects.get(action="reseller.add_balance")
    assert log.after["amount"] == "1000.00"


def test_zero_amount_is_refused_on_the_form_and_nothing_changes(client, world):
    client.force_login(world.admin)
    before = money_state()
    response = client.post(
        reverse("ledger:reseller_add_balance", args=[world.operator.pk]), {"amount": "0"}
    )
    assert response.status_code == 400
    assert 'data-error-for="amount"' in response.content.decode()
    assert money_state() == before


def test_entry_cash_received_settles_a_postpaid_operator(client, world):
    op = postpaid(world.operator2, "1000")
    charge(world, make_customer(world, owner=op))
    assert reseller_position(op) == D("600.00")
    client.force_login(world.admin)

    response = client.post(
        reverse("ledger:reseller_cash_received", args=[op.pk]),
        {"amount": "450", "note": "cash at office"},
    )

    assert response.status_code == 302
    assert reseller_position(op) == D("150.00")
    assert JournalEntry.objects.filter(kind="reseller.cash_received").count() == 1


def test_parent_sets_the_credit_limit_through_staff_update(client, world):
    op = postpaid(world.operator2, "1000")
    client.force_login(world.admin)

    response = client.post(
        reverse("ledger:reseller_credit_limit", args=[op.pk]), {"credit_limit": "2500"}
    )

    assert response.status_code == 302
    op.refresh_from_db()
    assert op.credit_limit == D("2500.00")
    assert ActivityLog.objects.get(action="staff.update").after == {"credit_limit": "2500.00"}


# --- the list --------------------------------------------------------------------------------


def test_list_shows_each_resellers_position_with_one_aggregate_query(client, world):
    op2 = postpaid(world.operator2, "5000")
    reseller_add_balance(actor=world.admin, reseller=world.operator, amount="1000")
    charge(world, make_customer(world, owner=op2))
    client.force_login(world.admin)

    response = client.get(reverse("ledger:resellers"))

    assert response.status_code == 200
    rows = {row["reseller"].pk: row for row in response.context["rows"]}
    assert set(rows) == {world.operator.pk, op2.pk}  # operators only, not the sub-operator
    assert (rows[world.operator.pk]["prepaid"], rows[world.operator.pk]["balance"]) == (
        True,
        D("1000.00"),
    )
    assert (rows[op2.pk]["position"], rows[op2.pk]["available"]) == (D("600.00"), D("4400.00"))

    # and more resellers do not mean more queries
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("ledger:resellers"))
    for _ in range(3):
        extra = make_user(world.tenant, Role.OPERATOR, parent=world.admin)
        reseller_add_balance(actor=world.admin, reseller=extra, amount="10")
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("ledger:resellers"))
    assert len(response.context["rows"]) == 5
    assert len(many.captured_queries) == len(few.captured_queries)
    aggregates = [q["sql"] for q in many.captured_queries if "SUM(" in q["sql"].upper()]
    assert len(aggregates) == 1


def test_operator_lists_its_sub_operators_only(client, world):
    other_sub = make_user(world.tenant, Role.SUB_OPERATOR, parent=world.operator2)
    reseller_add_balance(actor=world.admin, reseller=world.operator, amount="900")
    reseller_add_balance(actor=world.operator, reseller=world.sub_operator, amount="300")
    client.force_login(world.operator)

    response = client.get(reverse("ledger:resellers"))

    rows = response.context["rows"]
    assert [(r["reseller"].pk, r["balance"]) for r in rows] == [
        (world.sub_operator.pk, D("300.00"))
    ]
    assert (
        client.get(reverse("ledger:reseller_add_balance", args=[other_sub.pk])).status_code == 404
    )


# --- statements ------------------------------------------------------------------------------


def test_postpaid_statement_has_exact_opening_movements_and_closing(client, world):
    today = timezone.localdate()
    op = postpaid(world.operator2, "5000")
    charge(world, make_customer(world, owner=op), on=today - datetime.timedelta(days=40))
    charge(world, make_customer(world, owner=op), on=today - datetime.timedelta(days=5))
    reseller_cash_received(actor=world.admin, reseller=op, amount="1000", note="settled")
    client.force_login(world.admin)

    response = client.get(
        reverse("ledger:reseller_statement", args=[op.pk]),
        {"date_from": str(today - datetime.timedelta(days=10)), "date_to": str(today)},
    )

    assert response.status_code == 200
    statement = response.context["statement"]
    assert statement["opening"] == D("600.00")
    assert [
        (m["date"], m["kind"], m["debit"], m["credit"], m["balance"])
        for m in statement["movements"]
    ] == [
        (today - datetime.timedelta(days=5), "bill.monthly", D("600.00"), D("0.00"), D("1200.00")),
        (today, "reseller.cash_received", D("0.00"), D("1000.00"), D("200.00")),
    ]
    assert (statement["total_debit"], statement["total_credit"]) == (D("600.00"), D("1000.00"))
    assert statement["closing"] == D("200.00")
    assert (response.context["opening_shown"], response.context["closing_shown"]) == (
        D("600.00"),
        D("200.00"),
    )
    body = response.content.decode()
    assert 'data-amount="600.00"' in body and 'data-amount="200.00"' in body
    assert "settled" in body


def test_prepaid_statement_shows_the_balance(client, world):
    today = timezone.localdate()
    reseller_add_balance(actor=world.admin, reseller=world.operator, amount="1000", note="top-up")
    charge(world, make_customer(world, owner=world.operator))

    statement = reseller_statement(world.operator, date_from=today, date_to=today)
    assert (statement["opening"], statement["closing"]) == (D("0.00"), D("400.00") * -1)
    client.force_login(world.admin)
    response = client.get(
        reverse("ledger:reseller_statement", args=[world.operator.pk]),
        {"date_from": str(today), "date_to": str(today)},
    )
    shown = [m["shown"] for m in response.context["statement"]["movements"]]
    assert shown == [D("1000.00"), D("400.00")]
    assert response.context["closing_shown"] == D("400.00")


def test_statement_range_before_any_movement_is_empty(world):
    reseller_add_balance(actor=world.admin, reseller=world.operator, amount="1000")
    long_ago = timezone.localdate() - datetime.timedelta(days=400)
    statement = reseller_statement(world.operator, date_from=long_ago, date_to=long_ago)
    assert (statement["opening"], statement["movements"], statement["closing"]) == (
        D("0.00"),
        [],
        D("0.00"),
    )


def test_reseller_sees_its_own_account_with_its_parent(client, world):
    reseller_add_balance(actor=world.admin, reseller=world.operator, amount="2000")
    reseller_add_balance(actor=world.operator, reseller=world.sub_operator, amount="700")
    charge(world, make_customer(world, owner=world.sub_operator))

    client.force_login(world.sub_operator)
    response = client.get(reverse("ledger:my_account"))
    assert response.status_code == 200
    assert response.context["parent"] == world.operator
    assert response.context["position"]["balance"] == D("100.00")
    assert [m["shown"] for m in response.context["statement"]["movements"]] == [
        D("700.00"),
        D("100.00"),
    ]

    client.force_login(world.operator)
    response = client.get(reverse("ledger:my_account"))
    assert response.context["upstream_is_isp"] is True
    assert response.context["position"]["balance"] == D("1400.00")


def test_operators_manager_with_view_accounts_sees_the_operators_account(client, world):
    reseller_add_balance(actor=world.admin, reseller=world.operator, amount="500")
    world.op_manager.granted_keys = ["view-accounts"]
    world.op_manager.save()
    client.force_login(world.op_manager)
    response = client.get(reverse("ledger:my_account"))
    assert response.context["reseller"] == world.operator
    assert response.context["position"]["balance"] == D("500.00")


def test_group_admin_has_no_upstream_account(client, world):
    client.force_login(world.admin)
    response = client.get(reverse("ledger:my_account"))
    assert response.status_code == 200
    assert 'data-testid="no-upstream"' in response.content.decode()


# --- refusals --------------------------------------------------------------------------------


def test_prepaid_reseller_at_zero_cannot_activate_and_nothing_changes(world):
    customer = make_customer(world, owner=world.operator)
    before = money_state()
    with pytest.raises(ResellerRefused) as exc:
        charge(world, customer)
    assert list(exc.value.message_dict) == ["reseller"]
    assert "not enough balance" in exc.value.message_dict["reseller"][0]
    assert money_state() == before


def test_prepaid_reseller_at_zero_cannot_create_a_customer_with_its_first_bill(world):
    from netbill.catalog.models import BillingProfile
    from netbill.customers.services import customer_create

    # a profile due today: the first bill is a full period (reseller price 600, no proration)
    due_today = BillingProfile.objects.create(
        tenant=world.tenant,
        name="Due today",
        billing_type="monthly",
        due_day=timezone.localdate().day,
    )
    due_today.resellers.add(world.operator)
    data = {
        "customer_type": "pppoe_monthly",
        "name": "New Subscriber",
        "mobile": "01712345678",
        "package": world.package,
        "billing_profile": due_today,
        "username": "newsub",
        "zone": world.zone,
    }
    before = money_state()

    with pytest.raises(ResellerRefused) as exc:
        customer_create(actor=world.operator, **data)

    assert "not enough balance" in exc.value.message_dict["reseller"][0]
    assert money_state() == before
    # with balance the same creation goes through and charges the reseller its price
    reseller_add_balance(actor=world.admin, reseller=world.operator, amount="1000")
    customer = customer_create(actor=world.operator, **data)
    assert Bill.objects.get(customer=customer).amount == D("800.00")
    assert reseller_balance(world.operator) == D("400.00")


def test_postpaid_reseller_at_its_limit_cannot_add_a_bill_until_cash_received(world):
    op = postpaid(world.operator2, "600")
    charge(world, make_customer(world, owner=op))
    second = make_customer(world, owner=op)
    before = money_state()

    with pytest.raises(ResellerRefused) as exc:
        charge(world, second)

    assert "credit limit of 600.00" in exc.value.message_dict["reseller"][0]
    assert money_state() == before
    reseller_cash_received(actor=world.admin, reseller=op, amount="600")
    assert charge(world, second).amount == D("800.00")
    assert reseller_position(op) == D("600.00")


def test_sub_operator_at_zero_is_refused_even_when_its_operator_has_balance(world):
    reseller_add_balance(actor=world.admin, reseller=world.operator, amount="5000")
    customer = make_customer(world, owner=world.sub_operator)
    before = money_state()
    with pytest.raises(ResellerRefused) as exc:
        charge(world, customer)
    assert world.sub_operator.name in exc.value.message_dict["reseller"][0]
    assert money_state() == before


def test_operator_at_zero_blocks_its_sub_operators_customers(world):
    # the operator's balance is spent; its sub-operator still has balance with it
    reseller_add_balance(actor=world.admin, reseller=world.operator, amount="600")
    reseller_add_balance(actor=world.operator, reseller=world.sub_operator, amount="2000")
    charge(world, make_customer(world, owner=world.operator))
    assert reseller_balance(world.operator) == D("0.00")
    customer = make_customer(world, owner=world.sub_operator)
    before = money_state()

    with pytest.raises(ResellerRefused) as exc:
        charge(world, customer)

    assert world.operator.name in exc.value.message_dict["reseller"][0]
    assert money_state() == before


def test_postpaid_sub_operator_limit_is_held_by_its_operator(world):
    reseller_add_balance(actor=world.admin, reseller=world.operator, amount="5000")
    sub = postpaid(world.sub_operator, "600")
    charge(world, make_customer(world, owner=sub))
    second = make_customer(world, owner=sub)
    before = money_state()
    with pytest.raises(ResellerRefused):
        charge(world, second)
    assert money_state() == before
    # the sub-operator's money is in its operator's book
    assert set(
        JournalLine.objects.filter(reseller=sub, account__code="1400").values_list(
            "book_id", flat=True
        )
    ) == {world.operator.pk}
    reseller_cash_received(actor=world.operator, reseller=sub, amount="600")
    assert reseller_position(sub) == D("0.00")
    assert charge(world, second).amount == D("800.00")


def test_only_the_direct_parent_records_a_sub_operators_money(client, world):
    before = money_state()
    with pytest.raises(PermissionDenied):
        reseller_add_balance(actor=world.admin, reseller=world.sub_operator, amount="100")
    with pytest.raises(Http404):  # another operator's sub-operator is outside its scope
        reseller_add_balance(actor=world.operator2, reseller=world.sub_operator, amount="100")
    assert money_state() == before
    # the pages do not even show it to them
    for user in (world.admin, world.operator2):
        client.force_login(user)
        url = reverse("ledger:reseller_add_balance", args=[world.sub_operator.pk])
        assert client.post(url, {"amount": "100"}).status_code == 404
        statement = reverse("ledger:reseller_statement", args=[world.sub_operator.pk])
        assert client.get(statement).status_code == 404
    assert money_state() == before


def test_operator_adds_balance_to_its_sub_operator_in_its_own_book(client, world):
    client.force_login(world.operator)
    response = client.post(
        reverse("ledger:reseller_add_balance", args=[world.sub_operator.pk]),
        {"amount": "750", "note": "cash"},
    )
    assert response.status_code == 302
    assert reseller_balance(world.sub_operator) == D("750.00")
    entry = JournalEntry.objects.get(kind="reseller.add_balance")
    assert {line.book_id for line in entry.lines.all()} == {world.operator.pk}


def test_manager_without_manage_staff_gets_403(client, world):
    client.force_login(world.op_manager)
    assert client.get(reverse("ledger:resellers")).status_code == 403
    url = reverse("ledger:reseller_add_balance", args=[world.sub_operator.pk])
    before = money_state()
    assert client.post(url, {"amount": "100"}).status_code == 403
    assert money_state() == before


def test_add_balance_to_a_non_reseller_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        reseller_add_balance(actor=world.admin, reseller=world.admin_manager, amount="100")
    assert list(exc.value.message_dict) == ["reseller"]
    assert User.objects.filter(pk=world.admin_manager.pk).exists()


def test_every_reseller_money_page_renders(client, world):
    op2 = postpaid(world.operator2, "1000")
    client.force_login(world.admin)
    for url in (
        reverse("ledger:resellers"),
        reverse("ledger:reseller_add_balance", args=[world.operator.pk]),
        reverse("ledger:reseller_cash_received", args=[op2.pk]),
        reverse("ledger:reseller_credit_limit", args=[op2.pk]),
        reverse("ledger:reseller_statement", args=[op2.pk]),
        reverse("ledger:reseller_statement", args=[op2.pk]) + "?date_from=bad",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'data-menu="ledger:resellers"' in response.content.decode()
    client.force_login(world.operator)
    body = client.get(reverse("ledger:my_account")).content.decode()
    assert 'data-menu="ledger:my_account"' in body
