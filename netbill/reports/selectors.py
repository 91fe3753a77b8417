"""Report queries.  Every figure is read through the user's scope (``visible_to``) and summed
in SQL (grouped aggregates, window functions); Python only merges the few grouped rows.

Where a report reads the ledger it reads *books*: the ISP's own (``None``) and each
reseller's.  A user reads the books of the accounts in its scope (the group admin every book;
an operator its own and its sub-operators'; a manager its parent's).  A reseller's own account
in its parent's book (what it owes or has deposited) is shown by the payable report, never
mixed into its own books, so every book's trial balance sums to zero.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.conf import settings
from django.db.models import (
    Count,
    DateField,
    DecimalField,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, Trunc, TruncDate
from django.utils import timezone

from netbill.accounts.models import User
from netbill.billing.choices import BillLineKind, BillStatus
from netbill.billing.models import Bill, BillLine
from netbill.core.choices import RESELLER_ROLES, Role
from netbill.core.money import ZERO, money
from netbill.core.scope import visible_owner_ids
from netbill.ledger import chart
from netbill.ledger.chart import AccountType
from netbill.ledger.models import JournalEntry, JournalLine
from netbill.payments.choices import PaymentMethod
from netbill.payments.models import Payment, PaymentAllocation

MONEY_OUT = DecimalField(max_digits=18, decimal_places=2)
CUSTOMER_REVENUE = tuple(chart.REVENUE_BY_CONNECTION.values())
OPEN_STATUSES = (BillStatus.UNPAID, BillStatus.PARTIAL)
AGEING = (("0-30", 0, 30), ("31-60", 31, 60), ("61-90", 61, 90), ("90+", 91, None))


def _zero():
    return Value(ZERO, output_field=MONEY_OUT)


def msum(expr, **kwargs):
    """``SUM`` that answers 0.00 (not NULL) over no rows."""
    return Coalesce(Sum(expr, output_field=MONEY_OUT, **kwargs), _zero())


# --- period, books and timezone ----------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Both dates included; ``None``: open-ended."""

    start: datetime.date | None = None
    end: datetime.date | None = None

    def q(self, field: str = "date") -> Q:
        q = Q()
        if self.start:
            q &= Q(**{f"{field}__gte": self.start})
        if self.end:
            q &= Q(**{f"{field}__lte": self.end})
        return q

    def q_datetime(self, field: str, tz) -> Q:
        """The same days for a timestamp column, in the tenant's timezone."""
        q = Q()
        if self.start:
            start = datetime.datetime.combine(self.start, datetime.time.min, tzinfo=tz)
            q &= Q(**{f"{field}__gte": start})
        if self.end:
            end = datetime.datetime.combine(
                self.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
            )
            q &= Q(**{f"{field}__lt": end})
        return q


@dataclass(frozen=True)
class Books:
    """The books a report reads: ``ids`` (``None`` stands for the ISP's own book), or
    ``everything`` (a group-admin-level user, all books: no filter needed)."""

    ids: tuple = ()
    everything: bool = False

    def line_q(self, field: str = "book") -> Q:
        if self.everything:
            return Q()
        parts = []
        if None in self.ids:
            parts.append(Q(**{f"{field}__isnull": True}))
        ids = [b for b in self.ids if b is not None]
        if ids:
            parts.append(Q(**{f"{field}__in": ids}))
        return reduce(or_, parts) if parts else Q(pk__in=[])

    def owner_q(self, field: str = "owner") -> Q:
        """Bills and payments by the book they are in (their owner's, see ``book_of``)."""
        if self.everything:
            return Q()
        parts = []
        if None in self.ids:
            parts.append(~Q(**{f"{field}__role__in": RESELLER_ROLES}))
        ids = [b for b in self.ids if b is not None]
        if ids:
            parts.append(Q(**{f"{field}__in": ids}))
        return reduce(or_, parts) if parts else Q(pk__in=[])


def tenant_tz(user):
    name = getattr(getattr(user, "tenant", None), "timezone", "") or settings.TIME_ZONE
    try:
        return zoneinfo.ZoneInfo(name)
    except zoneinfo.ZoneInfoNotFoundError:
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def tenant_today(user) -> datetime.date:
    return timezone.now().astimezone(tenant_tz(user)).date()


def reads_money(user) -> bool:
    return user.role not in (Role.NOC, Role.SALES_MANAGER)


