"""The dunning sweep: suspend customers who have not paid, reactivate those who since have.

``dunning_sweep(tenant, on)`` suspends, among the tenant's alive customers with status
*active* or *FUP* whose billing profile has **auto-suspend** on:

1. customers with an unpaid (or partly paid) bill whose due date + the profile's grace
   days is before ``on``;
2. customers past their validity (``expires_at`` before now — or before the end of ``on``
   when sweeping a past day); a bill extends the validity to its period end, so a customer
   whose bill could not be made (reseller out of balance) falls here;
3. daily prepaid customers (not hotspot) holding no paid day for ``on`` whose wallet cannot
   cover the day's charge (e.g. a new daily customer that never paid).

Every suspension goes through :func:`customers.services.customer_set_status` with
``system=True`` (no actor) and a reason starting with :data:`REASON_PREFIX`, one
transaction per customer, so RADIUS and notifications follow it like any status change,
and :func:`payments.services.reactivate_if_settled` (which reactivates system suspensions
when a payment settles what was overdue) applies.

Before suspending, the sweep also **reactivates** customers it suspended earlier that are
settled now (a bill voided or paid by a path that does not reactivate, a daily customer
whose wallet was topped up — charged for today first, see
:func:`billing.services.prepaid_resume`).

Candidates are selected with set-based queries (one per billing profile for the overdue
rule, one each for the others): nothing loops over every customer in Python.  The sweep
records a :class:`BillingRun` of kind *dunning*: ``created_count`` is the number
suspended, ``skipped_count`` the number reactivated, ``errors`` the customers that could
not be changed.
"""

from __future__ import annotations

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from netbill.billing import calendar as cal
from netbill.billing.batch import (
    ROW_FIELDS,
    Catalog,
    Resellers,
    Row,
    base_price,
    op_prices_of,
    wallets_of,
)
from netbill.billing.choices import BillKind, BillStatus, RunKind
from netbill.billing.models import Bill, BillingRun
from netbill.billing.runs import RunStats
from netbill.billing.services import compute_amounts, prepaid_resume
from netbill.catalog.choices import BillingType
from netbill.catalog.models import BillingProfile
from netbill.core.money import ZERO
from netbill.customers.choices import CustomerStatus, CustomerType
from netbill.customers.models import Customer, CustomerStatusChange
from netbill.customers.services import customer_set_status
from netbill.ledger import chart
from netbill.ledger.models import JournalLine

logger = logging.getLogger("netbill.billing")

# Not translated: the sweep recognises its own suspensions by it (the rest of the reason is).
REASON_PREFIX = "Dunning: "
OPEN = (BillStatus.UNPAID, BillStatus.PARTIAL)


def _suspendable(tenant):
    return Customer.objects.filter(
        tenant=tenant,
        deleted_at__isnull=True,
        status__in=(CustomerStatus.ACTIVE, CustomerStatus.FUP),
        billing_profile__auto_suspend=True,
    )


def overdue_candidates(tenant, on: datetime.date) -> dict[int, str]:
    """Customer id → reason, for unpaid bills past due date + grace (one query per profile)."""
    found: dict[int, str] = {}
    for profile in BillingProfile.objects.filter(tenant=tenant, auto_suspend=True):
        cutoff = on - datetime.timedelta(days=profile.grace_days)
        rows = (
            Bill.objects.filter(
                tenant=tenant,
                status__in=OPEN,
                due_date__lt=cutoff,
                customer__in=_suspendable(tenant).filter(billing_profile=profile),
            )
            .order_by("customer_id", "due_date", "id")
            .values_list("customer_id", "number", "due_date")
        )
        for customer_id, number, due in rows:
            found.setdefault(
                customer_id,
                _("unpaid bill %(no)s was due on %(due)s (%(grace)s grace days).")
                % {"no": number, "due": due, "grace": profile.grace_days},
            )
    return found


def expired_candidates(tenant, on: datetime.date) -> dict[int, str]:
    """Customer id → reason, for customers past their validity."""
    tz = cal.tenant_tz(tenant)
    cutoff = min(timezone.now(), cal.day_start(on + cal.ONE_DAY, tz))
    rows = _suspendable(tenant).filter(expires_at__lt=cutoff).values_list("pk", "expires_at")
    return {
        pk: _("validity ended on %(when)s.")
        % {"when": timezone.localtime(expires, tz).strftime("%Y-%m-%d %H:%M")}
        for pk, expires in rows
    }


def wallet_short_candidates(tenant, on: datetime.date) -> dict[int, str]:
    """Customer id → reason, for daily prepaid customers not paid for ``on`` whose wallet
    cannot cover the day."""
    tz = cal.tenant_tz(tenant)
    paid_today = Bill.objects.filter(
        customer_id=OuterRef("pk"), kind=BillKind.DAILY, period_start=on
    ).exclude(status=BillStatus.VOID)
    rows = [
        Row(values)
        for values in _suspendable(tenant)
        .filter(billing_profile__billing_type=BillingType.DAILY)
        .exclude(customer_type=CustomerType.HOTSPOT)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__lt=cal.day_end(on, tz)))
        .exclude(Exists(paid_today))
        .values_list(*ROW_FIELDS)
    ]
    if not rows:
        return {}
    catalog = Catalog(tenant)
    resellers = Resellers(tenant.pk)
    op_prices = op_prices_of(
        resellers.chain_ids({r.owner_id for r in rows}), {r.package_id for r in rows}
    )
    wallets = wallets_of([r.pk for r in rows])
    found = {}
    for row in rows:
        period = cal.daily_period(on, catalog.packages[row.package_id][2])
        price, vat = compute_amounts(
            base_price(row, catalog, resellers, op_prices),
            catalog.rate(row),
            fraction=period.fraction,
            currency=tenant.currency,
        )
        balance = wallets.get(row.pk, ZERO)
        if balance < price + vat:
            found[row.pk] = _("the balance (%(bal)s) cannot cover the day (%(amt)s).") % {
                "bal": balance,
                "amt": price + vat,
            }
    return found


