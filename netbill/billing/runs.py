"""The scheduled billing run: every customer of a tenant due on a date, billed in bulk.

Who is billed on ``run_date`` (all dates in the tenant's timezone):

* **monthly postpaid** customers whose billing profile has auto-billing and whose bill date
  (see :mod:`netbill.billing.calendar`) is ``run_date``, with status *active*, *FUP* or
  *suspended* — a suspended customer still owes for its connection and is billed; a
  *disabled* (or deleted) customer is not;
* **daily prepaid** customers (not hotspot) with auto-billing, status *active* or *FUP*, for
  the day ``run_date``, only when the wallet covers the day's charge (paid at once);
  otherwise no bill — the dunning sweep suspends them;
* customers created after ``run_date`` are not billed for it; hotspot customers are billed
  per purchase (``services.hotspot_purchase``), free customers never.

**Idempotent.**  A customer already holding a monthly bill whose period covers ``run_date``
(or a daily bill for that day) — void or not: a deleted bill is not re-created by the
scheduler — is skipped.  Each chunk of customers is one transaction that locks the
chunk's reseller rows (top-down, by id) and then its customer rows (by id), and only then
re-reads which of them are still unbilled, so a run repeated, resumed after being killed, or
running at the same moment as another run for the same date, never bills twice; the
database constraint ``bill_one_per_period`` is the last guard (a chunk hitting it is
rolled back and redone).

**Fast.**  Candidates are chosen by two set-based queries (monthly, daily), then handled
in chunks of ``CHUNK`` customers, each chunk one transaction with a fixed number of
statements: the chunk's reseller rows and customer rows locked (plain value rows, no model
instances), one query each for operator-package prices, wallet balances and reseller
positions (catalog, VAT and billing profiles are read once per run); amounts are computed
in Python; bill numbers are reserved with one ``next_numbers``; every journal entry is built
with :func:`~netbill.ledger.posting.build_entry` and all are written by one
:func:`~netbill.ledger.posting.post_entries` (one INSERT for the entries, one for all
their lines); bills, bill lines, wallet allocations and SMS outbox rows are streamed with
one ``COPY`` each on PostgreSQL (``bulk_create`` elsewhere, see :mod:`.bulk`); expiries are
one UPDATE per distinct period end.  The rows are the
same as :func:`~netbill.billing.services.bill_create` writes for the same inputs; the one
difference is the activity log: one ``billing.run`` record per run instead of one
``bill.create`` record per bill (the :class:`BillingRun` row is the run's log).

A reseller that cannot pay (prepaid balance, postpaid credit limit) refuses its customer:
the customer is an error row of the run (with the reseller's message), not a failure of
the run; running positions per reseller enforce the limits within a chunk.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, Min, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from netbill.billing import calendar as cal
from netbill.billing.batch import (
    Catalog,
    Resellers,
    Row,
    base_price,
    load_rows,
    op_prices_of,
    positions_of,
    wallets_of,
)
from netbill.billing.bulk import insert_rows, is_postgres, reserve_ids
from netbill.billing.choices import BillKind, RunKind
from netbill.billing.models import Bill, BillingRun, BillLine
from netbill.billing.services import (
    bill_line_values,
    bill_number,
    bill_sms,
    compute_amounts,
    customer_lines,
    paid_status,
    reseller_charge_lines,
    wallet_lines,
)
from netbill.catalog.choices import BillingType
from netbill.core import permissions as P
from netbill.core.audit import audit_record
from netbill.core.counters import next_numbers
from netbill.core.models import OutboxMessage
from netbill.core.money import ZERO
from netbill.customers.choices import CustomerStatus, CustomerType
from netbill.customers.models import Customer
from netbill.ledger.posting import AccountCache, build_entry, post_entries
from netbill.ledger.resellers import ResellerRefused
from netbill.radius.sync import refresh_expiration

logger = logging.getLogger("netbill.billing")

CHUNK = 2000
MAX_STORED_ERRORS = 1000
MAX_PREVIEW = 500
MAX_CATCH_UP_DAYS = 92
MONTHLY_STATUSES = (CustomerStatus.ACTIVE, CustomerStatus.FUP, CustomerStatus.SUSPENDED)
DAILY_STATUSES = (CustomerStatus.ACTIVE, CustomerStatus.FUP)


@dataclass
class RunStats:
    created: int = 0
    skipped: int = 0
    errors: list = field(default_factory=list)
    error_count: int = 0
    preview: list = field(default_factory=list)
    total: Decimal = ZERO

    def error(self, customer, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_STORED_ERRORS:
            self.errors.append(
                {"customer": customer.pk, "username": customer.username, "message": message}
            )


@dataclass
class Planned:
    customer: Row
    kind: str
    period: cal.Period
    price: Decimal
    vat: Decimal
    rate: Decimal
    lines: list
    take: Decimal
    number: str = ""
    book: int | None = None
    bill_id: int | None = None

    @property
    def amount(self) -> Decimal:
        return self.price + self.vat


def _message(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(m for msgs in exc.message_dict.values() for m in msgs)
    return " ".join(exc.messages)


# --- who is due -------------------------------------------------------------------------------


def _alive(tenant, run_date):
    created_before = cal.day_start(run_date + cal.ONE_DAY, cal.tenant_tz(tenant))
    return Customer.objects.filter(
        tenant=tenant,
        deleted_at__isnull=True,
        created_at__lt=created_before,
        billing_profile__auto_billing=True,
    )


def monthly_due(tenant, run_date: datetime.date, *, billed: bool | None = False):
    """Monthly customers whose bill date is ``run_date`` (``billed=False``: without their
    bill yet; ``None``: all of them)."""
    qs = _alive(tenant, run_date).filter(
        billing_profile__billing_type=BillingType.MONTHLY,
        billing_profile__due_day__in=cal.due_days_on(run_date),
        status__in=MONTHLY_STATUSES,
    )
    if billed is None:
        return qs
    covering = Bill.objects.filter(
        customer_id=OuterRef("pk"),
        kind=BillKind.MONTHLY,
        period_start__lte=run_date,
        period_end__gte=run_date,
    )
    return qs.exclude(Exists(covering)) if not billed else qs.filter(Exists(covering))


def daily_due(tenant, run_date: datetime.date, *, billed: bool | None = False):
    """Daily prepaid customers (not hotspot) to charge for ``run_date``."""
    qs = (
        _alive(tenant, run_date)
        .filter(billing_profile__billing_type=BillingType.DAILY, status__in=DAILY_STATUSES)
        .exclude(customer_type=CustomerType.HOTSPOT)
    )
    if billed is None:
        return qs
    paid = Bill.objects.filter(
        customer_id=OuterRef("pk"), kind=BillKind.DAILY, period_start=run_date
    )
    return qs.exclude(Exists(paid)) if not billed else qs.filter(Exists(paid))


def due_customers(tenant, run_date: datetime.date):
    """Every customer the run for ``run_date`` concerns, billed or not."""
    monthly = monthly_due(tenant, run_date, billed=None).values("pk")
    daily = daily_due(tenant, run_date, billed=None).values("pk")
    return Customer.objects.filter(Q(pk__in=monthly) | Q(pk__in=daily))


def unbilled_ids(tenant, run_date: datetime.date) -> tuple[list[int], list[int]]:
    """(monthly, daily) ids of the customers still to bill for ``run_date``, by id."""
    monthly = monthly_due(tenant, run_date).order_by("pk").values_list("pk", flat=True)
    daily = daily_due(tenant, run_date).order_by("pk").values_list("pk", flat=True)
    return list(monthly), list(daily)


# --- planning and writing one chunk ----------------------------------------------------------


@dataclass
class Context:
    tenant: object
    run_date: datetime.date
    kind: str
    catalog: Catalog
    actor: object = None
    dry_run: bool = False


def plan(rows, ctx: Context, resellers: Resellers, stats: RunStats) -> list[Planned]:
    """Amounts, reseller charges and wallet use of each customer; refusals become errors."""
    if not rows:
        return []
    reseller_ids = resellers.chain_ids({r.owner_id for r in rows})
    op_prices = op_prices_of(reseller_ids, {r.package_id for r in rows})
    reseller_prices = {key: prices[0] for key, prices in op_prices.items()}
    positions = positions_of(resellers, reseller_ids)
    wallets = wallets_of([r.pk for r in rows])
    currency = ctx.tenant.currency
    planned = []
    for row in rows:
        if ctx.kind == BillKind.DAILY:
            period = cal.daily_period(ctx.run_date, ctx.catalog.packages[row.package_id][2])
        else:
            period = cal.monthly_period_on(
                ctx.run_date, ctx.catalog.profiles[row.billing_profile_id][1]
            )
        rate = ctx.catalog.rate(row)
        price, vat = compute_amounts(
            base_price(row, ctx.catalog, resellers, op_prices),
            rate,
            fraction=period.fraction,
            currency=currency,
        )
        wallet = wallets.get(row.pk, ZERO)
        if ctx.kind == BillKind.DAILY and wallet < price + vat:
            stats.skipped += 1  # the wallet cannot cover the day: dunning suspends
            continue
        try:
            charges = reseller_charge_lines(
                resellers.chain(row.owner_id),
                row.package_id,
                customer=row,
                fraction=period.fraction,
                currency=currency,
                positions=positions,
                prices=reseller_prices,
            )
        except ResellerRefused as exc:
            stats.error(row, _message(exc))
            continue
        take = min(wallet, price + vat) if wallet > 0 else ZERO
        planned.append(Planned(row, ctx.kind, period, price, vat, rate, charges, take))
    return planned


def write(planned: list[Planned], ctx: Context, resellers: Resellers) -> int:
    """Write the planned bills with their entries, lines, allocations, expiries and SMS."""
    from netbill.payments.models import PaymentAllocation

    if not planned:
        return 0
    tenant, run_date, actor = ctx.tenant, ctx.run_date, ctx.actor
    tenant_id = tenant.pk
    numbers = next_numbers(tenant_id, "bill", len(planned))
    accounts = AccountCache(tenant_id)
    built, wallet_built = [], []
    for plan_, n in zip(planned, numbers, strict=True):
        row = plan_.customer
        plan_.number = bill_number(tenant_id, n, run_date.year)
        plan_.book = row.owner_id if resellers.is_reseller(row.owner_id) else None
        built.append(
            build_entry(
                tenant_id=tenant_id,
                kind=f"bill.{plan_.kind}",
                lines=customer_lines(row, plan_.price, plan_.vat, plan_.book) + plan_.lines,
                actor=actor,
                memo=f"{plan_.number} {row.username}",
                on=run_date,
                accounts=accounts,
            )
        )
    for plan_ in planned:
        if plan_.take:
            wallet_built.append(
                build_entry(
                    tenant_id=tenant_id,
                    kind="wallet.apply",
                    lines=wallet_lines(plan_.customer, plan_.take, plan_.book),
                    actor=actor,
                    memo=f"wallet → {plan_.number}",
                    on=run_date,
                    accounts=accounts,
                )
            )
    entries = post_entries(built + wallet_built)
    bill_entries, wallet_entries = entries[: len(built)], iter(entries[len(built) :])
    if is_postgres():
        for plan_, pk in zip(planned, reserve_ids(Bill, len(planned)), strict=True):
            plan_.bill_id = pk
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    now = timezone.now()
    bill_ids = insert_rows(
        Bill,
        [
            {
                **({"id": plan_.bill_id} if plan_.bill_id else {}),
                "tenant_id": tenant_id,
                "customer_id": plan_.customer.pk,
                "owner_id": plan_.customer.owner_id,
                "number": plan_.number,
                "kind": plan_.kind,
                "period_start": plan_.period.start,
                "period_end": plan_.period.end,
                "issue_date": run_date,
                "due_date": plan_.period.start,
                "package_id": plan_.customer.package_id,
                "amount": plan_.amount,
                "paid_amount": plan_.take,
                "status": paid_status(plan_.amount, plan_.take),
                "entry_id": entry.pk,
                "created_by_id": actor_id,
                "created_at": now,
            }
            for plan_, entry in zip(planned, bill_entries, strict=True)
        ],
    )
    lines, allocations, messages = [], [], []
    for plan_, bill_id in zip(planned, bill_ids, strict=True):
        row = plan_.customer
        package_name = ctx.catalog.packages[row.package_id][0]
        for kind, description, amount in bill_line_values(
            package_name, plan_.period.start, plan_.period.end, plan_.price, plan_.vat, plan_.rate
        ):
            lines.append(
                {
                    "tenant_id": tenant_id,
                    "bill_id": bill_id,
                    "kind": kind,
                    "description": description,
                    "amount": amount,
                }
            )
        if plan_.take:
            allocations.append(
                {
                    "tenant_id": tenant_id,
                    "payment_id": None,
                    "bill_id": bill_id,
                    "amount": plan_.take,
                    "entry_id": next(wallet_entries).pk,
                    "created_at": now,
                }
            )
        bill = SimpleNamespace(
            pk=bill_id, number=plan_.number, amount=plan_.amount, due_date=plan_.period.start
        )
        messages.append(
            {
                "tenant_id": tenant_id,
                "kind": "notify.sms",
                "payload": bill_sms(row, bill, tenant.currency),
                "max_attempts": settings.OUTBOX_MAX_ATTEMPTS,
                "next_attempt_at": now,
                "created_at": now,
            }
        )
    insert_rows(BillLine, lines)
    insert_rows(PaymentAllocation, allocations)
    insert_rows(OutboxMessage, messages)
    tz = cal.tenant_tz(tenant)
    by_end: dict[datetime.date, list[int]] = {}
    hotspot: list[int] = []
    for plan_ in planned:
        by_end.setdefault(plan_.period.end, []).append(plan_.customer.pk)
        if plan_.customer.customer_type == CustomerType.HOTSPOT:
            hotspot.append(plan_.customer.pk)
    for end_day, ids in by_end.items():
        end = cal.day_end(end_day, tz)
        Customer.objects.filter(pk__in=ids).filter(
            Q(expires_at__isnull=True) | Q(expires_at__lt=end)
        ).update(expires_at=end, updated_at=now)
    # Hotspot logins carry their validity as RADIUS Expiration (netbill/radius/sync.py).
    refresh_expiration(hotspot)
    if settings.OUTBOX_DRAIN_ON_COMMIT:
        from netbill.core.outbox import _kick_worker

        transaction.on_commit(_kick_worker)
    return len(planned)


def _no_jit() -> None:
    # PostgreSQL's JIT compiles these short set-based queries for longer than they run.
    if is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")


def bill_chunk(ids, qs, ctx: Context, stats: RunStats) -> None:
    """One transaction: lock the chunk's reseller chains (top-down, by id), then its
    customers (by id) that are still unbilled, plan, write."""
    resellers = Resellers(ctx.tenant.pk)
    owner_ids = set(Customer.objects.filter(pk__in=ids).values_list("owner_id", flat=True))
    locked_ids = resellers.chain_ids(owner_ids)
    resellers.lock(locked_ids)
    rows = load_rows(qs, ids, lock=True)
    stats.skipped += len(ids) - len(rows)
    ready = []
    for row in rows:
        if resellers.chain_ids([row.owner_id]) - locked_ids:
            # Moved to another reseller since the chunk was read: the next run bills it.
            stats.error(row, _("The customer's owner changed during the run."))
        else:
            ready.append(row)
    planned = plan(ready, ctx, resellers, stats)
    stats.created += write(planned, ctx, resellers)
    stats.total += sum((p.amount for p in planned), ZERO)


def run_chunk(ids, qs, ctx: Context, stats: RunStats) -> None:
    if ctx.dry_run:
        planned = plan(load_rows(qs, ids, lock=False), ctx, Resellers(ctx.tenant.pk), stats)
        preview(planned, stats)
        return
    for attempt in (1, 2):
        before = (stats.created, stats.skipped, stats.error_count, len(stats.errors), stats.total)
        try:
            with transaction.atomic():
                _no_jit()
                bill_chunk(ids, qs, ctx, stats)
            return
        except IntegrityError:
            # Another run billed some of these customers between our read and our insert
            # (only possible without row locks, e.g. on SQLite): redo the chunk.
            stats.created, stats.skipped, stats.error_count, n, stats.total = before
            del stats.errors[n:]
            if attempt == 2:
                raise
            logger.warning("billing run %s: a chunk met another run; redoing it", ctx.run_date)


def preview(planned: list[Planned], stats: RunStats) -> None:
    stats.created += len(planned)
    for plan_ in planned:
        stats.total += plan_.amount
        if len(stats.preview) < MAX_PREVIEW:
            stats.preview.append(
                {
                    "customer": plan_.customer.pk,
                    "username": plan_.customer.username,
                    "name": plan_.customer.name,
                    "kind": plan_.kind,
                    "period_start": plan_.period.start,
                    "period_end": plan_.period.end,
                    "amount": plan_.amount,
                    "wallet": plan_.take,
                }
            )


# --- the run ----------------------------------------------------------------------------------


def billing_run(
    tenant,
    run_date: datetime.date,
    dry_run: bool = False,
    actor=None,
    *,
    chunk_size: int = CHUNK,
    keep_empty: bool = True,
) -> BillingRun:
    """Bill every customer of ``tenant`` due on ``run_date`` (see the module doc).

    Returns the :class:`BillingRun` log row (``created_count``, ``skipped_count``,
    ``error_count``, ``errors``); a dry run writes no bill, records the run with
    ``dry_run=True`` and attaches ``preview`` (what it would create) and ``total``.
    ``actor`` (a person pressing "Run now") needs ``run-billing``; the scheduler passes
    none.  With ``keep_empty=False`` a run that created nothing and met no error leaves no
    log row (the hourly safety-net reruns).
    """
    if actor is not None:
        P.require(actor, P.RUN_BILLING)
        if actor.tenant_id != tenant.pk:
            raise PermissionDenied
    run = BillingRun.objects.create(
        tenant=tenant,
        kind=RunKind.BILLING,
        run_date=run_date,
        dry_run=dry_run,
        started_at=timezone.now(),
        triggered_by=actor if getattr(actor, "pk", None) else None,
    )
    stats = RunStats()
    catalog = Catalog(tenant)
    monthly_ids, daily_ids = unbilled_ids(tenant, run_date)
    stats.skipped = due_customers(tenant, run_date).count() - len(monthly_ids) - len(daily_ids)
    for kind, ids, qs in (
        (BillKind.MONTHLY, monthly_ids, monthly_due(tenant, run_date)),
        (BillKind.DAILY, daily_ids, daily_due(tenant, run_date)),
    ):
        ctx = Context(tenant, run_date, kind, catalog, actor=actor, dry_run=dry_run)
        for start in range(0, len(ids), chunk_size):
            run_chunk(ids[start : start + chunk_size], qs, ctx, stats)
    run.finished_at = timezone.now()
    run.created_count = stats.created
    run.skipped_count = stats.skipped
    run.error_count = stats.error_count
    run.errors = stats.errors
    if not keep_empty and not dry_run and not stats.created and not stats.error_count:
        run.delete()
        run.pk = None
    else:
        run.save(
            update_fields=["finished_at", "created_count", "skipped_count", "error_count", "errors"]
        )
        if actor is not None:
            audit_record(
                actor=actor,
                tenant=tenant,
                action="billing.dry_run" if dry_run else "billing.run",
                obj=run,
                after={
                    "run_date": run_date,
                    "created": stats.created,
                    "skipped": stats.skipped,
                    "errors": stats.error_count,
                },
            )
    run.preview = stats.preview
    run.total = stats.total
    return run


def finished_run_dates(tenant, first: datetime.date, last: datetime.date) -> set:
    return set(
        BillingRun.objects.filter(
            tenant=tenant,
            kind=RunKind.BILLING,
            dry_run=False,
            finished_at__isnull=False,
            run_date__gte=first,
            run_date__lte=last,
        ).values_list("run_date", flat=True)
    )


def billing_catch_up(tenant, through: datetime.date | None = None, actor=None) -> list:
    """Run every day without a finished run since billing first ran for this tenant (at
    most ``MAX_CATCH_UP_DAYS`` back) up to ``through`` (default: today in the tenant's
    timezone), oldest first; then ``through`` itself again if it had run already (cheap —
    nothing is billed twice — and it bills customers refused earlier today whose reseller
    has since topped up; such a rerun that changes nothing leaves no log row).

    A tenant that never ran starts at ``through``.  A run killed halfway has no
    ``finished_at``, so its day is run again.
    """
    through = through or cal.local_today(tenant)
    first_ever = BillingRun.objects.filter(
        tenant=tenant, kind=RunKind.BILLING, dry_run=False, finished_at__isnull=False
    ).aggregate(first=Min("run_date"))["first"]
    window = through - datetime.timedelta(days=MAX_CATCH_UP_DAYS - 1)
    first = through if first_ever is None or first_ever > through else max(first_ever, window)
    done = finished_run_dates(tenant, first, through)
    runs = []
    for day in cal.days_between(first, through):
        if day not in done:
            runs.append(billing_run(tenant, day, actor=actor))
    if through in done:
        runs.append(billing_run(tenant, through, actor=actor, keep_empty=False))
    return runs
