"""The billing calendar (pure date arithmetic) and the amounts it leads to."""

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest

from netbill.billing import calendar as cal
from netbill.billing.services import compute_amounts

D = Decimal
d = datetime.date


@pytest.mark.parametrize(
    ("year", "month", "due_day", "expected"),
    [
        (2026, 1, 31, d(2026, 1, 31)),
        (2026, 2, 31, d(2026, 2, 28)),
        (2028, 2, 31, d(2028, 2, 29)),  # leap year
        (2026, 2, 29, d(2026, 2, 28)),
        (2028, 2, 29, d(2028, 2, 29)),
        (2026, 4, 31, d(2026, 4, 30)),
        (2026, 4, 30, d(2026, 4, 30)),
        (2026, 3, 15, d(2026, 3, 15)),
    ],
)
def test_due_days_past_the_month_end_fall_on_its_last_day(year, month, due_day, expected):
    assert cal.bill_date(year, month, due_day) == expected


def test_due_day_31_periods_run_from_bill_date_to_the_day_before_the_next_one():
    assert cal.monthly_period_on(d(2026, 1, 31), 31) == cal.Period(d(2026, 1, 31), d(2026, 2, 27))
    assert cal.monthly_period_on(d(2026, 2, 28), 31) == cal.Period(d(2026, 2, 28), d(2026, 3, 30))
    assert cal.monthly_period_on(d(2026, 3, 31), 31) == cal.Period(d(2026, 3, 31), d(2026, 4, 29))
    assert cal.monthly_period_on(d(2026, 4, 30), 31) == cal.Period(d(2026, 4, 30), d(2026, 5, 30))


def test_leap_february_bills_due_day_31_on_the_29th_not_the_28th():
    assert cal.monthly_period_on(d(2028, 2, 28), 31) is None
    assert cal.monthly_period_on(d(2028, 2, 29), 31) == cal.Period(d(2028, 2, 29), d(2028, 3, 30))
    assert cal.due_days_on(d(2028, 2, 29)) == [29, 30, 31]
    assert cal.due_days_on(d(2026, 2, 28)) == [28, 29, 30, 31]
    assert cal.due_days_on(d(2026, 2, 27)) == [27]


def test_a_year_of_due_day_31_periods_leaves_no_gap_and_no_overlap():
    periods = [
        cal.monthly_period_on(day, 31) for day in cal.days_between(d(2027, 1, 1), d(2028, 12, 31))
    ]
    periods = [p for p in periods if p is not None]
    assert len(periods) == 24
    for earlier, later in zip(periods, periods[1:], strict=False):
        assert later.start == earlier.end + cal.ONE_DAY


def test_december_bill_runs_into_january():
    assert cal.monthly_period_on(d(2026, 12, 5), 5) == cal.Period(d(2026, 12, 5), d(2027, 1, 4))
    assert cal.next_bill_date(d(2026, 12, 5), 5) == d(2027, 1, 5)
    assert cal.previous_bill_date(d(2027, 1, 4), 5) == d(2026, 12, 5)


def test_mid_cycle_activation_is_prorated_by_days_over_its_cycle():
    # due day 1, activated 10 May: 22 of May's 31 days
    period = cal.first_monthly_period(d(2026, 5, 10), 1)
    assert (period.start, period.end, period.fraction) == (
        d(2026, 5, 10),
        d(2026, 5, 31),
        Fraction(22, 31),
    )
    assert compute_amounts(D("800.00"), D("0"), fraction=period.fraction) == (
        D("567.74"),
        D("0.00"),
    )


def test_activation_on_the_bill_date_is_a_full_period():
    period = cal.first_monthly_period(d(2026, 5, 1), 1)
    assert period == cal.Period(d(2026, 5, 1), d(2026, 5, 31), Fraction(1))


def test_activation_in_february_with_due_day_31_prorates_over_the_short_cycle():
    # cycle 31 Jan – 27 Feb (28 days); activated 20 Feb: 8 days
    period = cal.first_monthly_period(d(2026, 2, 20), 31)
    assert (period.start, period.end, period.fraction) == (
        d(2026, 2, 20),
        d(2026, 2, 27),
        Fraction(8, 28),
    )
    assert compute_amounts(D("1000.00"), D("5.00"), fraction=period.fraction) == (
        D("285.71"),
        D("14.29"),
    )


