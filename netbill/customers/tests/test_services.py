from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from netbill.core.choices import OutboxStatus
from netbill.core.models import ActivityLog, OutboxMessage
from netbill.core.outbox import outbox_drain
from netbill.core.testing import db_state, make_customer
from netbill.customers import services
from netbill.customers.models import Customer, CustomerStatusChange

pytestmark = pytest.mark.django_db


def create(world, actor, **extra):
    values = {
        "actor": actor,
        "customer_type": "pppoe_monthly",
        "name": "Rahim Uddin",
        "mobile": "01711000001",
        "package": world.package,
        "billing_profile": world.monthly,
        "username": "rahim",
    }
    values.update(extra)
    return services.customer_create(**values)


def test_operator_creates_customer_owned_by_itself_with_history_audit_and_welcome(world):
    customer = create(world, world.operator)

    assert customer.owner == world.operator
    assert len(customer.password) == 8
    assert list(customer.status_changes.values_list("from_status", "to_status")) == [("", "active")]
    log = ActivityLog.objects.get(action="customer.create")
    assert log.actor == world.operator and log.owner == world.operator
    message = OutboxMessage.objects.get(payload__event="customer.welcome")
    assert OutboxMessage.objects.filter(payload__event="bill.created").count() == 1  # first bill
    assert message.kind == "notify.sms" and message.payload["event"] == "customer.welcome"
    assert message.payload["to"] == "01711000001"


def test_manager_creates_customer_for_its_parent_operator(world):
    world.op_manager.granted_keys = ["create-customer"]
    world.op_manager.save()

    customer = create(world, world.op_manager)

    assert customer.owner == world.operator


def test_manager_without_create_customer_is_refused_and_nothing_changed(world):
    before = db_state(Customer, ActivityLog, OutboxMessage)
    with pytest.raises(PermissionDenied):
        create(world, world.op_manager)
    assert db_state(Customer, ActivityLog, OutboxMessage) == before


def test_duplicate_username_in_same_tenant_is_refused_naming_the_field(world):
    create(world, world.operator)
    with pytest.raises(ValidationError) as exc:
        create(world, world.operator2, mobile="01711000002")
    assert "username" in exc.value.message_dict
    assert Customer.objects.count() == 1


def test_same_username_allowed_in_another_tenant(world, other_world):
    create(world, world.operator)
    other = create(other_world, other_world.operator)
    assert other.username == "rahim"


def test_package_of_another_tenant_is_rejected(world, other_world):
    with pytest.raises(ValidationError) as exc:
        create(world, world.admin, package=other_world.package)
    assert "package" in exc.value.message_dict


def test_daily_customer_with_monthly_profile_is_rejected(world):
    with pytest.raises(ValidationError) as exc:
        create(world, world.operator, customer_type="pppoe_daily")
    assert "billing_profile" in exc.value.message_dict


def test_suspend_needs_key_and_writes_history_and_outbox(world):
    customer = make_customer(world)
    services.customer_set_status(
        actor=world.operator, customer=customer, status="suspended", reason="Unpaid"
    )
    customer.refresh_from_db()
    assert customer.status == "suspended"
    change = CustomerStatusChange.objects.get(customer=customer)
    assert (change.from_status, change.to_status, change.reason) == (
        "active",
        "suspended",
        "Unpaid",
    )
    assert OutboxMessage.objects.get().payload["event"] == "customer.suspended"


def test_other_operator_cannot_see_or_suspend_customer(world):
    customer = make_customer(world, owner=world.operator)
    with pytest.raises(Http404):
        services.customer_set_status(actor=world.operator2, customer=customer, status="suspended")
    customer.refresh_from_db()
    assert customer.status == "active"


def test_operator_sees_sub_operator_customers_but_sub_operator_not_operators(world):
    own = make_customer(world, owner=world.operator)
    sub = make_customer(world, owner=world.sub_operator)
    other = make_customer(world, owner=world.operator2)

    assert set(Customer.objects.visible_to(world.operator)) == {own, sub}
    assert set(Customer.objects.visible_to(world.sub_operator)) == {sub}
    assert set(Customer.objects.visible_to(world.op_manager)) == {own, sub}
    assert set(Customer.objects.visible_to(world.admin)) == {own, sub, other}
    assert set(Customer.objects.visible_to(world.sales)) == set()


def test_delete_needs_password_and_is_soft(world):
    customer = make_customer(world)
    with pytest.raises(ValidationError) as exc:
        services.customer_delete(actor=world.operator, customer=customer, password="wrong")
    assert "password" in exc.value.message_dict
    services.customer_delete(
        actor=world.operator, customer=customer, password="correct-horse-battery"
    )
    customer.refresh_from_db()
    assert customer.deleted_at is not None
    assert Customer.objects.alive().count() == 0


def test_bulk_update_reports_per_customer_failures(world):
    ok = make_customer(world, owner=world.operator)
    deleted = make_customer(world, owner=world.operator)
    services.customer_delete(
        actor=world.operator, customer=deleted, password="correct-horse-battery"
    )
    result = services.customer_bulk_update(
        actor=world.operator, customers=[ok, deleted], action="package", value=world.package2
    )
    assert result["updated"] == [ok.pk]
    assert [f["id"] for f in result["failed"]] == [deleted.pk]
    ok.refresh_from_db()
    assert ok.package == world.package2


def test_outbox_drain_delivers_then_failures_go_dead(world, settings):
    create(world, world.operator)
    assert outbox_drain() == {"delivered": 2, "retried": 0, "dead": 0}  # welcome + first bill
    bad = OutboxMessage.objects.create(
        tenant=world.tenant,
        kind="no.such.kind",
        payload={},
        max_attempts=2,
        next_attempt_at="2020-01-01T00:00:00Z",
    )
    assert outbox_drain()["retried"] == 1
    OutboxMessage.objects.filter(pk=bad.pk).update(next_attempt_at="2020-01-01T00:00:00Z")
    assert outbox_drain()["dead"] == 1
    bad.refresh_from_db()
    assert bad.status == OutboxStatus.DEAD and "no handler" in bad.last_error


def test_customer_price_prefers_custom_then_operator_price(world):
    customer = make_customer(world, owner=world.operator)
    assert services.customer_price(customer) == Decimal("800.00")
    customer.custom_price = Decimal("650.00")
    assert services.customer_price(customer) == Decimal("650.00")


@pytest.fixture(autouse=True)
def _funded_resellers(request):
    """Customers' first bills charge their prepaid resellers: fund them."""
    if "world" in request.fixturenames:
        from netbill.core.testing import fund_resellers

        fund_resellers(request.getfixturevalue("world"))
    if "other_world" in request.fixturenames:
        from netbill.core.testing import fund_resellers

        fund_resellers(request.getfixturevalue("other_world"))
