"""Property-based (stateful) test of the money rules: random sequences of customer
creation, billing over simulated months, payments (partial, full, over), advances and
reseller top-ups / settlements.  After every step: every journal entry balances per book,
every customer's balance equals the sum of its ledger lines and what the model expects,
prepaid resellers never go negative, postpaid resellers never pass their limit, and each
bill's paid amount equals its live allocations."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)

from netbill.billing.models import Bill
from netbill.billing.services import bill_create
from netbill.core.choices import AccountType
from netbill.core.testing import make_customer, make_world
from netbill.ledger.resellers import ResellerRefused, reseller_add_balance, reseller_cash_received
from netbill.ledger.selectors import customer_balance, reseller_position
from netbill.payments.models import PaymentAllocation
from netbill.payments.services import payment_record

D = Decimal
AMOUNTS = st.integers(min_value=1, max_value=3000).map(lambda n: D(n) / 2)


class MoneyMachine(RuleBasedStateMachine):
    customers = Bundle("customers")

    def __init__(self):
        super().__init__()
        self.savepoint = transaction.savepoint()
        self.world = make_world(f"Prop {id(self)}")
        w = self.world
        w.operator2.account_type, w.operator2.credit_limit = AccountType.POSTPAID, D("2500.00")
        w.operator2.save()
        self.owners = [w.admin, w.operator, w.operator2, w.sub_operator]
        self.expected: dict[int, Decimal] = {}
        self.months: dict[int, int] = {}

    def teardown(self):
        transaction.savepoint_rollback(self.savepoint)

    @rule(target=customers, owner=st.integers(0, 3), vat=st.booleans())
    def create_customer(self, owner, vat):
        customer = make_customer(
            self.world, owner=self.owners[owner], vat_profile=self.world.vat if vat else None
        )
        self.expected[customer.pk] = D("0.00")
        self.months[customer.pk] = 0
        return customer

    @rule(customer=customers)
    def bill_next_month(self, customer):
        n = self.months[customer.pk]
        start = datetime.date(2026 + (n // 12), n % 12 + 1, 1)
        end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
        try:
            bill = bill_create(
                actor=self.world.admin,
                customer=customer,
                kind="monthly",
                period_start=start,
                period_end=end,
            )
        except ResellerRefused:
            return
        self.months[customer.pk] = n + 1
        self.expected[customer.pk] += bill.amount

    @rule(customer=customers, amount=AMOUNTS, on_bill=st.booleans())
    def pay(self, customer, amount, on_bill):
        bill = None
        if on_bill:
            bill = Bill.objects.filter(customer=customer, status__in=["unpaid", "partial"]).first()
        payment_record(actor=self.world.admin, customer=customer, amount=amount, bill=bill)
        self.expected[customer.pk] -= amount

    @rule(customer=customers, amount=AMOUNTS)
    def advance(self, customer, amount):
        payment_record(actor=self.world.admin, customer=customer, amount=amount, method="advance")
        self.expected[customer.pk] -= amount

    @rule(which=st.sampled_from(["operator", "operator2", "sub_operator"]), amount=AMOUNTS)
    def reseller_pays_parent(self, which, amount):
        reseller = getattr(self.world, which)
        parent = self.world.operator if which == "sub_operator" else self.world.admin
        if which == "operator2":
            reseller_cash_received(actor=parent, reseller=reseller, amount=amount)
        else:
            reseller_add_balance(actor=parent, reseller=reseller, amount=amount)

    @rule(amount=AMOUNTS)
    def refused_payment_changes_nothing(self, amount):
        with pytest.raises(ValidationError):
            payment_record(
                actor=self.world.admin, customer=make_customer(self.world), amount=-amount
            )

    @invariant()
    def entries_balance_per_book(self):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT entry_id, book_id FROM ledger_journalline "
                "GROUP BY entry_id, book_id HAVING SUM(amount) <> 0"
            )
            assert cursor.fetchall() == []

    @invariant()
    def customer_balances_match_ledger_and_model(self):
        for pk, expected in self.expected.items():
            assert customer_balance(pk) == expected, pk

    @invariant()
    def resellers_within_their_rules(self):
        w = self.world
        for reseller in (w.operator, w.sub_operator):
            assert reseller_position(reseller) <= 0  # prepaid: a deposit, never a debt
        assert reseller_position(w.operator2) <= w.operator2.credit_limit

    @invariant()
    def bills_paid_equals_live_allocations(self):
        for bill in Bill.objects.filter(tenant=self.world.tenant):
            allocated = PaymentAllocation.objects.filter(
                bill=bill, voided_at__isnull=True
            ).aggregate(s=Sum("amount"))["s"] or D("0")
            assert bill.paid_amount == allocated
            assert bill.paid_amount <= bill.amount


@pytest.mark.django_db
def test_money_rules_hold_for_random_sequences():
    run_state_machine_as_test(
        MoneyMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
