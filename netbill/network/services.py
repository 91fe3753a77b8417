"""Network services: IP pools and PPPoE profiles (``manage-ip-pools``).

Routers, VPN accounts and ping tests have their own modules (``routers.py``, ``vpn.py``,
``ping.py``); everything writes through functions like these, called the same way by the
panel, the API, the spreadsheet upload and the tests.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from netbill.core import permissions as P
from netbill.core.audit import audit_record, snapshot
from netbill.core.permissions import require
from netbill.core.services import apply_changes, save_audited, validate_object
from netbill.network import pools
from netbill.network.defaults import SUSPENDED_POOL
from netbill.network.models import IpPool, PoolKind, PppoeProfile

POOL_FIELDS = {"name", "version", "ranges", "kind", "address_list", "description"}
PROFILE_FIELDS = {
    "name",
    "local_address",
    "pool_v4",
    "pool_v6",
    "rate_limit",
    "dns_server",
    "only_one",
    "description",
}


def ensure_suspended_pool(tenant) -> IpPool:
    """The ISP's protected suspended pool, created on first need."""
    pool, _created = IpPool.objects.get_or_create(
        tenant_id=tenant.pk if hasattr(tenant, "pk") else tenant,
        kind=PoolKind.SUSPENDED,
        defaults=SUSPENDED_POOL,
    )
    return pool


def _lock_pools(tenant_id: int) -> list[IpPool]:
    """All pools of the tenant, locked: two pools saved at once cannot both miss the overlap."""
    return list(IpPool.objects.select_for_update().filter(tenant_id=tenant_id).order_by("pk"))


def _check_pool(pool: IpPool, others: list[IpPool]) -> None:
    intervals = pools.parse_ranges(pool.ranges, pool.version)
    for other in others:
        if other.pk == pool.pk or other.version != pool.version:
            continue
        try:
            theirs = pools.parse_ranges(other.ranges, other.version)
        except ValidationError:
            continue
        if pools.overlaps(intervals, theirs):
            raise ValidationError(
                {
                    "ranges": [
                        _("These addresses overlap the pool “%(name)s”.") % {"name": other.name}
                    ]
                }
            )
    _check_static_ips(pool, intervals)
    pool.size = pools.size(intervals)
    pool.ranges = ", ".join(pools._split(pool.ranges))


def _check_static_ips(pool: IpPool, intervals) -> None:
    """A pool may not hand out an address a customer holds as its static IP."""
    from netbill.customers.models import Customer

    taken = Customer.objects.filter(
        tenant_id=pool.tenant_id, deleted_at__isnull=True, static_ip__isnull=False
    ).values_list("static_ip", "username")
    for ip, username in taken.iterator():
        if (":" in ip) == (pool.version == 6) and pools.contains(intervals, ip):
            raise ValidationError(
                {
                    "ranges": [
                        _("%(ip)s is the static IP of customer %(user)s.")
                        % {"ip": ip, "user": username}
                    ]
                }
            )


def static_ip_conflict(tenant_id: int, ip: str) -> str | None:
    """The name of the pool that contains ``ip`` (a static IP must lie outside every pool)."""
    version = 6 if ":" in ip else 4
    for pool in IpPool.objects.filter(tenant_id=tenant_id, version=version):
        try:
            if pools.contains(pools.parse_ranges(pool.ranges, pool.version), ip):
                return pool.name
        except ValidationError:
            continue
    return None


def pool_create(*, actor, **data) -> IpPool:
    """Add an IPv4 or IPv6 pool; refused when it overlaps another pool of the ISP."""
    require(actor, P.MANAGE_IP_POOLS)
    if data.get("kind") == PoolKind.SUSPENDED:
        raise ValidationError({"kind": [_("The ISP already has its suspended pool.")]})
    pool = IpPool(tenant_id=actor.tenant_id)
    apply_changes(pool, data, POOL_FIELDS)
    with transaction.atomic():
        others = _lock_pools(actor.tenant_id)
        validate_object(pool, lambda p: _check_pool(p, others))
        return save_audited(actor=actor, obj=pool, action="ip_pool.create", before=None)


