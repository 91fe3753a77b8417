"""REST API v1: reseller accounts (positions, Add Balance, Entry Cash Received, statements,
a reseller's own account) and expenses with categories — scope, keys, validation, effects."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from netbill.accounts.models import User
from netbill.billing.calendar import local_today
from netbill.billing.models import Bill
from netbill.billing.services import bill_create
from netbill.core import permissions as P
from netbill.core.choices import AccountType
from netbill.core.models import ActivityLog
from netbill.core.testing import db_state, make_customer
from netbill.ledger.expenses import expense_category_create, expense_record
from netbill.ledger.models import Expense, ExpenseCategory, JournalEntry, JournalLine
from netbill.ledger.resellers import reseller_add_balance
from netbill.ledger.selectors import reseller_position
from netbill.payments.models import Payment

pytestmark = pytest.mark.django_db
D = Decimal
RESELLERS = "/api/v1/resellers/"
EXPENSES = "/api/v1/expenses/"
CATEGORIES = "/api/v1/expense-categories/"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=user.pk))
    return client


def grant(user, *keys):
    user.granted_keys = sorted(keys)
    user.save(update_fields=["granted_keys"])


def money_state():
    return db_state(Bill, Payment, JournalEntry, JournalLine, Expense, ExpenseCategory, ActivityLog)


def entry_lines(entry_id) -> list[tuple]:
    """(account code, amount, book, reseller, staff) of an entry's lines (book 0: the ISP's)."""
    return sorted(
        (row.account.code, row.amount, row.book_id or 0, row.reseller_id, row.staff_id)
        for row in JournalLine.objects.filter(entry_id=entry_id).select_related("account")
    )


def rows(response) -> dict:
    assert response.status_code == 200, response.content
    return {row["id"]: row for row in response.json()["results"]}


# --- reseller accounts


def test_group_admin_lists_its_operators_with_positions(world):
    world.operator2.account_type = AccountType.POSTPAID
    world.operator2.credit_limit = D("5000")
    world.operator2.save()
    reseller_add_balance(actor=world.admin, reseller=world.operator, amount="1500")
    bill_create(
        actor=world.admin,
        customer=make_customer(world, owner=world.operator2),
        kind="monthly",
        period_start=datetime.date(2026, 5, 1),
        period_end=datetime.date(2026, 5, 31),
    )

    listed = rows(api(world.admin).get(RESELLERS))

    assert set(listed) == {world.operator.pk, world.operator2.pk}  # not the sub-operator
    op, op2 = listed[world.operator.pk], listed[world.operator2.pk]
    assert (op["prepaid"], op["position"], op["balance"], op["available"]) == (
        True,
        "-1500.00",
        "1500.00",
        "1500.00",
    )
    assert (op2["prepaid"], op2["owes"], op2["credit_limit"], op2["available"]) == (
        False,
        "600.00",
        "5000.00",
        "4400.00",
    )


def test_operator_lists_only_its_sub_operators(world, other_world):
    listed = rows(api(world.operator).get(RESELLERS))
    assert list(listed) == [world.sub_operator.pk]
    assert rows(api(world.sub_operator).get(RESELLERS)) == {}


def test_add_balance_credits_the_reseller_from_the_parents_cash(world):
    response = api(world.admin).post(
        f"{RESELLERS}{world.operator.pk}/add-balance/", {"amount": "2500.50", "note": "bKash 8X1"}
    )

    assert response.status_code == 200, response.content
    assert (response.json()["balance"], response.json()["position"]) == ("2500.50", "-2500.50")
    entry = JournalEntry.objects.get(kind="reseller.add_balance")
    assert entry.memo == "bKash 8X1"
    assert entry_lines(entry.pk) == [
        ("1000", D("2500.50"), 0, None, world.admin.pk),
        ("1400", D("-2500.50"), 0, world.operator.pk, None),
    ]


def test_cash_received_settles_a_postpaid_sub_operator_in_its_operators_book(world):
    sub = world.sub_operator
    sub.account_type = AccountType.POSTPAID
    sub.credit_limit = D("3000")
    sub.save()
    reseller_add_balance(actor=world.admin, reseller=world.operator, amount="5000")
    bill_create(
        actor=world.admin,
        customer=make_customer(world, owner=sub),
        kind="monthly",
        period_start=datetime.date(2026, 5, 1),
        period_end=datetime.date(2026, 5, 31),
    )
    assert reseller_position(sub) == D("600.00")

    response = api(world.operator).post(
        f"{RESELLERS}{sub.pk}/cash-received/", {"amount": "400", "note": "Cash"}
    )

    assert response.status_code == 200, response.content
    assert (response.json()["owes"], response.json()["available"]) == ("200.00", "2800.00")
    entry = JournalEntry.objects.get(kind="reseller.cash_received")
    op = world.operator.pk
    assert entry_lines(entry.pk) == [
        ("1000", D("400.00"), op, None, op),
        ("1400", D("-400.00"), op, sub.pk, None),
    ]


def test_reseller_money_outside_ones_children_answers_404_and_changes_nothing(world, other_world):
    before = money_state()
    client = api(world.operator)
    for reseller in (world.operator2, other_world.sub_operator, world.admin):
        for path in ("add-balance", "cash-received"):
            response = client.post(f"{RESELLERS}{reseller.pk}/{path}/", {"amount": "10"})
            assert response.status_code == 404, (reseller, path)
        assert client.get(f"{RESELLERS}{reseller.pk}/statement/").status_code == 404
    # the group admin is not the sub-operator's parent
    admin = api(world.admin)
    response = admin.post(f"{RESELLERS}{world.sub_operator.pk}/add-balance/", {"amount": "10"})
    assert response.status_code == 404
    assert money_state() == before


def test_without_manage_staff_reseller_money_is_403_and_nothing_changed(world):
    grant(world.operator, *(set(world.operator.granted_keys) - {P.MANAGE_STAFF}))
    before = money_state()
    client = api(world.operator)
    url = f"{RESELLERS}{world.sub_operator.pk}/"
    assert client.post(f"{url}add-balance/", {"amount": "10"}).status_code == 403
    assert client.post(f"{url}cash-received/", {"amount": "10"}).status_code == 403
    assert client.get(f"{url}statement/").status_code == 403
    assert client.get(RESELLERS).status_code == 403
    assert money_state() == before


@pytest.mark.parametrize("amount", ["abc", "-10", "0", None])
def test_bad_amount_answers_400_naming_the_amount(world, amount):
    before = money_state()
    response = api(world.admin).post(
        f"{RESELLERS}{world.operator.pk}/add-balance/", {"amount": amount}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["amount"]
    assert money_state() == before


def test_statement_has_opening_movements_and_closing(world):
    reseller_add_balance(actor=world.admin, reseller=world.operator, amount="1000")
    bill_create(
        actor=world.admin,
        customer=make_customer(world, owner=world.operator),
        kind="monthly",
        period_start=datetime.date(2026, 5, 1),
        period_end=datetime.date(2026, 5, 31),
    )
    today = local_today(world.tenant)
    client = api(world.admin)

    body = client.get(
        f"{RESELLERS}{world.operator.pk}/statement/",
        {"date_from": today.isoformat(), "date_to": today.isoformat()},
    ).json()

    assert (body["opening"], body["total_debit"], body["total_credit"], body["closing"]) == (
        "0.00",
        "600.00",
        "1000.00",
        "-400.00",
    )
    assert [(m["kind"], m["debit"], m["credit"], m["balance"]) for m in body["movements"]] == [
        ("reseller.add_balance", "0.00", "1000.00", "-1000.00"),
        ("bill.monthly", "600.00", "0.00", "-400.00"),
    ]
    assert body["account"]["balance"] == "400.00"
    later = client.get(
        f"{RESELLERS}{world.operator.pk}/statement/",
        {"date_from": (today + datetime.timedelta(days=1)).isoformat()},
    ).json()
    assert (later["opening"], later["movements"], later["closing"]) == ("-400.00", [], "-400.00")
    bad = client.get(f"{RESELLERS}{world.operator.pk}/statement/", {"date_from": "31-12-2026"})
    assert (bad.status_code, list(bad.json())) == (400, ["date_from"])


def test_a_reseller_reads_its_own_account_with_view_accounts(world):
    reseller_add_balance(actor=world.admin, reseller=world.operator, amount="700")
    body = api(world.operator).get(f"{RESELLERS}me/").json()
    assert (body["account"]["id"], body["account"]["balance"]) == (world.operator.pk, "700.00")
    grant(world.op_manager, P.VIEW_ACCOUNTS)
    assert api(world.op_manager).get(f"{RESELLERS}me/").json()["account"]["id"] == (
        world.operator.pk
    )
    assert api(world.admin).get(f"{RESELLERS}me/").status_code == 404
    grant(world.op_manager)
    assert api(world.op_manager).get(f"{RESELLERS}me/").status_code == 403


# --- expenses


@pytest.fixture
def categories(world):
    rent = expense_category_create(actor=world.operator, name="Rent")
    return {
        "rent": rent,
        "office": expense_category_create(actor=world.operator, name="Office", parent=rent),
        "isp": expense_category_create(actor=world.admin, name="Fuel"),
    }


def test_expense_is_recorded_in_the_callers_book_from_its_cash(world, categories):
    grant(world.op_manager, P.EXPENSE_MANAGEMENT)

    response = api(world.op_manager).post(
        EXPENSES,
        {"category": categories["office"].pk, "amount": "1250.75", "note": "May rent"},
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["book"], body["category_name"], body["amount"], body["paid_by"]) == (
        world.operator.pk,
        "Rent / Office",
        "1250.75",
        world.op_manager.pk,
    )
    assert body["date"] == local_today(world.tenant).isoformat()
    expense = Expense.objects.get(pk=body["id"])
    op = world.operator.pk
    assert entry_lines(expense.entry_id) == [
        ("1000", D("-1250.75"), op, None, world.op_manager.pk),
        ("5000", D("1250.75"), op, None, None),
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "abc"}, "amount"),
        ({"amount": "-1"}, "amount"),
        ({"category": "isp"}, "category"),  # the ISP's category, not the operator's
        ({"date": "2999-01-01"}, "date"),
    ],
)
def test_bad_expense_answers_400_naming_the_field(world, categories, change, field):
    payload = {"category": categories["rent"].pk, "amount": "10", **change}
    if payload["category"] == "isp":
        payload["category"] = categories["isp"].pk
    before = money_state()
    response = api(world.operator).post(EXPENSES, payload)
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    assert money_state() == before


def test_expense_list_is_scoped_and_filtered_and_void_reverses(world, other_world, categories):
    own = expense_record(actor=world.operator, category=categories["office"], amount="100")
    isp = expense_record(actor=world.admin, category=categories["isp"], amount="40")
    foreign_cat = expense_category_create(actor=other_world.admin, name="Foreign")
    foreign = expense_record(actor=other_world.admin, category=foreign_cat, amount="9")
    client = api(world.operator)

    assert list(rows(client.get(EXPENSES))) == [own.pk]
    assert set(rows(api(world.admin).get(EXPENSES))) == {own.pk, isp.pk}
    assert list(rows(client.get(EXPENSES, {"category": categories["rent"].pk}))) == [own.pk]
    assert rows(client.get(EXPENSES, {"date_to": "2020-01-01"})) == {}
    bad = client.get(EXPENSES, {"category": categories["isp"].pk})
    assert (bad.status_code, list(bad.json())) == (400, ["category"])

    before = money_state()
    # only the book that recorded an expense voids it; another tenant's is unknown
    assert api(world.admin).post(f"{EXPENSES}{own.pk}/void/", {}).status_code == 404
    assert client.post(f"{EXPENSES}{foreign.pk}/void/", {}).status_code == 404
    assert client.get(f"{EXPENSES}{foreign.pk}/").status_code == 404
    assert money_state() == before

    response = client.post(f"{EXPENSES}{own.pk}/void/", {"reason": "Duplicate"})
    assert response.status_code == 200, response.content
    assert response.json()["voided_at"] is not None
    reversal = JournalEntry.objects.get(reverses_id=own.entry_id)
    assert entry_lines(reversal.pk) == sorted(
        (code, -amount, book, reseller, staff)
        for code, amount, book, reseller, staff in entry_lines(own.entry_id)
    )
    again = client.post(f"{EXPENSES}{own.pk}/void/", {})
    assert (again.status_code, list(again.json())) == (400, ["expense"])


def test_expenses_need_expense_management(world, categories):
    grant(world.op_manager, P.VIEW_ACCOUNTS)
    before = money_state()
    client = api(world.op_manager)
    assert client.get(EXPENSES).status_code == 403
    assert (
        client.post(EXPENSES, {"category": categories["rent"].pk, "amount": "5"}).status_code == 403
    )
    assert client.post(CATEGORIES, {"name": "New"}).status_code == 403
    assert money_state() == before


def test_expense_categories_are_the_callers_books(world, categories):
    client = api(world.operator)
    listed = rows(client.get(CATEGORIES))
    assert sorted(row["full_name"] for row in listed.values()) == ["Rent", "Rent / Office"]

    created = client.post(CATEGORIES, {"name": "Cables", "parent": categories["rent"].pk})
    assert created.status_code == 201, created.content
    assert (created.json()["parent"], created.json()["book"]) == (
        categories["rent"].pk,
        world.operator.pk,
    )
    nested = client.post(CATEGORIES, {"name": "Deep", "parent": categories["office"].pk})
    assert (nested.status_code, list(nested.json())) == (400, ["parent"])
    foreign_parent = client.post(CATEGORIES, {"name": "X", "parent": categories["isp"].pk})
    assert (foreign_parent.status_code, list(foreign_parent.json())) == (400, ["parent"])
    duplicate = client.post(CATEGORIES, {"name": "rent"})
    assert (duplicate.status_code, list(duplicate.json())) == (400, ["name"])

    renamed = client.patch(f"{CATEGORIES}{created.json()['id']}/", {"name": "Fibre"})
    assert (renamed.status_code, renamed.json()["name"]) == (200, "Fibre")
    assert client.patch(f"{CATEGORIES}{categories['isp'].pk}/", {"name": "Y"}).status_code == 404
    assert client.delete(f"{CATEGORIES}{created.json()['id']}/").status_code == 204
    in_use = client.delete(f"{CATEGORIES}{categories['rent'].pk}/")
    assert (in_use.status_code, list(in_use.json())) == (400, ["category"])
