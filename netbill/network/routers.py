"""Router services: the ISP's MikroTik routers, managed through the RouterOS API.

Reads of a router (list, detail, Test Connection, live status, log) need ``view-routers``;
changes (add, edit, delete, import PPP secrets, push profiles and pools) need
``manage-routers``.  Routers are tenant-wide: a NOC user holding the keys sees every router
of its ISP.  A router is also a RADIUS client: its ``nas`` row follows it in the same
transaction (:func:`netbill.radius.nas.sync_nas`).

Network calls never run inside a database transaction: the router is asked first, then the
outcome is written in one short transaction.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from netbill.core import permissions as P
from netbill.core.audit import audit_record, changed, snapshot
from netbill.core.crypto import encrypt
from netbill.core.permissions import require
from netbill.core.services import apply_changes, validate_object
from netbill.network import pools as pool_ranges
from netbill.network.models import IpPool, PoolKind, PppoeProfile, Router, RouterStatus
from netbill.network.routeros import RouterOSClient, RouterOSError, RouterOSTrap, Version

ROUTER_FIELDS = {
    "name",
    "host",
    "api_port",
    "api_tls",
    "api_username",
    "coa_port",
    "description",
    "is_active",
}
# What the activity log shows of a router: never the encrypted secrets.
AUDIT_FIELDS = [*sorted(ROUTER_FIELDS)]


def mask_secret(value: str) -> str:
    """A secret as the panel and the API show it: never in full."""
    if not value:
        return ""
    return "••••••" + (value[-2:] if len(value) >= 8 else "")


def _audit_state(router: Router) -> dict:
    return snapshot(router, fields=AUDIT_FIELDS)


def _check_router(router: Router) -> None:
    errors: dict[str, list[str]] = {}
    host = (router.host or "").strip()
    router.host = host
    try:
        router.host = str(ipaddress.ip_address(host))
    except ValueError:
        errors["host"] = [_("Enter the router's IPv4 or IPv6 address (e.g. 103.15.20.1).")]
    for name in ("api_port", "coa_port"):
        value = getattr(router, name)
        if value is None or not 1 <= int(value) <= 65535:
            errors[name] = [_("A port is a number from 1 to 65535.")]
    if not (router.api_username or "").strip():
        errors["api_username"] = [_("This field is required.")]
    if not router.api_password_enc:
        errors["api_password"] = [_("Give the API user's password.")]
    if not router.radius_secret_enc:
        errors["radius_secret"] = [_("Give the RADIUS secret the router will use.")]
    if "host" not in errors:
        clash = (
            Router.objects.filter(tenant_id=router.tenant_id, host=router.host)
            .exclude(pk=router.pk)
            .first()
        )
        if clash is not None:
            errors["host"] = [
                _("The router “%(name)s” already has this address.") % {"name": clash.name}
            ]
    if errors:
        raise ValidationError(errors)


def _set_secrets(router: Router, *, api_password: str | None, radius_secret: str | None) -> list:
    """Encrypt the secrets given; a blank one keeps the stored value (edit forms never show
    it back).  Returns the names of the secrets that were set."""
    changed_names = []
    if api_password:
        router.api_password_enc = encrypt(api_password)
        changed_names.append("api_password")
    if radius_secret:
        router.radius_secret_enc = encrypt(radius_secret)
        changed_names.append("radius_secret")
    return changed_names


def _sync_nas(router: Router) -> None:
    from netbill.radius.nas import sync_nas

    try:
        with transaction.atomic():
            sync_nas(router)
    except IntegrityError as exc:
        # nas.nasname is unique across every ISP (FreeRADIUS knows a client by address):
        # say so without telling whose router holds it.
        raise ValidationError(
            {
                "host": [
                    _(
                        "This address is already registered as a RADIUS client by another "
                        "router. Each router needs its own address (use its VPN address "
                        "when it sits behind NAT)."
                    )
                ]
            }
        ) from exc


def _save(actor, router: Router, *, action: str, before: dict | None, secrets: list) -> Router:
    validate_object(router, _check_router)
    router.full_clean()
    router.save()
    _sync_nas(router)
    b, a = changed(before or {}, _audit_state(router))
    for name in secrets:  # recorded as changed, never as a value
        a[name] = "set" if before is None else "changed"
    audit_record(actor=actor, action=action, obj=router, before=b, after=a)
    return router


def router_create(*, actor, api_password: str = "", radius_secret: str = "", **data) -> Router:
    """Add a router (``manage-routers``) and register it as a RADIUS client."""
    require(actor, P.MANAGE_ROUTERS)
    router = Router(tenant_id=actor.tenant_id)
    for port in ("api_port", "coa_port"):
        if data.get(port) is None:
            data.pop(port, None)  # the model's default
    if data.get("api_tls") and "api_port" not in data:
        data["api_port"] = 8729
    apply_changes(router, data, ROUTER_FIELDS)
    secrets = _set_secrets(router, api_password=api_password, radius_secret=radius_secret)
    with transaction.atomic():
        return _save(actor, router, action="router.create", before=None, secrets=secrets)


def router_update(
    *,
    actor,
    router: Router,
    api_password: str | None = None,
    radius_secret: str | None = None,
    **data,
) -> Router:
    """Change a router; a blank password or secret keeps the stored one."""
    require(actor, P.MANAGE_ROUTERS, router)
    with transaction.atomic():
        router = Router.objects.select_for_update().get(pk=router.pk)
        before = _audit_state(router)
        apply_changes(router, data, ROUTER_FIELDS)
        secrets = _set_secrets(router, api_password=api_password, radius_secret=radius_secret)
        connection_changed = any(
            before.get(k) != getattr(router, k)
            for k in ("host", "api_port", "api_tls", "api_username")
        ) or bool(api_password)
        if connection_changed:
            router.status = RouterStatus.UNKNOWN
            router.last_error = ""
        return _save(actor, router, action="router.update", before=before, secrets=secrets)


def router_delete(*, actor, router: Router) -> None:
    """Remove a router and its RADIUS client row."""
    from netbill.radius.models import Nas

    require(actor, P.MANAGE_ROUTERS, router)
    with transaction.atomic():
        before = _audit_state(router)
        Nas.objects.filter(router_id=router.pk).delete()
        audit_record(actor=actor, action="router.delete", obj=router, before=before)
        router.delete()


# --- talking to the router ----------------------------------------------------------------------


@dataclass
class ConnectionResult:
    """What Test Connection found."""

    ok: bool
    message: str
    code: str = ""
    version: str = ""
    board_name: str = ""
    identity: str = ""
    login_method: str = ""


def _probe(client: RouterOSClient) -> ConnectionResult:
    try:
        with client as ros:
            resource = ros.resource()
            identity = ros.identity()
    except RouterOSError as exc:
        return ConnectionResult(ok=False, message=exc.message, code=exc.code)
    version = ros.version
    return ConnectionResult(
        ok=True,
        message=_("Connected to %(identity)s (RouterOS %(version)s, %(board)s).")
        % {
            "identity": identity or client.host,
            "version": version,
            "board": resource.get("board-name", "?"),
        },
        version=str(version),
        board_name=resource.get("board-name", ""),
        identity=identity,
    )


def _record_check(router: Router, result: ConnectionResult) -> None:
    values = {"last_checked_at": timezone.now()}
    if result.ok:
        values.update(
            status=RouterStatus.ONLINE,
            last_error="",
            ros_version=result.version[:40],
            board_name=result.board_name[:80],
        )
    else:
        values.update(status=RouterStatus.ERROR, last_error=result.message[:300])
    Router.objects.filter(pk=router.pk).update(**values)
    for key, value in values.items():
        setattr(router, key, value)


def router_test_connection(*, actor, router: Router) -> ConnectionResult:
    """Connect and log in; record the outcome (status, version, board) and audit it."""
    require(actor, P.VIEW_ROUTERS, router)
    result = _probe(RouterOSClient.for_router(router))
    with transaction.atomic():
        _record_check(router, result)
        audit_record(
            actor=actor,
            action="router.test",
            obj=router,
            after={
                "status": router.status,
                "ros_version": router.ros_version,
                "error": router.last_error,
            },
        )
    return result


def router_probe(
    *,
    actor,
    host: str,
    api_username: str,
    api_password: str,
    api_port: int | None = None,
    api_tls: bool = False,
) -> ConnectionResult:
    """Test Connection before saving (the add/edit form): nothing is stored."""
    require(actor, P.MANAGE_ROUTERS)
    try:
        host = str(ipaddress.ip_address((host or "").strip()))
    except ValueError as exc:
        raise ValidationError(
            {"host": [_("Enter the router's IPv4 or IPv6 address (e.g. 103.15.20.1).")]}
        ) from exc
    return _probe(RouterOSClient(host, api_username, api_password, port=api_port, tls=api_tls))


def _connect(router: Router) -> RouterOSClient:
    """An open session, or RouterOSError after recording the router as failing."""
    client = RouterOSClient.for_router(router)
    try:
        client.connect()
    except RouterOSError as exc:
        _record_check(router, ConnectionResult(ok=False, message=exc.message, code=exc.code))
        raise
    return client


def _int(value, default: int | None = None) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@dataclass
class InterfaceStatus:
    name: str
    type: str
    running: bool
    disabled: bool
    rx_byte: int
    tx_byte: int
    comment: str = ""


@dataclass
class PoolUsage:
    name: str
    ranges: str
    size: int
    used: int

    @property
    def percent(self) -> int:
        return round(100 * self.used / self.size) if self.size else 0


@dataclass
class RouterLive:
    """A router's live status, read through the API."""

    identity: str
    version: Version
    board_name: str
    architecture: str
    uptime: str
    cpu_load: int | None
    total_memory: int | None
    free_memory: int | None
    total_hdd: int | None
    free_hdd: int | None
    active_sessions: int
    interfaces: list[InterfaceStatus]
    pools: list[PoolUsage]
    # "router": /ip/pool/used (RouterOS ≥ 7.15); "sessions": counted from /ppp/active.
    pool_usage_source: str
    log: list[dict] = field(default_factory=list)

    @property
    def used_memory(self) -> int | None:
        if self.total_memory is None or self.free_memory is None:
            return None
        return self.total_memory - self.free_memory

    @property
    def memory_percent(self) -> int | None:
        if not self.total_memory or self.free_memory is None:
            return None
        return round(100 * (self.total_memory - self.free_memory) / self.total_memory)


