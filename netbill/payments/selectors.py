"""Payment reads: the Customer Payments list (panel page and its CSV download share
:func:`payment_list`), the Verify Payments list, the open bills a payment may settle, and
the customer profile's payments / wallet tabs.  Everything reads through ``visible_to``."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum, Window
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from netbill.accounts.models import User
from netbill.billing.choices import BillStatus
from netbill.billing.models import Bill
from netbill.core.money import ZERO
from netbill.customers.models import Customer
from netbill.customers.selectors import owner_choices
from netbill.ledger import chart
from netbill.ledger.models import JournalLine
from netbill.ledger.selectors import customer_due, wallet_balance
from netbill.payments.choices import OnlineStatus, PaymentMethod
from netbill.payments.models import OnlineTransaction, Payment

FILTER_PARAMS = ("date_from", "date_to", "q", "method", "status", "collector", "owner")
LIVE, VOID = "live", "void"
STATUS_CHOICES = ((LIVE, _("Live")), (VOID, _("Void")))


def _int(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _customer_search(q: str, prefix: str = "customer__") -> Q:
    return (
        Q(**{f"{prefix}name__icontains": q})
        | Q(**{f"{prefix}username__istartswith": q})
        | Q(**{f"{prefix}mobile__startswith": q})
    )


def payment_list(*, user, params=None) -> QuerySet:
    """Payments ``user`` may see, newest first, filtered by ``params``: ``date_from`` /
    ``date_to`` (received, in the tenant's days), ``q`` (customer name, username, mobile or
    the receipt number), ``method``, ``status`` (live / void), ``collector``, ``owner``.
    A malformed id filter matches nothing; a malformed date is ignored."""
    params = params if params is not None else {}
    qs = Payment.objects.visible_to(user).select_related("customer", "collected_by", "owner")
    start = parse_date(params.get("date_from") or "") if params.get("date_from") else None
    end = parse_date(params.get("date_to") or "") if params.get("date_to") else None
    if start:
        qs = qs.filter(received_at__gte=_day_start(start))
    if end:
        qs = qs.filter(received_at__lt=_day_start(end + datetime.timedelta(days=1)))
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(_customer_search(q) | Q(receipt_number__iexact=q))
    method = params.get("method") or ""
    if method in PaymentMethod.values:
        qs = qs.filter(method=method)
    status = params.get("status") or ""
    if status == LIVE:
        qs = qs.filter(voided_at__isnull=True)
    elif status == VOID:
        qs = qs.filter(voided_at__isnull=False)
    for name, field in (("collector", "collected_by_id"), ("owner", "owner_id")):
        raw = params.get(name)
        if raw in (None, ""):
            continue
        pk = _int(raw)
        qs = qs.filter(**{field: pk}) if pk is not None else qs.none()
    return qs.order_by("-received_at", "-id")


def payment_totals(qs: QuerySet) -> dict:
    """Count and sum of the live payments among ``qs`` (and how many are void)."""
    return qs.order_by().aggregate(
        count=Count("id", filter=Q(voided_at__isnull=True)),
        total=Coalesce(Sum("amount", filter=Q(voided_at__isnull=True)), ZERO),
        void_count=Count("id", filter=Q(voided_at__isnull=False)),
    )


def collector_choices(user) -> QuerySet:
    """Staff who collected payments ``user`` may see."""
    ids = Payment.objects.visible_to(user).values("collected_by_id")
    return User.objects.filter(tenant_id=user.tenant_id, pk__in=ids).order_by("name")


def payment_owner_choices(user) -> QuerySet:
    return owner_choices(user).order_by("name")


def payment_detail(*, user, pk) -> Payment:
    from netbill.core.scope import get_visible_or_404

    return get_visible_or_404(
        Payment.objects.select_related("customer", "collected_by", "owner", "tenant"),
        user,
        pk=pk,
    )


def open_bills(*, user, customer) -> QuerySet:
    """The customer's unpaid and partly paid bills ``user`` may see, oldest due first."""
    return (
        Bill.objects.visible_to(user)
        .filter(customer=customer, status__in=[BillStatus.UNPAID, BillStatus.PARTIAL])
        .order_by("due_date", "id")
    )


