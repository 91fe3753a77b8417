"""Celery tasks of billing: they only call the billing services.

Beat runs ``billing_daily`` at 00:10 (the project's timezone) and every hour as a safety
net: the run is idempotent, so an hourly call bills only what is still due (a day missed
while the worker was down, a customer whose reseller has since topped up) and the
dunning sweep reactivates whoever has paid.
"""

from __future__ import annotations

import logging

from celery import shared_task

from netbill.billing import calendar as cal
from netbill.billing.dunning import dunning_sweep, swept
from netbill.billing.runs import billing_catch_up

logger = logging.getLogger("netbill.billing")


def billing_daily_for(tenant) -> dict:
    """Catch-up billing through today (in the tenant's timezone), then the dunning sweep."""
    today = cal.local_today(tenant)
    runs = billing_catch_up(tenant, through=today)
    first_sweep = not swept(tenant, today)
    sweep = dunning_sweep(tenant, today, keep_empty=first_sweep)
    return {
        "billed": sum(r.created_count for r in runs),
        "errors": sum(r.error_count for r in runs) + sweep.error_count,
        "suspended": sweep.created_count,
        "reactivated": sweep.skipped_count,
    }


@shared_task(name="netbill.billing.tasks.billing_daily")
def billing_daily() -> dict:
    """For every active tenant: catch-up billing through today, then dunning.  One tenant's
    failure is logged and does not stop the others."""
    from netbill.tenancy.models import Tenant

    results = {}
    for tenant in Tenant.objects.filter(is_active=True).order_by("pk"):
        try:
            results[tenant.slug] = billing_daily_for(tenant)
        except Exception:  # noqa: BLE001 - log and go on with the next ISP
            logger.exception("billing_daily failed for tenant %s", tenant.slug)
            results[tenant.slug] = {"failed": True}
    return results