def _pool_usage(ros: RouterOSClient, active_addresses: list[str]) -> tuple[list[PoolUsage], str]:
    pools = ros.print("/ip/pool")
    used_rows = ros.pool_used()
    counts: dict[str, int] = {}
    if used_rows is not None:
        source = "router"
        for row in used_rows:
            counts[row.get("pool", "")] = counts.get(row.get("pool", ""), 0) + 1
    else:
        # RouterOS 6 and 7 before 7.15 have no /ip/pool/used: count the sessions whose
        # address lies in the pool.
        source = "sessions"
    result = []
    for row in pools:
        name = row.get("name", "")
        try:
            intervals = pool_ranges.parse_ranges(row.get("ranges", ""), 4)
        except ValidationError:
            intervals = []
        if used_rows is None:
            used = sum(
                1
                for address in active_addresses
                if address and ":" not in address and pool_ranges.contains(intervals, address)
            )
        else:
            used = counts.get(name, 0)
        result.append(
            PoolUsage(
                name=name,
                ranges=row.get("ranges", ""),
                size=pool_ranges.size(intervals),
                used=used,
            )
        )
    return result, source


def router_status(*, actor, router: Router, log_lines: int = 20) -> RouterLive:
    """Live status: CPU, memory, uptime, version, active PPP sessions, interfaces with their
    traffic counters, pool usage and the newest log lines.  Raises RouterOSError."""
    require(actor, P.VIEW_ROUTERS, router)
    client = _connect(router)
    try:
        resource = client.resource()
        identity = client.identity()
        active = client.print("/ppp/active", proplist=["name", "address"])
        interfaces = [
            InterfaceStatus(
                name=row.get("name", ""),
                type=row.get("type", ""),
                running=row.get("running") == "true",
                disabled=row.get("disabled") == "true",
                rx_byte=_int(row.get("rx-byte"), 0),
                tx_byte=_int(row.get("tx-byte"), 0),
                comment=row.get("comment", ""),
            )
            for row in client.print("/interface")
        ]
        pools, source = _pool_usage(client, [row.get("address", "") for row in active])
        log = client.log(log_lines) if log_lines else []
    except RouterOSError as exc:
        _record_check(router, ConnectionResult(ok=False, message=exc.message, code=exc.code))
        raise
    finally:
        client.close()
    live = RouterLive(
        identity=identity,
        version=client.version,
        board_name=resource.get("board-name", ""),
        architecture=resource.get("architecture-name", ""),
        uptime=resource.get("uptime", ""),
        cpu_load=_int(resource.get("cpu-load")),
        total_memory=_int(resource.get("total-memory")),
        free_memory=_int(resource.get("free-memory")),
        total_hdd=_int(resource.get("total-hdd-space")),
        free_hdd=_int(resource.get("free-hdd-space")),
        active_sessions=len(active),
        interfaces=interfaces,
        pools=pools,
        pool_usage_source=source,
        log=log,
    )
    _record_check(
        router,
        ConnectionResult(
            ok=True, message="", version=str(live.version), board_name=live.board_name
        ),
    )
    return live


