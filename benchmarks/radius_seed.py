"""RADIUS rows for the bench ISP's 100,000 customers, written set-based (two statements per
table) instead of 100,000 calls of ``sync_customer``, then checked against netbill's own
statement of them: ``reconcile(dry_run=True)`` must find nothing to repair.

Only the common shapes are generated here (active / FUP / suspended / disabled, with or
without a static IP; no MAC binding, no pools: the bench packages have no PPPoE profile);
anything else is left to ``reconcile`` to write, and counted.
"""

from __future__ import annotations

import time

RATE = """(CASE WHEN {k} %% 1000 = 0 THEN ({k} / 1000)::text || 'M' ELSE {k}::text || 'k' END)"""


def _rate(up: str, down: str) -> str:
    return RATE.format(k=up) + " || '/' || " + RATE.format(k=down)


def seed_radius_rows(tenant, log=print) -> dict:
    from django.db import connection, transaction

    from netbill.radius.models import RadCheck
    from netbill.radius.sync import reconcile

    started = time.perf_counter()
    if RadCheck.objects.filter(tenant_id=tenant.pk).exists():
        report = reconcile(tenant.pk)
        return {"seconds": time.perf_counter() - started, "repaired": len(report.repaired)}
    alive = "c.tenant_id = %(t)s AND c.deleted_at IS NULL AND c.customer_type <> 'other'"
    with transaction.atomic(), connection.cursor() as cur:
        # check rows, in desired_rows order: password, Simultaneous-Use (+ Expiration for
        # active hotspot logins); disabled: Auth-Type Reject
        cur.execute(
            f"""
            INSERT INTO radcheck (tenant_id, customer_id, username, attribute, op, value)
            SELECT c.tenant_id, c.id, c.username, a.attribute, ':=', a.value
              FROM customers_customer c
              CROSS JOIN LATERAL (VALUES
                (1, 'Cleartext-Password', c.password),
                (2, 'Simultaneous-Use', c.simultaneous_use::text),
                (3, 'Expiration', floor(extract(epoch FROM c.expires_at))::bigint::text)
              ) AS a(n, attribute, value)
             WHERE {alive} AND c.status <> 'disabled'
               AND (a.n < 3 OR (c.customer_type = 'hotspot' AND c.expires_at IS NOT NULL
                                AND c.status IN ('active', 'fup')))
             ORDER BY c.id, a.n
            """,
            {"t": tenant.pk},
        )
        cur.execute(
            f"""
            INSERT INTO radcheck (tenant_id, customer_id, username, attribute, op, value)
            SELECT c.tenant_id, c.id, c.username, 'Auth-Type', ':=', 'Reject'
              FROM customers_customer c WHERE {alive} AND c.status = 'disabled' ORDER BY c.id
            """,
            {"t": tenant.pk},
        )
        normal = _rate("p.upload_kbps", "p.download_kbps")
        fup = _rate("p.fup_upload_kbps", "p.fup_download_kbps")
        cur.execute(
            f"""
            INSERT INTO radreply (tenant_id, customer_id, username, attribute, op, value)
            SELECT c.tenant_id, c.id, c.username, a.attribute, ':=', a.value
              FROM customers_customer c
              JOIN catalog_masterpackage p ON p.id = c.package_id
              CROSS JOIN LATERAL (VALUES
                (1, 'Mikrotik-Rate-Limit',
                    CASE WHEN c.status = 'fup' AND p.fup_upload_kbps > 0
                              AND p.fup_download_kbps > 0
                         THEN {fup} ELSE {normal} END),
                (2, 'Framed-IP-Address', host(c.static_ip)),
                (3, 'Framed-Pool', 'netbill-suspended'),
                (4, 'Mikrotik-Address-List', 'netbill-suspended')
              ) AS a(n, attribute, value)
             WHERE {alive} AND c.status <> 'disabled'
               AND (a.n = 1
                    OR (a.n = 2 AND c.static_ip IS NOT NULL AND c.status <> 'suspended')
                    OR (a.n > 2 AND c.status = 'suspended'))
             ORDER BY c.id, a.n
            """,
            {"t": tenant.pk},
        )
        cur.execute(
            f"""
            INSERT INTO radreply (tenant_id, customer_id, username, attribute, op, value)
            SELECT c.tenant_id, c.id, c.username, 'Reply-Message', ':=', %(msg)s
              FROM customers_customer c WHERE {alive} AND c.status = 'disabled' ORDER BY c.id
            """,
            {"t": tenant.pk, "msg": "This account is disabled. Please contact your ISP."},
        )
        cur.execute("ANALYZE radcheck")
        cur.execute("ANALYZE radreply")
    seeded = time.perf_counter() - started
    # netbill's own statement of the rows decides: anything the SQL got wrong is repaired
    # (and counted, so a drift between this seed and desired_rows shows in the figures).
    report = reconcile(tenant.pk)
    log(
        f"bench: RADIUS rows seeded in {seeded:.1f} s; reconcile repaired "
        f"{len(report.repaired)} of {report.checked} customers"
    )
    return {"seconds": time.perf_counter() - started, "repaired": len(report.repaired)}
