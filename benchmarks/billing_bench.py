"""Billing benchmarks (``make bench``): the monthly billing run and the dunning sweep over
the bench ISP's 100,000 customers, each inside a transaction that is rolled back, so the
bench database stays as seeded and every run measures the same work.

* ``billing_run``: ``billing.runs.billing_run`` for the next 1st of the month (the bench
  customers' due day), after topping up the resellers inside the same transaction (the
  seeded prepaid resellers have no balance and would refuse every customer).  Reports the
  bills created, seconds, bills/second, and checks that every journal entry balances in
  every book and that no customer got two bills for the period.
* ``raw_sql_bills``: one ``INSERT … SELECT`` of the same bill rows (same customers, same
  amounts) — the lower bound for writing just the bills — and the ratio of the run to it.
  The run writes much more (journal entries and lines, reseller charges, bill lines,
  expiries, SMS outbox rows), so the ratio says how close the bulk path is to raw SQL.
* ``dunning_sweep``: ``billing.dunning.dunning_sweep`` for today over the seeded data
  (about a third of the customers are past their validity or prepaid without balance, so
  this is the worst case: a backlog of suspensions), then the same sweep again with
  nothing left to do (the steady state: candidate selection only).
"""

from __future__ import annotations

import datetime
import time
from decimal import Decimal

TARGET_SECONDS = 20.0
TARGET_RATE = 5000.0
TARGET_RATIO = 5.0


class _Rollback(Exception):
    pass