def router_log(*, actor, router: Router, limit: int = 200) -> list[dict]:
    """The router's newest ``/log`` entries, newest first.  Raises RouterOSError."""
    require(actor, P.VIEW_ROUTERS, router)
    client = _connect(router)
    try:
        return [
            {
                "time": row.get("time", ""),
                "topics": row.get("topics", ""),
                "message": row.get("message", ""),
            }
            for row in client.log(max(1, min(int(limit), 1000)))
        ]
    finally:
        client.close()


# --- import PPP secrets as customers -----------------------------------------------------------

_MAC = re.compile(
    r"^([0-9A-Fa-f]{2})[:-]?([0-9A-Fa-f]{2})[:-]?([0-9A-Fa-f]{2})[:-]?"
    r"([0-9A-Fa-f]{2})[:-]?([0-9A-Fa-f]{2})[:-]?([0-9A-Fa-f]{2})$"
)
_PHONE = re.compile(r"\+?\d[\d -]{4,18}\d")
_PHONE_WORD = re.compile(r"(?<![\w+])\+?\d[\d-]{4,18}\d(?!\w)")
IMPORTABLE_SERVICES = {"any", "pppoe"}


def _mac(caller_id: str) -> str:
    match = _MAC.match((caller_id or "").strip())
    return ":".join(match.groups()).upper() if match else ""


