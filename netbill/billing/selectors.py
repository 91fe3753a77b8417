"""Bill reads: the scoped, filtered bill list, one bill with its lines / allocations /
ledger lines, a customer's bills, and the run log.  Every read starts from
``visible_to(user)``; filters with malformed values match nothing rather than failing."""

from __future__ import annotations

import datetime

from django.db.models import Prefetch, Q, QuerySet

from netbill.billing.choices import BillKind, BillStatus
from netbill.billing.models import Bill, BillingRun, BillLine
from netbill.ledger.models import JournalLine

FILTER_PARAMS = ("q", "status", "kind", "owner", "zone", "date_from", "date_to")


def _int(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _date(value) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        return None


def bill_list(*, user, params=None) -> QuerySet:
    """Bills ``user`` may see, newest first, filtered by ``params``: ``q`` (customer name
    contains, username / mobile / bill number prefix), ``status``, ``kind``, ``owner``,
    ``zone`` (the customer's), ``date_from`` / ``date_to`` (issue date, inclusive)."""
    params = params if params is not None else {}
    qs = Bill.objects.visible_to(user).select_related("customer", "customer__zone", "owner")
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(
            Q(customer__name__icontains=q)
            | Q(customer__username__istartswith=q)
            | Q(customer__mobile__startswith=q)
            | Q(number__istartswith=q)
        )
    status = params.get("status") or ""
    if status == "open":
        qs = qs.filter(status__in=(BillStatus.UNPAID, BillStatus.PARTIAL))
    elif status in BillStatus.values:
        qs = qs.filter(status=status)
    kind = params.get("kind") or ""
    if kind in BillKind.values:
        qs = qs.filter(kind=kind)
    for name, field in (("owner", "owner_id"), ("zone", "customer__zone_id")):
        raw = params.get(name)
        if raw not in (None, ""):
            pk = _int(raw)
            qs = qs.filter(**{field: pk}) if pk is not None else qs.none()
    for name, lookup in (("date_from", "issue_date__gte"), ("date_to", "issue_date__lte")):
        raw = params.get(name)
        if raw not in (None, ""):
            day = _date(raw)
            qs = qs.filter(**{lookup: day}) if day is not None else qs.none()
    return qs.order_by("-issue_date", "-id")


def bill_detail(*, user, pk) -> Bill:
    """One bill in scope (``Bill.DoesNotExist`` otherwise) with what the page shows."""
    from netbill.payments.models import PaymentAllocation

    return (
        Bill.objects.visible_to(user)
        .select_related("customer", "customer__zone", "owner", "package", "created_by", "entry")
        .prefetch_related(
            Prefetch("lines", queryset=BillLine.objects.order_by("id")),
            Prefetch(
                "allocations",
                queryset=PaymentAllocation.objects.select_related("payment").order_by("id"),
            ),
        )
        .get(pk=pk)
    )


def bill_ledger_lines(*, user, bill: Bill) -> list[JournalLine]:
    """The journal lines of the bill's entry and of the entries that settled it (wallet,
    payments), limited to the books ``user`` may read."""
    entry_ids = {bill.entry_id, bill.reseller_entry_id}
    entry_ids |= {a.entry_id for a in bill.allocations.all()}
    entry_ids.discard(None)
    lines = list(
        JournalLine.objects.visible_to(user)
        .filter(entry_id__in=entry_ids)
        .select_related("account", "entry", "customer", "reseller", "staff", "book")
        .order_by("entry_id", "id")
    )
    for line in lines:
        line.debit = line.amount if line.amount > 0 else None
        line.credit = -line.amount if line.amount < 0 else None
    return lines


def customer_bills(*, user, customer, limit: int = 50) -> list[Bill]:
    """The customer's latest bills (the profile's Bills tab)."""
    return list(
        Bill.objects.visible_to(user)
        .filter(customer=customer)
        .select_related("owner")
        .order_by("-period_start", "-id")[:limit]
    )


def run_list(*, user) -> QuerySet:
    return BillingRun.objects.visible_to(user).select_related("triggered_by")
