"""What the RADIUS side does when a customer or a package changes.

:func:`on_customer_change` is called by every customer service inside its transaction (see
:mod:`netbill.customers.services`); :func:`resync_packages` by the catalog and PPPoE profile
services when speeds or pools change for many customers at once.
"""

from __future__ import annotations

from netbill.core.outbox import outbox_enqueue
from netbill.radius.sync import sync_customer

RESYNC_BATCH = 500


def on_customer_change(customer, *, event: str, old_status: str | None = None) -> None:
    """Rewrite the customer's RADIUS rows (same transaction as the change).

    ``event`` is one of ``create``, ``update``, ``status``, ``package``, ``delete``.
    """
    sync_customer(customer)


def resync_packages(packages, *, reason: str) -> None:
    """Queue a rewrite of the RADIUS rows of every customer on ``packages`` (outbox job,
    so a package edit does not hold the web request for thousands of customers)."""
    by_tenant: dict[int, list[int]] = {}
    for package in packages:
        by_tenant.setdefault(package.tenant_id, []).append(package.pk)
    for tenant_id, ids in by_tenant.items():
        outbox_enqueue(
            tenant=_tenant(tenant_id),
            kind="radius.resync",
            payload={"package_ids": sorted(ids), "reason": reason},
        )


def _tenant(tenant_id: int):
    from netbill.tenancy.models import Tenant

    return Tenant.objects.get(pk=tenant_id)


def resync_customers_of(package_ids: list[int]) -> int:
    """Rewrite the rows of every customer of ``package_ids``; returns how many changed."""
    from django.db import transaction

    from netbill.customers.models import Customer

    ids = list(
        Customer.objects.filter(package_id__in=package_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    changed = 0
    for start in range(0, len(ids), RESYNC_BATCH):
        with transaction.atomic():
            batch = (
                Customer.objects.select_for_update(of=("self",))
                .filter(pk__in=ids[start : start + RESYNC_BATCH])
                .select_related(
                    "package__pppoe_profile__pool_v4", "package__pppoe_profile__pool_v6"
                )
                .select_related("package__fup_pool")
            )
            for customer in batch:
                changed += sync_customer(customer)
    return changed