def _static_ip(remote_address: str) -> str:
    """remote-address holds an address (a static IP) or a pool name (no static IP)."""
    try:
        return str(ipaddress.ip_address((remote_address or "").strip()))
    except ValueError:
        return ""


def _mobile_and_name(comment: str) -> tuple[str, str]:
    """ISPs keep the subscriber's name and phone in the secret's comment
    ("Rahim Uddin 01711000001", "Karim Traders, 01811 000 002"): the phone number and the
    rest.  A number written in one piece wins over digits spread over several words (so
    "User 1 01711000001" is user 1's phone, not 101711000001)."""
    comment = (comment or "").strip()
    candidates = [m for m in _PHONE_WORD.finditer(comment) if _phone_digits(m.group())]
    if not candidates:
        candidates = [m for m in _PHONE.finditer(comment) if _phone_digits(m.group())]
    if not candidates:
        return "", comment
    match = max(candidates, key=lambda m: len(_phone_digits(m.group())))
    name = (comment[: match.start()] + " " + comment[match.end() :]).strip(" -,;|/")
    return _phone_digits(match.group()), re.sub(r"\s+", " ", name)


def _phone_digits(text: str) -> str:
    digits = re.sub(r"[ -]", "", text)
    return digits if 6 <= len(digits.lstrip("+")) <= 15 else ""


@dataclass
class SecretRow:
    """One PPP secret as the import sees it."""

    username: str
    password: str
    profile: str
    service: str
    remote_address: str
    caller_id: str
    comment: str
    disabled: bool
    static_ip: str
    mac_address: str
    mobile: str
    name: str
    exists: bool = False
    skip_reason: str = ""

    @property
    def importable(self) -> bool:
        return not self.exists and not self.skip_reason


@dataclass
class ImportPreview:
    secrets: list[SecretRow]
    # PPP profile name → number of secrets using it (importable ones)
    profiles: dict[str, int]
    version: Version

    @property
    def new_count(self) -> int:
        return sum(1 for s in self.secrets if s.importable)

    @property
    def existing_count(self) -> int:
        return sum(1 for s in self.secrets if s.exists)


def _read_secrets(router: Router) -> tuple[list[SecretRow], Version]:
    from netbill.customers.models import Customer

    client = _connect(router)
    try:
        rows = client.print("/ppp/secret")
        version = client.version
    finally:
        client.close()
    names = {row.get("name", "").lower() for row in rows}
    taken = set(
        Customer.objects.filter(tenant_id=router.tenant_id, deleted_at__isnull=True)
        .annotate(lower_username=Lower("username"))
        .filter(lower_username__in=names)
        .values_list("lower_username", flat=True)
    )
    secrets = []
    for row in rows:
        username = row.get("name", "")
        mobile, name = _mobile_and_name(row.get("comment", ""))
        service = row.get("service", "any") or "any"
        secret = SecretRow(
            username=username,
            password=row.get("password", ""),
            profile=row.get("profile", "default") or "default",
            service=service,
            remote_address=row.get("remote-address", ""),
            caller_id=row.get("caller-id", ""),
            comment=row.get("comment", ""),
            disabled=row.get("disabled") in ("true", "yes"),
            static_ip=_static_ip(row.get("remote-address", "")),
            mac_address=_mac(row.get("caller-id", "")),
            mobile=mobile,
            name=name or username,
            exists=username.lower() in taken,
        )
        if service not in IMPORTABLE_SERVICES:
            secret.skip_reason = _("a %(service)s (VPN) secret, not a PPPoE subscriber") % {
                "service": service
            }
        secrets.append(secret)
    return secrets, version


