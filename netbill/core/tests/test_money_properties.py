"""Property-based (stateful) test of the money rules: random sequences of customer
creation, billing over simulated months, payments (partial, full, over), advances,
discounts, bill and payment voids, recharge-card redemptions and
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
from netbill.payments.adjustments import bill_discount, bill_void
from netbill.payments.cards import card_batch_create, card_redeem
from netbill.payments.models import Payment, PaymentAllocation
from netbill.payments.services import payment_record, payment_void

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
        _batch, printed = card_batch_create(actor=w.admin, name="Prop cards", value="500", count=40)
        self.pins = [card.pin for card in printed]

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
            bill_create(
                actor=self.world.admin,
                customer=customer,
                kind="monthly",
                period_start=start,
                period_end=end,
            )
        except ResellerRefused:
            return
        self.months[customer.pk] = n + 1

    @rule(customer=customers, amount=AMOUNTS, on_bill=st.booleans())
    def pay(self, customer, amount, on_bill):
        bill = None
        if on_bill:
            bill = Bill.objects.filter(customer=customer, status__in=["unpaid", "partial"]).first()
        payment_record(actor=self.world.admin, customer=customer, amount=amount, bill=bill)

    @rule(customer=customers, amount=AMOUNTS)
    def advance(self, customer, amount):
        payment_record(actor=self.world.admin, customer=customer, amount=amount, method="advance")

    @rule(which=st.sampled_from(["operator", "operator2", "sub_operator"]), amount=AMOUNTS)
    def reseller_pays_parent(self, which, amount):
        reseller = getattr(self.world, which)
        parent = self.world.operator if which == "sub_operator" else self.world.admin
        if which == "operator2":
            reseller_cash_received(actor=parent, reseller=reseller, amount=amount)
        else:
            reseller_add_balance(actor=parent, reseller=reseller, amount=amount)

    @rule(customer=customers, amount=AMOUNTS)
    def discount_open_bill(self, customer, amount):
        bill = Bill.objects.filter(customer=customer, status__in=["unpaid", "partial"]).first()
        if bill is None:
            return
        bill_discount(actor=self.world.admin, bill=bill, amount=min(amount, bill.due), reason="p")

    @rule(customer=customers, newest=st.booleans())
    def void_payment(self, customer, newest):
        live = Payment.objects.filter(customer=customer, voided_at__isnull=True, method="cash")
        payment = live.order_by("-id" if newest else "id").first()
        if payment is None:
            return
        try:
            payment_void(actor=self.world.admin, payment=payment, reason="p")
        except ValidationError:
            return  # its wallet part was already spent: refused, nothing changed

    @rule(customer=customers)
    def void_bill(self, customer):
        bill = Bill.objects.exclude(status="void").filter(customer=customer).last()
        if bill is None:
            return
        try:
            bill_void(actor=self.world.admin, bill=bill, reason="p")
        except ValidationError:
            return  # payments recorded against it: refused, nothing changed

    @rule(customer=customers, card=st.integers(0, 39))
    def redeem_card(self, customer, card):
        try:
            card_redeem(actor=self.world.admin, customer=customer, pin=self.pins[card])
        except ValidationError:
            return  # used already, or the customer is in another book

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
        for pk in self.expected:
            bills = Bill.objects.filter(customer_id=pk).exclude(status="void")
            billed = sum((b.amount - b.discount for b in bills), D("0"))
            paid = Payment.objects.filter(customer_id=pk, voided_at__isnull=True).aggregate(
                s=Sum("amount")
            )["s"] or D("0")
            assert customer_balance(pk) == billed - paid, pk

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
