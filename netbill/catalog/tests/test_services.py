"""Catalog services: who may change the catalog, assignment in place, validation."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from netbill.catalog import services
from netbill.catalog.models import BillingProfile, MasterPackage, OperatorPackage, VatProfile
from netbill.core.choices import Role
from netbill.core.models import ActivityLog
from netbill.core.permissions import EDIT_PACKAGE_PRICE, ROLE_DEFAULTS
from netbill.core.testing import db_state, make_user

pytestmark = pytest.mark.django_db

CATALOG = (
    MasterPackage,
    OperatorPackage,
    BillingProfile,
    VatProfile,
    BillingProfile.resellers.through,
    ActivityLog,
)


def _new_package(world, name="Gamer 40M", price="2000.00"):
    return MasterPackage.objects.create(
        tenant=world.tenant,
        name=name,
        download_kbps=40960,
        upload_kbps=20480,
        price=Decimal(price),
    )


# --- operator_package_assign -----------------------------------------------------------------


def test_assign_twice_updates_the_same_row_in_place(world):
    package = _new_package(world)
    first = services.operator_package_assign(
        actor=world.admin,
        operator=world.operator,
        master_package=package,
        reseller_price=Decimal("1500.00"),
        customer_price=Decimal("2000.00"),
    )

    second = services.operator_package_assign(
        actor=world.admin,
        operator=world.operator,
        master_package=package,
        reseller_price=Decimal("1400.00"),
        customer_price=Decimal("2100.00"),
    )

    assert second.pk == first.pk
    rows = OperatorPackage.objects.filter(operator=world.operator, master_package=package)
    assert rows.count() == 1
    assert (rows[0].reseller_price, rows[0].customer_price) == (
        Decimal("1400.00"),
        Decimal("2100.00"),
    )
    log = ActivityLog.objects.filter(action="operator_package.assign", object_id=str(first.pk))
    assert log.count() == 2
    update = log.order_by("-pk").first()
    assert update.before == {"reseller_price": "1500.00", "customer_price": "2000.00"}
    assert update.after == {"reseller_price": "1400.00", "customer_price": "2100.00"}
    assert update.owner == world.operator


def test_assign_reactivates_a_withdrawn_package_without_a_new_row(world):
    withdrawn = OperatorPackage.objects.get(operator=world.operator2, master_package=world.package)
    services.operator_package_set_active(actor=world.admin, package=withdrawn, is_active=False)

    services.operator_package_assign(
        actor=world.admin,
        operator=world.operator2,
        master_package=world.package,
        reseller_price=Decimal("550"),
    )

    withdrawn.refresh_from_db()
    assert withdrawn.is_active is True
    assert (withdrawn.reseller_price, withdrawn.customer_price) == (
        Decimal("550.00"),
        Decimal("800.00"),
    )
    assert (
        OperatorPackage.objects.filter(
            operator=world.operator2, master_package=world.package
        ).count()
        == 1
    )


@pytest.mark.parametrize("who", ["op_manager", "noc", "sales", "admin"])
def test_assign_to_a_non_reseller_is_refused_under_operator(world, who):
    before = db_state(*CATALOG)

    with pytest.raises(ValidationError) as exc:
        services.operator_package_assign(
            actor=world.admin,
            operator=getattr(world, who),
            master_package=world.package,
            reseller_price=Decimal("1"),
        )

    assert list(exc.value.message_dict) == ["operator"]
    assert db_state(*CATALOG) == before


def test_group_admin_cannot_assign_another_tenants_package_or_reseller(world, other_world):
    before = db_state(*CATALOG)

    with pytest.raises(ValidationError) as exc:
        services.operator_package_assign(
            actor=world.admin,
            operator=world.operator,
            master_package=other_world.package,
            reseller_price=Decimal("1"),
        )
    assert list(exc.value.message_dict) == ["master_package"]
    with pytest.raises(ValidationError) as exc:
        services.operator_package_assign(
            actor=world.admin,
            operator=other_world.operator,
            master_package=world.package,
            reseller_price=Decimal("1"),
        )
    assert list(exc.value.message_dict) == ["operator"]

    assert db_state(*CATALOG) == before


def test_negative_prices_are_refused_naming_the_field(world):
    before = db_state(*CATALOG)

    with pytest.raises(ValidationError) as exc:
        services.operator_package_assign(
            actor=world.admin,
            operator=world.operator,
            master_package=_new_package(world),
            reseller_price=Decimal("-1"),
            customer_price=Decimal("-2"),
        )

    assert set(exc.value.message_dict) == {"reseller_price", "customer_price"}
    assert db_state(*CATALOG)[1:] == before[1:]  # only the new master package exists


def test_operator_passes_its_own_package_on_to_its_sub_operator(world):
    package = _new_package(world)
    services.operator_package_assign(
        actor=world.admin,
        operator=world.operator,
        master_package=package,
        reseller_price=Decimal("1500"),
    )

    passed = services.operator_package_assign(
        actor=world.operator,
        operator=world.sub_operator,
        master_package=package,
        reseller_price=Decimal("1700"),
        customer_price=Decimal("2200"),
    )

    assert (passed.operator, passed.master_package) == (world.sub_operator, package)
    assert (passed.reseller_price, passed.customer_price) == (
        Decimal("1700.00"),
        Decimal("2200.00"),
    )
    assert package in MasterPackage.objects.visible_to(world.sub_operator)


def test_operator_cannot_pass_on_a_package_it_does_not_have(world):
    package = _new_package(world)
    before = db_state(*CATALOG)

    with pytest.raises(ValidationError) as exc:
        services.operator_package_assign(
            actor=world.operator,
            operator=world.sub_operator,
            master_package=package,
            reseller_price=Decimal("1"),
        )

    assert list(exc.value.message_dict) == ["master_package"]
    assert db_state(*CATALOG) == before


def test_operator_assigning_to_another_operators_sub_operator_gets_404(world):
    foreign_sub = make_user(world.tenant, Role.SUB_OPERATOR, parent=world.operator2)
    before = db_state(*CATALOG)

    with pytest.raises(Http404):
        services.operator_package_assign(
            actor=world.operator,
            operator=foreign_sub,
            master_package=world.package,
            reseller_price=Decimal("1"),
        )

    assert db_state(*CATALOG) == before


def test_operator_cannot_assign_to_itself_or_its_manager(world):
    before = db_state(*CATALOG)

    for target in (world.operator, world.op_manager):
        with pytest.raises(ValidationError) as exc:
            services.operator_package_assign(
                actor=world.operator,
                operator=target,
                master_package=world.package,
                reseller_price=Decimal("1"),
            )
        assert list(exc.value.message_dict) == ["operator"]

    assert db_state(*CATALOG) == before


def test_operator_with_staff_section_switched_off_cannot_pass_packages_on(world):
    world.operator.disabled_sections = ["staff"]
    world.operator.save()
    before = db_state(*CATALOG)

    with pytest.raises(PermissionDenied):
        services.operator_package_assign(
            actor=world.operator,
            operator=world.sub_operator,
            master_package=world.package,
            reseller_price=Decimal("1"),
        )

    assert db_state(*CATALOG) == before


@pytest.mark.parametrize("who", ["sub_operator", "op_manager", "admin_manager", "noc", "sales"])
def test_other_roles_cannot_assign_packages(world, who):
    before = db_state(*CATALOG)

    with pytest.raises(PermissionDenied):
        services.operator_package_assign(
            actor=getattr(world, who),
            operator=world.sub_operator,
            master_package=world.package,
            reseller_price=Decimal("1"),
        )

    assert db_state(*CATALOG) == before


def test_operator_withdraws_its_sub_operators_package_but_not_its_own(world):
    sub_package = OperatorPackage.objects.get(
        operator=world.sub_operator, master_package=world.package
    )
    own = OperatorPackage.objects.get(operator=world.operator, master_package=world.package)

    services.operator_package_set_active(actor=world.operator, package=sub_package, is_active=False)

    sub_package.refresh_from_db()
    assert sub_package.is_active is False
    before = db_state(*CATALOG)
    with pytest.raises(PermissionDenied):
        services.operator_package_set_active(actor=world.operator, package=own, is_active=False)
    assert db_state(*CATALOG) == before


# --- operator_package_set_customer_price -----------------------------------------------------


def test_set_customer_price_without_key_is_refused_and_nothing_changes(world):
    assignment = OperatorPackage.objects.get(operator=world.operator, master_package=world.package)
    before = db_state(*CATALOG)

    with pytest.raises(PermissionDenied):
        services.operator_package_set_customer_price(
            actor=world.operator, package=assignment, customer_price=Decimal("900")
        )

    assert db_state(*CATALOG) == before


def test_set_customer_price_with_key_logs_before_and_after(world):
    world.operator.granted_keys = sorted(ROLE_DEFAULTS[Role.OPERATOR] | {EDIT_PACKAGE_PRICE})
    world.operator.save()
    assignment = OperatorPackage.objects.get(operator=world.operator, master_package=world.package)

    services.operator_package_set_customer_price(
        actor=world.operator, package=assignment, customer_price=Decimal("900.00")
    )

    assignment.refresh_from_db()
    assert assignment.customer_price == Decimal("900.00")
    log = ActivityLog.objects.get(action="operator_package.set_price")
    assert (log.before, log.after) == ({"customer_price": "800.00"}, {"customer_price": "900.00"})


# --- master packages and profiles ------------------------------------------------------------


def test_master_package_create_stores_exact_values(world):
    package = services.master_package_create(
        actor=world.admin,
        name="Fiber 1G",
        download_kbps=1048576,
        upload_kbps=524288,
        price=Decimal("9999.99"),
        validity_days=30,
        fup_limit_gb=2000,
        fup_download_kbps=10240,
        fup_upload_kbps=10240,
    )

    package.refresh_from_db()
    assert package.tenant == world.tenant
    assert package.price == Decimal("9999.99")
    assert package.speed_label == "1024M/512M"


def test_duplicate_name_is_a_name_error_not_an_integrity_error(world):
    before = db_state(*CATALOG)

    with pytest.raises(ValidationError) as exc:
        services.master_package_create(
            actor=world.admin, name="Home 10M", download_kbps=1, upload_kbps=1, price=Decimal("1")
        )
    assert exc.value.message_dict == {"name": ["A master package named “Home 10M” already exists."]}
    with pytest.raises(ValidationError) as exc:
        services.vat_profile_create(actor=world.admin, name="VAT 5", rate=Decimal("5"))
    assert list(exc.value.message_dict) == ["name"]

    assert db_state(*CATALOG) == before


def test_update_keeping_its_own_name_is_fine(world):
    services.master_package_update(
        actor=world.admin, package=world.package, name="Home 10M", price=Decimal("850")
    )

    world.package.refresh_from_db()
    assert world.package.price == Decimal("850.00")


def test_all_package_errors_are_reported_at_once(world):
    with pytest.raises(ValidationError) as exc:
        services.master_package_create(
            actor=world.admin,
            name="Home 20M",
            download_kbps=0,
            upload_kbps=1024,
            price=Decimal("-5"),
            fup_limit_gb=100,
            fup_download_kbps=1024,
        )

    assert set(exc.value.message_dict) == {"name", "download_kbps", "price", "fup_upload_kbps"}
    assert exc.value.message_dict["fup_upload_kbps"] == [
        "Give the FUP upload speed for a package with a FUP limit."
    ]


def test_catalog_writes_need_manage_catalog(world):
    before = db_state(*CATALOG)

    for user in (world.operator, world.sub_operator, world.op_manager, world.noc, world.sales):
        with pytest.raises(PermissionDenied):
            services.master_package_create(
                actor=user, name="X", download_kbps=1, upload_kbps=1, price=Decimal("1")
            )
        with pytest.raises(PermissionDenied):
            services.billing_profile_update(actor=user, profile=world.monthly, grace_days=9)
        with pytest.raises(PermissionDenied):
            services.vat_profile_update(actor=user, profile=world.vat, rate=Decimal("9"))

    assert db_state(*CATALOG) == before


def test_group_admin_cannot_touch_another_tenants_profile(world, other_world):
    before = db_state(*CATALOG)

    with pytest.raises(Http404):
        services.billing_profile_update(
            actor=world.admin, profile=other_world.monthly, grace_days=9
        )
    with pytest.raises(Http404):
        services.master_package_update(
            actor=world.admin, package=other_world.package, price=Decimal("1")
        )

    assert db_state(*CATALOG) == before


# --- billing profile resellers ---------------------------------------------------------------


@pytest.mark.parametrize("who", ["op_manager", "noc", "sales", "admin"])
def test_billing_profile_resellers_must_be_operators_or_sub_operators(world, who):
    before = db_state(*CATALOG)

    with pytest.raises(ValidationError) as exc:
        services.billing_profile_assign(
            actor=world.admin,
            profile=world.monthly,
            resellers=[world.operator, getattr(world, who)],
        )

    assert list(exc.value.message_dict) == ["resellers"]
    assert db_state(*CATALOG) == before


def test_billing_profile_resellers_must_be_of_the_same_tenant(world, other_world):
    before = db_state(*CATALOG)

    with pytest.raises(ValidationError) as exc:
        services.billing_profile_create(
            actor=world.admin,
            name="Corporate",
            due_day=10,
            resellers=[world.operator, other_world.operator],
        )

    assert list(exc.value.message_dict) == ["resellers"]
    assert db_state(*CATALOG) == before  # the profile itself is rolled back too


def test_billing_profile_update_replaces_resellers_and_logs_them(world):
    services.billing_profile_update(
        actor=world.admin, profile=world.daily, grace_days=2, resellers=[world.sub_operator]
    )

    world.daily.refresh_from_db()
    assert world.daily.grace_days == 2
    assert list(world.daily.resellers.all()) == [world.sub_operator]
    assert list(BillingProfile.objects.visible_to(world.operator2)) == [world.monthly]
    log = ActivityLog.objects.get(action="billing_profile.assign")
    assert log.after == {"resellers": [world.sub_operator.pk]}


def test_billing_profile_assign_with_the_same_resellers_writes_no_log(world):
    before = db_state(*CATALOG)

    services.billing_profile_assign(
        actor=world.admin,
        profile=world.monthly,
        resellers=[world.sub_operator, world.operator2, world.operator],
    )

    assert db_state(*CATALOG) == before


def test_billing_profile_due_day_must_be_1_to_31(world):
    with pytest.raises(ValidationError) as exc:
        services.billing_profile_create(actor=world.admin, name="Bad", due_day=0)

    assert list(exc.value.message_dict) == ["due_day"]
    profile = services.billing_profile_create(actor=world.admin, name="Last day", due_day=31)
    assert profile.due_day == 31
