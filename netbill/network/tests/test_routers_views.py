"""Router pages and API as users meet them: the NOC's routers without money, the forms,
Test Connection, live status, import and push — against the fake router."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from netbill.core import permissions as P
from netbill.core.testing import make_world
from netbill.customers.models import Customer
from netbill.network.models import Router
from netbill.network.tests.routers_fixtures import (  # noqa: F401 (fixtures)
    API_PASSWORD,
    API_USER,
    RADIUS_SECRET,
    fixture_fake_router,
    fixture_router,
    make_router,
)
from netbill.radius.models import Nas

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def _grant(user, *keys):
    from netbill.accounts.models import User

    user.granted_keys = sorted({*user.granted_keys, *keys})
    user.save()
    return User.objects.get(pk=user.pk)


# --- who sees what -----------------------------------------------------------------------------


def test_noc_sees_routers_and_their_status_but_no_money(client, world, router, fake_router):
    _login(client, world.noc)
    body = client.get(reverse("core:dashboard")).content.decode()
    assert 'data-menu="network:routers"' in body
    assert 'data-menu="payments:payments"' not in body
    page = client.get(reverse("network:routers"))
    assert page.status_code == 200
    assert "Core" in page.content.decode()
    assert 'data-router-status="unknown"' in page.content.decode()
    # a NOC user holds view-routers, not manage-routers: no add button, no edit page
    assert 'data-testid="router-create"' not in page.content.decode()
    assert client.get(reverse("network:router_create")).status_code == 403
    for money in ("payments:payments", "billing:bills", "reports:index"):
        assert client.get(reverse(money)).status_code == 403, money
    assert _api(world.noc).get("/api/v1/payments/").status_code == 403


def test_noc_granted_manage_routers_adds_a_router(client, world, fake_router):
    noc = _grant(world.noc, P.MANAGE_ROUTERS)
    _login(client, noc)
    response = client.post(
        reverse("network:router_create"),
        {
            "name": "Edge",
            "host": "127.0.0.1",
            "api_port": fake_router.port,
            "api_username": API_USER,
            "api_password": API_PASSWORD,
            "radius_secret": RADIUS_SECRET,
            "coa_port": 3799,
            "is_active": "on",
        },
    )
    router = Router.objects.get(name="Edge")
    assert response.status_code == 302
    assert response.url == reverse("network:router_detail", args=[router.pk])
    assert Nas.objects.get(router=router).nasname == "127.0.0.1"


def test_an_operator_without_the_keys_gets_403(client, world, router):
    _login(client, world.operator)
    assert client.get(reverse("network:routers")).status_code == 403
    assert client.get(reverse("network:router_detail", args=[router.pk])).status_code == 403
    assert client.post(reverse("network:router_test", args=[router.pk])).status_code == 403
    api = _api(world.operator)
    assert api.get("/api/v1/routers/").status_code == 403
    assert api.post(f"/api/v1/routers/{router.pk}/test/").status_code == 403


def test_another_isps_router_is_404(client, world, router):
    other = make_world("Beta Net")
    _login(client, other.admin)
    for name in ("router_detail", "router_edit", "router_log", "router_import", "router_delete"):
        assert client.get(reverse(f"network:{name}", args=[router.pk])).status_code == 404
    for name in ("router_test", "router_push", "router_delete"):
        assert client.post(reverse(f"network:{name}", args=[router.pk])).status_code == 404
    api = _api(other.admin)
    for suffix in ("", "status/", "log/", "ppp-secrets/"):
        assert api.get(f"/api/v1/routers/{router.pk}/{suffix}").status_code == 404
    assert api.post(f"/api/v1/routers/{router.pk}/push/").status_code == 404
    assert api.delete(f"/api/v1/routers/{router.pk}/").status_code == 404
    assert api.get("/api/v1/routers/").json()["results"] == []
    assert Router.objects.filter(pk=router.pk).exists()


# --- the form ----------------------------------------------------------------------------------


def test_the_form_names_the_bad_fields(client, world):
    _login(client, world.admin)
    make_router(world, None, name="Core", host="103.15.20.1")
    response = client.post(
        reverse("network:router_create"),
        {
            "name": "Edge",
            "host": "103.15.20.1",
            "api_port": 8728,
            "api_username": "x",
            "coa_port": 3799,
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-error-for="api_password"' in body
    assert 'data-error-for="radius_secret"' in body
    response = client.post(
        reverse("network:router_create"),
        {
            "name": "Edge",
            "host": "103.15.20.1",
            "api_port": 8728,
            "api_username": "x",
            "api_password": "p",
            "radius_secret": "s",
            "coa_port": 3799,
        },
    )
    assert response.status_code == 400
    assert "The router “Core” already has this address." in response.content.decode()
    assert Router.objects.count() == 1


def test_edit_never_shows_the_secrets_and_keeps_them_when_blank(client, world, router):
    _login(client, world.admin)
    page = client.get(reverse("network:router_edit", args=[router.pk])).content.decode()
    assert API_PASSWORD not in page
    assert RADIUS_SECRET not in page
    assert "••••••" + RADIUS_SECRET[-2:] in page
    response = client.post(
        reverse("network:router_edit", args=[router.pk]),
        {
            "name": "Core 2",
            "host": "127.0.0.1",
            "api_port": router.api_port,
            "api_username": API_USER,
            "api_password": "",
            "radius_secret": "",
            "coa_port": 1700,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    router.refresh_from_db()
    assert (router.name, router.coa_port, router.api_password, router.radius_secret) == (
        "Core 2",
        1700,
        API_PASSWORD,
        RADIUS_SECRET,
    )


def test_test_connection_from_the_form_saves_nothing(client, world, fake_router):
    _login(client, world.admin)
    data = {
        "name": "Try",
        "host": "127.0.0.1",
        "api_port": fake_router.port,
        "api_username": API_USER,
        "api_password": API_PASSWORD,
        "coa_port": 3799,
        "test": "1",
    }
    body = client.post(reverse("network:router_create"), data).content.decode()
    assert "Connected to MikroTik (RouterOS 7.16 (stable), CCR2004-1G-12S+2XS)." in body
    assert API_PASSWORD not in body
    data["api_password"] = "wrong"
    body = client.post(reverse("network:router_create"), data).content.decode()
    assert "The router refused the API user name or password" in body
    assert not Router.objects.exists()


# --- Test Connection and live status -----------------------------------------------------------


def test_test_connection_button_shows_the_outcome(client, world, router, fake_router):
    _login(client, world.noc)
    response = client.post(
        reverse("network:router_test", args=[router.pk]), {"next": "list"}, follow=True
    )
    body = response.content.decode()
    assert "Connected to MikroTik (RouterOS 7.16 (stable), CCR2004-1G-12S+2XS)." in body
    assert 'data-router-status="online"' in body
    fake_router.password = "rotated"
    body = client.post(
        reverse("network:router_test", args=[router.pk]), {"next": "list"}, follow=True
    ).content.decode()
    assert 'data-router-status="error"' in body
    assert "The router refused the API user name or password" in body


def test_router_page_shows_live_status_interfaces_and_log(client, world, router, fake_router):
    fake_router.add_item("/ppp/active", name="u1", address="10.0.0.2", service="pppoe")
    fake_router.set_resource(cpu_load=42)
    _login(client, world.noc)
    body = client.get(reverse("network:router_detail", args=[router.pk])).content.decode()
    assert '<dd class="col-sm-8" data-live="cpu">42%</dd>' in body
    assert '<dd class="col-sm-8" data-live="sessions">1</dd>' in body
    assert '<dd class="col-sm-8" data-live="uptime">1w2d3h4m5s</dd>' in body
    assert 'data-interface="ether1"' in body
    assert 'data-rx="123456789012"' in body
    assert "router rebooted" in body
    # NOC cannot manage: no push/import/edit buttons
    assert 'data-action="push"' not in body
    assert 'data-action="edit"' not in body


def test_an_unreachable_router_page_says_what_to_do(client, world):
    router = make_router(world, None)
    _login(client, world.admin)
    response = client.get(reverse("network:router_detail", args=[router.pk]))
    assert response.status_code == 200
    assert "On the router run /ip service enable api" in response.content.decode()


# --- import and push through the panel ---------------------------------------------------------


def test_import_page_previews_maps_and_imports(client, world, router, fake_router):
    fake_router.add_item("/ppp/profile", name="home")
    fake_router.add_item(
        "/ppp/secret", name="rahim", password="r1", profile="home", comment="Rahim 01711000001"
    )
    fake_router.add_item("/ppp/secret", name="nophone", password="n1", profile="home")
    _login(client, world.admin)
    url = reverse("network:router_import", args=[router.pk])
    body = client.get(url).content.decode()
    assert 'data-secret="rahim" data-state="new"' in body
    assert 'name="map:home"' in body
    form = {
        "map:home": world.package.pk,
        "customer_type": "pppoe_monthly",
        "billing_profile": world.monthly.pk,
    }
    body = client.post(url, form).content.decode()
    assert "1 customers created, 0 skipped, 1 failed." in body
    assert 'data-username="nophone"' in body
    assert Customer.objects.get(username="rahim").password == "r1"
    # once more: nothing twice
    body = client.post(url, form).content.decode()
    assert "0 customers created, 1 skipped, 1 failed." in body
    assert Customer.objects.filter(username="rahim").count() == 1


def test_import_without_a_mapping_names_the_problem(client, world, router, fake_router):
    fake_router.add_item("/ppp/secret", name="rahim", password="r1", comment="R 01711000001")
    _login(client, world.admin)
    response = client.post(
        reverse("network:router_import", args=[router.pk]),
        {"map:default": "", "customer_type": "pppoe_monthly", "billing_profile": ""},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-error-for="billing_profile"' in body
    assert not Customer.objects.exists()


def test_push_page_reports_what_changed(client, world, router, fake_router):
    _login(client, world.admin)
    body = client.post(reverse("network:router_push", args=[router.pk])).content.decode()
    assert 'data-push="pool:netbill-suspended" data-action="added"' in body
    assert fake_router.find("/ip/pool", "netbill-suspended")["ranges"] == (
        "10.254.0.0-10.254.3.255"
    )


# --- API ---------------------------------------------------------------------------------------


def test_api_crud_masks_the_secrets(world, fake_router):
    api = _api(world.admin)
    response = api.post(
        "/api/v1/routers/",
        {
            "name": "Core",
            "host": "127.0.0.1",
            "api_port": fake_router.port,
            "api_username": API_USER,
            "api_password": API_PASSWORD,
            "radius_secret": RADIUS_SECRET,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["api_password"], data["radius_secret"]) == ("••••••23", "••••••77")
    assert API_PASSWORD not in response.content.decode()
    pk = data["id"]
    response = api.patch(f"/api/v1/routers/{pk}/", {"host": "bad"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["host"]
    assert api.delete(f"/api/v1/routers/{pk}/").status_code == 204
    assert not Nas.objects.exists()


def test_api_test_and_status(world, router, fake_router):
    fake_router.add_item("/ppp/active", name="u1", address="10.0.0.2")
    api = _api(world.noc)
    result = api.post(f"/api/v1/routers/{router.pk}/test/").json()
    assert (result["ok"], result["version"], result["identity"]) == (
        True,
        "7.16 (stable)",
        "MikroTik",
    )
    status = api.get(f"/api/v1/routers/{router.pk}/status/").json()
    assert (status["cpu_load"], status["active_sessions"], status["memory_percent"]) == (7, 1, 25)
    assert status["version"] == "7.16 (stable)"
    assert [i["name"] for i in status["interfaces"]] == ["ether1", "ether2", "bridge-pppoe"]
    assert status["pool_usage_source"] == "router"


def test_api_status_of_an_unreachable_router_is_502_with_the_message(world):
    router = make_router(world, None)
    response = _api(world.admin).get(f"/api/v1/routers/{router.pk}/status/")
    assert response.status_code == 502
    assert response.json()["code"] == "refused"
    assert "/ip service enable api" in response.json()["detail"]


def test_api_import_and_push(world, router, fake_router):
    fake_router.add_item("/ppp/secret", name="rahim", password="r1", comment="R 01711000001")
    api = _api(world.admin)
    preview = api.get(f"/api/v1/routers/{router.pk}/ppp-secrets/").json()
    assert preview["profiles"] == {"default": 1}
    assert "password" not in preview["secrets"][0]
    result = api.post(
        f"/api/v1/routers/{router.pk}/import-secrets/",
        {
            "package_map": [{"profile": "default", "package": world.package.pk}],
            "billing_profile": world.monthly.pk,
        },
        format="json",
    ).json()
    assert result == {
        "created": [{"username": "rahim", "customer": Customer.objects.get(username="rahim").pk}],
        "skipped": [],
        "failed": [],
    }
    pushed = api.post(f"/api/v1/routers/{router.pk}/push/").json()
    assert pushed == [
        {
            "kind": "pool",
            "name": "netbill-suspended",
            "action": "added",
            "fields": {"ranges": ["", "10.254.0.0-10.254.3.255"]},
            "error": "",
        }
    ]


def test_router_lists_cost_the_same_queries_for_one_or_many_routers(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(url, api=False):
        with CaptureQueriesContext(connection) as queries:
            response = _api(world.admin).get(url) if api else client.get(url)
            assert response.status_code == 200
        return len(queries)

    _login(client, world.admin)
    make_router(world, None, name="R0", host="103.15.20.100")
    one = (count(reverse("network:routers")), count("/api/v1/routers/", api=True))
    for n in range(1, 6):
        make_router(world, None, name=f"R{n}", host=f"103.15.20.{n}")
    many = (count(reverse("network:routers")), count("/api/v1/routers/", api=True))
    assert many == one