def system_suspended(tenant):
    """Suspended customers whose latest status change is one of this sweep's suspensions."""
    latest = CustomerStatusChange.objects.filter(customer_id=OuterRef("pk")).order_by(
        "-created_at", "-id"
    )
    return (
        Customer.objects.filter(
            tenant=tenant, deleted_at__isnull=True, status=CustomerStatus.SUSPENDED
        )
        .annotate(
            last_actor=Subquery(latest.values("actor_id")[:1]),
            last_to=Subquery(latest.values("to_status")[:1]),
            last_reason=Subquery(latest.values("reason")[:1]),
        )
        .filter(
            last_actor__isnull=True,
            last_to=CustomerStatus.SUSPENDED,
            last_reason__startswith=REASON_PREFIX,
        )
    )


def reactivation_candidates(tenant, on: datetime.date) -> list[int]:
    """Ids of the customers this sweep suspended that look settled now: no bill overdue
    past its grace days, and still valid — or, for a daily prepaid customer, a wallet with
    credit (it is charged for today first).  Set-based: one query per billing profile."""
    now = timezone.now()
    valid = Q(expires_at__isnull=True) | Q(expires_at__gte=now)
    ids: list[int] = []
    for profile in BillingProfile.objects.filter(tenant=tenant):
        overdue = Bill.objects.filter(
            customer_id=OuterRef("pk"),
            status__in=OPEN,
            due_date__lt=on - datetime.timedelta(days=profile.grace_days),
        )
        qs = system_suspended(tenant).filter(billing_profile=profile).exclude(Exists(overdue))
        if profile.billing_type == BillingType.DAILY:
            credit = (
                JournalLine.objects.filter(
                    customer_id=OuterRef("pk"), account__code=chart.CUSTOMER_WALLET
                )
                .values("customer_id")
                .annotate(total=Sum("amount"))
                .values("total")
            )
            qs = qs.annotate(wallet_total=Subquery(credit)).filter(
                valid | (~Q(customer_type=CustomerType.HOTSPOT) & Q(wallet_total__lt=0))
            )
        else:
            qs = qs.filter(valid)
        ids += qs.values_list("pk", flat=True)
    return sorted(ids)


def _reactivate(tenant, on, stats: RunStats) -> None:
    from netbill.payments.services import reactivate_if_settled

    customers = Customer.objects.filter(pk__in=reactivation_candidates(tenant, on)).select_related(
        "billing_profile", "package", "owner", "tenant"
    )
    for customer in customers.order_by("pk"):
        try:
            if (
                customer.billing_profile.billing_type == BillingType.DAILY
                and customer.customer_type != CustomerType.HOTSPOT
            ):
                prepaid_resume(customer=customer, on=on)
                customer.refresh_from_db(fields=["status"])
                changed = customer.status != CustomerStatus.SUSPENDED
            else:
                changed = reactivate_if_settled(customer)
        except ValidationError as exc:
            stats.error(customer, " ".join(exc.messages))
            continue
        if changed:
            stats.skipped += 1


def dunning_sweep(
    tenant, on: datetime.date | None = None, *, actor=None, keep_empty: bool = True
) -> BillingRun:
    """Suspend who has not paid and reactivate who since has (see the module doc).

    Returns the :class:`BillingRun` (kind *dunning*).  With ``keep_empty=False`` a sweep
    that changed nothing and met no error leaves no log row (the hourly safety net).
    """
    on = on or cal.local_today(tenant)
    run = BillingRun.objects.create(
        tenant=tenant,
        kind=RunKind.DUNNING,
        run_date=on,
        started_at=timezone.now(),
        triggered_by=actor if getattr(actor, "pk", None) else None,
    )
    stats = RunStats()
    _reactivate(tenant, on, stats)
    reasons: dict[int, str] = {}
    for found in (
        overdue_candidates(tenant, on),
        expired_candidates(tenant, on),
        wallet_short_candidates(tenant, on),
    ):
        for pk, reason in found.items():
            reasons.setdefault(pk, reason)
    customers = Customer.objects.filter(pk__in=list(reasons)).select_related("owner", "tenant")
    for customer in customers.order_by("pk").iterator(chunk_size=2000):
        try:
            customer_set_status(
                actor=None,
                customer=customer,
                status=CustomerStatus.SUSPENDED,
                reason=(REASON_PREFIX + reasons[customer.pk])[:200],
                system=True,
            )
        except ValidationError as exc:
            stats.error(customer, " ".join(exc.messages))
            continue
        stats.created += 1
    run.finished_at = timezone.now()
    run.created_count = stats.created
    run.skipped_count = stats.skipped
    run.error_count = stats.error_count
    run.errors = stats.errors
    if not keep_empty and not stats.created and not stats.skipped and not stats.error_count:
        run.delete()
        run.pk = None
    else:
        run.save(
            update_fields=["finished_at", "created_count", "skipped_count", "error_count", "errors"]
        )
    return run


def swept(tenant, on: datetime.date) -> bool:
    """Has a dunning sweep for ``on`` finished already?"""
    return BillingRun.objects.filter(
        tenant=tenant, kind=RunKind.DUNNING, run_date=on, finished_at__isnull=False
    ).exists()
