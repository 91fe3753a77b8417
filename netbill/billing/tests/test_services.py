"""Single-bill services: the first bill at customer creation, "Generate bill", hotspot
purchases."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from netbill.billing import calendar as cal
from netbill.billing.models import Bill
from netbill.billing.services import bill_create, bill_generate, generate_preview, hotspot_purchase
from netbill.billing.tests.helpers import activated, end_of, profile, unbalanced_entries
from netbill.core.models import ActivityLog, OutboxMessage
from netbill.core.testing import db_state, make_customer
from netbill.customers.models import Customer, CustomerStatusChange
from netbill.customers.services import customer_create
from netbill.ledger.models import JournalEntry, JournalLine
from netbill.ledger.resellers import reseller_add_balance
from netbill.ledger.selectors import reseller_position, wallet_balance
from netbill.payments.services import payment_record

pytestmark = pytest.mark.django_db
D = Decimal


def create(world, actor=None, **extra):
    values = {
        "customer_type": "pppoe_monthly",
        "name": "New Customer",
        "mobile": "01711000999",
        "package": world.package,
        "billing_profile": world.monthly,
        "username": "newcustomer",
    } | extra
    return customer_create(actor=actor or world.admin, **values)


def expected_first_period(world, bp=None):
    today = cal.local_today(world.tenant)
    return cal.first_monthly_period(today, (bp or world.monthly).due_day)


def test_creating_a_monthly_customer_makes_its_first_prorated_bill(world):
    customer = create(world)
    period = expected_first_period(world)
    bill = Bill.objects.get(customer=customer)
    price = (D("800") * period.fraction.numerator / period.fraction.denominator).quantize(D("0.01"))
    assert (bill.kind, bill.period_start, bill.period_end, bill.due_date) == (
        "monthly",
        period.start,
        period.end,
        period.start,
    )
    assert (bill.amount, bill.created_by_id, bill.status) == (price, world.admin.pk, "unpaid")
    customer.refresh_from_db()
    assert customer.expires_at == end_of(period.end)


def test_a_prepaid_reseller_at_zero_cannot_create_a_customer_and_nothing_is_created(world):
    watched = (Customer, CustomerStatusChange, Bill, JournalEntry, JournalLine, OutboxMessage)
    before = db_state(*watched, ActivityLog)
    with pytest.raises(ValidationError) as exc:
        create(world, actor=world.operator)
    period = expected_first_period(world)
    charge = (D("600") * period.fraction.numerator / period.fraction.denominator).quantize(
        D("0.01")
    )
    assert exc.value.message_dict == {
        "reseller": [
            f"{world.operator.name} has not enough balance (0.00) for {charge}: add balance first."
        ]
    }
    assert db_state(*watched, ActivityLog) == before


def test_a_funded_reseller_creates_the_customer_and_is_charged_its_prorated_price(world):
    reseller_add_balance(actor=world.admin, reseller=world.operator, amount="1000")
    customer = create(world, actor=world.operator)
    period = expected_first_period(world)
    charge = (D("600") * period.fraction.numerator / period.fraction.denominator).quantize(
        D("0.01")
    )
    assert Bill.objects.filter(customer=customer).count() == 1
    assert reseller_position(world.operator) == D("-1000.00") + charge


def test_no_first_bill_for_free_manual_or_disabled_customers(world):
    free = profile(world, "Free", billing_type="free")
    manual = profile(world, "Manual", auto_billing=False)
    create(world, billing_profile=free, username="free1")
    create(world, billing_profile=manual, username="manual1")
    create(world, status="disabled", username="disabled1")
    assert Bill.objects.count() == 0


def test_a_new_daily_customer_has_no_bill_until_its_wallet_covers_a_day(world):
    customer = create(world, customer_type="pppoe_daily", billing_profile=world.daily)
    assert Bill.objects.filter(customer=customer).count() == 0


def test_a_new_hotspot_customer_buys_its_first_package(world):
    customer = create(world, customer_type="hotspot", billing_profile=world.daily)
    today = cal.local_today(world.tenant)
    bill = Bill.objects.get(customer=customer)
    assert (bill.kind, bill.period_start, bill.period_end, bill.amount) == (
        "hotspot",
        today,
        today + datetime.timedelta(days=29),
        D("800.00"),
    )


def test_generate_bill_bills_the_current_cycle_once(world):
    customer = activated(world, datetime.date(2026, 1, 5))
    today = cal.local_today(world.tenant)
    cycle = cal.monthly_cycle(today, 1)
    bill = bill_generate(actor=world.admin, customer=customer)
    assert (bill.period_start, bill.period_end, bill.amount) == (
        cycle.start,
        cycle.end,
        D("800.00"),
    )
    with pytest.raises(ValidationError) as exc:
        bill_generate(actor=world.admin, customer=customer)
    assert exc.value.message_dict == {
        "period_start": [
            f"{customer.username} already has bill {bill.number} for {cycle.start} – {cycle.end}."
        ]
    }
    assert Bill.objects.count() == 1


def test_generate_bill_for_a_customer_activated_this_cycle_is_prorated_from_activation(world):
    due_31 = profile(world, "Monthly 31st", due_day=31)
    customer = activated(world, datetime.date(2026, 2, 20), billing_profile=due_31)
    preview = generate_preview(customer, on=datetime.date(2026, 2, 25))
    assert (preview["period"].start, preview["period"].end, preview["total"]) == (
        datetime.date(2026, 2, 20),
        datetime.date(2026, 2, 27),
        D("228.57"),  # 800 × 8 / 28
    )


def test_generate_bill_needs_the_key_and_the_customer_in_scope(world):
    customer = make_customer(world, owner=world.operator2)
    world.op_manager.granted_keys = ["generate-bills"]
    world.op_manager.save()
    with pytest.raises(PermissionDenied):
        bill_generate(actor=world.noc, customer=customer)
    with pytest.raises(Exception) as exc:
        bill_generate(actor=world.op_manager, customer=customer)
    assert exc.type.__name__ == "Http404"
    assert Bill.objects.count() == 0


def test_generate_refuses_free_customers_and_daily_ones_without_enough_balance(world):
    free = profile(world, "Free", billing_type="free")
    freeloader = make_customer(world, owner=world.admin, billing_profile=free)
    with pytest.raises(ValidationError) as exc:
        bill_generate(actor=world.admin, customer=freeloader)
    assert exc.value.messages == ["Customers on a free billing profile are never billed."]
    daily = make_customer(
        world, owner=world.admin, customer_type="pppoe_daily", billing_profile=world.daily
    )
    payment_record(actor=world.admin, customer=daily, amount="10", method="advance")
    with pytest.raises(ValidationError) as exc:
        bill_generate(actor=world.admin, customer=daily)
    assert exc.value.messages == [
        f"{daily.username}'s balance (10.00) cannot cover 26.67: take a payment first."
    ]
    assert Bill.objects.count() == 0
    assert wallet_balance(daily) == D("10.00")


def test_a_hotspot_purchase_while_valid_extends_from_the_current_expiry(world):
    customer = make_customer(
        world, owner=world.admin, customer_type="hotspot", billing_profile=world.daily
    )
    today = cal.local_today(world.tenant)
    first = hotspot_purchase(actor=world.admin, customer=customer)
    second = hotspot_purchase(actor=world.admin, customer=customer)
    assert (first.period_start, first.period_end) == (today, today + datetime.timedelta(days=29))
    assert (second.period_start, second.period_end) == (
        today + datetime.timedelta(days=30),
        today + datetime.timedelta(days=59),
    )
    customer.refresh_from_db()
    assert customer.expires_at == end_of(today + datetime.timedelta(days=59))
    with pytest.raises(ValidationError):
        hotspot_purchase(actor=world.admin, customer=make_customer(world, owner=world.admin))


def test_a_prorated_first_bill_charges_the_reseller_the_same_share(world):
    reseller_add_balance(actor=world.admin, reseller=world.operator, amount="1000")
    customer = make_customer(world, owner=world.operator)
    period = cal.first_monthly_period(datetime.date(2026, 5, 10), 1)  # 22 / 31
    bill_create(
        actor=world.admin,
        customer=customer,
        kind="monthly",
        period_start=period.start,
        period_end=period.end,
        fraction=period.fraction,
    )
    assert Bill.objects.get(customer=customer).amount == D("567.74")  # 800 × 22 / 31
    assert reseller_position(world.operator) == D("-1000.00") + D("425.81")  # 600 × 22 / 31
    assert unbalanced_entries() == []
