"""Packages take a PPPoE profile and a FUP pool; customers take MAC binding, simultaneous
sessions and a static IP outside every pool — in the panel and the API."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from netbill.catalog.models import MasterPackage
from netbill.core.testing import make_customer
from netbill.customers.models import Customer
from netbill.network import services
from netbill.radius.models import RadCheck

pytestmark = pytest.mark.django_db


@pytest.fixture
def network(world):
    pool = services.pool_create(actor=world.admin, name="Home-A", version=4, ranges="10.20.0.0/24")
    fup = services.pool_create(actor=world.admin, name="Fup-A", version=4, ranges="10.21.0.0/24")
    v6 = services.pool_create(actor=world.admin, name="Home-6", version=6, ranges="2001:db8::/48")
    profile = services.profile_create(actor=world.admin, name="Home", pool_v4=pool, pool_v6=v6)
    return {"pool": pool, "fup": fup, "v6": v6, "profile": profile}


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def package_payload(**extra):
    data = {
        "name": "Fiber 30M",
        "download_kbps": 30720,
        "upload_kbps": 30720,
        "price": "1500.00",
        "validity_days": 30,
    }
    data.update(extra)
    return data


def test_package_gets_profile_and_fup_pool_in_the_panel(client, world, network):
    client.force_login(world.admin)
    response = client.post(
        reverse("catalog:package_create"),
        package_payload(pppoe_profile=network["profile"].pk, fup_pool=network["fup"].pk),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    package = MasterPackage.objects.get(name="Fiber 30M")
    assert (package.pppoe_profile, package.fup_pool) == (network["profile"], network["fup"])
    page = client.get(reverse("catalog:package_detail", args=[package.pk])).content.decode()
    assert 'data-testid="package-profile">Home<' in page
    # the edit form offers the ISP's profiles and only its IPv4 customer pools for FUP
    form = client.get(reverse("catalog:package_edit", args=[package.pk])).context["form"]
    assert list(form.fields["pppoe_profile"].queryset) == [network["profile"]]
    assert list(form.fields["fup_pool"].queryset) == [network["fup"], network["pool"]]


def test_package_refuses_another_isps_profile_and_a_non_customer_fup_pool(
    client, world, other_world, network
):
    foreign = services.profile_create(actor=other_world.admin, name="Foreign")
    client.force_login(world.admin)
    response = client.post(
        reverse("catalog:package_create"),
        package_payload(pppoe_profile=foreign.pk, fup_pool=network["v6"].pk),
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"pppoe_profile", "fup_pool"}
    response = api(world.admin).post(
        "/api/v1/master-packages/",
        package_payload(pppoe_profile=foreign.pk, fup_pool=network["v6"].pk),
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"pppoe_profile", "fup_pool"}
    assert not MasterPackage.objects.filter(name="Fiber 30M").exists()


def test_package_api_sets_and_shows_profile_and_fup_pool(world, network):
    client = api(world.admin)
    response = client.post(
        "/api/v1/master-packages/",
        package_payload(pppoe_profile=network["profile"].pk, fup_pool=network["fup"].pk),
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["pppoe_profile"], body["fup_pool"]) == (network["profile"].pk, network["fup"].pk)
    response = client.patch(
        f"/api/v1/master-packages/{body['id']}/", {"pppoe_profile": None}, format="json"
    )
    assert response.json()["pppoe_profile"] is None


def test_fup_pool_must_be_an_ipv4_customer_pool_in_the_service(world, network):
    from django.core.exceptions import ValidationError

    from netbill.catalog.services import master_package_update

    with pytest.raises(ValidationError) as exc:
        master_package_update(actor=world.admin, package=world.package, fup_pool=network["v6"])
    assert exc.value.message_dict == {"fup_pool": ["Choose an IPv4 pool for customers."]}


def customer_payload(world, **extra):
    data = {
        "customer_type": "pppoe_monthly",
        "name": "Wired Customer",
        "mobile": "01711222333",
        "package": world.package.pk,
        "billing_profile": world.monthly.pk,
        "username": "wired1",
    }
    data.update(extra)
    return data


def test_customer_gets_mac_binding_and_simultaneous_use_in_the_panel(client, world):
    client.force_login(world.admin)
    response = client.post(
        reverse("customers:create"),
        customer_payload(
            world, mac_address="aa-bb-cc-dd-ee-01", mac_binding="on", simultaneous_use="2"
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    customer = Customer.objects.get(username="wired1")
    assert (customer.mac_binding, customer.simultaneous_use) == (True, 2)
    rows = set(RadCheck.objects.filter(customer=customer).values_list("attribute", "value"))
    assert {("Simultaneous-Use", "2"), ("Calling-Station-Id", "AA:BB:CC:DD:EE:01")} <= rows
    # the edit form shows them and can switch the binding off
    response = client.get(reverse("customers:edit", args=[customer.pk]))
    assert response.context["form"].initial["mac_binding"] is True
    response = client.post(
        reverse("customers:edit", args=[customer.pk]),
        {
            "name": customer.name,
            "mobile": customer.mobile,
            "billing_profile": world.monthly.pk,
            "mac_address": "aa-bb-cc-dd-ee-01",
            "simultaneous_use": "1",
        },
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.mac_binding, customer.simultaneous_use) == (False, 1)
    assert not RadCheck.objects.filter(customer=customer, attribute="Calling-Station-Id").exists()


def test_customer_api_takes_mac_binding_and_simultaneous_use(world):
    client = api(world.admin)
    response = client.post(
        "/api/v1/customers/",
        customer_payload(world, mac_address="AABBCCDDEE02", mac_binding=True, simultaneous_use=3),
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["mac_binding"], body["simultaneous_use"]) == (True, 3)
    response = client.patch(
        f"/api/v1/customers/{body['id']}/", {"simultaneous_use": 0}, format="json"
    )
    assert response.status_code == 400
    assert "simultaneous_use" in response.json()


def test_mac_binding_needs_a_valid_mac_address(client, world):
    client.force_login(world.admin)
    response = client.post(reverse("customers:create"), customer_payload(world, mac_binding="on"))
    assert response.context["form"].errors["mac_address"] == [
        "Give the MAC address to bind the login to."
    ]
    response = api(world.admin).post(
        "/api/v1/customers/",
        customer_payload(world, mac_binding=True, mac_address="12:34"),
        format="json",
    )
    assert response.json()["mac_address"] == [
        "12:34 is not a MAC address (like AA:BB:CC:DD:EE:FF)."
    ]
    assert not Customer.objects.exists()


def test_static_ip_inside_a_pool_is_refused_on_static_ip(client, world, network):
    message = (
        "10.20.0.50 is inside the IP pool “Home-A”: a static IP must be outside every pool, "
        "or the router could give it to someone else."
    )
    data = customer_payload(world, customer_type="static_monthly", static_ip="10.20.0.50")
    client.force_login(world.admin)
    response = client.post(reverse("customers:create"), data)
    assert response.context["form"].errors["static_ip"] == [message]
    response = api(world.admin).post("/api/v1/customers/", data, format="json")
    assert response.json() == {"static_ip": [message]}
    # the suspended pool counts too
    data["static_ip"] = "10.254.1.1"
    response = api(world.admin).post("/api/v1/customers/", data, format="json")
    assert "netbill-suspended" in response.json()["static_ip"][0]
    assert not Customer.objects.exists()
    # outside every pool it is accepted
    data["static_ip"] = "10.22.0.50"
    assert api(world.admin).post("/api/v1/customers/", data, format="json").status_code == 201


def test_static_ip_of_another_customer_is_refused_on_static_ip(world):
    make_customer(world, username="first", customer_type="static_monthly", static_ip="10.22.0.9")
    data = customer_payload(world, customer_type="static_monthly", static_ip="10.22.0.9")
    response = api(world.admin).post("/api/v1/customers/", data, format="json")
    assert response.json() == {"static_ip": ["10.22.0.9 is already assigned to another customer."]}
    assert Customer.objects.count() == 1


def test_editing_a_customer_into_a_pool_address_is_refused(world, network):
    customer = make_customer(world, username="mover")
    response = api(world.admin).patch(
        f"/api/v1/customers/{customer.pk}/", {"static_ip": "10.20.0.9"}, format="json"
    )
    assert response.status_code == 400
    assert "Home-A" in response.json()["static_ip"][0]
    customer.refresh_from_db()
    assert customer.static_ip is None
