"""What the RADIUS side does when a customer or a package changes, and the manual
disconnect.

:func:`on_customer_change` is called by every customer service inside its transaction (see
:mod:`netbill.customers.services`); :func:`resync_packages` by the catalog and PPPoE profile
services when speeds or pools change for many customers at once.  Both rewrite the RADIUS
rows and queue the Disconnect / CoA the live sessions need (:mod:`netbill.radius.live`).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from netbill.core import permissions as P
from netbill.core.audit import audit_record
from netbill.core.outbox import outbox_enqueue
from netbill.core.permissions import require
from netbill.radius import live
from netbill.radius.models import NasRequest, NasRequestKind

RESYNC_BATCH = 500


def on_customer_change(customer, *, event: str, old_status: str | None = None) -> None:
    """Rewrite the customer's RADIUS rows and queue what its open sessions need: a
    Disconnect on suspend / disable / delete / reactivation, a CoA with the new rate limit on
    a speed change (same transaction as the change).

    ``event`` is one of ``create``, ``update``, ``status``, ``package``, ``delete``.
    """
    live.apply_customer_change(customer, event=event, old_status=old_status)


def session_disconnect(*, actor, customer, session=None) -> list[NasRequest]:
    """Disconnect the customer's open sessions now (``disconnect-customer``, the customer's
    scope): one Disconnect-Request per session, sent by the outbox.  ``session`` (a
    ``RadAcct`` row of the customer) limits it to that session.  With no open session the
    request is recorded as such and nothing is sent."""
    require(actor, P.DISCONNECT_CUSTOMER, customer)
    reason = _("Disconnected by %(name)s") % {"name": actor.name or actor.email}
    with transaction.atomic():
        sessions = list(live.open_sessions(customer))
        if session is not None:
            sessions = [s for s in sessions if s.pk == session.pk]
        if sessions:
            requests = live.queue_requests(
                customer, kind=NasRequestKind.DISCONNECT, reason=reason, sessions=sessions
            )
        else:
            requests = [
                live.record_no_session(customer, kind=NasRequestKind.DISCONNECT, reason=reason)
            ]
        audit_record(
            actor=actor,
            action="customer.disconnect",
            obj=customer,
            owner=customer.owner,
            after={
                "sessions": [s.acctsessionid for s in sessions],
                "requests": [r.pk for r in requests],
            },
        )
    return requests


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
    """Rewrite the rows of every customer of ``package_ids`` and queue a CoA (or a
    Disconnect, when the pool changed) for those online whose answer changed; returns how
    many changed."""
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
                changed += live.apply_customer_change(customer, event="resync")
    return changed
