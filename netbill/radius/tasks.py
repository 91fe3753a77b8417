"""Celery tasks of the RADIUS side; they only call the services.

``radius_usage`` (every 5 minutes): collect usage from accounting, close stale sessions,
then the fair-usage check per ISP.  ``radius_reconcile`` (nightly): compare every customer
with the RADIUS tables, repair drift, record what was fixed in the activity log.
"""

from __future__ import annotations

import logging

from celery import shared_task

from netbill.radius.sessions import close_stale_sessions, collect_usage, fup_check

logger = logging.getLogger("netbill.radius")


@shared_task(name="netbill.radius.tasks.radius_usage")
def radius_usage() -> dict:
    from netbill.tenancy.models import Tenant

    result = {"sessions": collect_usage(), "stale_closed": close_stale_sessions(), "fup": {}}
    for tenant in Tenant.objects.filter(is_active=True).order_by("pk"):
        try:
            fup = fup_check(tenant)
        except Exception:  # noqa: BLE001 - log and go on with the next ISP
            logger.exception("FUP check failed for tenant %s", tenant.slug)
            continue
        if fup.entered or fup.left or fup.errors:
            result["fup"][tenant.slug] = {
                "entered": len(fup.entered),
                "left": len(fup.left),
                "errors": fup.errors,
            }
    return result


def reconcile_tenant(tenant, *, dry_run: bool = False) -> dict:
    """Reconcile one ISP and write what was repaired to its activity log."""
    from netbill.core.audit import audit_record
    from netbill.radius.sync import reconcile

    report = reconcile(tenant.pk, dry_run=dry_run)
    if (report.repaired or report.removed) and not dry_run:
        audit_record(
            actor=None,
            tenant=tenant,
            action="radius.reconcile",
            obj=tenant,
            after={
                "checked": report.checked,
                "repaired": report.repaired[:500],
                "repaired_count": len(report.repaired),
                "removed": report.removed,
            },
        )
    return report.as_dict()


@shared_task(name="netbill.radius.tasks.radius_reconcile")
def radius_reconcile() -> dict:
    from netbill.tenancy.models import Tenant

    results = {}
    for tenant in Tenant.objects.filter(is_active=True).order_by("pk"):
        try:
            report = reconcile_tenant(tenant)
        except Exception:  # noqa: BLE001
            logger.exception("RADIUS reconcile failed for tenant %s", tenant.slug)
            continue
        results[tenant.slug] = {
            "checked": report["checked"],
            "repaired": len(report["repaired"]),
            "removed": report["removed"],
        }
    return results