def test_leap_year_activation_counts_the_29th():
    # due day 1, activated 15 Feb 2028: 15 of 29 days
    period = cal.first_monthly_period(d(2028, 2, 15), 1)
    assert (period.end, period.fraction) == (d(2028, 2, 29), Fraction(15, 29))
    assert compute_amounts(D("900.00"), D("0"), fraction=period.fraction) == (
        D("465.52"),
        D("0.00"),
    )


def test_generate_for_a_customer_activated_in_this_cycle_bills_from_activation():
    period = cal.current_monthly_period(d(2026, 5, 20), 1, activation=d(2026, 5, 10))
    assert (period.start, period.end, period.fraction) == (
        d(2026, 5, 10),
        d(2026, 5, 31),
        Fraction(22, 31),
    )
    older = cal.current_monthly_period(d(2026, 5, 20), 1, activation=d(2026, 1, 3))
    assert older == cal.Period(d(2026, 5, 1), d(2026, 5, 31))


def test_daily_charge_is_price_over_validity_rounded_to_the_minor_unit():
    period = cal.daily_period(d(2026, 5, 10), 30)
    assert (period.start, period.end, period.fraction) == (
        d(2026, 5, 10),
        d(2026, 5, 10),
        Fraction(1, 30),
    )
    assert compute_amounts(D("800.00"), D("0"), fraction=period.fraction) == (D("26.67"), D("0.00"))


def test_exact_fraction_rounds_a_true_half_up_where_a_decimal_fraction_would_not():
    # 1.05 / 30 = 0.035 exactly: half-up gives 0.04 (a 28-digit 1/30 would give 0.03)
    assert compute_amounts(D("1.05"), D("0"), fraction=Fraction(1, 30)) == (D("0.04"), D("0.00"))


@pytest.mark.parametrize(
    ("price", "rate", "expected_vat"),
    [
        (D("333.33"), D("5.00"), D("16.67")),  # 16.6665 -> 16.67
        (D("500.00"), D("7.50"), D("37.50")),
        (D("999.99"), D("15.00"), D("150.00")),  # 149.9985 -> 150.00
        (D("100.10"), D("2.50"), D("2.50")),  # 2.5025 -> 2.50
        (D("100.30"), D("2.50"), D("2.51")),  # 2.5075 -> 2.51
        (D("0.10"), D("5.00"), D("0.01")),  # 0.005 -> 0.01 (half up)
    ],
)
def test_vat_is_rounded_half_up_to_the_minor_unit(price, rate, expected_vat):
    assert compute_amounts(price, rate) == (price, expected_vat)


def test_vat_on_a_zero_minor_unit_currency_rounds_to_whole_units():
    assert compute_amounts(D("1000"), D("7.50"), currency="JPY") == (D("1000"), D("75"))
    assert compute_amounts(D("1001"), D("7.50"), currency="JPY") == (D("1001"), D("75"))


def test_hotspot_purchase_starts_today_or_after_the_current_validity():
    assert cal.hotspot_period(d(2026, 5, 10), 7) == cal.Period(d(2026, 5, 10), d(2026, 5, 16))
    assert cal.hotspot_period(d(2026, 5, 10), 7, d(2026, 5, 12)) == cal.Period(
        d(2026, 5, 13), d(2026, 5, 19)
    )
    assert cal.hotspot_period(d(2026, 5, 10), 7, d(2026, 5, 9)) == cal.Period(
        d(2026, 5, 10), d(2026, 5, 16)
    )


class _Tenant:
    timezone = "Asia/Dhaka"


@pytest.mark.parametrize(
    ("utc", "expected"),
    [
        # 23:59 in Dhaka (UTC+6) on 31 May is 17:59 UTC
        (datetime.datetime(2026, 5, 31, 17, 59, tzinfo=datetime.UTC), d(2026, 5, 31)),
        # 00:01 in Dhaka on 1 June is 18:01 UTC on 31 May
        (datetime.datetime(2026, 5, 31, 18, 1, tzinfo=datetime.UTC), d(2026, 6, 1)),
    ],
)
def test_today_is_the_date_in_the_tenants_timezone(utc, expected):
    assert cal.local_today(_Tenant(), now=utc) == expected


def test_day_end_is_the_last_instant_of_the_day_in_the_tenants_zone():
    tz = cal.tenant_tz(_Tenant())
    end = cal.day_end(d(2026, 5, 31), tz)
    assert end.astimezone(datetime.UTC) == datetime.datetime(
        2026, 5, 31, 17, 59, 59, 999999, tzinfo=datetime.UTC
    )
