"""Network benchmarks (``make bench``) over the bench ISP's 100,000 customers.

* ``radacct``: 1,000,000 accounting rows (10 sessions per customer with a RADIUS login,
  one in three of them open for active customers), bulk-inserted once with
  ``generate_series`` and reused, with per-day usage rows; then the online customers page,
  the offline customers page, a customer's sessions-and-usage page and the sessions API, as
  the group admin and as an operator with ~20,000 customers: p95 target 200 ms.
* ``suspend_10k``: suspending 10,000 active customers at once through the bulk status
  action (each customer through the status service: history, audit, SMS in the outbox and
  the RADIUS rows), inside a transaction that is rolled back; time printed.
"""

from __future__ import annotations

import time

RADACCT_ROWS = 1_000_000
SESSIONS_PER_CUSTOMER = 10
P95_TARGET_MS = 200.0
SUSPEND_COUNT = 10_000


class _Rollback(Exception):
    pass


def seed_radacct(tenant, log=print) -> None:
    """1,000,000 ``radacct`` rows and 30 days of usage, once (kept between runs)."""
    from django.db import connection, transaction

    from netbill.radius.models import RadAcct

    have = RadAcct.objects.filter(tenant_id=tenant.pk).count()
    if have >= RADACCT_ROWS:
        return
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM radacct WHERE tenant_id = %s", [tenant.pk])
        cur.execute("DELETE FROM radius_usagedaily WHERE tenant_id = %s", [tenant.pk])
        # s = 0..9: session s of the customer started (10 - s) * 3 days ago and lasted a
        # day; the newest (s = 9) stays open for active/FUP customers with a third chance.
        cur.execute(
            """
            INSERT INTO radacct (
                tenant_id, customer_id, acctsessionid, acctuniqueid, username,
                nasipaddress, nasporttype, acctstarttime, acctupdatetime, acctstoptime,
                acctsessiontime, acctinputoctets, acctoutputoctets, callingstationid,
                framedipaddress, acctterminatecause)
            SELECT c.tenant_id, c.id, to_hex(c.id * 16 + s), 'b-' || c.id || '-' || s,
                   c.username, ('10.0.' || (c.id %% 8) || '.1')::inet, 'Ethernet',
                   now() - ((10 - s) * 3) * interval '1 day',
                   CASE WHEN open THEN now() - (c.id %% 300) * interval '1 second'
                        ELSE now() - ((10 - s) * 3 - 1) * interval '1 day' END,
                   CASE WHEN open THEN NULL
                        ELSE now() - ((10 - s) * 3 - 1) * interval '1 day' END,
                   86400, (c.id %% 997) * 1048576, (c.id %% 9973) * 1048576,
                   'AA:BB:' || lpad(to_hex(c.id %% 256), 2, '0') || ':00:00:01',
                   ('100.64.0.0'::inet + (c.id * 16 + s) %% 4000000),
                   CASE WHEN open THEN NULL ELSE 'User-Request' END
              FROM customers_customer c
             CROSS JOIN generate_series(0, 9) AS s
             CROSS JOIN LATERAL (
                SELECT s = 9 AND c.status IN ('active', 'fup') AND c.id %% 3 = 0 AS open
             ) o
             WHERE c.tenant_id = %s AND c.customer_type <> 'other' AND c.deleted_at IS NULL
            """,
            [tenant.pk],
        )
        cur.execute(
            """
            INSERT INTO radius_usagedaily (tenant_id, customer_id, day, input_octets, output_octets)
            SELECT c.tenant_id, c.id, current_date - d, (c.id %% 97) * 1048576,
                   (c.id %% 997) * 10485760
              FROM customers_customer c CROSS JOIN generate_series(0, 29) AS d
             WHERE c.tenant_id = %s AND c.customer_type <> 'other' AND c.deleted_at IS NULL
            """,
            [tenant.pk],
        )
        # Top up to exactly 1,000,000 sessions with closed history of the first customers.
        cur.execute("SELECT count(*) FROM radacct WHERE tenant_id = %s", [tenant.pk])
        missing = RADACCT_ROWS - cur.fetchone()[0]
        if missing > 0:
            cur.execute(
                """
                INSERT INTO radacct (
                    tenant_id, customer_id, acctsessionid, acctuniqueid, username,
                    nasipaddress, acctstarttime, acctupdatetime, acctstoptime,
                    acctinputoctets, acctoutputoctets, acctterminatecause)
                SELECT c.tenant_id, c.id, 'x' || g, 'bx-' || g, c.username, '10.0.0.1',
                       now() - interval '40 days', now() - interval '39 days',
                       now() - interval '39 days', 1, 1, 'User-Request'
                  FROM generate_series(1, %s) AS g
                  JOIN LATERAL (
                    SELECT id, tenant_id, username FROM customers_customer
                     WHERE tenant_id = %s AND customer_type <> 'other'
                     ORDER BY id OFFSET (g %% 50000) LIMIT 1) c ON true
                """,
                [missing, tenant.pk],
            )
        cur.execute("ANALYZE radacct")
        cur.execute("ANALYZE radius_usagedaily")
    log(f"bench: seeded {RADACCT_ROWS:,} radacct rows in {time.perf_counter() - started:.1f} s")