def router_import_preview(*, actor, router: Router) -> ImportPreview:
    """The router's PPP secrets, their profiles, and which usernames netbill already has."""
    require(actor, P.MANAGE_ROUTERS, router)
    secrets, version = _read_secrets(router)
    profiles: dict[str, int] = {}
    for secret in secrets:
        if secret.importable:
            profiles[secret.profile] = profiles.get(secret.profile, 0) + 1
    return ImportPreview(secrets=secrets, profiles=dict(sorted(profiles.items())), version=version)


@dataclass
class ImportResult:
    created: list[tuple[str, int]] = field(default_factory=list)  # (username, customer id)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (username, why)
    failed: list[tuple[str, dict[str, list[str]]]] = field(default_factory=list)

    def summary(self) -> dict:
        return {
            "created": len(self.created),
            "skipped": len(self.skipped),
            "failed": len(self.failed),
        }


def _check_import_options(actor, router, package_map, billing_profile, customer_type):
    from netbill.customers.choices import CustomerType

    errors: dict[str, list[str]] = {}
    if billing_profile is None:
        errors["billing_profile"] = [_("Choose the billing profile of the new customers.")]
    elif billing_profile.tenant_id != router.tenant_id:
        errors["billing_profile"] = [_("Choose a billing profile of your own ISP.")]
    if customer_type not in CustomerType.values:
        errors["customer_type"] = [_("Choose a customer type.")]
    mapped = {k: v for k, v in (package_map or {}).items() if v is not None}
    if not mapped:
        errors["package_map"] = [_("Map at least one PPP profile to a package.")]
    for profile, package in mapped.items():
        if package.tenant_id != router.tenant_id:
            errors[f"package_map.{profile}"] = [_("Choose a package of your own ISP.")]
    if errors:
        raise ValidationError(errors)
    return mapped


def router_import_secrets(
    *,
    actor,
    router: Router,
    package_map: dict,
    billing_profile,
    customer_type: str = "pppoe_monthly",
    owner=None,
    zone=None,
    default_mobile: str = "",
    usernames=None,
) -> ImportResult:
    """Create a customer for each PPP secret of the router, through ``customer_create``.

    ``package_map`` maps a PPP profile name to a master package (None: do not import that
    profile's secrets).  The password comes from the secret, the static IP from
    ``remote-address`` when it is an address, the MAC from ``caller-id``, name and mobile
    from the comment (``default_mobile`` when it has none).  A username netbill already has
    is skipped, so running the import again creates nothing twice.  Each secret is one
    transaction: a refused row is reported with its reasons and leaves nothing behind.
    """
    from netbill.customers.choices import CustomerStatus
    from netbill.customers.services import customer_create

    require(actor, P.MANAGE_ROUTERS, router)
    require(actor, P.CREATE_CUSTOMER)
    mapped = _check_import_options(actor, router, package_map, billing_profile, customer_type)
    secrets, _version = _read_secrets(router)
    wanted = {u.lower() for u in usernames} if usernames is not None else None
    result = ImportResult()
    for secret in secrets:
        if wanted is not None and secret.username.lower() not in wanted:
            continue
        if secret.exists:
            result.skipped.append((secret.username, _("already a customer in netbill")))
            continue
        if secret.skip_reason:
            result.skipped.append((secret.username, secret.skip_reason))
            continue
        package = mapped.get(secret.profile)
        if package is None:
            result.skipped.append(
                (
                    secret.username,
                    _("PPP profile “%(profile)s” is not mapped to a package")
                    % {"profile": secret.profile},
                )
            )
            continue
        extra = {}
        if secret.static_ip:
            extra["static_ip"] = secret.static_ip
        if secret.mac_address:
            extra["mac_address"] = secret.mac_address
        try:
            with transaction.atomic():
                customer = customer_create(
                    actor=actor,
                    customer_type=customer_type,
                    name=secret.name[:120],
                    mobile=secret.mobile or default_mobile,
                    package=package,
                    billing_profile=billing_profile,
                    username=secret.username,
                    password=secret.password,
                    owner=owner,
                    zone=zone,
                    status=CustomerStatus.DISABLED if secret.disabled else CustomerStatus.ACTIVE,
                    **extra,
                )
        except ValidationError as exc:
            messages = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            result.failed.append((secret.username, messages))
            continue
        result.created.append((secret.username, customer.pk))
    audit_record(
        actor=actor,
        action="router.import_secrets",
        obj=router,
        after={
            **result.summary(),
            "created_usernames": [u for u, _pk in result.created][:200],
            "failed_usernames": [u for u, _m in result.failed][:200],
        },
    )
    return result


