"""REST API v1: tenants (platform administrators) and the group admin's company settings."""

import pytest
from rest_framework.test import APIClient

from netbill.accounts.models import User
from netbill.core.models import ActivityLog
from netbill.core.testing import db_state, make_platform_admin
from netbill.tenancy.models import Tenant

pytestmark = pytest.mark.django_db

TENANTS = "/api/v1/tenants/"
COMPANY = "/api/v1/company/"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=user.pk))
    return client


def test_platform_admin_lists_and_creates_isps(world, other_world):
    client = api(make_platform_admin())
    assert [row["name"] for row in client.get(TENANTS).json()["results"]] == [
        "Alpha Net",
        "Beta Net",
    ]

    response = client.post(
        TENANTS,
        {
            "name": "Gamma Net",
            "admin_email": "Boss@Gamma.test",
            "admin_name": "Boss",
            "admin_password": "long-enough-pw",
            "currency": "USD",
        },
    )

    assert response.status_code == 201, response.content
    tenant = Tenant.objects.get(pk=response.json()["id"])
    assert (tenant.slug, tenant.currency, tenant.timezone) == ("gamma-net", "USD", "Asia/Dhaka")
    admin = User.objects.get(tenant=tenant)
    assert (admin.email, admin.role) == ("boss@gamma.test", "group_admin")
    assert "admin_password" not in response.json()


def test_group_admin_cannot_list_or_create_isps(world):
    before = db_state(Tenant, User)
    client = api(world.admin)
    assert client.get(TENANTS).status_code == 403
    assert (
        client.post(
            TENANTS,
            {
                "name": "X",
                "admin_email": "x@x.test",
                "admin_name": "X",
                "admin_password": "long-enough-pw",
            },
        ).status_code
        == 403
    )
    assert db_state(Tenant, User) == before


def test_new_isp_with_a_taken_admin_email_is_a_400_and_nothing_created(world):
    platform_admin = make_platform_admin()
    before = db_state(Tenant, User)
    response = api(platform_admin).post(
        TENANTS,
        {
            "name": "Gamma Net",
            "admin_email": world.operator.email,
            "admin_name": "Boss",
            "admin_password": "long-enough-pw",
        },
    )
    assert response.status_code == 400
    assert list(response.json()) == ["admin_email"]
    assert db_state(Tenant, User) == before


def test_new_isp_missing_fields_are_named(db):
    response = api(make_platform_admin()).post(TENANTS, {}, format="json")
    assert response.status_code == 400
    assert sorted(response.json()) == ["admin_email", "admin_name", "admin_password", "name"]


def test_group_admin_reads_and_edits_its_company(world, other_world):
    client = api(world.admin)
    assert client.get(COMPANY).json()["name"] == "Alpha Net"

    response = client.patch(COMPANY, {"address": "Gulshan 2, Dhaka", "invoice_footer": "Thanks"})

    assert response.status_code == 200, response.content
    world.tenant.refresh_from_db()
    other_world.tenant.refresh_from_db()
    assert (world.tenant.address, world.tenant.invoice_footer) == ("Gulshan 2, Dhaka", "Thanks")
    assert other_world.tenant.address == ""
    assert ActivityLog.objects.get(action="tenant.update").after == {
        "address": "Gulshan 2, Dhaka",
        "invoice_footer": "Thanks",
    }


def test_bad_timezone_is_a_400_naming_timezone(world):
    before = db_state(Tenant, ActivityLog)
    response = api(world.admin).patch(COMPANY, {"timezone": "Mars/Olympus"})
    assert response.status_code == 400
    assert list(response.json()) == ["timezone"]
    assert db_state(Tenant, ActivityLog) == before


def test_operator_without_edit_company_gets_403_and_nothing_changed(world):
    before = db_state(Tenant, ActivityLog)
    client = api(world.operator)
    assert client.get(COMPANY).status_code == 403
    assert client.patch(COMPANY, {"name": "Hijacked"}).status_code == 403
    assert db_state(Tenant, ActivityLog) == before
