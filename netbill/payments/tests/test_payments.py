"""Payments: partial / full / over payments, advances, collector and receipt, refusals,
voids and edits with their reversing entries, bulk "mark paid", reactivation."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from netbill.billing.models import Bill
from netbill.core import permissions as P
from netbill.core.models import ActivityLog
from netbill.core.testing import db_state, make_customer
from netbill.customers.services import customer_set_status
from netbill.ledger.models import JournalEntry, JournalLine
from netbill.ledger.selectors import customer_balance, customer_due, wallet_balance
from netbill.payments.models import Payment, PaymentAllocation
from netbill.payments.services import (
    bills_mark_paid,
    payment_edit,
    payment_record,
    payment_void,
)
from netbill.payments.tests.helpers import JUNE, MAY, D, lines, make_bill

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(world):
    return make_customer(world, owner=world.admin, vat_profile=world.vat)


def test_partial_payment_settles_part_of_the_bill_and_posts_cash_against_receivable(
    world, customer
):
    bill = make_bill(world, customer)  # 800 + 5 % VAT
    payment = payment_record(actor=world.admin, customer=customer, amount="300", bill=bill)
    bill.refresh_from_db()
    assert (bill.amount, bill.paid_amount, bill.status, bill.due) == (
        D("840.00"),
        D("300.00"),
        "partial",
        D("540.00"),
    )
    assert lines(payment.entry) == [("1000", D("300.00")), ("1300", D("-300.00"))]
    assert payment.entry.lines.get(account__code="1000").staff_id == world.admin.pk
    assert customer_due(customer) == D("540.00")
    assert wallet_balance(customer) == D("0.00")


def test_full_payment_marks_the_bill_paid(world, customer):
    bill = make_bill(world, customer)
    payment = payment_record(actor=world.admin, customer=customer, amount="840", bill=bill)
    bill.refresh_from_db()
    assert (bill.paid_amount, bill.status) == (D("840.00"), "paid")
    assert [(a.bill_id, a.amount) for a in payment.allocations.all()] == [(bill.pk, D("840.00"))]
    assert customer_balance(customer) == D("0.00")


def test_over_payment_settles_the_bill_and_keeps_the_rest_in_the_wallet(world, customer):
    bill = make_bill(world, customer)
    payment = payment_record(actor=world.admin, customer=customer, amount="1000", bill=bill)
    bill.refresh_from_db()
    assert bill.status == "paid"
    assert lines(payment.entry) == [
        ("1000", D("1000.00")),
        ("1300", D("-840.00")),
        ("2000", D("-160.00")),
    ]
    assert (customer_due(customer), wallet_balance(customer)) == (D("0.00"), D("160.00"))


def test_payment_against_the_customer_settles_the_oldest_bills_first(world, customer):
    may = make_bill(world, customer, MAY, due_date=datetime.date(2026, 5, 1))
    june = make_bill(world, customer, JUNE, due_date=datetime.date(2026, 6, 1))
    payment = payment_record(actor=world.admin, customer=customer, amount="1000")
    may.refresh_from_db()
    june.refresh_from_db()
    assert (may.status, may.paid_amount) == ("paid", D("840.00"))
    assert (june.status, june.paid_amount) == ("partial", D("160.00"))
    assert [(a.bill_id, a.amount) for a in payment.allocations.order_by("id")] == [
        (may.pk, D("840.00")),
        (june.pk, D("160.00")),
    ]
    assert (customer_due(customer), wallet_balance(customer)) == (D("680.00"), D("0.00"))


def test_named_bill_is_settled_before_older_ones(world, customer):
    may = make_bill(world, customer, MAY)
    june = make_bill(world, customer, JUNE)
    payment_record(actor=world.admin, customer=customer, amount="840", bill=june)
    may.refresh_from_db()
    june.refresh_from_db()
    assert (may.status, june.status) == ("unpaid", "paid")


def test_advance_goes_to_the_wallet_and_pays_the_next_bill(world, customer):
    payment = payment_record(actor=world.admin, customer=customer, amount="1000", method="advance")
    assert lines(payment.entry) == [("1000", D("1000.00")), ("2000", D("-1000.00"))]
    assert wallet_balance(customer) == D("1000.00")
    bill = make_bill(world, customer)
    assert (bill.status, bill.paid_amount) == ("paid", D("840.00"))
    assert PaymentAllocation.objects.get(bill=bill).payment_id is None  # from the wallet
    assert (customer_due(customer), wallet_balance(customer)) == (D("0.00"), D("160.00"))


def test_collector_and_receipt_number_are_recorded(world, customer):
    world.admin_manager.granted_keys = [P.RECEIVE_PAYMENT]
    world.admin_manager.save()
    year = timezone.localdate().year
    first = payment_record(actor=world.admin_manager, customer=customer, amount="100")
    second = payment_record(
        actor=world.admin, customer=customer, amount="50", collected_by=world.admin_manager
    )
    assert (first.receipt_number, second.receipt_number) == (f"R{year}-0000001", f"R{year}-0000002")
    assert (first.collected_by, second.collected_by) == (world.admin_manager, world.admin_manager)
    cash = JournalLine.objects.filter(account__code="1000", customer=customer)
    assert sorted(cash.values_list("staff_id", "amount")) == [
        (world.admin_manager.pk, D("50.00")),
        (world.admin_manager.pk, D("100.00")),
    ]


def test_payment_naming_a_bill_paid_meanwhile_still_records_the_money_in_the_wallet(
    world, customer
):
    bill = make_bill(world, customer)
    payment_record(actor=world.admin, customer=customer, amount="840", bill=bill)
    second = payment_record(actor=world.admin, customer=customer, amount="840", bill=bill)
    bill.refresh_from_db()
    assert (bill.paid_amount, bill.status) == (D("840.00"), "paid")
    assert second.allocations.count() == 0
    assert wallet_balance(customer) == D("840.00")


def test_manager_without_receive_payment_cannot_take_a_payment_and_nothing_changes(
    world,
):
    customer = make_customer(world, owner=world.admin)
    bill = make_bill(world, customer)
    world.admin_manager.granted_keys = [P.VIEW_PAYMENTS]
    world.admin_manager.save()
    before = db_state(Payment, PaymentAllocation, JournalLine, Bill)
    with pytest.raises(PermissionDenied):
        payment_record(actor=world.admin_manager, customer=customer, amount="840", bill=bill)
    assert db_state(Payment, PaymentAllocation, JournalLine, Bill) == before


def test_bad_amounts_are_refused_with_the_fields_error(world, customer):
    for amount in ("abc", "0", "-5"):
        with pytest.raises(ValidationError) as exc:
            payment_record(actor=world.admin, customer=customer, amount=amount)
        assert list(exc.value.message_dict) == ["amount"]
    assert Payment.objects.count() == 0


# --- reactivation -------------------------------------------------------------------------


def _overdue_bill(world, customer):
    today = timezone.localdate()
    start = today - datetime.timedelta(days=20)
    return make_bill(
        world,
        customer,
        (start, today + datetime.timedelta(days=10)),
        due_date=start,
    )


def test_payment_reactivates_a_customer_the_system_suspended(world, customer):
    bill = _overdue_bill(world, customer)
    customer_set_status(
        actor=None, customer=customer, status="suspended", reason="dunning", system=True
    )
    payment_record(actor=world.admin, customer=customer, amount="500", bill=bill)
    customer.refresh_from_db()
    assert customer.status == "suspended"  # still overdue: 340 left
    payment_record(actor=world.admin, customer=customer, amount="340", bill=bill)
    customer.refresh_from_db()
    assert customer.status == "active"
    last = customer.status_changes.order_by("-id").first()
    assert (last.from_status, last.to_status, last.actor_id) == ("suspended", "active", None)


def test_payment_does_not_reactivate_a_customer_staff_suspended(world, customer):
    bill = _overdue_bill(world, customer)
    customer_set_status(actor=world.admin, customer=customer, status="suspended", reason="abuse")
    payment_record(actor=world.admin, customer=customer, amount="840", bill=bill)
    customer.refresh_from_db()
    assert customer.status == "suspended"


# --- void and edit ------------------------------------------------------------------------


def test_void_reverses_the_entry_reopens_the_bill_and_restores_the_balance_exactly(world, customer):
    bill = make_bill(world, customer)
    balance_before = customer_balance(customer)
    payment = payment_record(actor=world.admin, customer=customer, amount="1000", bill=bill)
    assert customer_balance(customer) == D("-160.00")

    payment_void(actor=world.admin, payment=payment, reason="wrong customer")

    payment.refresh_from_db()
    bill.refresh_from_db()
    assert payment.voided_at is not None
    assert payment.void_reason == "wrong customer"
    reversal = payment.void_entry
    assert reversal.reverses_id == payment.entry_id
    assert lines(reversal) == [
        ("1000", D("-1000.00")),
        ("1300", D("840.00")),
        ("2000", D("160.00")),
    ]
    assert (bill.paid_amount, bill.status) == (D("0.00"), "unpaid")
    assert PaymentAllocation.objects.get(payment=payment).voided_at is not None
    assert customer_balance(customer) == balance_before == D("840.00")
    assert wallet_balance(customer) == D("0.00")
    log = ActivityLog.objects.get(action="payment.void")
    assert log.before["amount"] == "1000.00"
    assert log.after["reason"] == "wrong customer"


def test_void_is_refused_when_the_wallet_part_was_already_spent(world, customer):
    payment = payment_record(actor=world.admin, customer=customer, amount="1000", method="advance")
    make_bill(world, customer)  # takes 840 of the 1000 from the wallet
    before = db_state(Payment, PaymentAllocation, JournalLine, Bill)
    with pytest.raises(ValidationError) as exc:
        payment_void(actor=world.admin, payment=payment, reason="mistake")
    assert "wallet holds only 160.00" in str(exc.value)
    assert db_state(Payment, PaymentAllocation, JournalLine, Bill) == before


def test_a_payment_is_voided_only_once(world, customer):
    payment = payment_record(actor=world.admin, customer=customer, amount="100")
    payment_void(actor=world.admin, payment=payment, reason="dup")
    with pytest.raises(ValidationError) as exc:
        payment_void(actor=world.admin, payment=payment, reason="dup")
    assert "already void" in str(exc.value)
    assert JournalEntry.objects.filter(reverses=payment.entry).count() == 1


def test_void_needs_the_key_and_a_reason(world, customer):
    payment = payment_record(actor=world.admin, customer=customer, amount="100")
    world.admin_manager.granted_keys = [P.RECEIVE_PAYMENT, P.VIEW_PAYMENTS]
    world.admin_manager.save()
    before = db_state(Payment, JournalLine)
    with pytest.raises(PermissionDenied):
        payment_void(actor=world.admin_manager, payment=payment, reason="x")
    with pytest.raises(ValidationError) as exc:
        payment_void(actor=world.admin, payment=payment, reason="  ")
    assert list(exc.value.message_dict) == ["reason"]
    assert db_state(Payment, JournalLine) == before


def test_edit_voids_and_records_again_with_the_new_amount(world, customer):
    bill = make_bill(world, customer)
    world.admin_manager.granted_keys = [P.EDIT_CUSTOMER_PAYMENT]
    world.admin_manager.save()
    old = payment_record(
        actor=world.admin, customer=customer, amount="500", bill=bill, note="counter"
    )

    new = payment_edit(actor=world.admin_manager, payment=old, amount="400", reason="miscounted")

    old.refresh_from_db()
    bill.refresh_from_db()
    assert old.voided_at is not None
    assert new.receipt_number != old.receipt_number
    assert (new.amount, new.method, new.note, new.collected_by) == (
        D("400.00"),
        "cash",
        "counter",
        world.admin,
    )
    assert [(a.bill_id, a.amount) for a in new.allocations.all()] == [(bill.pk, D("400.00"))]
    assert (bill.paid_amount, bill.status) == (D("400.00"), "partial")
    assert customer_due(customer) == D("440.00")
    log = ActivityLog.objects.get(action="payment.edit")
    assert (log.before["amount"], log.after["amount"]) == ("500.00", "400.00")


# --- bulk mark paid -----------------------------------------------------------------------


def test_bulk_mark_paid_pays_each_bill_in_full_and_lists_the_failures(world):
    a = make_customer(world, owner=world.admin)
    b = make_customer(world, owner=world.admin, vat_profile=world.vat)
    bill_a = make_bill(world, a)
    bill_b = make_bill(world, b)
    payment_record(actor=world.admin, customer=b, amount="40", bill=bill_b)  # partial
    paid = make_bill(world, a, JUNE)
    payment_record(actor=world.admin, customer=a, amount="800", bill=paid)

    results = bills_mark_paid(actor=world.admin, bills=[bill_a, bill_b, paid])

    assert [(r.bill.pk, r.payment is not None, r.error) for r in results] == [
        (bill_a.pk, True, ""),
        (bill_b.pk, True, ""),
        (paid.pk, False, "This bill is already paid."),
    ]
    assert [r.payment.amount for r in results[:2]] == [D("800.00"), D("800.00")]
    assert [r.payment.method for r in results[:2]] == ["cash", "cash"]
    assert set(Bill.objects.values_list("status", flat=True)) == {"paid"}
    assert (wallet_balance(a), wallet_balance(b)) == (D("0.00"), D("0.00"))


def test_bulk_mark_paid_without_the_key_pays_nothing(world):
    customer = make_customer(world, owner=world.admin)
    bill = make_bill(world, customer)
    world.admin_manager.granted_keys = [P.VIEW_BILLS]
    world.admin_manager.save()
    before = db_state(Payment, JournalLine, Bill)
    with pytest.raises(PermissionDenied):
        bills_mark_paid(actor=world.admin_manager, bills=[bill])
    assert db_state(Payment, JournalLine, Bill) == before


def test_card_payments_are_not_voided_here_and_online_payments_not_edited(world, customer):
    card = payment_record(actor=world.admin, customer=customer, amount="500", method="card")
    online = payment_record(actor=world.admin, customer=customer, amount="300", method="online")
    before = db_state(Payment, PaymentAllocation, JournalLine)
    with pytest.raises(ValidationError) as exc:
        payment_void(actor=world.admin, payment=card, reason="x")
    assert "recharge card" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        payment_edit(actor=world.admin, payment=online, amount="200", reason="x")
    assert "Only cash, bank and advance payments can be edited" in str(exc.value)
    assert db_state(Payment, PaymentAllocation, JournalLine) == before
