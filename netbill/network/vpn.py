"""VPN accounts: a WireGuard tunnel (RouterOS 7) for a router behind NAT (``manage-routers``).

Creating an account generates the router's X25519 key pair (the private key is stored
encrypted with :mod:`netbill.core.crypto`), takes the first free address of the ISP's VPN
pool (an :class:`~netbill.network.models.IpPool` of kind ``vpn``), and renders two texts:
the ``[Peer]`` block for the server's ``wg-quick`` configuration and the RouterOS 7
commands to paste on the router.  From then on the router is reached at its tunnel address
(:attr:`Router.address`), and its RADIUS client row (``nas``) follows in the same
transaction.

The server side is one WireGuard interface for the whole installation, described by
settings: ``VPN_SERVER_PUBLIC_KEY``, ``VPN_SERVER_ENDPOINT`` (``host:port``) and optionally
``VPN_SERVER_ADDRESS`` (the server's own tunnel address).  Because every ISP's routers meet
on that one interface, a tunnel address is unique across the installation, not only per ISP.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from netbill.core import permissions as P
from netbill.core.audit import audit_record
from netbill.core.crypto import decrypt, encrypt
from netbill.core.permissions import require
from netbill.network import pools
from netbill.network.models import IpPool, PoolKind, Router, VpnAccount

INTERFACE = "netbill-vpn"
KEEPALIVE = "25s"
DEFAULT_PORT = 51820
# pg_advisory_xact_lock key: one allocation at a time across the installation.
ALLOCATION_LOCK = 0x6E627670  # "nbvp"


# --- keys and settings -----------------------------------------------------------------------


def generate_keypair() -> tuple[str, str]:
    """A WireGuard key pair: (private, public), both base64 as ``wg genkey`` prints them."""
    private = X25519PrivateKey.generate()
    raw_private = private.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    raw_public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return base64.b64encode(raw_private).decode(), base64.b64encode(raw_public).decode()


def public_key_of(private_b64: str) -> str:
    private = X25519PrivateKey.from_private_bytes(base64.b64decode(private_b64))
    raw = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return base64.b64encode(raw).decode()


def is_wireguard_key(text: str) -> bool:
    try:
        return len(base64.b64decode(text, validate=True)) == 32
    except (binascii.Error, ValueError):
        return False


@dataclass(frozen=True)
class ServerSettings:
    public_key: str
    endpoint: str
    host: str
    port: int
    address: str  # the server's tunnel address, "" when not set


def parse_endpoint(text: str) -> tuple[str, int]:
    """``host:port``, ``[v6]:port`` or a bare host/IPv4/IPv6 (port 51820)."""
    text = text.strip()
    if text.startswith("["):
        host, _sep, rest = text[1:].partition("]")
        port = rest.lstrip(":") or str(DEFAULT_PORT)
    elif text.count(":") == 1:
        host, port = text.split(":")
    else:
        host, port = text, str(DEFAULT_PORT)
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(text)
    return host, int(port)


def server_settings() -> ServerSettings:
    """The WireGuard server every router dials; a clear error naming what is missing."""
    key = (getattr(settings, "VPN_SERVER_PUBLIC_KEY", "") or "").strip()
    endpoint = (getattr(settings, "VPN_SERVER_ENDPOINT", "") or "").strip()
    address = (getattr(settings, "VPN_SERVER_ADDRESS", "") or "").strip()
    missing = [
        name
        for name, value in (("VPN_SERVER_PUBLIC_KEY", key), ("VPN_SERVER_ENDPOINT", endpoint))
        if not value
    ]
    if missing:
        raise ValidationError(
            _("The VPN server is not configured: set %(names)s in the server's environment.")
            % {"names": ", ".join(missing)}
        )
    if not is_wireguard_key(key):
        raise ValidationError(_("VPN_SERVER_PUBLIC_KEY is not a WireGuard public key."))
    try:
        host, port = parse_endpoint(endpoint)
    except ValueError as exc:
        raise ValidationError(
            _("VPN_SERVER_ENDPOINT must be host:port, e.g. vpn.example.net:51820.")
        ) from exc
    if address:
        try:
            address = str(ipaddress.IPv4Address(address))
        except ValueError as exc:
            raise ValidationError(_("VPN_SERVER_ADDRESS is not an IPv4 address.")) from exc
    return ServerSettings(key, f"{host}:{port}", host, port, address)


# --- allocation ------------------------------------------------------------------------------


def _lock_allocation() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ALLOCATION_LOCK])


def allocate_address(tenant_id: int, server_address: str = "") -> str:
    """The first free host address of the ISP's VPN pools (call inside a transaction)."""
    vpn_pools = list(
        IpPool.objects.select_for_update()
        .filter(tenant_id=tenant_id, kind=PoolKind.VPN, version=4)
        .order_by("name", "pk")
    )
    if not vpn_pools:
        raise ValidationError(
            {
                "tunnel_address": [
                    _("Add an IP pool “used for” VPN tunnels first: tunnel addresses come from it.")
                ]
            }
        )
    # Every account of the installation, active or not, keeps its address (one server).
    taken = {
        int(ipaddress.IPv4Address(a))
        for a in VpnAccount.objects.values_list("tunnel_address", flat=True)
    }
    if server_address:
        taken.add(int(ipaddress.IPv4Address(server_address)))
    for pool in vpn_pools:
        try:
            parts = pools.parse_parts(pool.ranges, 4)
        except ValidationError:
            continue
        for value in pools.host_addresses(parts, 4, taken):
            return pools.to_text(value, 4)
    names = ", ".join(p.name for p in vpn_pools)
    raise ValidationError(
        {
            "tunnel_address": [
                _("The VPN pool %(names)s has no free address: widen it or add another.")
                % {"names": names}
            ]
        }
    )