def visible_resellers(user):
    """The reseller accounts whose books ``user`` reads."""
    owners = visible_owner_ids(user)
    qs = User.objects.filter(tenant_id=user.tenant_id, role__in=RESELLER_ROLES)
    if not reads_money(user):
        return qs.none()
    if owners is not None:
        qs = qs.filter(pk__in=owners)
    return qs.order_by("name", "pk")


def book_choices(user) -> list[tuple[str, str]]:
    """(value, label) of each book ``user`` reads: "isp" for the ISP's own, else a reseller id."""
    if not reads_money(user):
        return []
    choices = []
    if visible_owner_ids(user) is None:
        choices.append(("isp", str(user.tenant.name)))
    choices += [(str(r.pk), r.name) for r in visible_resellers(user)]
    return choices


def resolve_books(user, value: str = "") -> Books:
    """The books for a filter value from :func:`book_choices` ("" : every book of the user)."""
    owners = visible_owner_ids(user)
    if not reads_money(user):
        return Books()
    if not value:
        if owners is None:
            return Books(everything=True)
        return Books(ids=tuple(sorted(owners)))
    if value == "isp":
        return Books(ids=(None,)) if owners is None else Books()
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return Books()
    return Books(ids=(pk,)) if visible_resellers(user).filter(pk=pk).exists() else Books()


def book_names(user, ids) -> dict:
    names = {None: str(user.tenant.name)}
    names.update(
        User.objects.filter(tenant_id=user.tenant_id, pk__in=[i for i in ids if i is not None])
        .values_list("pk", "name")
        .order_by()
    )
    return names


def book_lines(user, books: Books):
    """Ledger lines of the books ``user`` reads (and has chosen)."""
    return JournalLine.objects.visible_to(user).filter(books.line_q())


# --- ledger reports ----------------------------------------------------------------------------


def account_statement(*, user, account, period: Period) -> dict:
    """One account: opening balance, the period's lines with a running balance, closing."""
    lines = JournalLine.objects.visible_to(user).filter(account=account)
    opening = ZERO
    if period.start:
        opening = lines.filter(date__lt=period.start).aggregate(t=msum("amount"))["t"]
    movements = (
        lines.filter(period.q())
        .select_related("entry", "customer", "reseller", "staff")
        .annotate(
            running=Window(
                Sum("amount"),
                order_by=[F("date").asc(), F("entry_id").asc(), F("id").asc()],
            )
        )
        .order_by("date", "entry_id", "id")
    )
    totals = lines.filter(period.q()).aggregate(
        debit=msum("amount", filter=Q(amount__gt=0)),
        credit=msum("amount", filter=Q(amount__lt=0)),
        count=Count("id"),
    )
    debit, credit = totals["debit"], -totals["credit"]
    return {
        "opening": opening,
        "movements": movements,
        "debit": debit,
        "credit": credit,
        "count": totals["count"],
        "closing": opening + debit - credit,
    }


def journal(*, user, books: Books, period: Period) -> dict:
    """Entries with at least one line in the chosen books, newest first, each with those
    lines (``entry.shown_lines``)."""
    lines = book_lines(user, books).filter(period.q())
    entries = (
        JournalEntry.objects.filter(tenant_id=user.tenant_id, pk__in=lines.values("entry_id"))
        .select_related("actor")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=lines.select_related("account", "customer", "reseller", "staff").order_by(
                    "id"
                ),
                to_attr="shown_lines",
            )
        )
        .order_by("-date", "-id")
    )
    totals = lines.aggregate(
        debit=msum("amount", filter=Q(amount__gt=0)),
        credit=msum("amount", filter=Q(amount__lt=0)),
        lines=Count("id"),
    )
    return {
        "entries": entries,
        "debit": totals["debit"],
        "credit": -totals["credit"],
        "lines": totals["lines"],
    }


def trial_balance(*, user, books: Books, period: Period) -> list[dict]:
    """Per book, per account: opening, the period's debits and credits, closing.  Each book's
    closings (and its debits minus credits) sum to zero: every entry balances per book."""
    qs = book_lines(user, books)
    if period.end:
        qs = qs.filter(date__lte=period.end)
    before = Q(date__lt=period.start) if period.start else Q(pk__in=[])
    during = Q(date__gte=period.start) if period.start else Q()
    rows = list(
        qs.values("book_id", "account_id", "account__code", "account__name", "account__type")
        .annotate(
            opening=msum("amount", filter=before),
            debit=msum("amount", filter=during & Q(amount__gt=0)),
            credit=msum("amount", filter=during & Q(amount__lt=0)),
            closing=msum("amount"),
        )
        .order_by(F("book_id").asc(nulls_first=True), "account__code")
    )
    names = book_names(user, {r["book_id"] for r in rows})
    result: dict = {}
    for row in rows:
        row["credit"] = -row["credit"]
        book = result.setdefault(
            row["book_id"],
            {
                "book_id": row["book_id"],
                "name": names.get(row["book_id"], ""),
                "rows": [],
                "opening": ZERO,
                "debit": ZERO,
                "credit": ZERO,
                "closing": ZERO,
            },
        )
        book["rows"].append(row)
        for field in ("opening", "debit", "credit", "closing"):
            book[field] += row[field]
    return list(result.values())


