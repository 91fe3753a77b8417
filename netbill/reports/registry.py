"""The reports: each one turns its selector's figures into tables, and the page and the CSV /
Excel downloads show those same tables (so a download always matches the screen)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from netbill.core import permissions as P
from netbill.core.choices import AccountType as ResellerAccountType
from netbill.core.money import ZERO
from netbill.core.scope import get_visible_or_404
from netbill.ledger.chart import AccountType
from netbill.ledger.models import Account
from netbill.payments.choices import PaymentMethod
from netbill.reports import selectors
from netbill.reports.forms import Filters, PaymentFilterForm, ReportFilterForm

# --- tables ------------------------------------------------------------------------------------


@dataclass
class Column:
    label: str
    kind: str = "text"  # text | money | int | date | month | datetime

    @property
    def numeric(self) -> bool:
        return self.kind in ("money", "int")


@dataclass
class Link:
    text: str
    url: str

    def __str__(self):
        return self.text


@dataclass
class Table:
    """Rows of one table.  ``source`` is a list or a queryset (then iterated in chunks for a
    download, or one page of it on screen when ``paginate``); ``row`` makes one row of an
    item, or several when ``expand``."""

    title: str
    columns: list[Column]
    source: Iterable
    row: Callable = lambda item: item
    totals: list | None = None
    paginate: bool = False
    expand: bool = False
    empty: str = ""

    def iter_rows(self, items: Iterable | None = None) -> Iterator[list]:
        if items is None:
            items = self.source
            if isinstance(items, QuerySet):
                items = items.iterator(chunk_size=2000)
        for item in items:
            if self.expand:
                yield from self.row(item)
            else:
                yield self.row(item)


@dataclass
class Result:
    tables: list[Table]
    heading: str = ""
    summary: list[tuple[str, object, str]] = field(default_factory=list)  # label, value, kind
    chart: dict | None = None
    note: str = ""


def display_value(value, kind: str) -> str:
    from netbill.reports.templatetags.report_tags import money

    if value is None:
        return ""
    if isinstance(value, Link):
        return value.text
    if kind == "money":
        return money(value)
    if kind == "month" and isinstance(value, datetime.date):
        return value.strftime("%Y-%m")
    if kind == "datetime" and isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def export_value(value, kind: str, *, spreadsheet: bool):
    """A cell for a download: numbers stay numbers (Decimal), dates stay dates in Excel."""
    if value is None:
        return ""
    if isinstance(value, Link):
        return value.text
    if kind == "money" and isinstance(value, Decimal):
        return value
    if kind == "int" and isinstance(value, int):
        return value
    if kind == "month" and isinstance(value, datetime.date):
        return value.strftime("%Y-%m")
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value if spreadsheet else value.isoformat()
    return str(value)


# --- reports -----------------------------------------------------------------------------------


def M(label):  # noqa: N802 - a money column, short for the many tables below
    return Column(label, "money")


def _party(line) -> str:
    if line.customer_id:
        return f"{line.customer.name} ({line.customer.username})"
    if line.reseller_id:
        return line.reseller.name
    if line.staff_id:
        return line.staff.name
    return line.party


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value or ""


def _period_heading(period: selectors.Period) -> str:
    start = period.start.isoformat() if period.start else "…"
    end = period.end.isoformat() if period.end else "…"
    return f"{start} – {end}"


class Report:
    slug = ""
    title = _lazy("Report")
    description = ""
    group = _lazy("Accounting")
    key = P.VIEW_ACCOUNTS
    default_period: str | None = "month"  # "month" / "year" to date, or None: all time
    as_of_only = False
    uses_books = True
    needs_object = False
    in_index = True
    per_page = 50
    form_class = ReportFilterForm
    template = "reports/report.html"

    @property
    def url_name(self) -> str:
        return f"reports:{self.slug}"

    def get_object(self, user, kwargs):
        return None

    def make_form(self, params, user):
        return self.form_class(params, user=user, report=self)

    def build(self, user, f: Filters, obj=None) -> Result:
        raise NotImplementedError


class AccountStatement(Report):
    slug = "account_statement"
    title = _lazy("Account statement")
    description = _lazy("One account of one book: opening balance, movements, closing balance.")
    uses_books = False
    needs_object = True
    in_index = False  # reached from the ledger, one account at a time

    def get_object(self, user, kwargs):
        if not selectors.reads_money(user):
            from django.http import Http404

            raise Http404
        return get_visible_or_404(Account.objects.select_related("book"), user, pk=kwargs["pk"])

    def build(self, user, f, obj=None):
        data = selectors.account_statement(user=user, account=obj, period=f.period)
        opening = data["opening"]

        def row(line):
            return [
                line.date,
                line.entry_id,
                line.entry.kind,
                line.entry.memo,
                _party(line),
                line.amount if line.amount > 0 else ZERO,
                -line.amount if line.amount < 0 else ZERO,
                opening + line.running,
            ]

        book = obj.book.name if obj.book_id else str(user.tenant.name)
        table = Table(
            title=str(obj),
            columns=[
                Column(_("Date"), "date"),
                Column(_("Entry"), "int"),
                Column(_("Kind")),
                Column(_("Memo")),
                Column(_("Party")),
                M(_("Debit")),
                M(_("Credit")),
                M(_("Balance")),
            ],
            source=data["movements"],
            row=row,
            totals=["", "", "", "", _("Total"), data["debit"], data["credit"], data["closing"]],
            paginate=True,
            empty=_("No movements in this period."),
        )
        return Result(
            tables=[table],
            heading=f"{obj.code} {obj.name} · {book} · {_period_heading(f.period)}",
            summary=[
                (_("Book"), book, "text"),
                (_("Account"), f"{obj.code} {obj.name}", "text"),
                (_("Opening balance"), opening, "money"),
                (_("Debits"), data["debit"], "money"),
                (_("Credits"), data["credit"], "money"),
                (_("Closing balance"), data["closing"], "money"),
            ],
        )


class Journal(Report):
    slug = "journal"
    title = _lazy("Journal")
    description = _lazy("Every journal entry with its lines, newest first.")
    per_page = 25

    def build(self, user, f, obj=None):
        data = selectors.journal(user=user, books=f.books, period=f.period)
        names = selectors.book_names(user, [b for b in f.books.ids if b is not None])
        cache: dict = {}

        def book_name(line):
            if line.book_id not in names and line.book_id not in cache:
                cache.update(selectors.book_names(user, [line.book_id]))
            return names.get(line.book_id) or cache.get(line.book_id, "")

        def rows(entry):
            return [
                [
                    entry.date,
                    entry.pk,
                    entry.kind,
                    entry.memo,
                    book_name(line),
                    f"{line.account.code} {line.account.name}",
                    _party(line),
                    line.amount if line.amount > 0 else ZERO,
                    -line.amount if line.amount < 0 else ZERO,
                ]
                for line in entry.shown_lines
            ]

        table = Table(
            title=str(self.title),
            columns=[
                Column(_("Date"), "date"),
                Column(_("Entry"), "int"),
                Column(_("Kind")),
                Column(_("Memo")),
                Column(_("Book")),
                Column(_("Account")),
                Column(_("Party")),
                M(_("Debit")),
                M(_("Credit")),
            ],
            source=data["entries"],
            row=rows,
            expand=True,
            paginate=True,
            totals=["", "", "", "", "", "", _("Total"), data["debit"], data["credit"]],
            empty=_("No entries in this period."),
        )
        return Result(tables=[table], heading=_period_heading(f.period))


class Ledger(Report):
    slug = "ledger"
    title = _lazy("Ledger (trial balance)")
    description = _lazy(
        "Each account's opening balance, debits, credits and closing balance, per book."
    )

    def build(self, user, f, obj=None):
        tables = []
        query = ""
        if f.period.start or f.period.end:
            query = "?" + "&".join(
                f"{k}={v.isoformat()}"
                for k, v in (("date_from", f.period.start), ("date_to", f.period.end))
                if v
            )
        for book in selectors.trial_balance(user=user, books=f.books, period=f.period):

            def row(r):
                url = reverse("reports:account_statement", args=[r["account_id"]]) + query
                return [
                    r["account__code"],
                    Link(r["account__name"], url),
                    _label(AccountType, r["account__type"]),
                    r["opening"],
                    r["debit"],
                    r["credit"],
                    r["closing"],
                ]

            tables.append(
                Table(
                    title=book["name"],
                    columns=[
                        Column(_("Code")),
                        Column(_("Account")),
                        Column(_("Type")),
                        M(_("Opening")),
                        M(_("Debit")),
                        M(_("Credit")),
                        M(_("Closing")),
                    ],
                    source=book["rows"],
                    row=row,
                    totals=[
                        "",
                        _("Total"),
                        "",
                        book["opening"],
                        book["debit"],
                        book["credit"],
                        book["closing"],
                    ],
                )
            )
        if not tables:
            tables.append(
                Table(
                    title=str(self.title),
                    columns=[Column(_("Account"))],
                    source=[],
                    empty=_("No ledger lines in this period."),
                )
            )
        return Result(tables=tables, heading=_period_heading(f.period))


METHOD_COLUMNS = [(m, label) for m, label in PaymentMethod.choices]


class Daily(Report):
    slug = "daily"
    title = _lazy("Daily report")
    description = _lazy("Per day: billed, collected by method, expenses and net.")
    kind = "day"
    first = Column(_lazy("Date"), "date")

    def build(self, user, f, obj=None):
        days = selectors.activity(user=user, books=f.books, period=f.period, kind=self.kind)

        def row(d):
            return [
                d["date"],
                d["billed"],
                *[d["methods"][m] for m, _label in METHOD_COLUMNS],
                d["collected"],
                d["expenses"],
                d["net"],
            ]

        totals = [
            _("Total"),
            sum((d["billed"] for d in days), ZERO),
            *[sum((d["methods"][m] for d in days), ZERO) for m, _label in METHOD_COLUMNS],
            sum((d["collected"] for d in days), ZERO),
            sum((d["expenses"] for d in days), ZERO),
            sum((d["net"] for d in days), ZERO),
        ]
        table = Table(
            title=str(self.title),
            columns=[
                Column(str(self.first.label), self.first.kind),
                M(_("Billed")),
                *[M(str(label)) for _m, label in METHOD_COLUMNS],
                M(_("Collected")),
                M(_("Expenses")),
                M(_("Net")),
            ],
            source=days,
            row=row,
            totals=totals,
            empty=_("Nothing billed, collected or spent in this period."),
        )
        return Result(tables=[table], heading=_period_heading(f.period))


class Monthly(Daily):
    slug = "monthly"
    title = _lazy("Monthly report")
    description = _lazy("Per month: billed, collected by method, expenses and net.")
    kind = "month"
    first = Column(_lazy("Month"), "month")

    default_period = "year"


class IncomeExpense(Report):
    slug = "income_expense"
    title = _lazy("Income vs expense")
    description = _lazy("Per month: income and expenses from the ledger, with a chart.")
    template = "reports/income_expense.html"
    default_period = "year"

    def build(self, user, f, obj=None):
        months = selectors.income_expense(user=user, books=f.books, period=f.period)
        table = Table(
            title=str(self.title),
            columns=[Column(_("Month"), "month"), M(_("Income")), M(_("Expenses")), M(_("Net"))],
            source=months,
            row=lambda m: [m["month"], m["income"], m["expense"], m["net"]],
            totals=[
                _("Total"),
                sum((m["income"] for m in months), ZERO),
                sum((m["expense"] for m in months), ZERO),
                sum((m["net"] for m in months), ZERO),
            ],
            empty=_("No income or expenses in this period."),
        )
        chart = {
            "labels": [m["month"].strftime("%Y-%m") for m in months],
            "income": [str(m["income"]) for m in months],
            "expense": [str(m["expense"]) for m in months],
            "income_label": _("Income"),
            "expense_label": _("Expenses"),
        }
        return Result(tables=[table], heading=_period_heading(f.period), chart=chart)


class OperatorIncomes(Report):
    slug = "operator_incomes"
    title = _lazy("Operator incomes")
    description = _lazy(
        "Per reseller: customer revenue in its book, charges by its parent, and its margin."
    )

    def build(self, user, f, obj=None):
        rows = selectors.operator_incomes(user=user, books=f.books, period=f.period)
        table = Table(
            title=str(self.title),
            columns=[
                Column(_("Reseller")),
                Column(_("Role")),
                M(_("Customer revenue")),
                M(_("From sub-operators")),
                M(_("Charged by parent")),
                M(_("Margin")),
            ],
            source=rows,
            row=lambda r: [
                r["reseller"].name,
                r["reseller"].get_role_display(),
                r["revenue"],
                r["wholesale"],
                r["charges"],
                r["margin"],
            ],
            totals=[
                _("Total"),
                "",
                *[
                    sum((r[k] for r in rows), ZERO)
                    for k in ("revenue", "wholesale", "charges", "margin")
                ],
            ],
            empty=_("No operators in your scope."),
        )
        return Result(
            tables=[table],
            heading=_period_heading(f.period),
            note=_("Revenue is net of discounts and without VAT."),
        )


def _payment_status(p) -> str:
    return _("Void") if p.voided_at else _("Valid")


class PaymentStatements(Report):
    slug = "payment_statements"
    title = _lazy("Payment statements")
    description = _lazy("Payment by payment: what went to bills and what to the wallet.")

    def build(self, user, f, obj=None):
        qs = selectors.payments(user=user, books=f.books, period=f.period)
        totals = selectors.payment_totals(qs)
        table = Table(
            title=str(self.title),
            columns=[
                Column(_("Received"), "datetime"),
                Column(_("Receipt")),
                Column(_("Customer")),
                Column(_("Username")),
                Column(_("Method")),
                Column(_("Collected by")),
                M(_("Amount")),
                M(_("To bills")),
                M(_("To wallet")),
                Column(_("Status")),
            ],
            source=qs,
            row=lambda p: [
                p.received_at,
                p.receipt_number,
                p.customer.name,
                p.customer.username,
                p.get_method_display(),
                p.collected_by.name if p.collected_by_id else "",
                p.amount,
                p.to_bills,
                p.amount - p.to_bills,
                _payment_status(p),
            ],
            totals=[
                _("Total: %(n)s valid payments") % {"n": totals["count"] - totals["void_count"]},
                "",
                "",
                "",
                "",
                "",
                totals["valid_amount"],
                totals["valid_to_bills"],
                totals["valid_amount"] - totals["valid_to_bills"],
                "",
            ],
            paginate=True,
            empty=_("No payments in this period."),
        )
        return Result(tables=[table], heading=_period_heading(f.period))


class CustomerPayments(Report):
    slug = "customer_payments"
    title = _lazy("Customer payments")
    description = _lazy("Payments filtered by date, customer, method and status.")
    group = _lazy("Payments")
    key = P.VIEW_PAYMENTS
    form_class = PaymentFilterForm

    def build(self, user, f, obj=None):
        qs = selectors.payments(user=user, books=f.books, period=f.period, **f.extra)
        totals = selectors.payment_totals(qs)
        table = Table(
            title=str(self.title),
            columns=[
                Column(_("Received"), "datetime"),
                Column(_("Receipt")),
                Column(_("Customer")),
                Column(_("Username")),
                Column(_("Mobile")),
                Column(_("Method")),
                M(_("Amount")),
                Column(_("Reference")),
                Column(_("Collected by")),
                Column(_("Status")),
            ],
            source=qs,
            row=lambda p: [
                p.received_at,
                p.receipt_number,
                p.customer.name,
                p.customer.username,
                p.customer.mobile,
                p.get_method_display(),
                p.amount,
                p.reference,
                p.collected_by.name if p.collected_by_id else "",
                _payment_status(p),
            ],
            totals=[
                _("Total: %(n)s valid payments") % {"n": totals["count"] - totals["void_count"]},
                "",
                "",
                "",
                "",
                "",
                totals["valid_amount"],
                "",
                "",
                "",
            ],
            paginate=True,
            empty=_("No payments match."),
        )
        return Result(tables=[table], heading=_period_heading(f.period))


class BillsSummary(Report):
    slug = "bills_summary"
    title = _lazy("Bills summary")
    description = _lazy("Billed, collected and outstanding, by owner and by zone.")
    group = _lazy("Bills")
    key = P.VIEW_BILLS

    def build(self, user, f, obj=None):
        data = selectors.bills_summary(user=user, books=f.books, period=f.period)
        t = data["totals"]
        cols = [
            Column(_("Bills"), "int"),
            M(_("Billed")),
            M(_("Discount")),
            M(_("Collected")),
            M(_("Outstanding")),
        ]
        totals = [
            _("Total"),
            t["count"],
            t["billed"],
            t["discounts"],
            t["collected"],
            t["outstanding"],
        ]

        def figures(r):
            return [r["count"], r["billed"], r["discounts"], r["collected"], r["outstanding"]]

        return Result(
            tables=[
                Table(
                    title=_("By owner"),
                    columns=[Column(_("Owner")), *cols],
                    source=data["by_owner"],
                    row=lambda r: [r["owner__name"], *figures(r)],
                    totals=totals,
                    empty=_("No bills in this period."),
                ),
                Table(
                    title=_("By zone"),
                    columns=[Column(_("Zone")), *cols],
                    source=data["by_zone"],
                    row=lambda r: [r["customer__zone__name"] or _("No zone"), *figures(r)],
                    totals=totals,
                    empty=_("No bills in this period."),
                ),
            ],
            heading=_period_heading(f.period),
            summary=[
                (_("Bills"), t["count"], "int"),
                (_("Billed"), t["billed"], "money"),
                (_("Discount"), t["discounts"], "money"),
                (_("Collected"), t["collected"], "money"),
                (_("Outstanding"), t["outstanding"], "money"),
            ],
            note=_("Bills issued in the period; void bills are left out."),
        )


class VatCollections(Report):
    slug = "vat_collections"
    title = _lazy("VAT collections")
    description = _lazy("Per month: VAT billed, and the VAT part of what was collected.")

    default_period = "year"

    def build(self, user, f, obj=None):
        months = selectors.vat_collections(user=user, books=f.books, period=f.period)
        table = Table(
            title=str(self.title),
            columns=[Column(_("Month"), "month"), M(_("VAT billed")), M(_("VAT collected"))],
            source=months,
            row=lambda m: [m["month"], m["billed"], m["collected"]],
            totals=[
                _("Total"),
                sum((m["billed"] for m in months), ZERO),
                sum((m["collected"] for m in months), ZERO),
            ],
            empty=_("No VAT in this period."),
        )
        return Result(
            tables=[table],
            heading=_period_heading(f.period),
            note=_(
                "VAT collected is each payment's share of its bill's VAT (a bill half paid has "
                "collected half its VAT)."
            ),
        )


class Receivable(Report):
    slug = "receivable"
    title = _lazy("Accounts receivable")
    description = _lazy("Customers with money due, aged 0–30, 31–60, 61–90 and over 90 days.")
    default_period = None

    def build(self, user, f, obj=None):
        rows, totals = selectors.receivables(user=user, books=f.books, period=f.period)

        def row(r):
            url = reverse("customers:detail", args=[r["customer_id"]])
            return [
                Link(r["customer__name"], url),
                r["customer__username"],
                r["customer__mobile"],
                r["owner__name"],
                r["bills"],
                r["b0"],
                r["b31"],
                r["b61"],
                r["b90"],
                r["total"],
            ]

        table = Table(
            title=str(self.title),
            columns=[
                Column(_("Customer")),
                Column(_("Username")),
                Column(_("Mobile")),
                Column(_("Owner")),
                Column(_("Open bills"), "int"),
                M(_("0–30 days")),
                M(_("31–60 days")),
                M(_("61–90 days")),
                M(_("Over 90 days")),
                M(_("Total due")),
            ],
            source=rows,
            row=row,
            totals=[
                _("Total: %(n)s customers") % {"n": totals["customers"]},
                "",
                "",
                "",
                totals["bills"],
                totals["b0"],
                totals["b31"],
                totals["b61"],
                totals["b90"],
                totals["total"],
            ],
            paginate=True,
            empty=_("No customer owes anything."),
        )
        return Result(
            tables=[table],
            heading=_("As of %(date)s") % {"date": selectors.tenant_today(user).isoformat()},
            note=_(
                "Open bills (issued in the chosen dates, if any), aged by days past their due "
                "date; bills not yet due count in 0–30."
            ),
        )


class Payable(Report):
    slug = "payable"
    title = _lazy("Accounts payable")
    description = _lazy("Resellers' positions with their parent, and customers' wallet credit.")
    default_period = None
    as_of_only = True

    def build(self, user, f, obj=None):
        as_of = f.period.end
        positions = selectors.reseller_positions(user=user, books=f.books, as_of=as_of)
        wallets, wallet_totals = selectors.wallet_credits(user=user, books=f.books, as_of=as_of)
        return Result(
            tables=[
                Table(
                    title=_("Reseller accounts"),
                    columns=[
                        Column(_("Reseller")),
                        Column(_("Account kept by")),
                        Column(_("Type")),
                        M(_("Credit limit")),
                        M(_("Owes its parent")),
                        M(_("Deposit held")),
                    ],
                    source=positions,
                    row=lambda r: [
                        r["reseller__name"],
                        r["parent"],
                        _label(ResellerAccountType, r["reseller__account_type"]),
                        r["reseller__credit_limit"],
                        r["owes"],
                        r["deposit"],
                    ],
                    totals=[
                        _("Total"),
                        "",
                        "",
                        "",
                        sum((r["owes"] for r in positions), ZERO),
                        sum((r["deposit"] for r in positions), ZERO),
                    ],
                    empty=_("No reseller accounts."),
                ),
                Table(
                    title=_("Customer wallet credit"),
                    columns=[
                        Column(_("Customer")),
                        Column(_("Username")),
                        Column(_("Mobile")),
                        M(_("Wallet credit")),
                    ],
                    source=wallets,
                    row=lambda r: [
                        r["customer__name"],
                        r["customer__username"],
                        r["customer__mobile"],
                        r["credit"],
                    ],
                    totals=[
                        _("Total: %(n)s customers") % {"n": wallet_totals["customers"]},
                        "",
                        "",
                        wallet_totals["credit"],
                    ],
                    paginate=True,
                    empty=_("No customer has wallet credit."),
                ),
            ],
            heading=_("As of %(date)s") % {"date": (as_of.isoformat() if as_of else "…")},
        )


REPORTS: dict[str, Report] = {
    r.slug: r
    for r in (
        AccountStatement(),
        Journal(),
        Ledger(),
        Daily(),
        Monthly(),
        IncomeExpense(),
        OperatorIncomes(),
        PaymentStatements(),
        CustomerPayments(),
        BillsSummary(),
        VatCollections(),
        Receivable(),
        Payable(),
    )
}


def reports_for(user) -> list[Report]:
    return [r for r in REPORTS.values() if r.in_index and P.may(user, r.key)]
