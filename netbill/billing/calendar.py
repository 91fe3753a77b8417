"""The billing calendar: pure date arithmetic, no database.

Every date here is a calendar date in the **tenant's timezone** (company settings,
``Asia/Dhaka`` by default): :func:`local_today` turns "now" into that date, so a run at
23:59 in Dhaka bills the 31st and a run at 00:01 bills the 1st, whatever the server's clock.

Monthly postpaid
    A customer is billed on its billing profile's *due day*.  A due day past the end of a
    shorter month falls on that month's last day: due day 31 bills on 30 April, on
    28 February (29 in a leap year) and on 31 March; due day 30 bills on 28/29 February.
    The period of a bill made on bill date *B* is ``[B, next bill date − 1 day]``, so
    consecutive periods never overlap and never leave a gap (31 Jan → 27 Feb, 28 Feb → 30 Mar
    for due day 31 in 2026).
    A customer activated between two bill dates gets a first bill for
    ``[activation date, next bill date − 1]``, prorated by days: ``price × days / days in
    the cycle that contains the activation date``, rounded half-up to the currency's minor
    unit (the fraction is kept exact, see :class:`Period`); then full bills.
    A bill is due on its period start; the billing profile's grace days follow before the
    dunning sweep suspends.
Daily prepaid
    One charge per day of service, ``package price / validity days`` (rounded), as a bill of
    kind *daily* for ``[day, day]`` paid at once from the customer's wallet.
Hotspot
    One bill per package purchase for ``[start, start + validity − 1]``, where *start* is
    today, or the day after the current expiry when the customer is still valid (a purchase
    while valid extends rather than wastes the days left).
Free
    Never billed.
"""

from __future__ import annotations

import calendar
import datetime
import zoneinfo
from dataclasses import dataclass
from fractions import Fraction

from django.conf import settings
from django.utils import timezone

ONE_DAY = datetime.timedelta(days=1)


def tenant_tz(tenant) -> zoneinfo.ZoneInfo:
    """The tenant's timezone (the project's default when unset or unknown)."""
    name = getattr(tenant, "timezone", "") or settings.TIME_ZONE
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def local_today(tenant, now: datetime.datetime | None = None) -> datetime.date:
    """Today's date in the tenant's timezone (``now`` for tests and catch-up)."""
    return timezone.localdate(now or timezone.now(), tenant_tz(tenant))


def day_start(day: datetime.date, tz) -> datetime.datetime:
    """Midnight at the start of ``day`` in ``tz`` (aware)."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)


def day_end(day: datetime.date, tz) -> datetime.datetime:
    """The last instant of ``day`` in ``tz`` (aware): what a bill's period end extends
    the customer's expiry to."""
    return datetime.datetime.combine(day, datetime.time.max, tzinfo=tz)


def bill_date(year: int, month: int, due_day: int) -> datetime.date:
    """The bill date of ``month``: the due day, or the month's last day if it is shorter."""
    last = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, min(max(due_day, 1), last))


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + n
    return index // 12, index % 12 + 1


def is_bill_date(day: datetime.date, due_day: int) -> bool:
    return bill_date(day.year, day.month, due_day) == day


def due_days_on(day: datetime.date) -> list[int]:
    """The due days whose bill date is ``day`` (on a month's last day: it and every larger
    due day up to 31)."""
    last = calendar.monthrange(day.year, day.month)[1]
    if day.day == last:
        return list(range(day.day, 32))
    return [day.day]


def previous_bill_date(day: datetime.date, due_day: int) -> datetime.date:
    """The latest bill date on or before ``day``."""
    this_month = bill_date(day.year, day.month, due_day)
    if this_month <= day:
        return this_month
    year, month = _add_months(day.year, day.month, -1)
    return bill_date(year, month, due_day)


def next_bill_date(day: datetime.date, due_day: int) -> datetime.date:
    """The earliest bill date strictly after ``day``."""
    this_month = bill_date(day.year, day.month, due_day)
    if this_month > day:
        return this_month
    year, month = _add_months(day.year, day.month, 1)
    return bill_date(year, month, due_day)


@dataclass(frozen=True)
class Period:
    """A billed period and the share of a full period's price it costs.

    ``fraction`` is an exact :class:`~fractions.Fraction` (days / days in the cycle, or
    1 / validity days), so ``price × fraction`` is rounded once, at the end.
    """

    start: datetime.date
    end: datetime.date
    fraction: Fraction = Fraction(1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def monthly_cycle(day: datetime.date, due_day: int) -> Period:
    """The full monthly cycle containing ``day``."""
    start = previous_bill_date(day, due_day)
    return Period(start, next_bill_date(start, due_day) - ONE_DAY)


def monthly_period_on(run_date: datetime.date, due_day: int) -> Period | None:
    """The full period a run on ``run_date`` bills for this due day (None: not a bill date)."""
    if not is_bill_date(run_date, due_day):
        return None
    return monthly_cycle(run_date, due_day)


def first_monthly_period(activation: datetime.date, due_day: int) -> Period:
    """A new customer's first period: from activation to the day before the next bill date,
    prorated by days over the cycle containing the activation date."""
    cycle = monthly_cycle(activation, due_day)
    if activation == cycle.start:
        return cycle
    days = (cycle.end - activation).days + 1
    return Period(activation, cycle.end, Fraction(days, cycle.days))


def current_monthly_period(
    today: datetime.date, due_day: int, activation: datetime.date | None = None
) -> Period:
    """What "Generate bill" bills today: the cycle containing today, starting no earlier than
    the activation date (then prorated as a first bill)."""
    cycle = monthly_cycle(today, due_day)
    if activation is not None and cycle.start < activation <= today:
        return first_monthly_period(activation, due_day)
    return cycle


def daily_period(day: datetime.date, validity_days: int) -> Period:
    """One day of a daily prepaid package: 1 / validity of the package price."""
    return Period(day, day, Fraction(1, max(validity_days, 1)))


def hotspot_period(
    today: datetime.date, validity_days: int, valid_until: datetime.date | None = None
) -> Period:
    """A hotspot package purchase: ``validity_days`` from today, or from the day after the
    current expiry while the customer is still valid."""
    start = today
    if valid_until is not None and valid_until >= today:
        start = valid_until + ONE_DAY
    return Period(start, start + datetime.timedelta(days=max(validity_days, 1) - 1))


def days_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Every date from ``first`` to ``last`` inclusive (empty if ``last`` is earlier)."""
    return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]