def network_benchmarks(report, n: int) -> None:
    from django.test import Client
    from django.urls import reverse

    from benchmarks.run import Unavailable, measure
    from benchmarks.seed import ADMIN_EMAIL, OPERATOR_EMAIL, bench_tenant
    from netbill.accounts.models import User
    from netbill.customers.models import Customer

    tenant = bench_tenant()
    seed_radacct(tenant)
    admin = User.objects.get(email=ADMIN_EMAIL)
    operator = User.objects.get(email=OPERATOR_EMAIL)
    customer = (
        Customer.objects.filter(tenant=tenant, owner=operator, customer_type="pppoe_monthly")
        .order_by("id")
        .first()
    )
    pages = [
        ("online_customers", reverse("radius:online")),
        ("online_search_ip", reverse("radius:online") + "?q=100.64.0.48"),
        ("offline_customers", reverse("radius:offline") + "?days=3"),
        ("customer_usage", reverse("radius:customer", args=[customer.pk])),
        ("api_online_sessions", "/api/v1/sessions/"),
        ("api_customer_usage", f"/api/v1/sessions/usage/?customer={customer.pk}"),
    ]
    for role, user in (("admin", admin), ("operator", operator)):
        client = Client()
        client.force_login(user)
        for page, url in pages:
            name = f"{page}.{role}"
            try:
                timing = measure(client, name, url, n)
            except Unavailable as exc:
                report.notes.append(f"{name}: not available ({exc})")
                continue
            except Exception as exc:  # noqa: BLE001 - reported, not fatal
                report.notes.append(f"{name}: ERROR {type(exc).__name__}: {exc}")
                print(f"  {name:<28} ERROR {type(exc).__name__}: {exc}")
                continue
            target = f"<= {P95_TARGET_MS:g}"
            report.add(f"{name}.p95_ms", timing.p95, "ms", target, timing.p95 <= P95_TARGET_MS)
            queries = max(timing.queries)
            report.add(f"{name}.queries", queries, "queries", "steady", True)
            report.rows.append(
                (
                    name,
                    timing.median,
                    timing.p95,
                    queries,
                    min(timing.queries) == queries,
                    "1M radacct rows",
                    timing.p95 <= P95_TARGET_MS,
                    "",
                )
            )
            print(f"  {name:<28} {timing.median:.1f} ms median, {timing.p95:.1f} ms p95")
    suspend_benchmark(report, tenant, admin)


def suspend_benchmark(report, tenant, admin) -> None:
    """Suspend 10,000 active customers at once, then roll everything back."""
    from django.db import transaction

    from netbill.core.models import OutboxMessage
    from netbill.customers.models import Customer
    from netbill.customers.services import customer_bulk_update
    from netbill.radius.models import RadReply

    ids = list(
        Customer.objects.filter(tenant=tenant, status="active", deleted_at__isnull=True)
        .exclude(customer_type="other")
        .order_by("id")
        .values_list("id", flat=True)[:SUSPEND_COUNT]
    )
    seconds = None
    try:
        with transaction.atomic():
            before = OutboxMessage.objects.filter(tenant=tenant).count()
            started = time.perf_counter()
            result = customer_bulk_update(
                actor=admin,
                customers=Customer.objects.filter(pk__in=ids),
                action="status",
                value="suspended",
                reason="bench",
            )
            seconds = time.perf_counter() - started
            suspended_rows = RadReply.objects.filter(
                customer_id__in=ids, attribute="Framed-Pool", value="netbill-suspended"
            ).count()
            queued = OutboxMessage.objects.filter(tenant=tenant).count() - before
            raise _Rollback
    except _Rollback:
        pass
    failed = len(result.get("failed", [])) if isinstance(result, dict) else 0
    report.add("suspend_10k.seconds", seconds, "s", "printed", True)
    report.add("suspend_10k.per_second", len(ids) / seconds, "customers/s", "printed", True)
    report.add(
        "suspend_10k.radius_rows",
        suspended_rows,
        "customers",
        f"== {len(ids)}",
        suspended_rows == len(ids) - failed,
    )
    report.notes.append(
        f"suspend_10k: {len(ids):,} customers in {seconds:.1f} s "
        f"({len(ids) / seconds:,.0f}/s), {suspended_rows:,} in the suspended pool, "
        f"{queued:,} outbox messages, {failed} failed (rolled back)"
    )
    print(f"  suspend_10k                  {seconds:.1f} s ({len(ids) / seconds:,.0f}/s)")