def _next_first(today: datetime.date) -> datetime.date:
    return (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def _top_up_resellers(tenant) -> None:
    from netbill.accounts.models import User
    from netbill.core.choices import RESELLER_ROLES, AccountType, Role
    from netbill.ledger.resellers import reseller_add_balance

    User.objects.filter(tenant=tenant, account_type=AccountType.POSTPAID).update(
        credit_limit=Decimal("1000000000")
    )
    resellers = User.objects.filter(tenant=tenant, role__in=RESELLER_ROLES).select_related("parent")
    # Parents first: an operator's deposit before its sub-operator's.
    for reseller in sorted(resellers, key=lambda u: u.role != Role.OPERATOR):
        if reseller.account_type == AccountType.PREPAID:
            reseller_add_balance(
                actor=reseller.parent, reseller=reseller, amount="500000000", note="bench"
            )


def _immediate_constraints() -> None:
    """Foreign keys are checked at commit (DEFERRABLE INITIALLY DEFERRED); the bench rolls
    back, so it checks them as each statement runs instead, as a real run pays for them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _unbalanced_entries(tenant_id: int) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT entry_id, book_id FROM ledger_journalline "
            "WHERE tenant_id = %s GROUP BY entry_id, book_id HAVING sum(amount) <> 0) t",
            [tenant_id],
        )
        return cursor.fetchone()[0]


def _duplicate_bills(tenant_id: int) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT customer_id FROM billing_bill WHERE tenant_id = %s "
            "AND status <> 'void' GROUP BY customer_id, kind, period_start HAVING count(*) > 1) t",
            [tenant_id],
        )
        return cursor.fetchone()[0]


def _raw_insert(ids, start, end) -> float:
    """INSERT … SELECT of the same bill rows; returns seconds."""
    from django.db import connection

    sql = """
    INSERT INTO billing_bill (tenant_id, customer_id, owner_id, number, kind, period_start,
        period_end, issue_date, due_date, package_id, amount, discount, paid_amount, status,
        created_at, void_reason)
    SELECT c.tenant_id, c.id, c.owner_id,
           'X' || lpad((row_number() OVER (ORDER BY c.id))::text, 9, '0'),
           'monthly', %(start)s, %(end)s, %(start)s, %(start)s, c.package_id,
           x.price + round(x.price * coalesce(v.rate, 0) / 100, 2), 0, 0, 'unpaid', now(), ''
    FROM customers_customer c
    JOIN catalog_masterpackage mp ON mp.id = c.package_id
    JOIN accounts_user o ON o.id = c.owner_id
    LEFT JOIN catalog_operatorpackage op
        ON op.operator_id = c.owner_id AND op.master_package_id = c.package_id
        AND o.role IN ('operator', 'sub_operator')
    LEFT JOIN catalog_vatprofile v ON v.id = c.vat_profile_id AND v.is_active
    CROSS JOIN LATERAL (SELECT coalesce(c.custom_price, op.customer_price, mp.price) AS price) x
    WHERE c.id = ANY(%(ids)s)
    """
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(sql, {"ids": list(ids), "start": start, "end": end})
        seconds = time.perf_counter() - started
        if cursor.rowcount != len(ids):
            raise RuntimeError(f"raw insert wrote {cursor.rowcount} rows, not {len(ids)}")
    return seconds


def billing_benchmarks(report, n) -> None:  # noqa: ARG001 - n: requests per page, unused
    from django.db import transaction

    from benchmarks.seed import bench_tenant
    from netbill.billing import calendar as cal
    from netbill.billing.dunning import (
        dunning_sweep,
        expired_candidates,
        overdue_candidates,
        reactivation_candidates,
        wallet_short_candidates,
    )
    from netbill.billing.runs import billing_run, unbilled_ids

    tenant = bench_tenant()
    today = cal.local_today(tenant)
    run_date = _next_first(today)
    period = cal.monthly_period_on(run_date, 1)

    # 1. the billing run (rolled back)
    result = {}
    try:
        with transaction.atomic():
            _immediate_constraints()
            _top_up_resellers(tenant)
            monthly_ids, daily_ids = unbilled_ids(tenant, run_date)
            started = time.perf_counter()
            run = billing_run(tenant, run_date)
            result["seconds"] = time.perf_counter() - started
            result["bills"] = run.created_count
            result["errors"] = run.error_count
            result["monthly"] = len(monthly_ids)
            result["daily"] = len(daily_ids)
            result["unbalanced"] = _unbalanced_entries(tenant.pk)
            result["duplicates"] = _duplicate_bills(tenant.pk)
            raise _Rollback
    except _Rollback:
        pass
    # 2. the raw SQL bound for the same bill rows (rolled back)
    try:
        with transaction.atomic():
            _immediate_constraints()
            monthly_ids, _daily = unbilled_ids(tenant, run_date)
            result["raw_seconds"] = _raw_insert(monthly_ids, period.start, period.end)
            raise _Rollback
    except _Rollback:
        pass
    seconds, bills = result["seconds"], result["bills"]
    rate = bills / seconds if seconds else 0.0
    ratio = seconds / result["raw_seconds"] if result["raw_seconds"] else float("inf")
    expected = result["monthly"]
    report.add("billing_run.monthly_due", expected, "customers", "info", True)
    report.add("billing_run.daily_without_balance", result["daily"], "customers", "info", True)
    report.add("billing_run.bills", bills, "bills", f"== {expected}", bills == expected)
    report.add("billing_run.errors", result["errors"], "errors", "== 0", result["errors"] == 0)
    report.add(
        "billing_run.seconds", seconds, "s", f"<= {TARGET_SECONDS:g}", seconds <= TARGET_SECONDS
    )
    report.add(
        "billing_run.bills_per_second", rate, "bills/s", f">= {TARGET_RATE:g}", rate >= TARGET_RATE
    )
    report.add("billing_run.raw_sql_seconds", result["raw_seconds"], "s", "info", True)
    report.add(
        "billing_run.ratio_to_raw_sql",
        round(ratio, 2),
        "x",
        f"<= {TARGET_RATIO:g}",
        ratio <= TARGET_RATIO,
    )
    report.add(
        "billing_run.unbalanced_entries",
        result["unbalanced"],
        "entries",
        "== 0",
        result["unbalanced"] == 0,
    )
    report.add(
        "billing_run.duplicate_bills",
        result["duplicates"],
        "bills",
        "== 0",
        result["duplicates"] == 0,
    )
    print(
        f"  billing_run: {bills:,} bills in {seconds:.1f} s ({rate:,.0f} bills/s); raw SQL "
        f"{result['raw_seconds']:.2f} s; ratio {ratio:.1f}x; errors {result['errors']}"
    )

    # 3. the dunning sweep (rolled back): candidate selection alone, the backlog, then the
    # steady state
    try:
        with transaction.atomic():
            _immediate_constraints()
            started = time.perf_counter()
            found = set(overdue_candidates(tenant, today))
            found |= set(expired_candidates(tenant, today))
            found |= set(wallet_short_candidates(tenant, today))
            reactivation_candidates(tenant, today)
            select_seconds = time.perf_counter() - started
            started = time.perf_counter()
            first = dunning_sweep(tenant, today)
            first_seconds = time.perf_counter() - started
            started = time.perf_counter()
            second = dunning_sweep(tenant, today)
            second_seconds = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    report.add("dunning.selection_seconds", select_seconds, "s", "info", True)
    report.add("dunning.candidates", len(found), "customers", "info", True)
    report.add("dunning.backlog_seconds", first_seconds, "s", "info", True)
    report.add("dunning.backlog_suspended", first.created_count, "customers", "info", True)
    per_second = first.created_count / first_seconds if first_seconds else 0.0
    report.add("dunning.backlog_suspensions_per_second", per_second, "customers/s", "info", True)
    report.add("dunning.steady_seconds", second_seconds, "s", "info", True)
    report.add(
        "dunning.steady_suspended",
        second.created_count,
        "customers",
        "== 0",
        second.created_count == 0,
    )
    print(
        f"  dunning_sweep: candidates ({len(found):,}) selected in {select_seconds:.2f} s; "
        f"{first.created_count:,} suspended in {first_seconds:.1f} s "
        f"({per_second:,.0f}/s); steady-state sweep {second_seconds:.2f} s"
    )
