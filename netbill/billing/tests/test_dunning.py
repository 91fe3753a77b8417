"""The dunning sweep: exactly the customers who have not paid are suspended (through the
customer status service), paying reactivates them, a manual suspension stays."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from netbill.billing import calendar as cal
from netbill.billing.dunning import REASON_PREFIX, dunning_sweep
from netbill.billing.models import Bill, BillingRun
from netbill.billing.services import bill_create
from netbill.billing.tests.helpers import profile
from netbill.core.models import OutboxMessage
from netbill.core.testing import make_customer
from netbill.customers.models import Customer, CustomerStatusChange
from netbill.customers.services import customer_set_status
from netbill.ledger.selectors import wallet_balance
from netbill.payments.services import payment_record

pytestmark = pytest.mark.django_db
D = Decimal
DAY = datetime.timedelta(days=1)


def billed(world, due_ago: int, **extra):
    """A customer of the group admin with one unpaid monthly bill due ``due_ago`` days ago."""
    customer = make_customer(world, owner=world.admin, **extra)
    today = cal.local_today(world.tenant)
    start = today - datetime.timedelta(days=due_ago)
    bill_create(
        actor=world.admin,
        customer=customer,
        kind="monthly",
        period_start=start,
        period_end=start + datetime.timedelta(days=29),
    )
    return customer


def statuses(*customers):
    return {c.name: Customer.objects.get(pk=c.pk).status for c in customers}


def test_the_sweep_suspends_exactly_the_customers_who_have_not_paid(world):
    today = cal.local_today(world.tenant)
    lenient = profile(world, "No auto-suspend", auto_suspend=False)
    overdue = billed(world, 10, name="overdue")  # due 10 days ago, 5 grace days
    in_grace = billed(world, 5, name="in grace")  # due + grace = today: not yet
    partly = billed(world, 6, name="partly paid")
    payment_record(actor=world.admin, customer=partly, amount="100")
    paid = billed(world, 10, name="paid")
    payment_record(actor=world.admin, customer=paid, amount="800")
    lenient_one = billed(world, 10, name="lenient", billing_profile=lenient)
    disabled = billed(world, 10, name="disabled")
    Customer.objects.filter(pk=disabled.pk).update(status="disabled")
    expired = make_customer(
        world, owner=world.admin, name="expired", expires_at=timezone.now() - DAY
    )
    valid = make_customer(world, owner=world.admin, name="valid", expires_at=timezone.now() + DAY)
    broke_daily = make_customer(
        world,
        owner=world.admin,
        name="daily without balance",
        customer_type="pppoe_daily",
        billing_profile=world.daily,
    )
    paid_daily = make_customer(
        world,
        owner=world.admin,
        name="daily paid today",
        customer_type="pppoe_daily",
        billing_profile=world.daily,
    )
    payment_record(actor=world.admin, customer=paid_daily, amount="100", method="advance")
    period = cal.daily_period(today, 30)
    bill_create(
        actor=world.admin,
        customer=paid_daily,
        kind="daily",
        period_start=today,
        period_end=today,
        fraction=period.fraction,
    )
    hotspot = make_customer(
        world,
        owner=world.admin,
        name="hotspot without expiry",
        customer_type="hotspot",
        billing_profile=world.daily,
    )
    everyone = (
        overdue,
        in_grace,
        partly,
        paid,
        lenient_one,
        disabled,
        expired,
        valid,
        broke_daily,
        paid_daily,
        hotspot,
    )

    run = dunning_sweep(world.tenant, today)

    assert statuses(*everyone) == {
        "overdue": "suspended",
        "in grace": "active",
        "partly paid": "suspended",
        "paid": "active",
        "lenient": "active",
        "disabled": "disabled",
        "expired": "suspended",
        "valid": "active",
        "daily without balance": "suspended",
        "daily paid today": "active",
        "hotspot without expiry": "active",
    }
    changes = CustomerStatusChange.objects.filter(to_status="suspended")
    assert sorted(changes.values_list("customer__name", "actor_id", "from_status")) == [
        ("daily without balance", None, "active"),
        ("expired", None, "active"),
        ("overdue", None, "active"),
        ("partly paid", None, "active"),
    ]
    overdue_bill = Bill.objects.get(customer=overdue)
    assert changes.get(customer=overdue).reason == (
        f"{REASON_PREFIX}unpaid bill {overdue_bill.number} was due on "
        f"{today - datetime.timedelta(days=10)} (5 grace days)."
    )
    assert changes.get(customer=broke_daily).reason == (
        f"{REASON_PREFIX}the balance (0.00) cannot cover the day (26.67)."
    )
    assert OutboxMessage.objects.filter(payload__event="customer.suspended").count() == 4
    saved = BillingRun.objects.get(pk=run.pk)
    assert (saved.kind, saved.run_date, saved.created_count, saved.error_count) == (
        "dunning",
        today,
        4,
        0,
    )
    assert saved.finished_at is not None


def test_a_second_sweep_changes_nothing(world):
    billed(world, 10, name="overdue")
    today = cal.local_today(world.tenant)
    dunning_sweep(world.tenant, today)
    count = CustomerStatusChange.objects.count()
    run = dunning_sweep(world.tenant, today)
    assert (run.created_count, run.skipped_count) == (0, 0)
    assert CustomerStatusChange.objects.count() == count


def test_paying_reactivates_a_dunning_suspension_but_not_a_manual_one(world):
    late = billed(world, 10, name="late")
    dunning_sweep(world.tenant, cal.local_today(world.tenant))
    manual = billed(world, 10, name="manual")
    customer_set_status(actor=world.admin, customer=manual, status="suspended", reason="fraud")
    assert statuses(late, manual) == {"late": "suspended", "manual": "suspended"}

    payment_record(actor=world.admin, customer=late, amount="800")
    payment_record(actor=world.admin, customer=manual, amount="800")

    assert statuses(late, manual) == {"late": "active", "manual": "suspended"}
    last = CustomerStatusChange.objects.filter(customer=late).order_by("-id").first()
    assert (last.to_status, last.actor_id, last.reason) == ("active", None, "Payment received")


def test_a_partial_payment_that_leaves_an_overdue_bill_does_not_reactivate(world):
    late = billed(world, 10, name="late")
    dunning_sweep(world.tenant, cal.local_today(world.tenant))
    payment_record(actor=world.admin, customer=late, amount="500")
    assert statuses(late) == {"late": "suspended"}


def test_a_topped_up_daily_customer_is_charged_today_and_reactivated_by_the_payment(world):
    today = cal.local_today(world.tenant)
    customer = make_customer(
        world,
        owner=world.admin,
        name="daily",
        customer_type="pppoe_daily",
        billing_profile=world.daily,
        expires_at=timezone.now() - DAY,
    )
    dunning_sweep(world.tenant, today)
    assert statuses(customer) == {"daily": "suspended"}
    # Too little for a day: still suspended.
    payment_record(actor=world.admin, customer=customer, amount="10", method="advance")
    assert statuses(customer) == {"daily": "suspended"}
    assert Bill.objects.filter(customer=customer).count() == 0
    # Enough for today: charged from the wallet and back online at once.
    payment_record(actor=world.admin, customer=customer, amount="90", method="advance")
    assert statuses(customer) == {"daily": "active"}
    bill = Bill.objects.get(customer=customer)
    assert (bill.kind, bill.period_start, bill.amount, bill.status) == (
        "daily",
        today,
        D("26.67"),
        "paid",
    )
    assert wallet_balance(customer) == D("73.33")
    # The next sweep has nothing left to do for it.
    run = dunning_sweep(world.tenant, today)
    assert (run.created_count, run.skipped_count) == (0, 0)
    assert Bill.objects.filter(customer=customer).count() == 1


def test_a_manually_suspended_daily_customer_is_not_charged_by_the_sweep(world):
    customer = make_customer(
        world,
        owner=world.admin,
        name="daily",
        customer_type="pppoe_daily",
        billing_profile=world.daily,
    )
    payment_record(actor=world.admin, customer=customer, amount="100", method="advance")
    customer_set_status(actor=world.admin, customer=customer, status="suspended", reason="asked")
    dunning_sweep(world.tenant, cal.local_today(world.tenant))
    assert statuses(customer) == {"daily": "suspended"}
    assert Bill.objects.count() == 0


def test_auto_suspend_off_keeps_expired_customers_active(world):
    lenient = profile(world, "No auto-suspend", auto_suspend=False)
    customer = make_customer(
        world,
        owner=world.admin,
        name="expired",
        billing_profile=lenient,
        expires_at=timezone.now() - DAY,
    )
    run = dunning_sweep(world.tenant, cal.local_today(world.tenant))
    assert statuses(customer) == {"expired": "active"}
    assert run.created_count == 0
