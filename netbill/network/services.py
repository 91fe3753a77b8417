"""Network services: IP pools and PPPoE profiles (``manage-ip-pools``).

Routers, VPN accounts and ping tests have their own modules (``routers.py``, ``vpn.py``,
``ping.py``); everything writes through functions like these, called the same way by the
panel, the API, the spreadsheet upload and the tests.
"""

from __future__ import annotations

import ipaddress
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils.translation import gettext as _

from netbill.core import permissions as P
from netbill.core.audit import audit_record, snapshot
from netbill.core.permissions import require
from netbill.core.services import apply_changes, save_audited, validate_object
from netbill.network import pools
from netbill.network.defaults import SUSPENDED_POOL
from netbill.network.models import IpPool, IpVersion, PoolKind, PppoeProfile, VpnAccount
from netbill.network.selectors import addresses_in

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
# MikroTik rate limit: rx/tx [burst rx/tx [threshold rx/tx [time rx/tx [priority [min rx/tx]]]]]
_RATE = r"\d+(?:\.\d+)?[kKmMgG]?"
_PAIR = rf"{_RATE}(?:/{_RATE})?"
RATE_LIMIT_RE = re.compile(
    rf"^{_PAIR}(?:\s+{_PAIR}(?:\s+{_PAIR}(?:\s+\d+[sm]?(?:/\d+[sm]?)?"
    rf"(?:\s+[1-8](?:\s+{_PAIR})?)?)?)?)?$"
)
# RouterOS and RADIUS carry the pool name as is; a comma or quote would break the push.
POOL_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._@-]*$")


def ensure_suspended_pool(tenant) -> IpPool:
    """The ISP's protected suspended pool, created on first need."""
    pool, _created = IpPool.objects.get_or_create(
        tenant_id=tenant.pk if hasattr(tenant, "pk") else tenant,
        kind=PoolKind.SUSPENDED,
        defaults=SUSPENDED_POOL,
    )
    return pool


# --- pools -----------------------------------------------------------------------------------


def _lock_pools(tenant_id: int) -> list[IpPool]:
    """All pools of the tenant, locked: two pools saved at once cannot both miss the overlap."""
    return list(IpPool.objects.select_for_update().filter(tenant_id=tenant_id).order_by("pk"))


def _check_pool(pool: IpPool, others: list[IpPool]) -> None:
    """Ranges parse, fit the pool's purpose, overlap no other pool of the ISP and hold no
    customer's static IP.  Sets the pool's size and its normalised ranges."""
    errors: dict[str, list[str]] = {}
    if pool.name and not POOL_NAME_RE.match(pool.name):
        errors["name"] = [_("Use letters, digits, spaces and . _ @ - only (RouterOS pool names).")]
    if pool.kind in (PoolKind.SUSPENDED, PoolKind.VPN) and pool.version != IpVersion.V4:
        errors["version"] = [_("The %(kind)s pool is IPv4.") % {"kind": pool.get_kind_display()}]
    try:
        intervals = pools.parse_ranges(pool.ranges, pool.version)
        _check_overlap(pool, intervals, others)
        _check_static_ips(pool, intervals)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    pool.size = pools.size(intervals)
    pool.ranges = pools.normalise(pool.ranges, pool.version)


def _check_overlap(pool: IpPool, intervals, others: list[IpPool]) -> None:
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


def _check_static_ips(pool: IpPool, intervals) -> None:
    """A pool may not hand out an address a customer holds as its static IP."""
    from netbill.customers.models import Customer

    taken = Customer.objects.filter(
        tenant_id=pool.tenant_id, deleted_at__isnull=True, static_ip__isnull=False
    )
    clash = addresses_in(taken, "static_ip", intervals, pool.version)
    if clash:
        ip, username = clash[0]
        raise ValidationError(
            {
                "ranges": [
                    _("%(ip)s is the static IP of customer %(user)s.")
                    % {"ip": ip, "user": username}
                ]
            }
        )


def _vpn_addresses_in(tenant_id: int, intervals) -> list[str]:
    addresses = VpnAccount.objects.filter(tenant_id=tenant_id).values_list(
        "tunnel_address", flat=True
    )
    return [a for a in addresses if pools.contains(intervals, a)]


def _check_vpn_addresses(pool: IpPool, before: dict) -> None:
    """A VPN pool keeps the tunnel addresses its routers already have."""
    if before["kind"] != PoolKind.VPN:
        return
    held = _vpn_addresses_in(pool.tenant_id, pools.parse_ranges(before["ranges"], 4))
    if not held:
        return
    if pool.kind != PoolKind.VPN:
        raise ValidationError({"kind": [_("Routers' VPN accounts use addresses of this pool.")]})
    intervals = pools.parse_ranges(pool.ranges, pool.version)
    for address in held:
        if not pools.contains(intervals, address):
            raise ValidationError(
                {
                    "ranges": [
                        _("%(ip)s is the tunnel address of a router's VPN account.")
                        % {"ip": address}
                    ]
                }
            )