def _sync_nas(router_pk: int) -> None:
    """The router's ``nas`` row follows its address (tunnel or host)."""
    from netbill.radius.nas import sync_nas

    router = Router.objects.select_related("vpn_account").get(pk=router_pk)
    try:
        with transaction.atomic():
            sync_nas(router)
    except IntegrityError as exc:
        raise ValidationError(
            {
                "tunnel_address": [
                    _("Another RADIUS client already uses %(ip)s.") % {"ip": router.address}
                ]
            }
        ) from exc


# --- services --------------------------------------------------------------------------------


def _audit_values(account: VpnAccount) -> dict:
    return {
        "router": account.router_id,
        "tunnel_address": account.tunnel_address,
        "public_key": account.public_key,
        "server_endpoint": account.server_endpoint,
        "is_active": account.is_active,
    }


def vpn_account_create(*, actor, router: Router) -> VpnAccount:
    """Give a router a WireGuard tunnel account; the router is then reached through it."""
    require(actor, P.MANAGE_ROUTERS, router)
    server = server_settings()
    with transaction.atomic():
        router = Router.objects.select_for_update().get(pk=router.pk)
        if VpnAccount.objects.filter(router_id=router.pk).exists():
            raise ValidationError({"router": [_("This router already has a VPN account.")]})
        _lock_allocation()
        address = allocate_address(router.tenant_id, server.address)
        private, public = generate_keypair()
        account = VpnAccount(
            tenant_id=router.tenant_id,
            router=router,
            tunnel_address=address,
            private_key_enc=encrypt(private),
            public_key=public,
            server_endpoint=server.endpoint,
        )
        account.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                account.save()
        except IntegrityError as exc:  # a concurrent allocation without the advisory lock
            raise ValidationError(
                {"tunnel_address": [_("That address was just taken; try again.")]}
            ) from exc
        _sync_nas(router.pk)
        audit_record(
            actor=actor, action="vpn_account.create", obj=account, after=_audit_values(account)
        )
    return account


