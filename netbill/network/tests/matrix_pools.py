"""Permission-matrix rows for IP pools and PPPoE profiles (``manage-ip-pools``, the NOC user
with and without the key) and the ping test (``ping-test``, the operator's manager pinging
the operator's customer)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from netbill.core import permissions as P
from netbill.core.matrix import Action
from netbill.core.testing import make_customer
from netbill.network.models import IpPool, PingResult, PppoeProfile
from netbill.network.services import pool_create, profile_create


def setup(ctx):
    world = ctx.world
    pool = pool_create(actor=world.admin, name="Matrix Pool", version=4, ranges="10.77.0.0/24")
    spare = pool_create(actor=world.admin, name="Matrix Spare", version=4, ranges="10.79.0.0/24")
    profile = profile_create(actor=world.admin, name="Matrix Profile", pool_v4=pool)
    pingable = make_customer(
        world, owner=world.operator, username="matrixping", static_ip="127.0.0.2"
    )
    ctx.extra.update(
        {"ip_pool": pool, "spare_pool": spare, "pppoe_profile": profile, "ping_customer": pingable}
    )


def _pool(c):
    return c.extra["ip_pool"]


def _profile(c):
    return c.extra["pppoe_profile"]


def _pool_size(c, size):
    return int(IpPool.objects.get(pk=_pool(c).pk).size) == size


def _pinged(c):
    return PingResult.objects.filter(customer=c.extra["ping_customer"], received__gt=0).exists()


NEW_POOL = {"name": "Matrix New Pool", "version": "4", "ranges": "10.78.0.0/24", "kind": "customer"}
EDIT_POOL = {"name": "Matrix Pool", "version": "4", "ranges": "10.77.0.0/23", "kind": "customer"}


def noc(key, name, surface, method, url, data=lambda c: {}, effect=None):
    return Action(key, name, surface, method, url, data, effect, subject="noc")


ACTIONS = [
    # --- IP pools and PPPoE profiles: the NOC user with and without manage-ip-pools
    noc(P.MANAGE_IP_POOLS, "pool list", "panel", "get", lambda c: reverse("network:pool_list")),
    noc(
        P.MANAGE_IP_POOLS,
        "create pool",
        "panel",
        "post",
        lambda c: reverse("network:pool_create"),
        lambda c: NEW_POOL,
        lambda c: IpPool.objects.filter(name="Matrix New Pool").exists(),
    ),
    noc(
        P.MANAGE_IP_POOLS,
        "edit pool",
        "panel",
        "post",
        lambda c: reverse("network:pool_edit", args=[_pool(c).pk]),
        lambda c: EDIT_POOL,
        lambda c: _pool_size(c, 512),
    ),
    noc(
        P.MANAGE_IP_POOLS,
        "delete pool",
        "panel",
        "post",
        lambda c: reverse("network:pool_delete", args=[c.extra["spare_pool"].pk]),
        effect=lambda c: not IpPool.objects.filter(name="Matrix Spare").exists(),
    ),
    noc(
        P.MANAGE_IP_POOLS,
        "profile list",
        "panel",
        "get",
        lambda c: reverse("network:profile_list"),
    ),
    noc(
        P.MANAGE_IP_POOLS,
        "create profile",
        "panel",
        "post",
        lambda c: reverse("network:profile_create"),
        lambda c: {"name": "Matrix New Profile", "pool_v4": _pool(c).pk, "only_one": "on"},
        lambda c: PppoeProfile.objects.filter(name="Matrix New Profile").exists(),
    ),
    noc(
        P.MANAGE_IP_POOLS,
        "edit profile",
        "panel",
        "post",
        lambda c: reverse("network:profile_edit", args=[_profile(c).pk]),
        lambda c: {"name": "Matrix Profile", "rate_limit": "7M/7M"},
        lambda c: PppoeProfile.objects.get(pk=_profile(c).pk).rate_limit == "7M/7M",
    ),
    noc(
        P.MANAGE_IP_POOLS,
        "delete profile",
        "panel",
        "post",
        lambda c: reverse("network:profile_delete", args=[_profile(c).pk]),
        effect=lambda c: not PppoeProfile.objects.filter(pk=_profile(c).pk).exists(),
    ),
    noc(
        P.MANAGE_IP_POOLS,
        "upload profiles",
        "panel",
        "post",
        lambda c: reverse("network:profile_upload"),
        lambda c: {"file": SimpleUploadedFile("p.csv", b"name,IPv4 pool\nMatrix Up,Matrix Pool\n")},
        lambda c: PppoeProfile.objects.filter(name="Matrix Up", pool_v4=_pool(c)).exists(),
    ),
    noc(P.MANAGE_IP_POOLS, "pool list", "api", "get", lambda c: "/api/v1/ip-pools/"),
    noc(
        P.MANAGE_IP_POOLS,
        "create pool",
        "api",
        "post",
        lambda c: "/api/v1/ip-pools/",
        lambda c: {"name": "Matrix New Pool", "ranges": "10.78.0.0/24"},
        lambda c: IpPool.objects.filter(name="Matrix New Pool").exists(),
    ),
    noc(
        P.MANAGE_IP_POOLS,
        "edit pool",
        "api",
        "patch",
        lambda c: f"/api/v1/ip-pools/{_pool(c).pk}/",
        lambda c: {"ranges": "10.77.0.0/23"},
        lambda c: _pool_size(c, 512),
    ),
    noc(
        P.MANAGE_IP_POOLS,
        "delete pool",
        "api",
        "delete",
        lambda c: f"/api/v1/ip-pools/{c.extra['spare_pool'].pk}/",
        effect=lambda c: not IpPool.objects.filter(name="Matrix Spare").exists(),
    ),
    noc(P.MANAGE_IP_POOLS, "profile list", "api", "get", lambda c: "/api/v1/pppoe-profiles/"),
    noc(
        P.MANAGE_IP_POOLS,
        "create profile",
        "api",
        "post",
        lambda c: "/api/v1/pppoe-profiles/",
        lambda c: {"name": "Matrix New Profile", "pool_v4": _pool(c).pk},
        lambda c: PppoeProfile.objects.filter(name="Matrix New Profile").exists(),
    ),
    noc(
        P.MANAGE_IP_POOLS,
        "edit profile",
        "api",
        "patch",
        lambda c: f"/api/v1/pppoe-profiles/{_profile(c).pk}/",
        lambda c: {"rate_limit": "7M/7M"},
        lambda c: PppoeProfile.objects.get(pk=_profile(c).pk).rate_limit == "7M/7M",
    ),
    noc(
        P.MANAGE_IP_POOLS,
        "delete profile",
        "api",
        "delete",
        lambda c: f"/api/v1/pppoe-profiles/{_profile(c).pk}/",
        effect=lambda c: not PppoeProfile.objects.filter(pk=_profile(c).pk).exists(),
    ),
    # --- ping test: the operator's manager with and without ping-test
    Action(P.PING_TEST, "ping page", "panel", "get", lambda c: reverse("network:ping")),
    Action(
        P.PING_TEST,
        "ping customer button",
        "panel",
        "post",
        lambda c: reverse("network:ping_customer", args=[c.extra["ping_customer"].pk]),
        effect=_pinged,
    ),
    Action(
        P.PING_TEST,
        "ping by username",
        "panel",
        "post",
        lambda c: reverse("network:ping"),
        lambda c: {"customer": "matrixping"},
        _pinged,
    ),
    Action(
        P.PING_TEST,
        "ping",
        "api",
        "post",
        lambda c: "/api/v1/ping/",
        lambda c: {"customer": c.extra["ping_customer"].pk},
        _pinged,
    ),
    Action(P.PING_TEST, "ping results", "api", "get", lambda c: "/api/v1/ping/"),
]
