"""VPN accounts: key pair, tunnel address from the VPN pool, config texts, the router's
address and RADIUS client following the tunnel."""

import base64
import threading

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404

from netbill.accounts.models import User
from netbill.core.models import ActivityLog
from netbill.core.testing import make_world
from netbill.network import vpn
from netbill.network.models import Router, VpnAccount
from netbill.network.tests.helpers import (
    SERVER_PUBLIC,
    configure_vpn,
    make_router,
    make_vpn_pool,
)
from netbill.radius.models import Nas

pytestmark = pytest.mark.django_db


@pytest.fixture
def vpn_settings(settings):
    return configure_vpn(settings)


def errors_of(fn, **kwargs):
    with pytest.raises(ValidationError) as exc:
        fn(**kwargs)
    return exc.value


def test_create_gives_the_router_a_key_pair_and_the_first_free_tunnel_address(world, vpn_settings):
    make_vpn_pool(world)
    router = make_router(world)

    account = vpn.vpn_account_create(actor=world.admin, router=router)

    # 10.255.0.0 is the network and 10.255.0.1 the server: the router gets .2
    assert account.tunnel_address == "10.255.0.2"
    private = vpn.private_key(account)
    assert account.private_key_enc != private
    assert private not in account.private_key_enc
    raw = base64.b64decode(private)
    assert len(raw) == 32
    assert vpn.public_key_of(private) == account.public_key
    X25519PrivateKey.from_private_bytes(raw)  # a real X25519 key
    assert account.server_endpoint == "vpn.isp.example:51820"
    # the router is now reached through the tunnel, and RADIUS knows it by that address
    router = Router.objects.get(pk=router.pk)
    assert router.address == "10.255.0.2"
    assert Nas.objects.get(router=router).nasname == "10.255.0.2"
    log = ActivityLog.objects.get(action="vpn_account.create")
    assert log.after["tunnel_address"] == "10.255.0.2"
    assert private not in str(log.after)


def test_config_texts_for_the_server_and_the_router(world, vpn_settings):
    make_vpn_pool(world)
    account = vpn.vpn_account_create(actor=world.admin, router=make_router(world))
    private = vpn.private_key(account)

    assert vpn.server_peer_config(account) == (
        "# netbill: Alpha Net, router “Core-1”\n"
        "[Peer]\n"
        f"PublicKey = {account.public_key}\n"
        "AllowedIPs = 10.255.0.2/32\n"
    )
    assert vpn.routeros_commands(account).splitlines() == [
        f'/interface/wireguard/add name=netbill-vpn private-key="{private}" comment="netbill VPN"',
        f'/interface/wireguard/peers/add interface=netbill-vpn public-key="{SERVER_PUBLIC}" '
        "endpoint-address=vpn.isp.example endpoint-port=51820 allowed-address=10.255.0.0/24 "
        'persistent-keepalive=25s comment="netbill server"',
        '/ip/address/add address=10.255.0.2/24 interface=netbill-vpn comment="netbill VPN"',
    ]


def test_server_outside_the_pool_gets_a_route_and_ranges_are_covered(world, vpn_settings):
    vpn_settings.VPN_SERVER_ADDRESS = "172.31.0.1"
    make_vpn_pool(world, ranges="10.255.0.10-10.255.0.13")
    account = vpn.vpn_account_create(actor=world.admin, router=make_router(world))
    assert account.tunnel_address == "10.255.0.10"
    lines = vpn.routeros_commands(account).splitlines()
    assert "allowed-address=10.255.0.10/31,10.255.0.12/31,172.31.0.1/32" in lines[1]
    assert lines[2].startswith("/ip/address/add address=10.255.0.10/31 ")
    assert lines[3] == (
        '/ip/route/add dst-address=172.31.0.1/32 gateway=netbill-vpn comment="netbill VPN server"'
    )


def test_two_routers_never_share_an_address_even_across_isps(world, vpn_settings):
    other = make_world("Gamma Net")
    make_vpn_pool(world)
    make_vpn_pool(other)  # the same range in another ISP: one server, so addresses are shared
    a = vpn.vpn_account_create(actor=world.admin, router=make_router(world, "A"))
    b = vpn.vpn_account_create(actor=world.admin, router=make_router(world, "B", "198.51.100.11"))
    c = vpn.vpn_account_create(actor=other.admin, router=make_router(other, "C", "198.51.100.12"))
    assert [a.tunnel_address, b.tunnel_address, c.tunnel_address] == [
        "10.255.0.2",
        "10.255.0.3",
        "10.255.0.4",
    ]


def test_without_a_vpn_pool_or_when_it_is_full_the_error_says_so(world, vpn_settings):
    router = make_router(world)
    error = errors_of(vpn.vpn_account_create, actor=world.admin, router=router)
    assert error.message_dict == {
        "tunnel_address": [
            "Add an IP pool “used for” VPN tunnels first: tunnel addresses come from it."
        ]
    }
    make_vpn_pool(world, ranges="10.255.9.7")
    vpn.vpn_account_create(actor=world.admin, router=router)
    error = errors_of(
        vpn.vpn_account_create, actor=world.admin, router=make_router(world, "B", "198.51.100.11")
    )
    assert error.message_dict == {
        "tunnel_address": ["The VPN pool Tunnels has no free address: widen it or add another."]
    }
    assert VpnAccount.objects.count() == 1


