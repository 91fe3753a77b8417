"""API: IP pools, PPPoE profiles, VPN accounts and the ping test."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from netbill.accounts.models import User
from netbill.catalog.services import master_package_update
from netbill.core.testing import make_customer
from netbill.network import services
from netbill.network.models import IpPool, PingResult, PoolKind, PppoeProfile, VpnAccount
from netbill.network.tests.helpers import configure_vpn, make_router, make_vpn_pool
from netbill.radius.models import RadAcct

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=user.pk))
    return client


def grant(user, *keys):
    user.granted_keys = sorted({*user.granted_keys, *keys})
    user.save()
    return User.objects.get(pk=user.pk)


def test_pool_crud_with_size_and_use(world):
    client = api(world.admin)
    response = client.post(
        "/api/v1/ip-pools/", {"name": "Home-A", "ranges": "10.20.0.0/30"}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["version"], body["kind"], body["size"], body["used"], body["ranges"]) == (
        4,
        "customer",
        4,
        0,
        "10.20.0.0/30",
    )
    pool_id = body["id"]
    RadAcct.objects.create(
        tenant_id=world.tenant.pk,
        acctsessionid="s1",
        acctuniqueid="u1",
        username="x",
        nasipaddress="192.0.2.10",
        acctstarttime=timezone.now(),
        framedipaddress="10.20.0.2",
    )
    listing = client.get("/api/v1/ip-pools/").json()
    assert [(p["name"], p["used"], p["is_protected"]) for p in listing["results"]] == [
        ("Home-A", 1, False),
        ("netbill-suspended", 0, True),
    ]
    response = client.patch(
        f"/api/v1/ip-pools/{pool_id}/", {"ranges": "10.20.0.0/29"}, format="json"
    )
    assert (response.status_code, response.json()["size"]) == (200, 8)
    assert client.delete(f"/api/v1/ip-pools/{pool_id}/").status_code == 204
    assert not IpPool.objects.filter(pk=pool_id).exists()


def test_pool_api_errors_name_the_field(world):
    client = api(world.admin)
    response = client.post(
        "/api/v1/ip-pools/", {"name": "Clash", "ranges": "10.254.0.0/24"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"ranges": ["These addresses overlap the pool “netbill-suspended”."]}
    suspended = IpPool.objects.get(tenant=world.tenant, kind=PoolKind.SUSPENDED)
    response = client.patch(f"/api/v1/ip-pools/{suspended.pk}/", {"name": "x"}, format="json")
    assert response.json() == {"name": ["The suspended pool cannot be renamed."]}
    response = client.delete(f"/api/v1/ip-pools/{suspended.pk}/")
    assert (response.status_code, response.json()) == (
        400,
        {"pool": ["The suspended pool cannot be deleted."]},
    )


def test_pool_scope_noc_with_key_operator_without_and_other_tenant(world, other_world):
    assert api(world.noc).get("/api/v1/ip-pools/").status_code == 403
    noc = grant(world.noc, "manage-ip-pools")
    assert api(noc).get("/api/v1/ip-pools/").status_code == 200
    response = api(world.operator).post(
        "/api/v1/ip-pools/", {"name": "X", "ranges": "10.1.0.0/24"}, format="json"
    )
    assert response.status_code == 403
    assert api(world.operator).get("/api/v1/ip-pools/").status_code == 403
    foreign = IpPool.objects.get(tenant=other_world.tenant)
    client = api(world.admin)
    assert client.get(f"/api/v1/ip-pools/{foreign.pk}/").status_code == 404
    assert client.patch(f"/api/v1/ip-pools/{foreign.pk}/", {"ranges": "1.1.1.1"}).status_code == 404
    assert client.delete(f"/api/v1/ip-pools/{foreign.pk}/").status_code == 404
    assert IpPool.objects.filter(pk=foreign.pk).exists()


def test_profile_crud_and_linked_packages(world, other_world):
    pool = services.pool_create(actor=world.admin, name="Home-A", version=4, ranges="10.20.0.0/24")
    foreign = services.pool_create(
        actor=other_world.admin, name="Foreign", version=4, ranges="10.20.0.0/24"
    )
    client = api(world.admin)
    response = client.post(
        "/api/v1/pppoe-profiles/",
        {"name": "Home", "pool_v4": foreign.pk, "rate_limit": "5M/10M"},
        format="json",
    )
    assert response.status_code == 400
    assert "pool_v4" in response.json()
    response = client.post(
        "/api/v1/pppoe-profiles/",
        {"name": "Home", "pool_v4": pool.pk, "rate_limit": "5M/10M", "only_one": False},
        format="json",
    )
    assert response.status_code == 201, response.content
    profile_id = response.json()["id"]
    master_package_update(
        actor=world.admin, package=world.package, pppoe_profile=PppoeProfile.objects.get()
    )
    body = client.get(f"/api/v1/pppoe-profiles/{profile_id}/").json()
    assert (body["pool_v4"], body["only_one"], body["packages"]) == (
        pool.pk,
        False,
        [world.package.pk],
    )
    response = client.patch(
        f"/api/v1/pppoe-profiles/{profile_id}/", {"rate_limit": "10M/20M"}, format="json"
    )
    assert response.json()["rate_limit"] == "10M/20M"
    response = client.delete(f"/api/v1/pppoe-profiles/{profile_id}/")
    assert response.status_code == 400
    assert response.json() == {
        "profile": ["Packages use this profile; move them to another first."]
    }
    assert api(world.operator).get("/api/v1/pppoe-profiles/").status_code == 403


def test_profile_list_query_count_is_flat(world, django_assert_num_queries):
    pool = services.pool_create(actor=world.admin, name="Home-A", version=4, ranges="10.20.0.0/24")
    for i in range(4):
        profile = services.profile_create(actor=world.admin, name=f"P{i}", pool_v4=pool)
    master_package_update(actor=world.admin, package=world.package, pppoe_profile=profile)
    client = api(world.admin)
    with django_assert_num_queries(3):  # count, page with pools, packages
        response = client.get("/api/v1/pppoe-profiles/")
    assert response.json()["count"] == 4


def test_vpn_account_create_detail_list_and_delete(world, settings):
    configure_vpn(settings)
    make_vpn_pool(world)
    router = make_router(world)
    client = api(grant(world.noc, "manage-routers"))

    response = client.post("/api/v1/vpn-accounts/", {"router": router.pk}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["router"], body["tunnel_address"], body["is_active"]) == (
        router.pk,
        "10.255.0.2",
        True,
    )
    assert "AllowedIPs = 10.255.0.2/32" in body["server_peer_config"]
    assert "/interface/wireguard/add name=netbill-vpn" in body["routeros_commands"]
    listing = client.get("/api/v1/vpn-accounts/").json()["results"]
    assert [a["tunnel_address"] for a in listing] == ["10.255.0.2"]
    assert "routeros_commands" not in listing[0]
    response = client.patch(
        f"/api/v1/vpn-accounts/{body['id']}/", {"is_active": False}, format="json"
    )
    assert response.json()["is_active"] is False
    assert client.delete(f"/api/v1/vpn-accounts/{body['id']}/").status_code == 204
    assert not VpnAccount.objects.exists()


def test_vpn_api_errors_scope_and_key(world, other_world, settings):
    configure_vpn(settings)
    router = make_router(world)
    client = api(world.admin)
    response = client.post("/api/v1/vpn-accounts/", {"router": router.pk}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["tunnel_address"]
    foreign = make_router(other_world)
    response = client.post("/api/v1/vpn-accounts/", {"router": foreign.pk}, format="json")
    assert response.status_code == 400
    assert "router" in response.json()
    assert api(world.noc).get("/api/v1/vpn-accounts/").status_code == 403
    assert not VpnAccount.objects.exists()


def test_ping_api_posts_and_answers_with_the_result(world):
    customer = make_customer(world, owner=world.operator, static_ip="127.0.0.9")
    client = api(world.operator)
    response = client.post("/api/v1/ping/", {"customer": customer.pk}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["target"], body["customer"], body["sent"]) == ("127.0.0.9", customer.pk, 4)
    assert body["received"] == 4
    assert body["rtt_avg_ms"] is not None
    assert client.get(f"/api/v1/ping/{body['id']}/").json()["id"] == body["id"]
    assert [r["id"] for r in client.get("/api/v1/ping/").json()["results"]] == [body["id"]]


def test_ping_api_validation_and_scope(world):
    theirs = make_customer(world, owner=world.operator2, static_ip="127.0.0.10")
    client = api(world.operator)
    response = client.post("/api/v1/ping/", {"address": "127.0.0.1; reboot"}, format="json")
    assert (response.status_code, list(response.json())) == (400, ["address"])
    response = client.post("/api/v1/ping/", {}, format="json")
    assert response.json() == {
        "non_field_errors": ["Give one address, one customer or one router to ping."]
    }
    response = client.post("/api/v1/ping/", {"customer": theirs.pk}, format="json")
    assert (response.status_code, list(response.json())) == (400, ["customer"])
    response = client.post("/api/v1/ping/", {"address": "127.0.0.10"}, format="json")
    assert response.json() == {
        "address": ["You can ping only the addresses of your own customers."]
    }
    router = make_router(world, host="127.0.0.1")
    response = client.post("/api/v1/ping/", {"router": router.pk}, format="json")
    assert response.status_code == 403
    assert not PingResult.objects.exists()