def collect_customers(*, user, q: str, limit: int = 20) -> list[Customer]:
    """Alive customers matching ``q`` (name, username, mobile) for the collect page."""
    q = (q or "").strip()
    if not q:
        return []
    return list(
        Customer.objects.visible_to(user)
        .alive()
        .filter(_customer_search(q, prefix=""))
        .select_related("owner", "package")
        .order_by("name", "id")[:limit]
    )


def online_list(*, user, params=None) -> QuerySet:
    """Online transactions ``user`` may see: ``status`` (default pending; ``all``),
    ``gateway``, ``q`` (customer or gateway reference)."""
    params = params if params is not None else {}
    qs = OnlineTransaction.objects.visible_to(user).select_related(
        "customer", "payment", "decided_by"
    )
    status = params.get("status") or OnlineStatus.PENDING
    if status in OnlineStatus.values:
        qs = qs.filter(status=status)
    gateway = (params.get("gateway") or "").strip().lower()
    if gateway:
        qs = qs.filter(gateway=gateway)
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(_customer_search(q) | Q(gateway_reference=q))
    return qs.order_by("-created_at", "-id")


# --- the customer profile's tabs --------------------------------------------------------------

ENTRY_KINDS = {
    "bill": _("Bill"),
    "payment": _("Payment"),
    "wallet": _("Wallet applied"),
    "card": _("Recharge card"),
}
CUSTOMER_ACCOUNTS = (chart.CUSTOMER_RECEIVABLE, chart.CUSTOMER_WALLET)


def entry_kind_label(kind: str) -> str:
    """A readable name for a journal entry kind (``payment.cash.reversal`` → "Payment
    (cash), reversal")."""
    parts = kind.split(".")
    label = str(ENTRY_KINDS.get(parts[0], parts[0].replace("_", " ").capitalize()))
    rest = [p for p in parts[1:] if p != "reversal"]
    if rest:
        label += f" ({', '.join(rest)})"
    if parts[-1] == "reversal":
        label += f", {_('reversal')}"
    return label


def customer_payments(*, user, customer, limit: int = 100) -> list[Payment]:
    """The customer's payments ``user`` may see, newest first."""
    return list(
        Payment.objects.visible_to(user)
        .filter(customer=customer)
        .select_related("collected_by")
        .prefetch_related("allocations__bill")
        .order_by("-received_at", "-id")[:limit]
    )


def customer_ledger(*, user, customer, limit: int = 200) -> list[JournalLine]:
    """The customer's own accounts (receivable and wallet) line by line, newest first,
    each with ``running``: what the customer owes after it (negative: in credit)."""
    qs = (
        JournalLine.objects.visible_to(user)
        .filter(customer=customer, account__code__in=CUSTOMER_ACCOUNTS)
        .select_related("entry", "account")
        .annotate(
            running=Window(Sum("amount"), order_by=["date", "entry_id", "id"]),
        )
        .order_by("-date", "-entry_id", "-id")
    )
    rows = list(qs[:limit])
    for row in rows:
        row.kind_label = entry_kind_label(row.entry.kind)
        row.debit = row.amount if row.amount > 0 else None
        row.credit = -row.amount if row.amount < 0 else None
    return rows


def customer_money_tabs(*, user, customer) -> dict:
    """Context of ``payments/_customer_payments.html`` and ``payments/_customer_wallet.html``."""
    balance_due: Decimal = customer_due(customer)
    wallet: Decimal = wallet_balance(customer)
    return {
        "customer_payments": customer_payments(user=user, customer=customer),
        "customer_ledger": customer_ledger(user=user, customer=customer),
        "customer_due_total": balance_due,
        "customer_wallet_balance": wallet,
        "customer_net_balance": balance_due - wallet,
    }