# --- push PPPoE profiles and IP pools --------------------------------------------------------------


@dataclass
class PushChange:
    kind: str  # "pool" | "profile"
    name: str
    action: str  # "added" | "updated" | "unchanged" | "failed"
    fields: dict[str, tuple[str, str]] = field(default_factory=dict)  # name → (router, netbill)
    error: str = ""


def _norm_list(value: str) -> str:
    return ",".join(part.strip() for part in (value or "").split(",") if part.strip())


def desired_pools(tenant_id: int) -> list[tuple[IpPool, dict[str, str]]]:
    """The IPv4 pools the router needs (customers' pools and the suspended pool)."""
    out = []
    pools = IpPool.objects.filter(
        tenant_id=tenant_id, version=4, kind__in=[PoolKind.CUSTOMER, PoolKind.SUSPENDED]
    ).order_by("name")
    for pool in pools:
        intervals = pool_ranges.parse_ranges(pool.ranges, 4)
        out.append((pool, {"ranges": pool_ranges.routeros_ranges(intervals, 4)}))
    return out


def desired_profiles(tenant_id: int) -> list[tuple[PppoeProfile, dict[str, str]]]:
    """``/ppp/profile`` values of netbill's PPPoE profiles.  Empty fields are left alone on
    the router (an empty rate limit means "from the package", sent by RADIUS)."""
    out = []
    for profile in PppoeProfile.objects.filter(tenant_id=tenant_id).select_related("pool_v4"):
        values = {"only-one": "yes" if profile.only_one else "no"}
        if profile.local_address:
            values["local-address"] = str(profile.local_address)
        if profile.pool_v4_id:
            values["remote-address"] = profile.pool_v4.name
        if profile.rate_limit:
            values["rate-limit"] = profile.rate_limit.strip()
        if profile.dns_server:
            values["dns-server"] = _norm_list(profile.dns_server)
        out.append((profile, values))
    return out


def _push_items(ros: RouterOSClient, path: str, kind: str, wanted) -> list[PushChange]:
    present = {row.get("name"): row for row in ros.print(path)}
    changes = []
    for obj, values in wanted:
        row = present.get(obj.name)
        try:
            if row is None:
                ros.add(path, name=obj.name, **values)
                changes.append(
                    PushChange(kind, obj.name, "added", {k: ("", v) for k, v in values.items()})
                )
                continue
            diff = {
                key: (row.get(key, ""), value)
                for key, value in values.items()
                if _norm_list(row.get(key, "")) != _norm_list(value)
            }
            if diff:
                ros.set(path, row[".id"], **{k: new for k, (_old, new) in diff.items()})
                changes.append(PushChange(kind, obj.name, "updated", diff))
            else:
                changes.append(PushChange(kind, obj.name, "unchanged"))
        except RouterOSTrap as exc:
            changes.append(PushChange(kind, obj.name, "failed", error=exc.trap_message))
    return changes


def router_push(*, actor, router: Router) -> list[PushChange]:
    """Put netbill's IPv4 pools and PPPoE profiles on the router: add the missing ones,
    set the fields that differ, leave the rest.  Pools go first (profiles name them)."""
    require(actor, P.MANAGE_ROUTERS, router)
    pools = desired_pools(router.tenant_id)
    profiles = desired_profiles(router.tenant_id)
    client = _connect(router)
    try:
        changes = _push_items(client, "/ip/pool", "pool", pools)
        changes += _push_items(client, "/ppp/profile", "profile", profiles)
    finally:
        client.close()
    audit_record(
        actor=actor,
        action="router.push",
        obj=router,
        after={
            "changes": [
                {"kind": c.kind, "name": c.name, "action": c.action, "error": c.error}
                for c in changes
                if c.action != "unchanged"
            ]
        },
    )
    return changes
