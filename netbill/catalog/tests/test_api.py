"""REST API v1: master packages, operator packages, billing and VAT profiles."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from netbill.accounts.models import User
from netbill.catalog.models import BillingProfile, MasterPackage, OperatorPackage, VatProfile
from netbill.core.models import ActivityLog
from netbill.core.testing import db_state

pytestmark = pytest.mark.django_db

PACKAGES = "/api/v1/master-packages/"
OP_PACKAGES = "/api/v1/operator-packages/"
PROFILES = "/api/v1/billing-profiles/"
VAT = "/api/v1/vat-profiles/"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=user.pk))
    return client


def catalog_rows():
    return db_state(
        MasterPackage,
        OperatorPackage,
        BillingProfile,
        VatProfile,
        ActivityLog,
        BillingProfile.resellers.through,
    )


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


# --- master packages


def test_reseller_lists_only_the_packages_assigned_to_it(world):
    MasterPackage.objects.create(
        tenant=world.tenant, name="Biz 50M", price=3000, download_kbps=51200, upload_kbps=51200
    )
    OperatorPackage.objects.filter(operator=world.operator2, master_package=world.package2).update(
        is_active=False
    )

    assert names(api(world.admin).get(PACKAGES)) == ["Biz 50M", "Home 10M", "Home 20M"]
    assert names(api(world.operator2).get(PACKAGES)) == ["Home 10M"]


def test_noc_cannot_read_the_catalog(world):
    for url in (PACKAGES, OP_PACKAGES, PROFILES, VAT):
        assert api(world.noc).get(url).status_code == 403


def test_group_admin_creates_and_edits_a_master_package(world):
    client = api(world.admin)
    response = client.post(
        PACKAGES,
        {"name": "Biz 50M", "download_kbps": 51200, "upload_kbps": 25600, "price": "3000.00"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["speed_label"], body["validity_days"], body["price"]) == ("50M/25M", 30, "3000.00")

    response = client.patch(f"{PACKAGES}{body['id']}/", {"price": "2800.50"})
    assert response.status_code == 200
    assert MasterPackage.objects.get(pk=body["id"]).price == Decimal("2800.50")


def test_operator_without_manage_catalog_gets_403_and_nothing_changed(world):
    before = catalog_rows()
    client = api(world.operator)
    assert (
        client.post(
            PACKAGES, {"name": "X", "download_kbps": 1, "upload_kbps": 1, "price": "1"}
        ).status_code
        == 403
    )
    assert client.patch(f"{PACKAGES}{world.package.pk}/", {"price": "1"}).status_code == 403
    assert client.post(VAT, {"name": "V", "rate": "1"}).status_code == 403
    assert client.post(PROFILES, {"name": "P"}).status_code == 403
    assert (
        client.put(f"{PROFILES}{world.monthly.pk}/resellers/", {"resellers": []}).status_code == 403
    )
    assert catalog_rows() == before


def test_bad_package_payloads_are_400s_naming_the_field(world):
    client = api(world.admin)
    response = client.post(
        PACKAGES, {"name": "Home 10M", "download_kbps": 1024, "upload_kbps": 1024, "price": "10"}
    )
    assert response.status_code == 400
    assert list(response.json()) == ["name"]

    response = client.post(
        PACKAGES, {"name": "Neg", "download_kbps": 0, "upload_kbps": 1024, "price": "-1"}
    )
    assert sorted(response.json()) == ["download_kbps", "price"]

    response = client.post(
        PACKAGES,
        {
            "name": "Fup",
            "download_kbps": 1024,
            "upload_kbps": 1024,
            "price": "10",
            "fup_limit_gb": 100,
        },
    )
    assert response.status_code == 400
    assert "fup_download_kbps" in response.json()


def test_another_tenants_catalog_answers_404(world, other_world):
    client = api(world.admin)
    before = catalog_rows()
    assert client.get(f"{PACKAGES}{other_world.package.pk}/").status_code == 404
    assert client.patch(f"{PACKAGES}{other_world.package.pk}/", {"price": "1"}).status_code == 404
    assert client.patch(f"{VAT}{other_world.vat.pk}/", {"rate": "1"}).status_code == 404
    assert client.patch(f"{PROFILES}{other_world.monthly.pk}/", {"name": "x"}).status_code == 404
    theirs = OperatorPackage.objects.filter(tenant=other_world.tenant).first()
    assert client.patch(f"{OP_PACKAGES}{theirs.pk}/", {"reseller_price": "1"}).status_code == 404
    assert (
        client.post(f"{OP_PACKAGES}{theirs.pk}/price/", {"customer_price": "1"}).status_code == 404
    )
    assert catalog_rows() == before


# --- operator packages


def test_operator_sees_its_own_and_its_sub_operators_assignments(world):
    rows = api(world.operator).get(OP_PACKAGES).json()["results"]
    assert sorted({row["operator"] for row in rows}) == sorted(
        [world.operator.pk, world.sub_operator.pk]
    )
    assert len(rows) == 4


def test_group_admin_assigns_a_package_to_an_operator(world):
    biz = MasterPackage.objects.create(
        tenant=world.tenant, name="Biz 50M", price=3000, download_kbps=51200, upload_kbps=51200
    )
    response = api(world.admin).post(
        OP_PACKAGES,
        {"operator": world.operator.pk, "master_package": biz.pk, "reseller_price": "2500.00"},
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (
        body["operator_name"],
        body["master_package_name"],
        body["reseller_price"],
        body["customer_price"],
    ) == (world.operator.name, "Biz 50M", "2500.00", "3000.00")


def test_assigning_to_another_tenants_operator_is_a_400_naming_operator(world, other_world):
    before = catalog_rows()
    response = api(world.admin).post(
        OP_PACKAGES,
        {
            "operator": other_world.operator.pk,
            "master_package": world.package.pk,
            "reseller_price": "1",
        },
    )
    assert response.status_code == 400
    assert list(response.json()) == ["operator"]
    assert catalog_rows() == before


def test_operator_passes_its_package_on_to_its_sub_operator(world):
    assignment = OperatorPackage.objects.get(
        operator=world.sub_operator, master_package=world.package
    )
    response = api(world.operator).patch(
        f"{OP_PACKAGES}{assignment.pk}/", {"reseller_price": "650.00"}
    )
    assert response.status_code == 200, response.content
    assignment.refresh_from_db()
    assert assignment.reseller_price == Decimal("650.00")


def test_operator_without_edit_package_price_gets_403_and_with_it_sets_the_price(world):
    assignment = OperatorPackage.objects.get(operator=world.operator, master_package=world.package)
    url = f"{OP_PACKAGES}{assignment.pk}/price/"
    before = catalog_rows()
    assert api(world.operator).post(url, {"customer_price": "900.00"}).status_code == 403
    assert catalog_rows() == before

    world.operator.granted_keys = [*world.operator.granted_keys, "edit-package-price"]
    world.operator.save(update_fields=["granted_keys"])
    response = api(world.operator).post(url, {"customer_price": "900.00"})
    assert response.status_code == 200, response.content
    assert response.json()["customer_price"] == "900.00"


# --- billing and VAT profiles


def test_reseller_sees_only_its_profiles_and_only_resellers_in_its_scope(world):
    BillingProfile.objects.create(tenant=world.tenant, name="Admin only")
    rows = api(world.sub_operator).get(PROFILES).json()["results"]
    assert [(r["name"], r["resellers"]) for r in rows] == [
        ("Daily", [world.sub_operator.pk]),
        ("Monthly 1st", [world.sub_operator.pk]),
    ]


def test_group_admin_creates_a_profile_assigned_to_resellers(world):
    response = api(world.admin).post(
        PROFILES,
        {
            "name": "Monthly 10th",
            "billing_type": "monthly",
            "due_day": 10,
            "grace_days": 3,
            "resellers": [world.operator.pk, world.sub_operator.pk],
        },
    )
    assert response.status_code == 201, response.content
    profile = BillingProfile.objects.get(name="Monthly 10th")
    assert (profile.due_day, profile.grace_days) == (10, 3)
    assert sorted(profile.resellers.values_list("pk", flat=True)) == sorted(
        [world.operator.pk, world.sub_operator.pk]
    )
    assert sorted(response.json()["resellers"]) == sorted(
        [world.operator.pk, world.sub_operator.pk]
    )


def test_profile_resellers_of_another_tenant_or_role_are_a_400(world, other_world):
    before = catalog_rows()
    client = api(world.admin)
    response = client.put(
        f"{PROFILES}{world.monthly.pk}/resellers/", {"resellers": [other_world.operator.pk]}
    )
    assert response.status_code == 400
    assert list(response.json()) == ["resellers"]
    response = client.post(PROFILES, {"name": "X", "resellers": [world.noc.pk]})
    assert list(response.json()) == ["resellers"]
    response = client.post(PROFILES, {"name": "Y", "due_day": 32})
    assert list(response.json()) == ["due_day"]
    assert catalog_rows() == before


def test_group_admin_sets_a_profiles_resellers(world):
    response = api(world.admin).put(
        f"{PROFILES}{world.monthly.pk}/resellers/", {"resellers": [world.operator2.pk]}
    )
    assert response.status_code == 200
    assert response.json()["resellers"] == [world.operator2.pk]
    assert list(world.monthly.resellers.values_list("pk", flat=True)) == [world.operator2.pk]


def test_vat_profiles_are_created_and_validated(world):
    client = api(world.admin)
    response = client.post(VAT, {"name": "VAT 7.5", "rate": "7.50"})
    assert response.status_code == 201
    assert VatProfile.objects.get(pk=response.json()["id"]).rate == Decimal("7.50")
    response = client.post(VAT, {"name": "Too much", "rate": "150"})
    assert response.status_code == 400
    assert list(response.json()) == ["rate"]
    assert [r["name"] for r in api(world.operator).get(VAT).json()["results"]] == [
        "VAT 5",
        "VAT 7.5",
    ]
