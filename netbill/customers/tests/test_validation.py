"""Validation, generated over every required field: a missing value, a duplicate username,
a wrong custom-field type, a related object of another tenant — in the panel and the API —
gets an error that names the field, and nothing is created."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from netbill.core.testing import make_customer
from netbill.customers.models import Customer, CustomField

pytestmark = pytest.mark.django_db

REQUIRED = ("customer_type", "name", "mobile", "package", "billing_profile", "username")


def payload(world, **extra):
    data = {
        "customer_type": "pppoe_monthly",
        "name": "Valid Name",
        "mobile": "01711222333",
        "package": world.package.pk,
        "billing_profile": world.monthly.pk,
        "username": "valid1",
    }
    data.update(extra)
    return data


def panel_errors(client, world, data) -> dict[str, str]:
    client.force_login(world.admin)
    response = client.post(reverse("customers:create"), data)
    assert response.status_code in (200, 400)  # the form again, with errors
    return {name: " ".join(errors) for name, errors in response.context["form"].errors.items()}


def api_errors(world, data) -> dict:
    client = APIClient()
    client.force_authenticate(world.admin)
    response = client.post("/api/v1/customers/", data, format="json")
    assert response.status_code == 400, response.content
    return response.json()


@pytest.mark.parametrize("field", REQUIRED)
def test_missing_required_field_is_named_in_panel_and_api(client, world, field):
    data = payload(world)
    del data[field]
    assert field in panel_errors(client, world, data)
    assert field in api_errors(world, data)
    assert Customer.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("mobile", "abc"),
        ("username", "has space"),
        ("email", "not-an-email"),
        ("static_ip", "300.1.1.1"),
        ("customer_type", "dialup"),
        ("custom_price", "-1"),
    ],
)
def test_malformed_value_is_named_in_panel_and_api(client, world, field, value):
    data = payload(world, **{field: value})
    assert field in panel_errors(client, world, data)
    assert field in api_errors(world, data)
    assert Customer.objects.count() == 0


def test_duplicate_username_is_named_in_panel_and_api(client, world):
    make_customer(world, username="taken")
    data = payload(world, username="taken")
    assert "already taken" in panel_errors(client, world, data)["username"]
    assert "already taken" in api_errors(world, data)["username"][0]
    assert Customer.objects.count() == 1


def test_static_ip_customer_without_ip_is_named(client, world):
    data = payload(world, customer_type="static_monthly")
    assert "static_ip" in panel_errors(client, world, data)
    assert "static_ip" in api_errors(world, data)


@pytest.mark.parametrize(
    ("field_type", "bad", "good"),
    [
        ("number", "twelve", "12"),
        ("date", "31/12/2026", "2026-12-31"),
        ("dropdown", "Wifi", "Fiber"),
    ],
)
def test_custom_field_types_are_checked_in_panel_and_api(client, world, field_type, bad, good):
    CustomField.objects.create(
        tenant=world.tenant,
        name="Extra",
        key="extra",
        field_type=field_type,
        choices=["Fiber", "UTP"],
        mandatory=True,
    )
    # panel: the form field cf_extra; API: custom_fields.extra
    panel = panel_errors(client, world, {**payload(world), "cf_extra": bad})
    assert "cf_extra" in panel
    api = api_errors(world, {**payload(world), "custom_fields": {"extra": bad}})
    assert "custom_fields.extra" in api
    missing = api_errors(world, payload(world))
    assert "custom_fields.extra" in missing
    assert Customer.objects.count() == 0
    # and the right value is accepted and stored in its canonical form
    client_api = APIClient()
    client_api.force_authenticate(world.admin)
    ok = client_api.post(
        "/api/v1/customers/", {**payload(world), "custom_fields": {"extra": good}}, format="json"
    )
    assert ok.status_code == 201, ok.content
    assert Customer.objects.get().custom_fields == {"extra": good}


def test_unknown_custom_field_is_named_in_api(world):
    errors = api_errors(world, {**payload(world), "custom_fields": {"nope": "x"}})
    assert "custom_fields.nope" in errors


def test_related_objects_of_another_tenant_are_named(client, world, other_world):
    data = payload(
        world,
        package=other_world.package.pk,
        billing_profile=other_world.monthly.pk,
        zone=other_world.zone.pk,
    )
    errors = api_errors(world, data)
    assert {"package", "billing_profile", "zone"} <= set(errors)
    panel = panel_errors(client, world, data)
    assert {"package", "billing_profile", "zone"} <= set(panel)
    assert Customer.objects.count() == 0


def test_malformed_json_body_is_400(world):
    client = APIClient()
    client.force_authenticate(world.admin)
    response = client.post("/api/v1/customers/", "{not json", content_type="application/json")
    assert response.status_code == 400
