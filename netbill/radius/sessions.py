"""Sessions and usage: online / offline customers, session history, usage per billing cycle,
the usage collector, the fair-usage check and the stale-session sweep.

Reads go through :meth:`RadAcct.objects.visible_to` (customers' scope).  The collector turns
``radacct`` counters (cumulative per session, gigawords included by the shipped queries) into
per-day usage (:class:`UsageDaily`) by remembering what it already counted per session
(:class:`SessionCounter`), so a PPPoE session that stays up for weeks is split into the days
(and cycles) its traffic happened in, at the collector's 5-minute resolution.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, Max, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from netbill.billing import calendar as cal
from netbill.catalog.choices import BillingType
from netbill.customers.choices import CustomerStatus
from netbill.customers.models import Customer
from netbill.radius.models import RadAcct, UsageDaily

logger = logging.getLogger("netbill.radius")

GB = 1024**3  # a package's FUP limit is in GB of 1024³ bytes, as routers count


# --- reads -------------------------------------------------------------------------------


def online_sessions(user, params=None):
    """Open sessions the user may see, newest first; ``q`` filters by username, name or IP,
    ``nas`` by NAS address."""
    params = params or {}
    qs = (
        RadAcct.objects.visible_to(user)
        .open()
        .select_related("customer")
        .order_by("-acctstarttime", "-radacctid")
    )
    q = (params.get("q") or "").strip()
    if q:
        cond = Q(username__istartswith=q) | Q(customer__name__icontains=q)
        if _looks_like_ip(q):
            cond |= Q(framedipaddress=q)
        qs = qs.filter(cond)
    nas = (params.get("nas") or "").strip()
    if nas and _looks_like_ip(nas):
        qs = qs.filter(nasipaddress=nas)
    return qs


def _looks_like_ip(text: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def offline_customers(user, *, days: int):
    """Customers with a RADIUS login, not online now and not seen for ``days`` days (or
    never), annotated with ``last_seen``."""
    cutoff = timezone.now() - datetime.timedelta(days=days)
    sessions = RadAcct.objects.filter(customer_id=OuterRef("pk"))
    qs = (
        Customer.objects.visible_to(user)
        .alive()
        .exclude(customer_type="other")
        .filter(status__in=(CustomerStatus.ACTIVE, CustomerStatus.FUP))
        .annotate(
            online=Exists(sessions.filter(acctstoptime__isnull=True)),
            seen_recently=Exists(
                sessions.filter(
                    Q(acctstarttime__gte=cutoff)
                    | Q(acctstoptime__gte=cutoff)
                    | Q(acctupdatetime__gte=cutoff)
                )
            ),
        )
        .filter(online=False, seen_recently=False)
        .annotate(
            last_seen=Max(
                Coalesce(
                    "sessions__acctstoptime", "sessions__acctupdatetime", "sessions__acctstarttime"
                )
            )
        )
        .select_related("owner", "package")
        .order_by(F("last_seen").desc(nulls_last=True), "pk")
    )
    return qs


def customer_sessions(customer):
    return RadAcct.objects.filter(customer_id=customer.pk).order_by("-acctstarttime", "-radacctid")


@dataclass
class Cycle:
    start: datetime.date
    end: datetime.date


def usage_cycle(customer, today: datetime.date | None = None) -> Cycle:
    """The usage cycle containing ``today``: the billing cycle of a monthly customer (its
    profile's due day); the calendar month for daily, hotspot and free customers."""
    today = today or cal.local_today(customer.tenant)
    profile = customer.billing_profile
    due_day = profile.due_day if profile.billing_type == BillingType.MONTHLY else 1
    period = cal.monthly_cycle(today, due_day)
    return Cycle(period.start, period.end)


def cycle_usage(customer, cycle: Cycle) -> tuple[int, int]:
    """(download, upload) bytes of the customer in ``cycle``.

    From the router's side ``Acct-Input`` is what the customer sent (upload) and
    ``Acct-Output`` what it received (download).
    """
    totals = UsageDaily.objects.filter(
        customer_id=customer.pk, day__gte=cycle.start, day__lte=cycle.end
    ).aggregate(i=Sum("input_octets"), o=Sum("output_octets"))
    return totals["o"] or 0, totals["i"] or 0


def usage_history(customer, cycles: int = 6) -> list[dict]:
    """The last ``cycles`` usage cycles, newest first, with download/upload bytes and the
    FUP limit of the current package."""
    out = []
    cycle = usage_cycle(customer)
    limit = (customer.package.fup_limit_gb or 0) * GB or None
    for _n in range(cycles):
        down, up = cycle_usage(customer, cycle)
        out.append(
            {
                "start": cycle.start,
                "end": cycle.end,
                "download": down,
                "upload": up,
                "total": down + up,
                "limit": limit,
            }
        )
        cycle = usage_cycle(customer, cycle.start - datetime.timedelta(days=1))
    return out


# --- the usage collector (PostgreSQL) ----------------------------------------------------

COLLECT_SQL = """
WITH cand AS (
    SELECT radacctid FROM radacct WHERE acctstoptime IS NULL AND customer_id IS NOT NULL
    UNION
    SELECT radacctid FROM radius_sessioncounter WHERE NOT closed
    UNION
    SELECT radacctid FROM radacct
     WHERE acctstarttime >= %(since)s AND customer_id IS NOT NULL
),
cur AS (
    SELECT a.radacctid, a.tenant_id, a.customer_id,
           COALESCE(a.acctinputoctets, 0) AS i, COALESCE(a.acctoutputoctets, 0) AS o,
           a.acctstoptime IS NOT NULL AS ended,
           COALESCE(a.acctstoptime, a.acctupdatetime, a.acctstarttime, now()) AS ts,
           COALESCE(s.input_octets, 0) AS si, COALESCE(s.output_octets, 0) AS so
      FROM cand
      JOIN radacct a USING (radacctid)
      LEFT JOIN radius_sessioncounter s USING (radacctid)
     WHERE a.customer_id IS NOT NULL AND a.tenant_id IS NOT NULL
       AND NOT COALESCE(s.closed, false)
),
usage AS (
    INSERT INTO radius_usagedaily (tenant_id, customer_id, day, input_octets, output_octets)
    SELECT c.tenant_id, c.customer_id, (c.ts AT TIME ZONE t.timezone)::date,
           SUM(GREATEST(c.i - c.si, 0)), SUM(GREATEST(c.o - c.so, 0))
      FROM cur c
      JOIN tenancy_tenant t ON t.id = c.tenant_id
      JOIN customers_customer cu ON cu.id = c.customer_id
     WHERE c.i > c.si OR c.o > c.so
     GROUP BY 1, 2, 3
    ON CONFLICT (customer_id, day) DO UPDATE
       SET input_octets = radius_usagedaily.input_octets + EXCLUDED.input_octets,
           output_octets = radius_usagedaily.output_octets + EXCLUDED.output_octets
    RETURNING 1
)
INSERT INTO radius_sessioncounter (radacctid, input_octets, output_octets, closed)
SELECT radacctid, GREATEST(i, si), GREATEST(o, so), ended FROM cur
ON CONFLICT (radacctid) DO UPDATE
   SET input_octets = EXCLUDED.input_octets,
       output_octets = EXCLUDED.output_octets,
       closed = EXCLUDED.closed
"""

# Counters of sessions closed long ago are no longer needed (their radacct rows started
# before the collector's look-back window, so they are never candidates again).
PURGE_SQL = """
DELETE FROM radius_sessioncounter s
 USING radacct a
 WHERE a.radacctid = s.radacctid AND s.closed AND a.acctstarttime < %(since)s
"""


def collect_usage(now: datetime.datetime | None = None) -> int:
    """Add the traffic counted since the last call to :class:`UsageDaily`; returns the
    number of sessions looked at.  Runs on PostgreSQL (where FreeRADIUS writes ``radacct``);
    elsewhere (the SQLite demo) it does nothing."""
    if connection.vendor != "postgresql":
        return 0
    now = now or timezone.now()
    since = now - datetime.timedelta(hours=settings.RADIUS_USAGE_LOOKBACK_HOURS)
    with transaction.atomic(), connection.cursor() as cur:
        # One collector at a time: two would count the same delta twice.
        cur.execute("SELECT pg_advisory_xact_lock(%s)", [0x6E62_7573])
        cur.execute(COLLECT_SQL, {"since": since})
        count = cur.rowcount
        cur.execute(PURGE_SQL, {"since": since})
    return max(count, 0)


# --- fair usage --------------------------------------------------------------------------


@dataclass
class FupResult:
    entered: list[str]
    left: list[str]
    errors: list[str]


def fup_check(tenant, today: datetime.date | None = None) -> FupResult:
    """Move customers over their package's FUP limit in the current cycle to status FUP
    (lower rate limit, optional pool: the RADIUS rows follow and the NAS gets a CoA), and
    those in FUP whose new cycle has begun (usage under the limit again) back to active.

    Each change goes through the customer status service, as its own transaction.
    """
    from netbill.customers.services import customer_set_status

    today = today or cal.local_today(tenant)
    result = FupResult([], [], [])
    candidates = (
        Customer.objects.filter(
            tenant=tenant,
            deleted_at__isnull=True,
            status__in=(CustomerStatus.ACTIVE, CustomerStatus.FUP),
            package__fup_limit_gb__isnull=False,
        )
        .exclude(customer_type="other")
        .select_related("billing_profile")
    )
    groups: dict[datetime.date, list[int]] = {}
    for c in candidates.only("pk", "billing_profile__billing_type", "billing_profile__due_day"):
        groups.setdefault(usage_cycle_start(c, today), []).append(c.pk)
    for start, ids in groups.items():
        rows = (
            Customer.objects.filter(pk__in=ids)
            .annotate(
                used=Coalesce(
                    Sum(
                        F("usage_days__input_octets") + F("usage_days__output_octets"),
                        filter=Q(usage_days__day__gte=start, usage_days__day__lte=today),
                    ),
                    0,
                )
            )
            .values_list("pk", "status", "used", "package__fup_limit_gb", "username")
        )
        for pk, status, used, limit_gb, username in rows:
            over = used >= limit_gb * GB
            if over and status == CustomerStatus.ACTIVE:
                target, bucket = CustomerStatus.FUP, result.entered
                reason = _("Fair usage limit reached: %(used).1f GB of %(limit)s GB.") % {
                    "used": used / GB,
                    "limit": limit_gb,
                }
            elif not over and status == CustomerStatus.FUP:
                target, bucket = CustomerStatus.ACTIVE, result.left
                reason = _("New usage cycle: back to full speed.")
            else:
                continue
            try:
                customer = Customer.objects.get(pk=pk)
                customer_set_status(
                    actor=None, customer=customer, status=target, reason=reason, system=True
                )
                bucket.append(username)
            except Exception as exc:  # noqa: BLE001 - one customer's failure is reported
                logger.exception("FUP change failed for %s", username)
                result.errors.append(f"{username}: {exc}")
    return result


def usage_cycle_start(customer, today: datetime.date) -> datetime.date:
    return usage_cycle(customer, today).start


# --- stale sessions ----------------------------------------------------------------------


def close_stale_sessions(now: datetime.datetime | None = None) -> int:
    """Close open sessions whose NAS has not sent an update for
    ``RADIUS_STALE_SESSION_MINUTES`` (a router that rebooted without Accounting-On, a lost
    Stop); the stop time is the last update."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(minutes=settings.RADIUS_STALE_SESSION_MINUTES)
    stale = RadAcct.objects.filter(acctstoptime__isnull=True).filter(
        Q(acctupdatetime__lt=cutoff) | Q(acctupdatetime__isnull=True, acctstarttime__lt=cutoff)
    )
    return stale.update(
        acctstoptime=Coalesce("acctupdatetime", "acctstarttime"),
        acctterminatecause="Stale-Session",
    )
