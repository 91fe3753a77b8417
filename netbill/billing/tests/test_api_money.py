"""REST API v1: bills (list, one bill, generate, discount, edit, void, mark paid) and billing
runs — scope, keys, validation and exact effects on bills and the ledger."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from netbill.accounts.models import User
from netbill.billing import calendar as cal
from netbill.billing.models import Bill, BillingRun, BillLine
from netbill.billing.services import bill_create
from netbill.core import permissions as P
from netbill.core.models import ActivityLog, OutboxMessage
from netbill.core.testing import db_state, make_customer
from netbill.customers.models import Customer
from netbill.ledger.models import JournalEntry, JournalLine
from netbill.ledger.resellers import reseller_add_balance
from netbill.payments.models import Payment, PaymentAllocation
from netbill.payments.services import payment_record

pytestmark = pytest.mark.django_db
D = Decimal
BILLS = "/api/v1/bills/"
RUNS = "/api/v1/billing-runs/"
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
        Customer,
        ActivityLog,
        OutboxMessage,
    )


def make_bill(world, customer, period=MAY, kind="monthly"):
    return bill_create(
        actor=world.admin,
        customer=customer,
        kind=kind,
        period_start=period[0],
        period_end=period[1],
    )


def fund(world, amount="10000"):
    reseller_add_balance(actor=world.admin, reseller=world.operator, amount=amount)
    reseller_add_balance(actor=world.admin, reseller=world.operator2, amount=amount)
    reseller_add_balance(actor=world.operator, reseller=world.sub_operator, amount=amount)


def entry_lines(entry_id) -> list[tuple]:
    """(account code, amount, book) of an entry's lines, sorted (book 0: the ISP's)."""
    return sorted(
        (row.account.code, row.amount, row.book_id or 0)
        for row in JournalLine.objects.filter(entry_id=entry_id).select_related("account")
    )


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return sorted(row["id"] for row in response.json()["results"])


@pytest.fixture
def bills(world, other_world):
    """A bill of each owner in the world, and one of the other tenant."""
    fund(world)
    reseller_add_balance(actor=other_world.admin, reseller=other_world.operator, amount="5000")
    return {
        "operator": make_bill(world, make_customer(world, owner=world.operator)),
        "sub": make_bill(world, make_customer(world, owner=world.sub_operator)),
        "operator2": make_bill(world, make_customer(world, owner=world.operator2)),
        "admin": make_bill(world, make_customer(world, owner=world.admin, vat_profile=world.vat)),
        "foreign": make_bill(other_world, make_customer(other_world, owner=other_world.operator)),
    }


# --- list and detail: scope and filters


def test_operator_lists_its_own_and_its_sub_operators_bills_only(world, bills):
    assert ids(api(world.operator).get(BILLS)) == sorted([bills["operator"].pk, bills["sub"].pk])
    assert ids(api(world.sub_operator).get(BILLS)) == [bills["sub"].pk]
    assert ids(api(world.admin).get(BILLS)) == sorted(
        b.pk for name, b in bills.items() if name != "foreign"
    )


def test_bill_list_filters_by_status_owner_customer_kind_and_issue_dates(world, bills):
    client = api(world.admin)
    payment_record(actor=world.admin, customer=bills["admin"].customer, amount="840")
    today = cal.local_today(world.tenant).isoformat()

    assert ids(client.get(BILLS, {"status": "paid"})) == [bills["admin"].pk]
    assert bills["admin"].pk not in ids(client.get(BILLS, {"status": "open"}))
    assert ids(client.get(BILLS, {"owner": world.operator2.pk})) == [bills["operator2"].pk]
    assert ids(client.get(BILLS, {"customer": bills["sub"].customer_id})) == [bills["sub"].pk]
    assert ids(client.get(BILLS, {"customer": "x"})) == []
    assert ids(client.get(BILLS, {"kind": "daily"})) == []
    assert len(ids(client.get(BILLS, {"date_from": today, "date_to": today}))) == 4
    assert ids(client.get(BILLS, {"date_to": "2020-01-01"})) == []
    # another tenant's customer id simply matches nothing
    assert ids(client.get(BILLS, {"customer": bills["foreign"].customer_id})) == []


def test_bill_detail_has_lines_allocations_and_ledger_lines_with_money_as_strings(world, bills):
    bill = bills["admin"]
    payment = payment_record(actor=world.admin, customer=bill.customer, amount="300")

    body = api(world.admin).get(f"{BILLS}{bill.pk}/").json()

    assert (body["number"], body["status"], body["kind"]) == (bill.number, "partial", "monthly")
    assert (body["amount"], body["discount"], body["paid_amount"], body["due"]) == (
        "840.00",
        "0.00",
        "300.00",
        "540.00",
    )
    assert [(x["kind"], x["amount"]) for x in body["lines"]] == [
        ("package", "800.00"),
        ("vat", "40.00"),
    ]
    assert [(a["payment"], a["receipt_number"], a["amount"]) for a in body["allocations"]] == [
        (payment.pk, payment.receipt_number, "300.00")
    ]
    ledger = sorted(
        (x["entry_kind"], x["account_code"], x["debit"], x["credit"]) for x in body["ledger_lines"]
    )
    assert ledger == [
        ("bill.monthly", "1300", "840.00", None),
        ("bill.monthly", "2200", None, "40.00"),
        ("bill.monthly", "4100", None, "800.00"),
        ("payment.cash", "1000", "300.00", None),
        ("payment.cash", "1300", None, "300.00"),
    ]


def test_another_tenants_or_resellers_bill_answers_404_on_read_and_every_action(world, bills):
    before = money_state()
    client = api(world.operator)
    for bill in (bills["foreign"], bills["operator2"]):
        assert client.get(f"{BILLS}{bill.pk}/").status_code == 404
        for path, payload in (
            ("discount", {"amount": "10", "reason": "x"}),
            ("void", {"reason": "x"}),
            ("edit", {"amount": "10", "reason": "x"}),
        ):
            response = client.post(f"{BILLS}{bill.pk}/{path}/", payload)
            assert response.status_code == 404, (path, response.content)
    assert client.get(f"{BILLS}abc/").status_code == 404
    assert money_state() == before


def test_manager_without_the_keys_gets_403_and_nothing_changed(world, bills):
    grant(world.op_manager, P.VIEW_BILLS)
    client = api(world.op_manager)
    bill = bills["operator"]
    before = money_state()
    for path, payload in (
        ("discount", {"amount": "10", "reason": "x"}),
        ("void", {"reason": "x"}),
        ("edit", {"amount": "10", "reason": "x"}),
    ):
        assert client.post(f"{BILLS}{bill.pk}/{path}/", payload).status_code == 403
    assert client.post(f"{BILLS}generate/", {"customer": bill.customer_id}).status_code == 403
    assert client.post(f"{BILLS}mark-paid/", {"bills": [bill.pk]}).status_code == 403
    # the key check comes first: a foreign bill is a 403 too, never a hint it exists
    foreign = bills["foreign"]
    assert client.post(f"{BILLS}{foreign.pk}/void/", {"reason": "x"}).status_code == 403
    grant(world.op_manager)
    assert api(world.op_manager).get(BILLS).status_code == 403
    assert api(world.op_manager).get(f"{BILLS}{bill.pk}/").status_code == 403
    assert money_state() == before


def test_bill_list_queries_do_not_grow_with_the_bills(world, bills):
    client = api(world.admin)
    with CaptureQueriesContext(connection) as few:
        assert client.get(BILLS).status_code == 200
    for period in (JUNE, (datetime.date(2026, 7, 1), datetime.date(2026, 7, 31))):
        for bill in (bills["operator"], bills["sub"], bills["admin"]):
            make_bill(world, bill.customer, period=period)
    with CaptureQueriesContext(connection) as many:
        response = client.get(BILLS)
    assert response.json()["count"] == 10
    assert len(many) == len(few)


# --- discount


def test_discount_reduces_the_due_and_posts_discount_against_the_receivable(world, bills):
    grant(world.op_manager, P.DISCOUNT_ON_BILLS)
    bill = bills["operator"]

    response = api(world.op_manager).post(
        f"{BILLS}{bill.pk}/discount/", {"amount": "100.50", "reason": "Loyal customer"}
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["discount"], body["due"], body["status"]) == ("100.50", "699.50", "unpaid")
    assert body["lines"][-1]["kind"] == "discount"
    assert body["lines"][-1]["amount"] == "-100.50"
    entry = JournalEntry.objects.get(kind="bill.discount")
    assert entry_lines(entry.pk) == [
        ("1300", D("-100.50"), world.operator.pk),
        ("4900", D("100.50"), world.operator.pk),
    ]
    assert ActivityLog.objects.filter(action="bill.discount", actor=world.op_manager).count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"amount": "abc", "reason": "x"}, "amount"),
        ({"amount": "-5", "reason": "x"}, "amount"),
        ({"amount": "0", "reason": "x"}, "amount"),
        ({"amount": "800.01", "reason": "x"}, "amount"),  # more than the due
        ({"amount": "10"}, "reason"),
        ({"amount": "10", "reason": ""}, "reason"),
    ],
)
def test_bad_discount_answers_400_naming_the_field_and_changes_nothing(
    world, bills, payload, field
):
    bill = bills["operator"]
    before = money_state()

    response = api(world.operator).post(f"{BILLS}{bill.pk}/discount/", payload)

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert money_state() == before


# --- void and edit


def test_void_reverses_the_bill_and_the_resellers_charge(world, bills):
    bill = bills["sub"]

    response = api(world.operator).post(f"{BILLS}{bill.pk}/void/", {"reason": "Wrong period"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["void_reason"]) == ("void", "Wrong period")
    reversal = JournalEntry.objects.get(reverses_id=bill.entry_id)
    op, sub = world.operator.pk, world.sub_operator.pk
    assert entry_lines(bill.entry_id) == [
        ("1300", D("800.00"), sub),
        ("1400", D("600.00"), 0),  # the operator, charged in the ISP's book
        ("1400", D("600.00"), op),  # the sub-operator, charged in the operator's book
        ("4100", D("-800.00"), sub),
        ("4500", D("-600.00"), 0),
        ("4500", D("-600.00"), op),
    ]
    assert entry_lines(reversal.pk) == sorted(
        (code, -amount, book) for code, amount, book in entry_lines(bill.entry_id)
    )


def test_void_of_a_bill_with_a_payment_is_refused_naming_the_bill(world, bills):
    bill = bills["operator"]
    payment_record(actor=world.admin, customer=bill.customer, amount="100", bill=bill)
    before = money_state()

    response = api(world.operator).post(f"{BILLS}{bill.pk}/void/", {"reason": "x"})

    assert response.status_code == 400
    assert list(response.json()) == ["bill"]
    assert money_state() == before


def test_edit_voids_the_bill_and_issues_a_new_one_for_the_same_period(world, bills):
    bill = bills["admin"]

    response = api(world.admin).post(
        f"{BILLS}{bill.pk}/edit/", {"amount": "420.00", "reason": "Half month"}
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"] != bill.pk
    assert (body["amount"], body["period_start"], body["status"]) == (
        "420.00",
        "2026-05-01",
        "unpaid",
    )
    assert [(x["kind"], x["amount"]) for x in body["lines"]] == [
        ("package", "400.00"),
        ("vat", "20.00"),
    ]
    assert Bill.objects.get(pk=bill.pk).status == "void"


# --- generate


def test_generate_bills_the_customer_for_its_current_cycle(world):
    customer = make_customer(world, owner=world.admin, vat_profile=world.vat)
    Customer.objects.filter(pk=customer.pk).update(
        created_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    grant(world.admin_manager, P.GENERATE_BILLS)

    response = api(world.admin_manager).post(f"{BILLS}generate/", {"customer": customer.pk})

    assert response.status_code == 201, response.content
    body = response.json()
    cycle = cal.monthly_cycle(cal.local_today(world.tenant), 1)
    assert (body["customer"], body["kind"], body["amount"], body["status"]) == (
        customer.pk,
        "monthly",
        "840.00",
        "unpaid",
    )
    assert (body["period_start"], body["period_end"]) == (
        cycle.start.isoformat(),
        cycle.end.isoformat(),
    )
    bill = Bill.objects.get(pk=body["id"])
    assert entry_lines(bill.entry_id) == [
        ("1300", D("840.00"), 0),
        ("2200", D("-40.00"), 0),
        ("4100", D("-800.00"), 0),
    ]


def test_generate_twice_for_one_period_is_refused_and_bills_once(world):
    customer = make_customer(world, owner=world.admin)
    client = api(world.admin)
    assert client.post(f"{BILLS}generate/", {"customer": customer.pk}).status_code == 201
    before = money_state()

    response = client.post(f"{BILLS}generate/", {"customer": customer.pk})

    assert response.status_code == 400
    assert list(response.json()) == ["period_start"]
    assert money_state() == before


def test_generate_for_a_prepaid_resellers_customer_without_balance_is_refused(world):
    customer = make_customer(world, owner=world.operator)
    before = money_state()

    response = api(world.operator).post(f"{BILLS}generate/", {"customer": customer.pk})

    assert response.status_code == 400
    assert "not enough balance" in response.json()["reseller"][0]
    assert money_state() == before


def test_generate_for_another_tenants_customer_is_a_400_naming_the_customer(world, other_world):
    foreign = make_customer(other_world, owner=other_world.admin)
    before = money_state()

    response = api(world.admin).post(f"{BILLS}generate/", {"customer": foreign.pk})

    assert response.status_code == 400
    assert list(response.json()) == ["customer"]
    assert money_state() == before


# --- bulk mark paid


def test_mark_paid_pays_each_open_bill_in_full_and_lists_what_failed(world, bills):
    open_bill = bills["admin"]
    paid = make_bill(world, open_bill.customer, period=JUNE)
    payment_record(actor=world.admin, customer=paid.customer, amount="840", bill=paid)

    response = api(world.admin).post(
        f"{BILLS}mark-paid/",
        {"bills": [open_bill.pk, paid.pk, bills["foreign"].pk], "note": "Collected at office"},
    )

    assert response.status_code == 200, response.content
    rows = {row["bill"]: row for row in response.json()}
    assert rows[open_bill.pk]["amount"] == "840.00"
    assert rows[open_bill.pk]["error"] == ""
    assert rows[paid.pk]["payment"] is None and "already" in rows[paid.pk]["error"]
    assert rows[bills["foreign"].pk]["error"] == "No such bill."
    assert Bill.objects.get(pk=open_bill.pk).status == "paid"
    assert Bill.objects.get(pk=bills["foreign"].pk).status == "unpaid"


# --- billing runs


def test_dry_run_shows_what_a_run_would_create_and_writes_no_bill(world):
    customer = make_customer(world, owner=world.admin)
    Customer.objects.filter(pk=customer.pk).update(
        created_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    day = datetime.date(2026, 3, 1)
    bills_before = db_state(Bill, JournalLine)

    response = api(world.admin).post(RUNS, {"run_date": day.isoformat(), "dry_run": True})

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["dry_run"], body["created_count"], body["total"]) == (True, 1, "800.00")
    assert [(p["customer"], p["amount"], p["period_start"]) for p in body["preview"]] == [
        (customer.pk, "800.00", "2026-03-01")
    ]
    assert db_state(Bill, JournalLine) == bills_before
    assert BillingRun.objects.get(pk=body["id"]).dry_run is True


def test_run_bills_the_due_customers_once_and_is_logged(world):
    customer = make_customer(world, owner=world.admin)
    Customer.objects.filter(pk=customer.pk).update(
        created_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    client = api(world.admin)

    first = client.post(RUNS, {"run_date": "2026-03-01"})
    again = client.post(RUNS, {"run_date": "2026-03-01"})

    assert (first.status_code, again.status_code) == (201, 201)
    assert (first.json()["created_count"], again.json()["created_count"]) == (1, 0)
    assert again.json()["skipped_count"] == 1
    bill = Bill.objects.get(customer=customer)
    assert (bill.period_start, bill.amount) == (datetime.date(2026, 3, 1), D("800.00"))
    listed = client.get(RUNS).json()["results"]
    assert [r["id"] for r in listed][:2] == [again.json()["id"], first.json()["id"]]
    detail = client.get(f"{RUNS}{first.json()['id']}/").json()
    assert (detail["triggered_by"], detail["created_count"]) == (world.admin.pk, 1)


def test_a_real_run_for_a_future_date_is_refused_naming_the_date(world):
    future = cal.local_today(world.tenant) + datetime.timedelta(days=2)
    before = db_state(Bill, BillingRun)

    response = api(world.admin).post(RUNS, {"run_date": future.isoformat()})

    assert response.status_code == 400
    assert list(response.json()) == ["run_date"]
    assert db_state(Bill, BillingRun) == before


def test_only_the_group_admin_runs_billing(world, other_world):
    before = db_state(Bill, BillingRun)
    client = api(world.operator)
    assert client.post(RUNS, {"run_date": "2026-03-01"}).status_code == 403
    assert client.get(RUNS).status_code == 403
    assert db_state(Bill, BillingRun) == before
    run = api(other_world.admin).post(RUNS, {"run_date": "2026-03-01", "dry_run": True}).json()
    assert api(world.admin).get(f"{RUNS}{run['id']}/").status_code == 404
