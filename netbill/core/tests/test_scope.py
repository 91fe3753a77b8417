"""Per-role scope: which rows each role sees, for every scoped model of the foundation."""

import pytest

from netbill.accounts.models import User
from netbill.catalog.models import BillingProfile, MasterPackage, OperatorPackage
from netbill.core.audit import audit_record
from netbill.core.models import ActivityLog
from netbill.core.permissions import effective_keys, may
from netbill.core.scope import visible_owner_ids
from netbill.core.testing import make_customer, make_user
from netbill.customers.models import Customer, Zone

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers(world):
    return {
        "admin": make_customer(world, owner=world.admin),
        "operator": make_customer(world, owner=world.operator),
        "sub": make_customer(world, owner=world.sub_operator),
        "operator2": make_customer(world, owner=world.operator2),
    }


def visible(model, user):
    return set(model.objects.visible_to(user))


def test_customer_scope_per_role(world, other_world, customers):
    make_customer(other_world, owner=other_world.operator)
    everyone = set(customers.values())
    assert visible(Customer, world.admin) == everyone
    assert visible(Customer, world.noc) == everyone
    assert visible(Customer, world.operator) == {customers["operator"], customers["sub"]}
    assert visible(Customer, world.sub_operator) == {customers["sub"]}
    assert visible(Customer, world.op_manager) == {customers["operator"], customers["sub"]}
    assert visible(Customer, world.admin_manager) == everyone
    assert visible(Customer, world.sales) == set()


def test_manager_of_sub_operator_sees_only_that_sub_operators_customers(world, customers):
    manager = make_user(world.tenant, "manager", parent=world.sub_operator)
    assert visible(Customer, manager) == {customers["sub"]}


def test_staff_scope_per_role(world):
    w = world
    assert visible(User, w.operator) == {w.operator, w.sub_operator, w.op_manager}
    assert visible(User, w.sub_operator) == {w.sub_operator}
    assert visible(User, w.sales) == {w.operator, w.operator2}
    assert visible(User, w.op_manager) == {w.op_manager}
    assert len(visible(User, w.admin)) == 8


def test_catalog_scope_resellers_see_only_assigned(world):
    OperatorPackage.objects.filter(operator=world.operator2, master_package=world.package2).delete()
    world.monthly.resellers.remove(world.operator2)
    assert visible(MasterPackage, world.operator2) == {world.package}
    assert visible(BillingProfile, world.operator2) == {world.daily}
    assert visible(MasterPackage, world.admin) == {world.package, world.package2}
    assert {op.operator for op in OperatorPackage.objects.visible_to(world.operator)} == {
        world.operator,
        world.sub_operator,
    }


def test_nothing_is_visible_across_tenants(world, other_world):
    for model in (Customer, MasterPackage, BillingProfile, Zone, User):
        rows = visible(model, other_world.admin)
        assert all(getattr(r, "tenant_id", None) == other_world.tenant.pk for r in rows), model


def test_activity_log_scope_follows_the_owner(world):
    c1 = make_customer(world, owner=world.operator)
    c2 = make_customer(world, owner=world.operator2)
    audit_record(actor=world.admin, action="customer.update", obj=c1, owner=world.operator)
    audit_record(actor=world.admin, action="customer.update", obj=c2, owner=world.operator2)
    assert [e.object_id for e in ActivityLog.objects.visible_to(world.operator)] == [str(c1.pk)]
    assert len(ActivityLog.objects.visible_to(world.admin)) == 2


def test_switched_off_section_removes_keys_from_reseller_and_its_managers(world):
    world.op_manager.granted_keys = ["view-customer-details", "suspend-customer"]
    world.op_manager.save()
    assert may(world.op_manager, "suspend-customer")
    world.operator.disabled_sections = ["customers"]
    world.operator.save()
    operator = User.objects.get(pk=world.operator.pk)
    manager = User.objects.get(pk=world.op_manager.pk)
    assert not may(operator, "suspend-customer")
    assert not may(manager, "suspend-customer")
    assert "view-bills" in effective_keys(operator)


def test_noc_never_holds_money_keys_even_if_stored(world):
    world.noc.granted_keys = ["receive-payment", "view-bills", "view-routers"]
    world.noc.save()
    assert effective_keys(world.noc) == frozenset({"view-routers"})


def test_visible_owner_ids_for_manager_follow_parent(world):
    assert visible_owner_ids(world.op_manager) == frozenset(
        {world.operator.pk, world.sub_operator.pk}
    )
    assert visible_owner_ids(world.admin_manager) is None


def test_revoking_a_key_from_an_operator_takes_it_from_its_managers(world):
    world.op_manager.granted_keys = ["view-customer-details", "receive-payment"]
    world.op_manager.save()
    world.operator.granted_keys = [k for k in world.operator.granted_keys if k != "receive-payment"]
    world.operator.save()
    from netbill.accounts.models import User

    manager = User.objects.get(pk=world.op_manager.pk)
    assert effective_keys(manager) == frozenset({"view-customer-details"})
