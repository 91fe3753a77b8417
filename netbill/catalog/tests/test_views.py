"""The catalog panel through the Django test client: the group admin's master packages,
assignments, billing and VAT profiles; the resellers' own packages and prices."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from netbill.catalog.models import BillingProfile, MasterPackage, OperatorPackage, VatProfile
from netbill.core.choices import Role
from netbill.core.models import ActivityLog
from netbill.core.permissions import EDIT_PACKAGE_PRICE, ROLE_DEFAULTS
from netbill.core.testing import db_state, make_customer, make_user

pytestmark = pytest.mark.django_db

CATALOG = (
    MasterPackage,
    OperatorPackage,
    BillingProfile,
    VatProfile,
    BillingProfile.resellers.through,
    ActivityLog,
)

PACKAGE_POST = {
    "name": "Office 50M",
    "download_kbps": "51200",
    "upload_kbps": "25600",
    "price": "2500.50",
    "validity_days": "30",
    "fup_limit_gb": "500",
    "fup_download_kbps": "5120",
    "fup_upload_kbps": "2048",
    "is_active": "on",
}


def _login(client, user):
    client.force_login(user)
    return client


def _names(response, testid):
    """The texts of the cells marked ``data-testid=testid`` (names listed on a page)."""
    import re

    html = response.content.decode()
    return sorted(re.findall(rf'data-testid="{testid}">([^<]*)<', html))


# --- master packages -------------------------------------------------------------------------


def test_group_admin_creates_master_package_with_exact_values(client, world):
    _login(client, world.admin)

    response = client.post(reverse("catalog:package_create"), PACKAGE_POST)

    package = MasterPackage.objects.get(tenant=world.tenant, name="Office 50M")
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:package_detail", args=[package.pk])
    assert (package.download_kbps, package.upload_kbps) == (51200, 25600)
    assert package.price == Decimal("2500.50")
    assert package.validity_days == 30
    assert (package.fup_limit_gb, package.fup_download_kbps, package.fup_upload_kbps) == (
        500,
        5120,
        2048,
    )
    assert package.is_active is True
    assert package.speed_label == "50M/25M"
    log = ActivityLog.objects.get(action="master_package.create", object_id=str(package.pk))
    assert log.actor == world.admin
    assert log.after["price"] == "2500.50"


def test_group_admin_edits_master_package_with_exact_values(client, world):
    _login(client, world.admin)
    url = reverse("catalog:package_edit", args=[world.package.pk])
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        {
            "name": "Home 12M",
            "download_kbps": "12288",
            "upload_kbps": "6144",
            "price": "850.25",
            "validity_days": "31",
            "fup_limit_gb": "",
            "fup_download_kbps": "",
            "fup_upload_kbps": "",
        },
    )

    assert response.status_code == 302
    world.package.refresh_from_db()
    assert world.package.name == "Home 12M"
    assert (world.package.download_kbps, world.package.upload_kbps) == (12288, 6144)
    assert world.package.price == Decimal("850.25")
    assert world.package.validity_days == 31
    assert world.package.fup_limit_gb is None
    assert world.package.is_active is False  # the checkbox was left unticked
    log = ActivityLog.objects.get(action="master_package.update", object_id=str(world.package.pk))
    assert log.before["price"] == "800.00"
    assert log.after["price"] == "850.25"


def test_duplicate_package_name_is_a_form_error_under_name(client, world):
    _login(client, world.admin)
    before = db_state(*CATALOG)

    response = client.post(reverse("catalog:package_create"), dict(PACKAGE_POST, name="Home 20M"))

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["name"]
    assert errors["name"] == ["A master package named “Home 20M” already exists."]
    assert 'data-error-for="name"' in response.content.decode()
    assert db_state(*CATALOG) == before


def test_renaming_a_package_to_a_taken_name_is_a_form_error(client, world):
    _login(client, world.admin)
    before = db_state(*CATALOG)

    response = client.post(
        reverse("catalog:package_edit", args=[world.package.pk]),
        dict(PACKAGE_POST, name="Home 20M"),
    )

    assert response.status_code == 400
    assert response.context["form"].errors["name"] == [
        "A master package named “Home 20M” already exists."
    ]
    assert db_state(*CATALOG) == before


def test_same_package_name_in_another_tenant_is_allowed(client, world, other_world):
    _login(client, world.admin)
    assert other_world.package.name == world.package.name == "Home 10M"

    response = client.post(reverse("catalog:package_create"), dict(PACKAGE_POST, name="Shared"))
    MasterPackage.objects.create(
        tenant=other_world.tenant,
        name="Shared 2",
        download_kbps=1,
        upload_kbps=1,
        price=Decimal("1"),
    )
    response2 = client.post(reverse("catalog:package_create"), dict(PACKAGE_POST, name="Shared 2"))

    assert (response.status_code, response2.status_code) == (302, 302)
    assert MasterPackage.objects.filter(name="Shared 2").count() == 2


def test_fup_limit_without_fup_speeds_is_an_error_naming_the_fields(client, world):
    _login(client, world.admin)
    before = db_state(*CATALOG)

    response = client.post(
        reverse("catalog:package_create"),
        dict(PACKAGE_POST, fup_download_kbps="", fup_upload_kbps=""),
    )

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["fup_download_kbps"] == [
        "Give the FUP download speed for a package with a FUP limit."
    ]
    assert errors["fup_upload_kbps"] == [
        "Give the FUP upload speed for a package with a FUP limit."
    ]
    assert db_state(*CATALOG) == before


def test_missing_fields_and_zero_speed_are_form_errors(client, world):
    _login(client, world.admin)
    before = db_state(*CATALOG)

    response = client.post(
        reverse("catalog:package_create"),
        dict(PACKAGE_POST, name="", download_kbps="0", price="-1"),
    )

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"name", "download_kbps", "price"}
    assert db_state(*CATALOG) == before


def test_package_list_shows_speed_and_reseller_and_customer_counts(client, world):
    # given: Home 10M with three active assignments, one withdrawn, and two customers
    OperatorPackage.objects.filter(operator=world.operator2, master_package=world.package2).update(
        is_active=False
    )
    make_customer(world, package=world.package)
    make_customer(world, package=world.package, owner=world.sub_operator)
    _login(client, world.admin)

    response = client.get(reverse("catalog:packages"))

    assert response.status_code == 200
    rows = {p.name: p for p in response.context["object_list"]}
    assert sorted(rows) == ["Home 10M", "Home 20M"]
    assert (rows["Home 10M"].reseller_count, rows["Home 10M"].customer_count) == (3, 2)
    assert (rows["Home 20M"].reseller_count, rows["Home 20M"].customer_count) == (2, 0)
    assert "10M/10M" in response.content.decode()


def test_package_list_query_count_does_not_grow_with_rows(client, world):
    _login(client, world.admin)
    url = reverse("catalog:packages")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(5):
        package = MasterPackage.objects.create(
            tenant=world.tenant,
            name=f"Extra {i}",
            download_kbps=1024,
            upload_kbps=1024,
            price=Decimal("100"),
        )
        OperatorPackage.objects.create(
            tenant=world.tenant,
            operator=world.operator,
            master_package=package,
            reseller_price=Decimal("50"),
            customer_price=Decimal("100"),
        )
        make_customer(world, package=package)

    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    assert len(response.context["object_list"]) == 7
    assert len(many) == len(few)


# --- assigning packages to resellers ---------------------------------------------------------


def test_group_admin_assigns_package_to_reseller_from_package_page(client, world):
    new = MasterPackage.objects.create(
        tenant=world.tenant,
        name="Gamer 40M",
        download_kbps=40960,
        upload_kbps=20480,
        price=Decimal("2000.00"),
    )
    _login(client, world.admin)
    url = reverse("catalog:package_detail", args=[new.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert set(page.context["form"].fields["operator"].queryset) == {
        world.operator,
        world.operator2,
        world.sub_operator,
    }

    response = client.post(
        url,
        {"operator": world.operator2.pk, "reseller_price": "1500.00", "customer_price": "2100.00"},
    )

    assert response.status_code == 302
    assigned = OperatorPackage.objects.get(master_package=new)
    assert assigned.operator == world.operator2
    assert (assigned.reseller_price, assigned.customer_price) == (
        Decimal("1500.00"),
        Decimal("2100.00"),
    )
    assert assigned.is_active is True


def test_assigning_again_updates_prices_in_place(client, world):
    _login(client, world.admin)
    url = reverse("catalog:package_detail", args=[world.package.pk])

    response = client.post(
        url, {"operator": world.operator.pk, "reseller_price": "650", "customer_price": ""}
    )

    assert response.status_code == 302
    rows = OperatorPackage.objects.filter(operator=world.operator, master_package=world.package)
    assert rows.count() == 1
    assert (rows[0].reseller_price, rows[0].customer_price) == (
        Decimal("650.00"),
        Decimal("800.00"),
    )


def test_group_admin_cannot_assign_to_manager_or_noc(client, world):
    _login(client, world.admin)
    before = db_state(*CATALOG)

    for account in (world.op_manager, world.noc, world.admin):
        response = client.post(
            reverse("catalog:package_detail", args=[world.package.pk]),
            {"operator": account.pk, "reseller_price": "1"},
        )
        assert response.status_code == 400
        assert "operator" in response.context["form"].errors

    assert db_state(*CATALOG) == before


def test_group_admin_deactivates_and_reactivates_an_assignment(client, world):
    assignment = OperatorPackage.objects.get(operator=world.operator2, master_package=world.package)
    _login(client, world.admin)
    url = reverse("catalog:operator_package_toggle", args=[assignment.pk])

    response = client.post(url)

    assert response["Location"] == reverse("catalog:package_detail", args=[world.package.pk])
    assignment.refresh_from_db()
    assert assignment.is_active is False
    assert world.package not in MasterPackage.objects.visible_to(world.operator2)
    client.post(url)
    assignment.refresh_from_db()
    assert assignment.is_active is True
    assert assignment.reseller_price == Decimal("600.00")


def test_package_page_lists_assignments_with_prices(client, world):
    _login(client, world.admin)

    response = client.get(reverse("catalog:package_detail", args=[world.package.pk]))

    listed = {
        (a.operator.pk, a.reseller_price, a.customer_price) for a in response.context["assignments"]
    }
    assert listed == {
        (r.pk, Decimal("600.00"), Decimal("800.00"))
        for r in (world.operator, world.operator2, world.sub_operator)
    }


# --- the resellers' packages -----------------------------------------------------------------


def test_reseller_sees_only_its_assigned_packages(client, world):
    special = MasterPackage.objects.create(
        tenant=world.tenant,
        name="Special 100M",
        download_kbps=102400,
        upload_kbps=102400,
        price=Decimal("5000"),
    )
    OperatorPackage.objects.create(
        tenant=world.tenant,
        operator=world.operator,
        master_package=special,
        reseller_price=Decimal("4000"),
        customer_price=Decimal("5000"),
    )
    OperatorPackage.objects.filter(operator=world.operator2, master_package=world.package2).update(
        is_active=False
    )

    page2 = _login(client, world.operator2).get(reverse("catalog:operator_packages"))
    page1 = _login(client, world.operator).get(reverse("catalog:operator_packages"))

    assert page2.status_code == 200
    assert _names(page2, "package-name") == ["Home 10M"]
    assert _names(page1, "package-name") == ["Home 10M", "Home 20M", "Special 100M"]
    assert "100M/100M" in page1.content.decode()


def test_manager_sees_its_operators_packages(client, world):
    world.op_manager.granted_keys = ["view-customer-details"]
    world.op_manager.save()
    OperatorPackage.objects.filter(operator=world.operator, master_package=world.package2).update(
        is_active=False
    )

    response = _login(client, world.op_manager).get(reverse("catalog:operator_packages"))

    assert response.status_code == 200
    assert _names(response, "package-name") == ["Home 10M"]
    assert 'data-testid="edit-price"' not in response.content.decode()
    assert 'data-testid="pass-on-form"' not in response.content.decode()


def test_reseller_sees_only_its_assigned_billing_profiles(client, world):
    world.daily.resellers.remove(world.operator2)
    BillingProfile.objects.create(tenant=world.tenant, name="Corporate 15th", due_day=15)

    page2 = _login(client, world.operator2).get(reverse("catalog:operator_packages"))
    page1 = _login(client, world.sub_operator).get(reverse("catalog:operator_packages"))

    assert _names(page2, "billing-profile-name") == ["Monthly 1st"]
    assert _names(page1, "billing-profile-name") == ["Daily", "Monthly 1st"]


def test_reseller_without_edit_package_price_has_no_button_and_gets_403(client, world):
    assignment = OperatorPackage.objects.get(operator=world.operator, master_package=world.package)
    _login(client, world.operator)
    page = client.get(reverse("catalog:operator_packages"))
    assert 'data-testid="edit-price"' not in page.content.decode()
    before = db_state(*CATALOG)
    url = reverse("catalog:operator_package_price", args=[assignment.pk])

    assert client.get(url).status_code == 403
    response = client.post(url, {"customer_price": "999.00"})

    assert response.status_code == 403
    assignment.refresh_from_db()
    assert assignment.customer_price == Decimal("800.00")
    assert db_state(*CATALOG) == before


def test_reseller_with_edit_package_price_changes_customer_price_and_log_has_before_after(
    client, world
):
    world.operator.granted_keys = sorted(ROLE_DEFAULTS[Role.OPERATOR] | {EDIT_PACKAGE_PRICE})
    world.operator.save()
    assignment = OperatorPackage.objects.get(operator=world.operator, master_package=world.package)
    _login(client, world.operator)
    page = client.get(reverse("catalog:operator_packages"))
    assert 'data-testid="edit-price"' in page.content.decode()
    url = reverse("catalog:operator_package_price", args=[assignment.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, {"customer_price": "999.50"})

    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.customer_price == Decimal("999.50")
    assert assignment.reseller_price == Decimal("600.00")
    log = ActivityLog.objects.get(action="operator_package.set_price")
    assert log.actor == world.operator
    assert log.owner == world.operator
    assert log.before == {"customer_price": "800.00"}
    assert log.after == {"customer_price": "999.50"}


def test_manager_with_granted_edit_package_price_changes_price(client, world):
    # the operator holds the key (a manager never holds more than its parent) and grants it
    world.operator.granted_keys = sorted(ROLE_DEFAULTS[Role.OPERATOR] | {EDIT_PACKAGE_PRICE})
    world.operator.save()
    world.op_manager.granted_keys = [EDIT_PACKAGE_PRICE]
    world.op_manager.save()
    assignment = OperatorPackage.objects.get(operator=world.operator, master_package=world.package2)

    response = _login(client, world.op_manager).post(
        reverse("catalog:operator_package_price", args=[assignment.pk]), {"customer_price": "1300"}
    )

    assert response.status_code == 302, response.content[:300]
    assignment.refresh_from_db()
    assert assignment.customer_price == Decimal("1300.00")


def test_negative_customer_price_is_a_form_error(client, world):
    world.operator.granted_keys = sorted(ROLE_DEFAULTS[Role.OPERATOR] | {EDIT_PACKAGE_PRICE})
    world.operator.save()
    assignment = OperatorPackage.objects.get(operator=world.operator, master_package=world.package)
    before = db_state(*CATALOG)

    response = _login(client, world.operator).post(
        reverse("catalog:operator_package_price", args=[assignment.pk]), {"customer_price": "-5"}
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["customer_price"]
    assert db_state(*CATALOG) == before


def test_reseller_cannot_edit_price_of_another_resellers_package(client, world):
    world.operator2.granted_keys = sorted(ROLE_DEFAULTS[Role.OPERATOR] | {EDIT_PACKAGE_PRICE})
    world.operator2.save()
    theirs = OperatorPackage.objects.get(operator=world.operator, master_package=world.package)
    before = db_state(*CATALOG)

    response = _login(client, world.operator2).post(
        reverse("catalog:operator_package_price", args=[theirs.pk]), {"customer_price": "1"}
    )

    assert response.status_code == 404
    assert db_state(*CATALOG) == before


def test_operator_passes_its_package_on_to_its_sub_operator(client, world):
    special = MasterPackage.objects.create(
        tenant=world.tenant,
        name="Special 100M",
        download_kbps=102400,
        upload_kbps=102400,
        price=Decimal("5000"),
    )
    OperatorPackage.objects.create(
        tenant=world.tenant,
        operator=world.operator,
        master_package=special,
        reseller_price=Decimal("4000"),
        customer_price=Decimal("5000"),
    )
    _login(client, world.operator)
    page = client.get(reverse("catalog:operator_packages"))
    form = page.context["pass_on_form"]
    assert list(form.fields["operator"].queryset) == [world.sub_operator]
    assert sorted(p.name for p in form.fields["master_package"].queryset) == [
        "Home 10M",
        "Home 20M",
        "Special 100M",
    ]

    response = client.post(
        reverse("catalog:operator_packages"),
        {
            "operator": world.sub_operator.pk,
            "master_package": special.pk,
            "reseller_price": "4500.00",
            "customer_price": "5200.00",
        },
    )

    assert response.status_code == 302
    passed = OperatorPackage.objects.get(operator=world.sub_operator, master_package=special)
    assert (passed.reseller_price, passed.customer_price) == (
        Decimal("4500.00"),
        Decimal("5200.00"),
    )
    log = ActivityLog.objects.get(action="operator_package.assign", object_id=str(passed.pk))
    assert log.actor == world.operator
    sub_page = _login(client, world.sub_operator).get(reverse("catalog:operator_packages"))
    assert _names(sub_page, "package-name") == ["Home 10M", "Home 20M", "Special 100M"]


def test_operator_withdraws_a_package_from_its_sub_operator(client, world):
    passed = OperatorPackage.objects.get(operator=world.sub_operator, master_package=world.package)
    _login(client, world.operator)

    response = client.post(reverse("catalog:operator_package_toggle", args=[passed.pk]))

    assert response["Location"] == reverse("catalog:operator_packages")
    passed.refresh_from_db()
    assert passed.is_active is False


def test_operator_cannot_toggle_its_own_or_another_resellers_assignment(client, world):
    own = OperatorPackage.objects.get(operator=world.operator, master_package=world.package)
    other = OperatorPackage.objects.get(operator=world.operator2, master_package=world.package)
    _login(client, world.operator)
    before = db_state(*CATALOG)

    assert client.post(reverse("catalog:operator_package_toggle", args=[own.pk])).status_code == 403
    assert (
        client.post(reverse("catalog:operator_package_toggle", args=[other.pk])).status_code == 404
    )
    assert db_state(*CATALOG) == before


def test_operator_cannot_assign_to_another_operators_sub_operator(client, world):
    foreign_sub = make_user(world.tenant, Role.SUB_OPERATOR, parent=world.operator2)
    _login(client, world.operator)
    before = db_state(*CATALOG)

    response = client.post(
        reverse("catalog:operator_packages"),
        {
            "operator": foreign_sub.pk,
            "master_package": world.package.pk,
            "reseller_price": "100",
            "customer_price": "200",
        },
    )

    assert response.status_code == 400
    assert list(response.context["pass_on_form"].errors) == ["operator"]
    assert db_state(*CATALOG) == before


def test_operator_cannot_pass_on_a_package_not_assigned_to_it(client, world):
    OperatorPackage.objects.filter(operator=world.operator, master_package=world.package2).update(
        is_active=False
    )
    _login(client, world.operator)
    before = db_state(*CATALOG)

    response = client.post(
        reverse("catalog:operator_packages"),
        {
            "operator": world.sub_operator.pk,
            "master_package": world.package2.pk,
            "reseller_price": "100",
        },
    )

    assert response.status_code == 400
    assert list(response.context["pass_on_form"].errors) == ["master_package"]
    assert db_state(*CATALOG) == before


@pytest.mark.parametrize("who", ["sub_operator", "op_manager"])
def test_sub_operator_and_manager_cannot_pass_packages_on(client, world, who):
    user = getattr(world, who)
    user.granted_keys = sorted(set(user.granted_keys) | {"view-customer-details"})
    user.save()
    _login(client, user)
    before = db_state(*CATALOG)

    response = client.post(
        reverse("catalog:operator_packages"),
        {
            "operator": world.sub_operator.pk,
            "master_package": world.package.pk,
            "reseller_price": "1",
        },
    )

    assert response.status_code == 403
    assert db_state(*CATALOG) == before


@pytest.mark.parametrize("who", ["noc", "sales"])
def test_noc_and_sales_manager_get_403_on_operator_packages(client, world, who):
    response = _login(client, getattr(world, who)).get(reverse("catalog:operator_packages"))

    assert response.status_code == 403


# --- billing profiles ------------------------------------------------------------------------


def test_group_admin_creates_billing_profile_assigned_to_resellers(client, world):
    _login(client, world.admin)
    page = client.get(reverse("catalog:billing_profile_create"))
    assert "In months shorter than this, the bill falls due on the month&#x27;s last day." in (
        page.content.decode()
    )
    assert set(page.context["form"].fields["resellers"].queryset) == {
        world.operator,
        world.operator2,
        world.sub_operator,
    }

    response = client.post(
        reverse("catalog:billing_profile_create"),
        {
            "name": "Monthly 31st",
            "billing_type": "monthly",
            "due_day": "31",
            "grace_days": "3",
            "auto_billing": "on",
            "is_active": "on",
            "resellers": [world.operator.pk, world.sub_operator.pk],
        },
    )

    assert response.status_code == 302
    profile = BillingProfile.objects.get(tenant=world.tenant, name="Monthly 31st")
    assert (profile.billing_type, profile.due_day, profile.grace_days) == ("monthly", 31, 3)
    assert (profile.auto_billing, profile.auto_suspend, profile.is_active) == (True, False, True)
    assert set(profile.resellers.all()) == {world.operator, world.sub_operator}
    assert (
        ActivityLog.objects.filter(object_type="billingprofile", object_id=str(profile.pk)).count()
        == 2
    )


def test_group_admin_edits_billing_profile_and_replaces_its_resellers(client, world):
    _login(client, world.admin)
    url = reverse("catalog:billing_profile_edit", args=[world.monthly.pk])
    page = client.get(url)
    assert set(page.context["form"].initial["resellers"]) == {
        world.operator.pk,
        world.operator2.pk,
        world.sub_operator.pk,
    }

    response = client.post(
        url,
        {
            "name": "Monthly 5th",
            "billing_type": "daily",
            "due_day": "5",
            "grace_days": "7",
            "auto_suspend": "on",
            "is_active": "on",
            "resellers": [world.operator2.pk],
        },
    )

    assert response.status_code == 302
    world.monthly.refresh_from_db()
    assert (world.monthly.name, world.monthly.billing_type) == ("Monthly 5th", "daily")
    assert (world.monthly.due_day, world.monthly.grace_days) == (5, 7)
    assert (world.monthly.auto_billing, world.monthly.auto_suspend) == (False, True)
    assert list(world.monthly.resellers.all()) == [world.operator2]
    log = ActivityLog.objects.get(action="billing_profile.assign")
    assert log.before == {
        "resellers": sorted([world.operator.pk, world.operator2.pk, world.sub_operator.pk])
    }
    assert log.after == {"resellers": [world.operator2.pk]}


def test_billing_profile_due_day_32_and_duplicate_name_are_form_errors(client, world):
    _login(client, world.admin)
    before = db_state(*CATALOG)

    response = client.post(
        reverse("catalog:billing_profile_create"),
        {"name": "Daily", "billing_type": "monthly", "due_day": "32", "grace_days": "0"},
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["due_day"]

    response = client.post(
        reverse("catalog:billing_profile_create"),
        {"name": "Daily", "billing_type": "monthly", "due_day": "10", "grace_days": "0"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["name"] == [
        "A billing profile named “Daily” already exists."
    ]
    assert db_state(*CATALOG) == before


def test_billing_profile_cannot_be_assigned_to_another_tenants_reseller(client, world, other_world):
    _login(client, world.admin)
    before = db_state(*CATALOG)

    response = client.post(
        reverse("catalog:billing_profile_edit", args=[world.monthly.pk]),
        {
            "name": "Monthly 1st",
            "billing_type": "monthly",
            "due_day": "1",
            "grace_days": "5",
            "resellers": [other_world.operator.pk],
        },
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["resellers"]
    assert db_state(*CATALOG) == before


def test_billing_profile_list_shows_resellers_and_customer_counts(client, world):
    make_customer(world, billing_profile=world.daily)
    _login(client, world.admin)

    response = client.get(reverse("catalog:billing_profiles"))

    rows = {p.name: p for p in response.context["object_list"]}
    assert sorted(rows) == ["Daily", "Monthly 1st"]
    assert (rows["Daily"].customer_count, rows["Monthly 1st"].customer_count) == (1, 0)
    assert world.operator2.name in response.content.decode()


# --- VAT profiles ----------------------------------------------------------------------------


def test_group_admin_creates_and_edits_vat_profile(client, world):
    _login(client, world.admin)
    assert client.get(reverse("catalog:vat_profiles")).status_code == 200

    response = client.post(
        reverse("catalog:vat_profile_create"),
        {"name": "VAT 7.5", "rate": "7.50", "is_active": "on"},
    )
    assert response.status_code == 302
    vat = VatProfile.objects.get(tenant=world.tenant, name="VAT 7.5")
    assert (vat.rate, vat.is_active) == (Decimal("7.50"), True)

    response = client.post(
        reverse("catalog:vat_profile_edit", args=[vat.pk]), {"name": "VAT 10", "rate": "10"}
    )
    assert response.status_code == 302
    vat.refresh_from_db()
    assert (vat.name, vat.rate, vat.is_active) == ("VAT 10", Decimal("10.00"), False)


def test_vat_rate_over_100_is_a_form_error(client, world):
    _login(client, world.admin)
    before = db_state(*CATALOG)

    response = client.post(reverse("catalog:vat_profile_create"), {"name": "Odd", "rate": "120"})

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["rate"]
    assert db_state(*CATALOG) == before


# --- who may do what -------------------------------------------------------------------------


def _write_requests(world):
    """Every catalog page that writes (or shows a form to write), with a valid POST body."""
    package_form = dict(PACKAGE_POST)
    return [
        (reverse("catalog:packages"), None),
        (reverse("catalog:package_create"), package_form),
        (reverse("catalog:package_edit", args=[world.package.pk]), package_form),
        (
            reverse("catalog:package_detail", args=[world.package.pk]),
            {"operator": world.operator.pk, "reseller_price": "1", "customer_price": "2"},
        ),
        (reverse("catalog:billing_profiles"), None),
        (
            reverse("catalog:billing_profile_create"),
            {"name": "X", "billing_type": "monthly", "due_day": "1", "grace_days": "0"},
        ),
        (
            reverse("catalog:billing_profile_edit", args=[world.monthly.pk]),
            {"name": "X", "billing_type": "monthly", "due_day": "1", "grace_days": "0"},
        ),
        (reverse("catalog:vat_profiles"), None),
        (reverse("catalog:vat_profile_create"), {"name": "X", "rate": "1"}),
        (reverse("catalog:vat_profile_edit", args=[world.vat.pk]), {"name": "X", "rate": "1"}),
    ]


@pytest.mark.parametrize(
    "who", ["operator", "sub_operator", "op_manager", "admin_manager", "noc", "sales"]
)
def test_non_admin_roles_get_403_on_every_catalog_write_page_and_nothing_changes(
    client, world, who
):
    user = getattr(world, who)
    if who in ("op_manager", "admin_manager"):
        # even a manager holding every key it may be granted
        from netbill.core.permissions import GRANTABLE

        user.granted_keys = sorted(GRANTABLE[Role.MANAGER])
        user.save()
    _login(client, user)
    before = db_state(*CATALOG)

    for url, data in _write_requests(world):
        assert client.get(url).status_code == 403, url
        if data is not None:
            assert client.post(url, data).status_code == 403, url
    if who != "operator":  # an operator switches its sub-operators' packages (tested above)
        toggle = reverse(
            "catalog:operator_package_toggle",
            args=[world.sub_operator.operator_packages.first().pk],
        )
        assert client.post(toggle).status_code == 403

    assert db_state(*CATALOG) == before


def test_group_admin_opens_every_catalog_page(client, world):
    _login(client, world.admin)
    for url, _data in _write_requests(world):
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("catalog:operator_packages")).status_code == 200


def test_another_tenants_catalog_objects_answer_404_and_nothing_changes(client, world, other_world):
    _login(client, world.admin)
    theirs = _write_requests(other_world)
    before = db_state(*CATALOG)
    assignment = OperatorPackage.objects.get(
        operator=other_world.operator, master_package=other_world.package
    )
    urls = [url for url, _data in theirs if "/new/" not in url and not url.endswith("s/")]
    urls.append(reverse("catalog:operator_package_price", args=[assignment.pk]))
    urls.append(reverse("catalog:operator_package_toggle", args=[assignment.pk]))
    assert len(urls) == 6

    for url in urls:
        if not url.endswith("/toggle/"):
            assert client.get(url).status_code == 404, url
        assert (
            client.post(url, {"name": "X", "rate": "1", "customer_price": "1"}).status_code == 404
        ), url

    assert db_state(*CATALOG) == before
    listed = client.get(reverse("catalog:packages")).context["object_list"]
    assert sorted(p.name for p in listed) == ["Home 10M", "Home 20M"]
    assert all(p.tenant_id == world.tenant.pk for p in listed)


def test_assign_form_never_offers_another_tenants_reseller(client, world, other_world):
    _login(client, world.admin)
    before = db_state(*CATALOG)

    response = client.post(
        reverse("catalog:package_detail", args=[world.package.pk]),
        {"operator": other_world.operator.pk, "reseller_price": "1"},
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["operator"]
    assert db_state(*CATALOG) == before


def test_catalog_menu_items_follow_the_role(client, world):
    admin_page = _login(client, world.admin).get(reverse("catalog:packages"))
    menu = {item["name"] for item in admin_page.context["menu"]}
    assert {"catalog:packages", "catalog:billing_profiles", "catalog:vat_profiles"} <= menu
    assert "catalog:operator_packages" not in menu

    op_page = _login(client, world.operator).get(reverse("catalog:operator_packages"))
    menu = {item["name"] for item in op_page.context["menu"]}
    assert "catalog:operator_packages" in menu
    assert not {"catalog:packages", "catalog:billing_profiles", "catalog:vat_profiles"} & menu