def _profiles_using(pool: IpPool):
    return PppoeProfile.objects.filter(Q(pool_v4=pool) | Q(pool_v6=pool))


def _packages_using(pool: IpPool):
    from netbill.catalog.models import MasterPackage

    return MasterPackage.objects.filter(
        Q(pppoe_profile__pool_v4=pool) | Q(pppoe_profile__pool_v6=pool) | Q(fup_pool=pool)
    ).distinct()


def _check_in_use(pool: IpPool, before: dict) -> None:
    """A pool that profiles or packages use keeps its IP version and its purpose."""
    if before["version"] == pool.version and before["kind"] == pool.kind:
        return
    from netbill.catalog.models import MasterPackage

    if _profiles_using(pool).exists() or MasterPackage.objects.filter(fup_pool=pool).exists():
        if before["version"] != pool.version:
            raise ValidationError(
                {"version": [_("PPPoE profiles or packages use this pool with its IP version.")]}
            )
        raise ValidationError(
            {"kind": [_("PPPoE profiles or packages use this pool for customers.")]}
        )


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
    """Change a pool.  The suspended pool keeps its name and purpose; a renamed pool gets
    its customers' ``Framed-Pool`` rewritten."""
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
        _check_in_use(pool, before)
        _check_vpn_addresses(pool, before)
        pool = save_audited(actor=actor, obj=pool, action="ip_pool.update", before=before)
        if before["name"] != pool.name:
            packages = list(_packages_using(pool))
            if packages:
                from netbill.radius.services import resync_packages

                resync_packages(packages, reason="ip_pool.update")
        return pool


def pool_delete(*, actor, pool: IpPool) -> None:
    """Delete a pool no profile, package or VPN account uses; the suspended pool cannot be
    deleted."""
    require(actor, P.MANAGE_IP_POOLS, pool)
    if pool.is_protected:
        raise ValidationError({"pool": [_("The suspended pool cannot be deleted.")]})
    with transaction.atomic():
        pool = IpPool.objects.select_for_update().get(pk=pool.pk)
        if pool.kind == PoolKind.VPN and _vpn_addresses_in(
            pool.tenant_id, pools.parse_ranges(pool.ranges, pool.version)
        ):
            raise ValidationError(
                {"pool": [_("Routers' VPN accounts use addresses of this pool.")]}
            )
        before = snapshot(pool)
        pk = pool.pk
        try:
            with transaction.atomic():
                pool.delete()
        except ProtectedError as exc:
            raise ValidationError(
                {"pool": [_("This pool is used by a PPPoE profile or a package.")]}
            ) from exc
        pool.pk = pk
        audit_record(actor=actor, action="ip_pool.delete", obj=pool, before=before)


def static_ip_conflict(tenant_id: int, ip: str) -> str | None:
    """The name of the pool that contains ``ip`` (a static IP must lie outside every pool)."""
    try:
        version = pools.version_of(str(ip))
    except ValueError:
        return None
    for pool in IpPool.objects.filter(tenant_id=tenant_id, version=version).order_by("name"):
        try:
            if pools.contains(pools.parse_ranges(pool.ranges, pool.version), str(ip)):
                return pool.name
        except ValidationError:
            continue
    return None


# --- PPPoE profiles --------------------------------------------------------------------------


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
    rate = (profile.rate_limit or "").strip()
    profile.rate_limit = rate
    if rate and not RATE_LIMIT_RE.match(rate):
        errors["rate_limit"] = [
            _("%(value)s is not a MikroTik rate limit (e.g. 5M/10M or 512k/2M 1M/4M).")
            % {"value": rate}
        ]
    servers = [s.strip() for s in re.split(r"[,\s]+", profile.dns_server or "") if s.strip()]
    bad = []
    for server in servers:
        try:
            ipaddress.ip_address(server)
        except ValueError:
            bad.append(server)
    if bad:
        errors["dns_server"] = [
            _("%(value)s is not an IP address.") % {"value": ", ".join(bad)},
        ]
    elif len(servers) > 2:
        errors["dns_server"] = [_("Give at most two DNS servers.")]
    else:
        profile.dns_server = ",".join(servers)
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
            packages = list(profile.packages.all())
            if packages:
                from netbill.radius.services import resync_packages

                resync_packages(packages, reason="pppoe_profile.update")
        return profile


def profile_delete(*, actor, profile: PppoeProfile) -> None:
    """Delete a PPPoE profile no package uses."""
    require(actor, P.MANAGE_IP_POOLS, profile)
    with transaction.atomic():
        before = snapshot(profile)
        pk = profile.pk
        try:
            with transaction.atomic():
                profile.delete()
        except ProtectedError as exc:
            raise ValidationError(
                {"profile": [_("Packages use this profile; move them to another first.")]}
            ) from exc
        profile.pk = pk
        audit_record(actor=actor, action="pppoe_profile.delete", obj=profile, before=before)
