"""Report figures on a small data set (see ``data.py``), exact, per role and scope; the
downloads carry the same figures as the page."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from netbill.core.testing import make_customer
from netbill.ledger.models import Account
from netbill.ledger.resellers import reseller_add_balance
from netbill.reports import selectors
from netbill.reports.registry import REPORTS
from netbill.reports.tests import data as dataset

pytestmark = pytest.mark.django_db
D = Decimal
Z = D("0.00")


@pytest.fixture
def data(world, other_world):
    built = dataset.build(world)
    dataset.build(other_world, prefix="Beta ")
    return built


def period(d, start=None, end=None):
    return selectors.Period(start or d.yesterday, end or d.today)


def books(user, value=""):
    return selectors.resolve_books(user, value)


def get(client, user, name, args=None, **params):
    client.force_login(user)
    return client.get(reverse(name, args=args), params)


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(body)))


def xlsx_rows(response, sheet=0) -> list[list]:
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(r) for r in book.worksheets[sheet].iter_rows(values_only=True)]


def rows_of(response, index=0) -> list[list[str]]:
    return [[c["text"] for c in row] for row in response.context["tables"][index]["rows"]]


def totals_of(response, index=0) -> list[str]:
    return [c["text"] for c in response.context["tables"][index]["totals"]]


# --- trial balance / ledger --------------------------------------------------------------------


def test_trial_balance_of_each_book_sums_to_zero_with_exact_closings(data):
    w = data.world
    result = selectors.trial_balance(user=w.admin, books=books(w.admin), period=period(data))
    by_book = {b["book_id"]: b for b in result}
    assert set(by_book) == {None, w.operator.pk, w.sub_operator.pk}
    for book in result:
        assert book["closing"] == Z
        assert book["debit"] == book["credit"]
    isp = {r["account__code"]: r["closing"] for r in by_book[None]["rows"]}
    assert isp == {
        "1000": D("5740.00"),
        "1300": Z,
        "1400": D("-3200.00"),
        "2200": D("-40.00"),
        "4100": D("-800.00"),
        "4500": D("-1800.00"),
        "5000": D("100.00"),
    }
    op = {r["account__code"]: r["closing"] for r in by_book[w.operator.pk]["rows"]}
    assert op == {
        "1000": D("2270.00"),
        "1100": D("1000.00"),
        "1300": D("420.00"),
        "1400": D("-1400.00"),
        "2000": D("-200.00"),
        "2200": D("-40.00"),
        "4100": D("-1600.00"),
        "4500": D("-600.00"),
        "5000": D("150.00"),
    }


def test_trial_balance_splits_opening_and_period_movements(data):
    w = data.world
    result = selectors.trial_balance(
        user=w.operator,
        books=books(w.operator, str(w.operator.pk)),
        period=period(data, data.today),
    )
    assert [b["book_id"] for b in result] == [w.operator.pk]
    cash = next(r for r in result[0]["rows"] if r["account__code"] == "1000")
    assert (cash["opening"], cash["debit"], cash["credit"], cash["closing"]) == (
        D("-150.00"),
        D("2420.00"),
        Z,
        D("2270.00"),
    )


def test_operator_reads_only_its_own_and_its_sub_operators_books(data):
    w = data.world
    result = selectors.trial_balance(user=w.operator, books=books(w.operator), period=period(data))
    assert {b["book_id"] for b in result} == {w.operator.pk, w.sub_operator.pk}
    assert all(b["closing"] == Z for b in result)
    # a book outside the scope resolves to nothing
    assert selectors.resolve_books(w.operator, "isp") == selectors.Books()
    assert selectors.resolve_books(w.operator, str(w.operator2.pk)) == selectors.Books()
    assert (
        selectors.trial_balance(user=w.operator2, books=books(w.operator2), period=period(data))
        == []
    )


def test_ledger_page_and_downloads_show_the_same_figures(client, data):
    w = data.world
    params = {"date_from": data.yesterday, "date_to": data.today, "book": str(w.operator.pk)}
    page = get(client, w.operator, "reports:ledger", **params)
    assert page.status_code == 200
    rows = rows_of(page)
    assert ["1000", "Cash in hand", "Asset", "0.00", "2,420.00", "150.00", "2,270.00"] in rows
    assert totals_of(page)[3:] == ["0.00", "5,810.00", "5,810.00", "0.00"]
    downloaded = csv_rows(get(client, w.operator, "reports:ledger", format="csv", **params))
    assert downloaded[0] == ["Code", "Account", "Type", "Opening", "Debit", "Credit", "Closing"]
    assert ["1000", "Cash in hand", "Asset", "0.00", "2420.00", "150.00", "2270.00"] in downloaded
    assert downloaded[-1][3:] == ["0.00", "5810.00", "5810.00", "0.00"]
    sheet = xlsx_rows(get(client, w.operator, "reports:ledger", format="xlsx", **params))
    assert ["1000", "Cash in hand", "Asset", 0, 2420, 150, 2270] in sheet
    assert sheet[-1][3:] == [0, 5810, 5810, 0]


def test_account_statement_has_opening_running_balance_and_closing(client, data):
    w = data.world
    cash = Account.objects.get(tenant=w.tenant, book=w.operator, code="1000")
    page = get(
        client,
        w.operator,
        "reports:account_statement",
        args=[cash.pk],
        date_from=data.today,
        date_to=data.today,
    )
    assert page.status_code == 200
    summary = {s["label"]: s["text"] for s in page.context["summary"]}
    assert (summary["Opening balance"], summary["Closing balance"]) == ("-150.00", "2,270.00")
    assert [r[5:] for r in rows_of(page)] == [
        ["2,000.00", "0.00", "1,850.00"],
        ["420.00", "0.00", "2,270.00"],
    ]
    downloaded = csv_rows(
        get(
            client,
            w.operator,
            "reports:account_statement",
            args=[cash.pk],
            date_from=data.today,
            date_to=data.today,
            format="csv",
        )
    )
    assert ["Opening balance", "-150.00"] in downloaded
    assert downloaded[-1][-3:] == ["2420.00", "0.00", "2270.00"]


def test_account_of_another_book_or_tenant_answers_404(client, data, other_world):
    w = data.world
    isp_cash = Account.objects.get(tenant=w.tenant, book=None, code="1000")
    foreign = Account.objects.filter(tenant=other_world.tenant).first()
    op2_view = get(client, w.operator2, "reports:account_statement", args=[isp_cash.pk])
    assert op2_view.status_code == 404
    assert (
        get(client, w.operator, "reports:account_statement", args=[isp_cash.pk]).status_code == 404
    )
    assert get(client, w.admin, "reports:account_statement", args=[foreign.pk]).status_code == 404


# --- journal -----------------------------------------------------------------------------------


def test_journal_lists_entries_of_the_operators_books_only(client, data):
    w = data.world
    result = selectors.journal(user=w.operator, books=books(w.operator), period=period(data))
    entries = list(result["entries"])
    # top-up of the sub-operator, 3 bills, 2 payments, 1 expense
    assert len(entries) == 7
    assert result["debit"] == result["credit"] == D("6610.00")
    shown_books = {line.book_id for e in entries for line in e.shown_lines}
    assert shown_books == {w.operator.pk, w.sub_operator.pk}
    page = get(client, w.operator, "reports:journal", date_from=data.yesterday)
    assert page.status_code == 200
    assert totals_of(page)[-2:] == ["6,610.00", "6,610.00"]
    downloaded = csv_rows(get(client, w.operator, "reports:journal", format="csv"))
    line_rows = downloaded[1:-1]
    # this month: the same lines (the expense of yesterday may fall in last month)
    assert sum(D(r[7]) for r in line_rows) == sum(D(r[8]) for r in line_rows)
    assert "Admin Customer" not in str(downloaded)


def test_journal_paginates_entries(client, data):
    w = data.world
    for _ in range(30):
        dataset.expense(w, None, "1", data.today, w.admin)
    page = get(client, w.admin, "reports:journal", date_from=data.yesterday)
    assert page.context["page_obj"].paginator.num_pages == 2
    assert len(page.context["page_obj"].object_list) == 25


# --- daily / monthly / income vs expense -------------------------------------------------------


def test_daily_report_per_day_for_the_group_admin(client, data):
    w = data.world
    days = selectors.activity(user=w.admin, books=books(w.admin), period=period(data))
    assert [d["date"] for d in days] == [data.yesterday, data.today]
    y, t = days
    assert (y["billed"], y["collected"], y["expenses"], y["net"]) == (
        Z,
        Z,
        D("150.00"),
        D("-150.00"),
    )
    assert (t["billed"], t["collected"], t["expenses"], t["net"]) == (
        D("3280.00"),
        D("2260.00"),
        D("100.00"),
        D("2160.00"),
    )
    assert (t["methods"]["cash"], t["methods"]["bank"], t["methods"]["online"]) == (
        D("1260.00"),
        D("1000.00"),
        Z,
    )
    params = {"date_from": data.yesterday, "date_to": data.today}
    page = get(client, w.admin, "reports:daily", **params)
    assert rows_of(page)[1] == [
        data.today.isoformat(),
        "3,280.00",
        "1,260.00",
        "0.00",
        "0.00",
        "0.00",
        "1,000.00",
        "2,260.00",
        "100.00",
        "2,160.00",
    ]
    downloaded = csv_rows(get(client, w.admin, "reports:daily", format="csv", **params))
    assert downloaded[0] == [
        "Date",
        "Billed",
        "Cash",
        "Online gateway",
        "Recharge card",
        "Advance (wallet)",
        "Bank",
        "Collected",
        "Expenses",
        "Net",
    ]
    assert downloaded[-1] == [
        "Total",
        "3280.00",
        "1260.00",
        "0.00",
        "0.00",
        "0.00",
        "1000.00",
        "2260.00",
        "250.00",
        "2010.00",
    ]


def test_daily_report_of_an_operator_covers_its_books_only(data):
    w = data.world
    days = selectors.activity(user=w.operator, books=books(w.operator), period=period(data))
    t = days[-1]
    assert (t["billed"], t["collected"], t["expenses"]) == (D("2440.00"), D("1420.00"), Z)
    assert days[0]["expenses"] == D("150.00")
    sub = selectors.activity(user=w.sub_operator, books=books(w.sub_operator), period=period(data))
    assert [(d["billed"], d["collected"], d["expenses"]) for d in sub] == [(D("800.00"), Z, Z)]
    one_book = selectors.activity(user=w.admin, books=books(w.admin, "isp"), period=period(data))
    assert [(d["billed"], d["collected"], d["expenses"]) for d in one_book] == [
        (D("840.00"), D("840.00"), D("100.00"))
    ]


def test_monthly_report_groups_by_month(client, data):
    w = data.world
    months = selectors.activity(
        user=w.operator, books=books(w.operator), period=period(data), kind="month"
    )
    assert sum(m["billed"] for m in months) == D("2440.00")
    assert sum(m["collected"] for m in months) == D("1420.00")
    assert sum(m["expenses"] for m in months) == D("150.00")
    assert [m["date"] for m in months] == sorted(
        {data.yesterday.replace(day=1), data.today.replace(day=1)}
    )
    page = get(client, w.operator, "reports:monthly", date_from=data.yesterday, date_to=data.today)
    assert totals_of(page)[1] == "2,440.00"
    sheet = xlsx_rows(
        get(client, w.operator, "reports:monthly", format="xlsx", date_from=data.yesterday)
    )
    assert sheet[-1][0] == "Total"
    assert sheet[-1][1] == 2440


def test_income_vs_expense_per_month_with_chart_data(client, data):
    w = data.world
    months = selectors.income_expense(user=w.admin, books=books(w.admin), period=period(data))
    assert sum(m["income"] for m in months) == D("5600.00")
    assert sum(m["expense"] for m in months) == D("250.00")
    op = selectors.income_expense(user=w.operator, books=books(w.operator), period=period(data))
    assert sum(m["income"] for m in op) == D("3000.00")
    assert sum(m["net"] for m in op) == D("2850.00")
    page = get(client, w.admin, "reports:income_expense", date_from=data.yesterday)
    body = page.content.decode()
    assert "vendor/chartjs/chart.umd.min.js" in body
    assert 'id="income-expense-data"' in body
    # all income is today's (bills), so the last month carries it all
    assert page.context["chart"]["income"][-1] == "5600.00"
    assert "cdn" not in body.lower()


# --- operator incomes --------------------------------------------------------------------------


def test_operator_incomes_revenue_charges_and_margin(client, data):
    w = data.world
    rows = {
        r["reseller"].pk: (r["revenue"], r["wholesale"], r["charges"], r["margin"])
        for r in selectors.operator_incomes(user=w.admin, books=books(w.admin), period=period(data))
    }
    assert rows == {
        w.operator.pk: (D("1600.00"), D("600.00"), D("1800.00"), D("400.00")),
        w.operator2.pk: (Z, Z, Z, Z),
        w.sub_operator.pk: (D("800.00"), Z, D("600.00"), D("200.00")),
    }
    page = get(client, w.operator, "reports:operator_incomes", date_from=data.yesterday)
    names = [r[0] for r in rows_of(page)]
    assert names == sorted([w.operator.name, w.sub_operator.name])
    assert w.operator2.name not in page.content.decode()
    downloaded = csv_rows(
        get(client, w.operator, "reports:operator_incomes", format="csv", date_from=data.yesterday)
    )
    assert downloaded[-1] == ["Total", "", "2400.00", "600.00", "2400.00", "600.00"]


# --- payments ----------------------------------------------------------------------------------


def test_payment_statements_split_bills_and_wallet(client, data):
    w = data.world
    page = get(client, w.admin, "reports:payment_statements", date_from=data.yesterday)
    assert page.status_code == 200
    assert len(rows_of(page)) == 3
    assert totals_of(page)[6:9] == ["2,260.00", "2,060.00", "200.00"]
    downloaded = csv_rows(
        get(client, w.admin, "reports:payment_statements", format="csv", date_from=data.yesterday)
    )
    bank = next(r for r in downloaded if r[1] == data.p_op2.receipt_number)
    assert bank[4:9] == ["Bank", w.operator.name, "1000.00", "800.00", "200.00"]
    assert "Beta" not in str(downloaded)


def test_customer_payments_filters_by_method_customer_and_status(client, data):
    w = data.world
    base = {"date_from": data.yesterday, "date_to": data.today}
    by_method = get(client, w.operator, "reports:customer_payments", method="bank", **base)
    assert [r[1] for r in rows_of(by_method)] == [data.p_op2.receipt_number]
    by_customer = get(
        client, w.operator, "reports:customer_payments", customer="Op Customer One", **base
    )
    assert [r[1] for r in rows_of(by_customer)] == [data.p_op1.receipt_number]
    by_mobile = get(
        client, w.admin, "reports:customer_payments", customer=data.c_admin.mobile, **base
    )
    assert [r[1] for r in rows_of(by_mobile)] == [data.p_admin.receipt_number]
    void = get(client, w.admin, "reports:customer_payments", status="void", **base)
    assert rows_of(void) == []
    downloaded = xlsx_rows(
        get(client, w.operator, "reports:customer_payments", format="xlsx", **base)
    )
    assert sorted(r[1] for r in downloaded[1:-1]) == sorted(
        [data.p_op1.receipt_number, data.p_op2.receipt_number]
    )
    assert downloaded[-1][6] == 1420


# --- bills summary, VAT ------------------------------------------------------------------------


def test_bills_summary_by_owner_and_zone(client, data):
    w = data.world
    page = get(client, w.admin, "reports:bills_summary")
    assert page.status_code == 200
    assert sorted(rows_of(page, 0)) == sorted(
        [
            [w.admin.name, "1", "840.00", "0.00", "840.00", "0.00"],
            [w.operator.name, "2", "1,640.00", "0.00", "1,220.00", "420.00"],
            [w.sub_operator.name, "1", "800.00", "0.00", "0.00", "800.00"],
        ]
    )
    assert rows_of(page, 1) == [
        ["North", "3", "2,480.00", "0.00", "2,060.00", "420.00"],
        ["No zone", "1", "800.00", "0.00", "0.00", "800.00"],
    ]
    assert totals_of(page, 0) == ["Total", "4", "3,280.00", "0.00", "2,060.00", "1,220.00"]
    downloaded = csv_rows(get(client, w.admin, "reports:bills_summary", format="csv"))
    assert downloaded[:6] == [
        ["Bills", "4"],
        ["Billed", "3280.00"],
        ["Discount", "0.00"],
        ["Collected", "2060.00"],
        ["Outstanding", "1220.00"],
        [],
    ]
    assert downloaded[6] == ["By owner"]
    assert ["Total", "4", "3280.00", "0.00", "2060.00", "1220.00"] in downloaded
    assert ["By zone"] in downloaded
    sheets = load_workbook(
        io.BytesIO(get(client, w.admin, "reports:bills_summary", format="xlsx").content)
    ).sheetnames
    assert sheets == ["By owner", "By zone"]
    sub = get(client, w.sub_operator, "reports:bills_summary")
    assert totals_of(sub, 0) == ["Total", "1", "800.00", "0.00", "0.00", "800.00"]


def test_vat_collections_billed_and_collected_share(data):
    w = data.world
    months = selectors.vat_collections(user=w.admin, books=books(w.admin), period=period(data))
    assert sum(m["billed"] for m in months) == D("80.00")
    assert sum(m["collected"] for m in months) == D("60.00")
    op = selectors.vat_collections(user=w.operator, books=books(w.operator), period=period(data))
    assert [(m["billed"], m["collected"]) for m in op] == [(D("40.00"), D("20.00"))]


# --- receivable and payable --------------------------------------------------------------------


def test_accounts_receivable_ages_open_bills(client, data):
    w = data.world
    rows, totals = selectors.receivables(
        user=w.admin, books=books(w.admin), period=selectors.Period()
    )
    got = {r["customer_id"]: (r["b0"], r["b31"], r["b61"], r["b90"], r["total"]) for r in rows}
    assert got == {
        data.c_op1.pk: (Z, D("420.00"), Z, Z, D("420.00")),
        data.c_sub.pk: (Z, Z, Z, D("800.00"), D("800.00")),
    }
    assert (totals["total"], totals["customers"], totals["bills"]) == (D("1220.00"), 2, 2)
    page = get(client, w.sub_operator, "reports:receivable")
    assert [r[0] for r in rows_of(page)] == ["Sub Customer"]
    assert totals_of(page)[-1] == "800.00"
    downloaded = csv_rows(get(client, w.admin, "reports:receivable", format="csv"))
    assert downloaded[-1][-5:] == ["0.00", "420.00", "0.00", "800.00", "1220.00"]


def test_accounts_payable_positions_and_wallet_credit(client, data):
    w = data.world
    positions = {
        r["reseller_id"]: (r["owes"], r["deposit"])
        for r in selectors.reseller_positions(user=w.operator, books=books(w.operator))
    }
    assert positions == {
        w.operator.pk: (Z, D("3200.00")),
        w.sub_operator.pk: (Z, D("1400.00")),
    }
    rows, totals = selectors.wallet_credits(user=w.admin, books=books(w.admin))
    assert [(r["customer_id"], r["credit"]) for r in rows] == [(data.c_op2.pk, D("200.00"))]
    assert totals == {"credit": D("200.00"), "customers": 1}
    page = get(client, w.admin, "reports:payable")
    assert totals_of(page, 0)[-2:] == ["0.00", "4,600.00"]
    assert rows_of(page, 1) == [
        ["Op Customer Two", data.c_op2.username, data.c_op2.mobile, "200.00"]
    ]
    assert get(client, w.sub_operator, "reports:payable").context["tables"][1]["rows"] == []


# --- scope, other tenant -----------------------------------------------------------------------


def test_every_report_page_and_download_hides_the_other_tenant(client, data, other_world):
    w = data.world
    for slug, report in REPORTS.items():
        if report.needs_object:
            continue
        for fmt in ("", "csv"):
            params = {"date_from": data.yesterday}
            if fmt:
                params["format"] = fmt
            response = get(client, w.admin, report.url_name, **params)
            assert response.status_code == 200, slug
            body = (
                b"".join(response.streaming_content) if response.streaming else response.content
            ).decode()
            assert "Beta" not in body, slug
            assert other_world.operator.name not in body, slug


def test_operator_never_sees_another_resellers_customers(client, data):
    w = data.world
    other = make_customer(w, owner=w.operator2, name="Rival Customer")
    reseller_add_balance(actor=w.admin, reseller=w.operator2, amount="1000")
    dataset._bill(w, other, data.today, w.operator2)
    for slug in ("bills_summary", "receivable", "customer_payments", "journal", "payable"):
        body = get(client, w.operator, f"reports:{slug}", date_from=data.yesterday).content.decode()
        assert "Rival Customer" not in body, slug
        assert w.operator2.name not in body, slug


def test_bad_filters_show_an_error_and_fall_back_to_this_month(client, data):
    w = data.world
    page = get(client, w.admin, "reports:daily", date_from=data.today, date_to=data.yesterday)
    assert page.status_code == 200
    assert "The end date is before the start date." in page.content.decode()
    assert page.context["tables"][0]["rows"]
    foreign_book = get(client, w.operator, "reports:daily", book="isp")
    assert "Select a valid choice" in foreign_book.content.decode()


def test_a_discount_lowers_what_is_outstanding_and_counts_in_vat_collected(client, data):
    from netbill.payments.adjustments import bill_discount

    w = data.world
    # c_op1: bill 840 (VAT 40), paid 420; a discount of 20 leaves 400 due
    bill_discount(actor=w.operator, bill=data.b_op1, amount="20", reason="loyalty")
    summary = selectors.bills_summary(user=w.operator, books=books(w.operator), period=period(data))
    assert (summary["totals"]["discounts"], summary["totals"]["outstanding"]) == (
        D("20.00"),
        D("1200.00"),
    )
    rows, totals = selectors.receivables(
        user=w.operator, books=books(w.operator), period=selectors.Period()
    )
    assert {r["customer_id"]: r["total"] for r in rows}[data.c_op1.pk] == D("400.00")
    # 420 of the 820 now asked carries 420 * 40 / 820 = 20.49 of VAT
    vat = selectors.vat_collections(user=w.operator, books=books(w.operator), period=period(data))
    assert [m["collected"] for m in vat] == [D("20.49")]
    page = get(client, w.operator, "reports:bills_summary")
    assert totals_of(page, 0) == ["Total", "3", "2,440.00", "20.00", "1,220.00", "1,200.00"]