# --- daily / monthly activity ------------------------------------------------------------------


def activity(*, user, books: Books, period: Period, kind: str = "day") -> list[dict]:
    """Per day (or month): billed, collected by method, expenses and net (collected − expenses).

    Billed: bills issued (not void), including VAT.  Collected: payments received (not void).
    Expenses: the expense accounts of the chosen books.
    """
    tz = tenant_tz(user)
    bills = (
        Bill.objects.visible_to(user)
        .filter(books.owner_q(), period.q("issue_date"))
        .exclude(status=BillStatus.VOID)
        .annotate(k=Trunc("issue_date", kind, output_field=DateField()))
        .values("k")
        .annotate(total=msum("amount"))
        .order_by()
    )
    if kind == "day":
        bucket = TruncDate("received_at", tzinfo=tz)
    else:
        bucket = Trunc("received_at", kind, output_field=DateField(), tzinfo=tz)
    payments = (
        Payment.objects.visible_to(user)
        .filter(books.owner_q(), period.q_datetime("received_at", tz), voided_at__isnull=True)
        .annotate(k=bucket)
        .values("k", "method")
        .annotate(total=msum("amount"))
        .order_by()
    )
    expenses = (
        book_lines(user, books)
        .filter(period.q(), account__type=AccountType.EXPENSE)
        .annotate(k=Trunc("date", kind, output_field=DateField()))
        .values("k")
        .annotate(total=msum("amount"))
        .order_by()
    )
    days: dict = {}

    def day(k):
        return days.setdefault(
            k,
            {
                "date": k,
                "billed": ZERO,
                "methods": dict.fromkeys(PaymentMethod.values, ZERO),
                "collected": ZERO,
                "expenses": ZERO,
            },
        )

    for row in bills:
        day(row["k"])["billed"] += row["total"]
    for row in payments:
        d = day(row["k"])
        d["methods"][row["method"]] += row["total"]
        d["collected"] += row["total"]
    for row in expenses:
        day(row["k"])["expenses"] += row["total"]
    result = [days[k] for k in sorted(days)]
    for d in result:
        d["net"] = d["collected"] - d["expenses"]
    return result


def income_expense(*, user, books: Books, period: Period) -> list[dict]:
    """Per month, from the ledger: income (income accounts, net of discounts), expenses, net."""
    rows = (
        book_lines(user, books)
        .filter(period.q(), account__type__in=(AccountType.INCOME, AccountType.EXPENSE))
        .annotate(month=Trunc("date", "month", output_field=DateField()))
        .values("month")
        .annotate(
            income=msum("amount", filter=Q(account__type=AccountType.INCOME)),
            expense=msum("amount", filter=Q(account__type=AccountType.EXPENSE)),
        )
        .order_by("month")
    )
    result = []
    for row in rows:
        income = -row["income"]
        result.append(
            {
                "month": row["month"],
                "income": income,
                "expense": row["expense"],
                "net": income - row["expense"],
            }
        )
    return result


def operator_incomes(*, user, books: Books, period: Period) -> list[dict]:
    """Per reseller: customer revenue in its book (net of discounts, without VAT), what it
    earns from its sub-operators, what its parent charged it, and its margin."""
    resellers = list(visible_resellers(user))
    if not books.everything:
        resellers = [r for r in resellers if r.pk in books.ids]
    ids = [r.pk for r in resellers]
    lines = JournalLine.objects.visible_to(user).filter(period.q())
    by_book = {
        row["book_id"]: row
        for row in lines.filter(book_id__in=ids)
        .values("book_id")
        .annotate(
            revenue=msum(
                "amount", filter=Q(account__code__in=(*CUSTOMER_REVENUE, chart.DISCOUNTS))
            ),
            wholesale=msum("amount", filter=Q(account__code=chart.WHOLESALE_REVENUE)),
        )
        .order_by()
    }
    charged = dict(
        lines.filter(reseller_id__in=ids, account__code=chart.WHOLESALE_REVENUE)
        .values("reseller_id")
        .annotate(total=msum("amount"))
        .values_list("reseller_id", "total")
        .order_by()
    )
    result = []
    for r in resellers:
        row = by_book.get(r.pk, {})
        revenue = -row.get("revenue", ZERO)
        wholesale = -row.get("wholesale", ZERO)
        charges = -charged.get(r.pk, ZERO)
        result.append(
            {
                "reseller": r,
                "revenue": revenue,
                "wholesale": wholesale,
                "charges": charges,
                "margin": revenue + wholesale - charges,
            }
        )
    return result