def pool_update(*, actor, pool: IpPool, **data) -> IpPool:
    """Change a pool.  The suspended pool keeps its name and purpose."""
    require(actor, P.MANAGE_IP_POOLS, pool)
    with transaction.atomic():
        others = _lock_pools(pool.tenant_id)
        pool = next(p for p in others if p.pk == pool.pk)
        before = snapshot(pool)
        if pool.is_protected:
            errors = {}
            if "name" in data and data["name"] != pool.name:
                errors["name"] = [_("The suspended pool cannot be renamed.")]
            if "kind" in data and data["kind"] != pool.kind:
                errors["kind"] = [_("The suspended pool stays the suspended pool.")]
            if errors:
                raise ValidationError(errors)
        elif data.get("kind") == PoolKind.SUSPENDED:
            raise ValidationError({"kind": [_("The ISP already has its suspended pool.")]})
        apply_changes(pool, data, POOL_FIELDS)
        validate_object(pool, lambda p: _check_pool(p, others))
        return save_audited(actor=actor, obj=pool, action="ip_pool.update", before=before)


def pool_delete(*, actor, pool: IpPool) -> None:
    """Delete a pool no profile or package uses; the suspended pool cannot be deleted."""
    require(actor, P.MANAGE_IP_POOLS, pool)
    if pool.is_protected:
        raise ValidationError({"pool": [_("The suspended pool cannot be deleted.")]})
    with transaction.atomic():
        before = snapshot(pool)
        try:
            pool.delete()
        except ProtectedError as exc:
            raise ValidationError(
                {"pool": [_("This pool is used by a PPPoE profile or a package.")]}
            ) from exc
        audit_record(actor=actor, action="ip_pool.delete", obj=pool, before=before)


def _check_profile(profile: PppoeProfile) -> None:
    errors = {}
    if profile.pool_v4_id and profile.pool_v4.version != 4:
        errors["pool_v4"] = [_("Choose an IPv4 pool.")]
    if profile.pool_v6_id and profile.pool_v6.version != 6:
        errors["pool_v6"] = [_("Choose an IPv6 pool.")]
    for field in ("pool_v4", "pool_v6"):
        pool = getattr(profile, field)
        if pool is not None and pool.kind != PoolKind.CUSTOMER and field not in errors:
            errors[field] = [_("Choose a pool for customers.")]
    if errors:
        raise ValidationError(errors)


def profile_create(*, actor, **data) -> PppoeProfile:
    """Add a PPPoE profile."""
    require(actor, P.MANAGE_IP_POOLS)
    profile = PppoeProfile(tenant_id=actor.tenant_id)
    apply_changes(profile, data, PROFILE_FIELDS)
    with transaction.atomic():
        validate_object(profile, _check_profile)
        return save_audited(actor=actor, obj=profile, action="pppoe_profile.create", before=None)


def profile_update(*, actor, profile: PppoeProfile, **data) -> PppoeProfile:
    """Change a PPPoE profile; customers of its packages get their RADIUS rows rewritten."""
    require(actor, P.MANAGE_IP_POOLS, profile)
    with transaction.atomic():
        profile = PppoeProfile.objects.select_for_update().get(pk=profile.pk)
        before = snapshot(profile)
        apply_changes(profile, data, PROFILE_FIELDS)
        validate_object(profile, _check_profile)
        profile = save_audited(
            actor=actor, obj=profile, action="pppoe_profile.update", before=before
        )
        if before.get("pool_v4") != profile.pool_v4_id or before.get("pool_v6") != (
            profile.pool_v6_id
        ):
            from netbill.radius.services import resync_packages

            resync_packages(profile.packages.all(), reason="pppoe_profile.update")
        return profile


def profile_delete(*, actor, profile: PppoeProfile) -> None:
    """Delete a PPPoE profile no package uses."""
    require(actor, P.MANAGE_IP_POOLS, profile)
    with transaction.atomic():
        before = snapshot(profile)
        try:
            profile.delete()
        except ProtectedError as exc:
            raise ValidationError(
                {"profile": [_("Packages use this profile; move them to another first.")]}
            ) from exc
        audit_record(actor=actor, action="pppoe_profile.delete", obj=profile, before=before)
