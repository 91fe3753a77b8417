"""The ``nas`` rows (RADIUS clients) that follow netbill's routers.

FreeRADIUS reads clients from ``nas`` at start (``read_clients = yes``), and netbill finds
the router that holds a session from ``radacct.nasipaddress`` → ``nas.nasname`` →
``nas.router``.  Call :func:`sync_nas` whenever a router's address, secret or active flag
changes (router service, VPN service), in the same transaction.
"""

from __future__ import annotations

from netbill.radius.models import Nas


def sync_nas(router) -> Nas | None:
    """Create, update or remove the router's ``nas`` row; returns it (None when removed)."""
    if not router.is_active or not router.radius_secret:
        Nas.objects.filter(router_id=router.pk).delete()
        return None
    values = {
        "tenant_id": router.tenant_id,
        "nasname": router.address,
        "shortname": f"t{router.tenant_id}-r{router.pk}",
        "type": "other",
        "secret": router.radius_secret,
        "description": router.name,
    }
    nas = Nas.objects.filter(router_id=router.pk).first()
    if nas is None:
        return Nas.objects.create(router_id=router.pk, **values)
    changed = [k for k, v in values.items() if getattr(nas, k) != v]
    for key in changed:
        setattr(nas, key, values[key])
    if changed:
        nas.save(update_fields=changed)
    return nas


def router_for_address(tenant_id: int, address: str):
    """The router whose ``nas`` row answers for ``address`` (a session's NAS), or None."""
    nas = (
        Nas.objects.filter(tenant_id=tenant_id, nasname=str(address))
        .select_related("router")
        .first()
    )
    return nas.router if nas is not None else None