def test_a_router_has_one_vpn_account(world, vpn_settings):
    make_vpn_pool(world)
    router = make_router(world)
    vpn.vpn_account_create(actor=world.admin, router=router)
    error = errors_of(vpn.vpn_account_create, actor=world.admin, router=router)
    assert error.message_dict == {"router": ["This router already has a VPN account."]}


def test_missing_server_settings_are_named(world, settings):
    settings.VPN_SERVER_PUBLIC_KEY = ""
    settings.VPN_SERVER_ENDPOINT = ""
    make_vpn_pool(world)
    error = errors_of(vpn.vpn_account_create, actor=world.admin, router=make_router(world))
    assert error.messages == [
        "The VPN server is not configured: set VPN_SERVER_PUBLIC_KEY, VPN_SERVER_ENDPOINT in "
        "the server's environment."
    ]
    settings.VPN_SERVER_PUBLIC_KEY = "not-a-key"
    settings.VPN_SERVER_ENDPOINT = "vpn.isp.example:51820"
    error = errors_of(vpn.vpn_account_create, actor=world.admin, router=make_router(world, "B"))
    assert error.messages == ["VPN_SERVER_PUBLIC_KEY is not a WireGuard public key."]
    assert not VpnAccount.objects.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("vpn.example.net:51821", ("vpn.example.net", 51821)),
        ("203.0.113.5", ("203.0.113.5", 51820)),
        ("[2001:db8::1]:443", ("2001:db8::1", 443)),
        ("2001:db8::1", ("2001:db8::1", 51820)),
    ],
)
def test_endpoints_are_parsed(text, expected):
    assert vpn.parse_endpoint(text) == expected


def test_deactivate_and_delete_fall_back_to_the_host(world, vpn_settings):
    make_vpn_pool(world)
    router = make_router(world, host="198.51.100.10")
    account = vpn.vpn_account_create(actor=world.admin, router=router)

    vpn.vpn_account_set_active(actor=world.admin, account=account, is_active=False)
    assert Router.objects.get(pk=router.pk).address == "198.51.100.10"
    assert Nas.objects.get(router=router).nasname == "198.51.100.10"
    # the address stays reserved while the account exists
    other = vpn.vpn_account_create(
        actor=world.admin, router=make_router(world, "B", "198.51.100.11")
    )
    assert other.tunnel_address == "10.255.0.3"

    vpn.vpn_account_set_active(actor=world.admin, account=account, is_active=True)
    assert Nas.objects.get(router=router).nasname == "10.255.0.2"

    vpn.vpn_account_delete(actor=world.admin, account=account)
    assert not VpnAccount.objects.filter(router=router).exists()
    assert Router.objects.get(pk=router.pk).address == "198.51.100.10"
    assert Nas.objects.get(router=router).nasname == "198.51.100.10"
    assert [log.action for log in ActivityLog.objects.filter(object_type="vpnaccount")] == [
        "vpn_account.delete",
        "vpn_account.activate",
        "vpn_account.create",
        "vpn_account.deactivate",
        "vpn_account.create",
    ]


def test_vpn_pool_with_accounts_cannot_be_deleted_or_shrunk_away(world, vpn_settings):
    from netbill.network.services import pool_delete, pool_update

    pool = make_vpn_pool(world)
    vpn.vpn_account_create(actor=world.admin, router=make_router(world))
    error = errors_of(pool_delete, actor=world.admin, pool=pool)
    assert error.message_dict == {"pool": ["Routers' VPN accounts use addresses of this pool."]}
    error = errors_of(pool_update, actor=world.admin, pool=pool, ranges="10.255.1.0/24")
    assert error.message_dict == {
        "ranges": ["10.255.0.2 is the tunnel address of a router's VPN account."]
    }
    pool_update(actor=world.admin, pool=pool, ranges="10.255.0.0/25")


def test_without_manage_routers_or_outside_the_isp_it_is_refused(world, other_world, vpn_settings):
    make_vpn_pool(world)
    router = make_router(world)
    with pytest.raises(PermissionDenied):
        vpn.vpn_account_create(actor=world.noc, router=router)
    world.noc.granted_keys = [*world.noc.granted_keys, "manage-routers"]
    world.noc.save()
    noc = User.objects.get(pk=world.noc.pk)
    account = vpn.vpn_account_create(actor=noc, router=router)
    with pytest.raises(Http404):
        vpn.vpn_account_delete(actor=other_world.admin, account=account)
    assert VpnAccount.objects.filter(pk=account.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_get_different_addresses(vpn_settings):
    world = make_world("Delta Net")
    make_vpn_pool(world)
    routers = [make_router(world, f"R{i}", f"198.51.100.{20 + i}") for i in range(4)]
    results, barrier = [], threading.Barrier(len(routers))

    def create(router):
        try:
            barrier.wait()
            results.append(vpn.vpn_account_create(actor=world.admin, router=router).tunnel_address)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(r,)) for r in routers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["10.255.0.2", "10.255.0.3", "10.255.0.4", "10.255.0.5"]