# --- payments and bills ------------------------------------------------------------------------


def payments(
    *,
    user,
    books: Books,
    period: Period,
    method: str = "",
    status: str = "",
    customer: str = "",
):
    """Payments received in the period (newest first) with what went to bills."""
    tz = tenant_tz(user)
    allocated = (
        PaymentAllocation.objects.filter(payment_id=OuterRef("pk"))
        .values("payment_id")
        .annotate(t=Sum("amount"))
        .values("t")
    )
    qs = (
        Payment.objects.visible_to(user)
        .filter(books.owner_q(), period.q_datetime("received_at", tz))
        .select_related("customer", "collected_by", "owner")
        .annotate(to_bills=Coalesce(Subquery(allocated, output_field=MONEY_OUT), _zero()))
        .order_by("-received_at", "-id")
    )
    if method:
        qs = qs.filter(method=method)
    if status == "valid":
        qs = qs.filter(voided_at__isnull=True)
    elif status == "void":
        qs = qs.filter(voided_at__isnull=False)
    customer = (customer or "").strip()
    if customer:
        qs = qs.filter(
            Q(customer__name__icontains=customer)
            | Q(customer__username__iexact=customer)
            | Q(customer__mobile__startswith=customer)
        )
    return qs


def payment_totals(qs) -> dict:
    return qs.aggregate(
        count=Count("id"),
        valid_amount=msum("amount", filter=Q(voided_at__isnull=True)),
        valid_to_bills=msum("to_bills", filter=Q(voided_at__isnull=True)),
        void_count=Count("id", filter=Q(voided_at__isnull=False)),
        void_amount=msum("amount", filter=Q(voided_at__isnull=False)),
    )


def bill_due():
    """What is still due on a bill (as ``Bill.due``): amount − discount − paid."""
    return F("amount") - F("discount") - F("paid_amount")


def _bill_sums():
    return {
        "count": Count("id"),
        "billed": msum("amount"),
        "discounts": msum("discount"),
        "collected": msum("paid_amount"),
        "outstanding": msum(bill_due()),
    }


def bills_summary(*, user, books: Books, period: Period) -> dict:
    """Bills issued in the period (void ones left out): billed, collected, outstanding — by
    owner and by zone."""
    qs = (
        Bill.objects.visible_to(user)
        .filter(books.owner_q(), period.q("issue_date"))
        .exclude(status=BillStatus.VOID)
    )
    by_owner = list(
        qs.values("owner_id", "owner__name").annotate(**_bill_sums()).order_by("owner__name")
    )
    by_zone = list(
        qs.values("customer__zone_id", "customer__zone__name")
        .annotate(**_bill_sums())
        .order_by(F("customer__zone__name").asc(nulls_last=True))
    )
    return {"by_owner": by_owner, "by_zone": by_zone, "totals": qs.aggregate(**_bill_sums())}


