"""REST API v1: the reports as JSON — the report pages' selectors, filters, keys and scope,
with exact figures (amounts as strings of Decimals)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from netbill.accounts.models import User
from netbill.billing.calendar import local_today
from netbill.billing.services import bill_create
from netbill.core import permissions as P
from netbill.core.testing import make_customer
from netbill.ledger.expenses import expense_category_create, expense_record
from netbill.ledger.resellers import reseller_add_balance
from netbill.payments.services import payment_record

pytestmark = pytest.mark.django_db
D = Decimal
REPORTS = "/api/v1/reports/"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=user.pk))
    return client


def grant(user, *keys):
    user.granted_keys = sorted(keys)
    user.save(update_fields=["granted_keys"])


def get(user, report, **params):
    response = api(user).get(f"{REPORTS}{report}/", params)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def data(world, other_world):
    """Today: the ISP bills its own customer 800 + 5 % VAT and collects 300 cash; the
    operator (10,000 deposited) bills its customer 800 and is charged 600; the ISP spends
    100.  The other tenant has a bill too (never counted here)."""
    today = local_today(world.tenant)
    period = (today.replace(day=1), today.replace(day=1) + datetime.timedelta(days=27))
    reseller_add_balance(actor=world.admin, reseller=world.operator, amount="10000")
    isp_customer = make_customer(world, owner=world.admin, vat_profile=world.vat, name="Isp Cust")
    op_customer = make_customer(world, owner=world.operator, name="Op Cust")
    for customer in (isp_customer, op_customer):
        bill_create(
            actor=world.admin,
            customer=customer,
            kind="monthly",
            period_start=period[0],
            period_end=period[1],
        )
    payment_record(actor=world.admin, customer=isp_customer, amount="300")
    fuel = expense_category_create(actor=world.admin, name="Fuel")
    expense_record(actor=world.admin, category=fuel, amount="100")
    foreign = make_customer(other_world, owner=other_world.admin)
    bill_create(
        actor=other_world.admin,
        customer=foreign,
        kind="monthly",
        period_start=period[0],
        period_end=period[1],
    )
    return {"today": today, "isp_customer": isp_customer, "op_customer": op_customer}


def test_bills_summary_totals_by_owner_and_zone_for_the_month(world, data):
    body = get(world.admin, "bills-summary")

    today = data["today"]
    assert (body["date_from"], body["date_to"], body["book"]) == (
        today.replace(day=1).isoformat(),
        today.isoformat(),
        "",
    )
    assert body["totals"] == {
        "count": 2,
        "billed": "1640.00",
        "collected": "300.00",
        "outstanding": "1340.00",
    }
    assert sorted(
        (r["owner"], r["count"], r["billed"], r["collected"], r["outstanding"])
        for r in body["by_owner"]
    ) == [
        (world.admin.pk, 1, "840.00", "300.00", "540.00"),
        (world.operator.pk, 1, "800.00", "0.00", "800.00"),
    ]
    assert [(r["zone"], r["count"]) for r in body["by_zone"]] == [(world.zone.pk, 2)]


def test_an_operator_reads_only_its_books(world, data):
    body = get(world.operator, "bills-summary")
    assert body["totals"]["billed"] == "800.00"
    assert [r["owner"] for r in body["by_owner"]] == [world.operator.pk]
    daily = get(world.operator, "daily")
    assert [(r["billed"], r["collected"], r["expenses"]) for r in daily["rows"]] == [
        ("800.00", "0.00", "0.00")
    ]


def test_daily_and_monthly_show_billed_collected_by_method_expenses_and_net(world, data):
    today = data["today"]
    daily = get(world.admin, "daily")
    assert len(daily["rows"]) == 1
    row = daily["rows"][0]
    assert (row["date"], row["billed"], row["collected"], row["expenses"], row["net"]) == (
        today.isoformat(),
        "1640.00",
        "300.00",
        "100.00",
        "200.00",
    )
    assert row["methods"] == {
        "cash": "300.00",
        "online": "0.00",
        "card": "0.00",
        "advance": "0.00",
        "bank": "0.00",
    }
    assert daily["totals"]["net"] == "200.00"
    monthly = get(world.admin, "monthly")
    assert [(r["date"], r["billed"], r["net"]) for r in monthly["rows"]] == [
        (today.replace(day=1).isoformat(), "1640.00", "200.00")
    ]


def test_income_expense_vat_and_trial_balance_read_the_ledger(world, data):
    income = get(world.admin, "income-expense")
    # revenue 800 (ISP's customer) + 800 (the operator's book) + 600 charged to the operator
    assert income["totals"] == {"income": "2200.00", "expense": "100.00", "net": "2100.00"}

    vat = get(world.admin, "vat")
    # 300 paid on a bill of 840 carrying 40 VAT: 300 × 40 / 840 = 14.29
    assert vat["totals"] == {"billed": "40.00", "collected": "14.29"}

    books = get(world.admin, "trial-balance")["books"]
    assert [b["book"] for b in books] == [None, world.operator.pk]
    for book in books:
        assert D(book["closing"]) == 0
    isp = {a["code"]: a["closing"] for a in books[0]["accounts"]}
    assert (isp["1000"], isp["1300"], isp["1400"], isp["5000"]) == (
        "10200.00",
        "540.00",
        "-9400.00",
        "100.00",
    )


def test_receivable_ages_open_bills_and_pages(world, data):
    body = get(world.admin, "receivable", page_size=1)

    assert body["as_of"] == data["today"].isoformat()
    assert body["totals"]["customers"] == 2
    assert body["totals"]["total"] == "1340.00"
    assert body["count"] == 2
    assert body["next"] is not None
    assert [(r["customer"], r["days_0_30"], r["total"]) for r in body["results"]] == [
        (data["op_customer"].pk, "800.00", "800.00")
    ]


def test_payable_shows_reseller_deposits_and_wallet_credit(world, data):
    payment_record(
        actor=world.admin, customer=data["isp_customer"], amount="1000", method="advance"
    )
    body = get(world.admin, "payable")
    assert [(r["reseller"], r["deposit"], r["owes"], r["book"]) for r in body["resellers"]] == [
        (world.operator.pk, "9400.00", "0.00", None)
    ]
    # 540 of the advance paid the open bill; 460 stays in the wallet
    assert body["wallet_totals"] == {"customers": 1, "credit": "460.00"}
    assert [(r["customer"], r["credit"]) for r in body["results"]] == [
        (data["isp_customer"].pk, "460.00")
    ]


def test_book_filter_reads_one_book(world, data):
    isp = get(world.admin, "bills-summary", book="isp")
    assert (isp["book"], isp["totals"]["billed"]) == ("isp", "840.00")
    op = get(world.admin, "bills-summary", book=str(world.operator.pk))
    assert op["totals"]["billed"] == "800.00"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "yesterday"}, "date_from"),
        ({"date_from": "2026-05-10", "date_to": "2026-05-01"}, "date_to"),
        ({"book": "999999"}, "book"),
    ],
)
def test_bad_filters_answer_400_naming_the_field(world, data, params, field):
    response = api(world.admin).get(f"{REPORTS}daily/", params)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_each_report_needs_its_pages_key(world, data):
    grant(world.op_manager, P.VIEW_BILLS)
    client = api(world.op_manager)
    assert client.get(f"{REPORTS}bills-summary/").status_code == 200
    for report in (
        "daily",
        "monthly",
        "income-expense",
        "operator-incomes",
        "vat",
        "receivable",
        "payable",
        "trial-balance",
    ):
        assert client.get(f"{REPORTS}{report}/").status_code == 403, report
    grant(world.op_manager, P.VIEW_ACCOUNTS)
    assert api(world.op_manager).get(f"{REPORTS}bills-summary/").status_code == 403
    assert api(world.op_manager).get(f"{REPORTS}daily/").status_code == 200
    assert api(world.noc).get(f"{REPORTS}daily/").status_code == 403


def test_operator_incomes_show_each_resellers_margin(world, data):
    rows = get(world.admin, "operator-incomes")["rows"]
    by_reseller = {r["reseller"]: r for r in rows}
    op = by_reseller[world.operator.pk]
    assert (op["revenue"], op["charges"], op["margin"]) == ("800.00", "600.00", "200.00")