def vpn_account_set_active(*, actor, account: VpnAccount, is_active: bool) -> VpnAccount:
    """Switch the tunnel off (the router is reached at its host again) or back on."""
    require(actor, P.MANAGE_ROUTERS, account)
    with transaction.atomic():
        account = VpnAccount.objects.select_for_update().get(pk=account.pk)
        if account.is_active == is_active:
            return account
        account.is_active = is_active
        account.save(update_fields=["is_active"])
        _sync_nas(account.router_id)
        audit_record(
            actor=actor,
            action="vpn_account.activate" if is_active else "vpn_account.deactivate",
            obj=account,
            before={"is_active": not is_active},
            after={"is_active": is_active},
        )
    return account


def vpn_account_delete(*, actor, account: VpnAccount) -> None:
    """Remove the account; its address becomes free and the router falls back to its host."""
    require(actor, P.MANAGE_ROUTERS, account)
    with transaction.atomic():
        account = VpnAccount.objects.select_for_update().get(pk=account.pk)
        before = _audit_values(account)
        pk, router_pk = account.pk, account.router_id
        account.delete()
        _sync_nas(router_pk)
        account.pk = pk
        audit_record(actor=actor, action="vpn_account.delete", obj=account, before=before)


# --- configuration texts ---------------------------------------------------------------------


def private_key(account: VpnAccount) -> str:
    return decrypt(account.private_key_enc)


def _pool_networks(account: VpnAccount) -> list[ipaddress.IPv4Network]:
    """The VPN pool networks around the account's address (the router routes them into
    the tunnel); just the address itself when its pool is gone."""
    for pool in IpPool.objects.filter(tenant_id=account.tenant_id, kind=PoolKind.VPN, version=4):
        try:
            intervals = pools.parse_ranges(pool.ranges, 4)
        except ValidationError:
            continue
        if pools.contains(intervals, account.tunnel_address):
            return pools.networks(intervals, 4)
    return [ipaddress.IPv4Network(f"{account.tunnel_address}/32")]


def server_peer_config(account: VpnAccount) -> str:
    """The ``[Peer]`` block for the server's wg-quick configuration (``/etc/wireguard``)."""
    router = account.router
    return (
        f"# netbill: {router.tenant.name}, router “{router.name}”\n"
        "[Peer]\n"
        f"PublicKey = {account.public_key}\n"
        f"AllowedIPs = {account.tunnel_address}/32\n"
    )


def routeros_commands(account: VpnAccount) -> str:
    """RouterOS 7 commands that bring the tunnel up on the router."""
    server_key = (getattr(settings, "VPN_SERVER_PUBLIC_KEY", "") or "").strip()
    server_address = (getattr(settings, "VPN_SERVER_ADDRESS", "") or "").strip()
    endpoint = account.server_endpoint or getattr(settings, "VPN_SERVER_ENDPOINT", "")
    try:
        host, port = parse_endpoint(endpoint)
    except ValueError:  # shown as written; the page warns about the server settings
        host, port = endpoint, DEFAULT_PORT
    networks = _pool_networks(account)
    address = ipaddress.IPv4Address(account.tunnel_address)
    home = next((n for n in networks if address in n), networks[0])
    allowed = [str(n) for n in networks]
    extra_route = ""
    if server_address and not any(ipaddress.IPv4Address(server_address) in n for n in networks):
        allowed.append(f"{server_address}/32")
        extra_route = (
            f"/ip/route/add dst-address={server_address}/32 gateway={INTERFACE} "
            'comment="netbill VPN server"\n'
        )
    return (
        f'/interface/wireguard/add name={INTERFACE} private-key="{private_key(account)}" '
        'comment="netbill VPN"\n'
        f'/interface/wireguard/peers/add interface={INTERFACE} public-key="{server_key}" '
        f"endpoint-address={host} endpoint-port={port} allowed-address={','.join(allowed)} "
        f'persistent-keepalive={KEEPALIVE} comment="netbill server"\n'
        f"/ip/address/add address={address}/{home.prefixlen} interface={INTERFACE} "
        'comment="netbill VPN"\n' + extra_route
    )