def vat_collections(*, user, books: Books, period: Period) -> list[dict]:
    """Per month: VAT on the bills issued, and the VAT part of what was collected on bills:
    each allocation's share of its bill's VAT, over what the bill asks after discounts (a
    bill half paid has collected half its VAT; a discounted bill paid in full, all of it)."""
    tz = tenant_tz(user)
    billed = dict(
        BillLine.objects.visible_to(user)
        .filter(
            books.owner_q("bill__owner"),
            period.q("bill__issue_date"),
            kind=BillLineKind.VAT,
        )
        .exclude(bill__status=BillStatus.VOID)
        .annotate(month=Trunc("bill__issue_date", "month", output_field=DateField()))
        .values("month")
        .annotate(total=msum("amount"))
        .values_list("month", "total")
        .order_by()
    )
    bill_vat = (
        BillLine.objects.filter(bill_id=OuterRef("bill_id"), kind=BillLineKind.VAT)
        .values("bill_id")
        .annotate(t=Sum("amount"))
        .values("t")
    )
    when = Coalesce("payment__received_at", "created_at")
    collected_rows = (
        PaymentAllocation.objects.visible_to(user)
        .filter(books.owner_q("bill__owner"), voided_at__isnull=True)
        .annotate(base=F("bill__amount") - F("bill__discount"))
        .filter(base__gt=0)
        .filter(Q(payment__isnull=True) | Q(payment__voided_at__isnull=True))
        .annotate(when=when)
        .filter(period.q_datetime("when", tz))
        .annotate(
            vat=Coalesce(Subquery(bill_vat, output_field=MONEY_OUT), _zero()),
            month=Trunc("when", "month", output_field=DateField(), tzinfo=tz),
        )
        .values("month")
        .annotate(
            total=Sum(
                F("amount") * F("vat") / F("base"),
                output_field=DecimalField(max_digits=30, decimal_places=10),
            )
        )
        .values_list("month", "total")
        .order_by()
    )
    currency = user.tenant.currency
    collected = {m: money(t or 0, currency) for m, t in collected_rows}
    return [
        {"month": m, "billed": billed.get(m, ZERO), "collected": collected.get(m, ZERO)}
        for m in sorted(set(billed) | set(collected))
    ]


# --- receivable and payable --------------------------------------------------------------------


def receivables(*, user, books: Books, period: Period, as_of: datetime.date | None = None):
    """Customers with something due on open bills, aged by days past the due date (as of
    ``as_of``, default today): 0–30 (including not yet due), 31–60, 61–90, over 90."""
    as_of = as_of or tenant_today(user)
    due = bill_due()

    def since(days):
        return as_of - datetime.timedelta(days=days)

    buckets = {
        "b0": msum(due, filter=Q(due_date__gte=since(30))),
        "b31": msum(due, filter=Q(due_date__lt=since(30), due_date__gte=since(60))),
        "b61": msum(due, filter=Q(due_date__lt=since(60), due_date__gte=since(90))),
        "b90": msum(due, filter=Q(due_date__lt=since(90))),
        "total": msum(due),
    }
    qs = Bill.objects.visible_to(user).filter(
        books.owner_q(), period.q("issue_date"), status__in=OPEN_STATUSES
    )
    rows = (
        qs.values(
            "customer_id",
            "customer__name",
            "customer__username",
            "customer__mobile",
            "owner__name",
        )
        .annotate(bills=Count("id"), **buckets)
        .filter(total__gt=0)
        .order_by("-total", "customer__name", "customer_id")
    )
    totals = qs.aggregate(bills=Count("id"), **buckets)
    totals["customers"] = rows.count()
    return rows, totals


def reseller_positions(*, user, books: Books, as_of: datetime.date | None = None) -> list[dict]:
    """Each reseller account's position with its parent, as of a date: positive, it owes its
    parent (receivable for the parent); negative, the parent holds its deposit (payable)."""
    qs = JournalLine.objects.visible_to(user).filter(
        account__code=chart.RESELLER_ACCOUNTS, reseller__isnull=False
    )
    if not books.everything:
        ids = [b for b in books.ids if b is not None]
        qs = qs.filter(books.line_q() | Q(reseller_id__in=ids))
    if as_of:
        qs = qs.filter(date__lte=as_of)
    rows = list(
        qs.values(
            "book_id",
            "reseller_id",
            "reseller__name",
            "reseller__account_type",
            "reseller__credit_limit",
        )
        .annotate(position=msum("amount"))
        .order_by("reseller__name", "reseller_id")
    )
    names = book_names(user, {r["book_id"] for r in rows})
    for row in rows:
        row["parent"] = names.get(row["book_id"], "")
        row["deposit"] = -row["position"] if row["position"] < 0 else ZERO
        row["owes"] = row["position"] if row["position"] > 0 else ZERO
    return rows


def wallet_credits(*, user, books: Books, as_of: datetime.date | None = None):
    """Customers whose wallet (advance) holds credit: what the ISP owes them in service."""
    qs = book_lines(user, books).filter(account__code=chart.CUSTOMER_WALLET, customer__isnull=False)
    if as_of:
        qs = qs.filter(date__lte=as_of)
    rows = (
        qs.values("customer_id", "customer__name", "customer__username", "customer__mobile")
        .annotate(credit=msum(-F("amount")))
        .filter(credit__gt=0)
        .order_by("-credit", "customer__name", "customer_id")
    )
    summary = rows.aggregate(total=Sum("credit"), count=Count("customer_id"))
    total, count = summary["total"] or ZERO, summary["count"]
    return rows, {"credit": total, "customers": count}
