"""Bill corrections: discounts, voids and edits — each its own entry, nothing edited in
place, balances returning exactly."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from netbill.billing.models import Bill, BillLine
from netbill.core import permissions as P
from netbill.core.models import ActivityLog
from netbill.core.testing import db_state, make_customer
from netbill.ledger.models import JournalEntry, JournalLine
from netbill.ledger.selectors import (
    customer_balance,
    customer_due,
    reseller_balance,
    wallet_balance,
)
from netbill.payments.adjustments import bill_discount, bill_edit, bill_void
from netbill.payments.models import Payment, PaymentAllocation
from netbill.payments.services import payment_record, payment_void
from netbill.payments.tests.helpers import D, fund, lines, make_bill

pytestmark = pytest.mark.django_db

WATCHED = (Bill, BillLine, Payment, PaymentAllocation, JournalLine)


@pytest.fixture
def customer(world):
    return make_customer(world, owner=world.admin, vat_profile=world.vat)


# --- discounts ------------------------------------------------------------------------------


def test_discount_posts_discounts_against_receivable_and_reduces_the_due(world, customer):
    bill = make_bill(world, customer)  # 840.00

    bill = bill_discount(actor=world.admin, bill=bill, amount="40", reason="loyal customer")

    bill.refresh_from_db()
    assert (bill.amount, bill.discount, bill.paid_amount, bill.due, bill.status) == (
        D("840.00"),
        D("40.00"),
        D("0.00"),
        D("800.00"),
        "unpaid",
    )
    entry = JournalEntry.objects.get(kind="bill.discount")
    assert lines(entry) == [("1300", D("-40.00")), ("4900", D("40.00"))]
    line = bill.lines.get(kind="discount")
    assert (line.description, line.amount) == ("loyal customer", D("-40.00"))
    assert customer_due(customer) == D("800.00")
    log = ActivityLog.objects.get(action="bill.discount")
    assert (log.before["discount"], log.after["discount"]) == ("0.00", "40.00")


def test_paying_the_discounted_due_marks_the_bill_paid_and_the_rest_goes_to_the_wallet(
    world, customer
):
    bill = make_bill(world, customer)
    bill_discount(actor=world.admin, bill=bill, amount="40", reason="promo")
    payment = payment_record(actor=world.admin, customer=customer, amount="840", bill=bill)
    bill.refresh_from_db()
    assert (bill.paid_amount, bill.status, bill.due) == (D("800.00"), "paid", D("0.00"))
    assert lines(payment.entry) == [
        ("1000", D("840.00")),
        ("1300", D("-800.00")),
        ("2000", D("-40.00")),
    ]
    assert (customer_due(customer), wallet_balance(customer)) == (D("0.00"), D("40.00"))


def test_discount_of_the_whole_due_settles_a_partly_paid_bill(world, customer):
    bill = make_bill(world, customer)
    payment_record(actor=world.admin, customer=customer, amount="800", bill=bill)
    bill_discount(actor=world.admin, bill=bill, amount="40", reason="rounding")
    bill.refresh_from_db()
    assert (bill.status, bill.due) == ("paid", D("0.00"))
    assert customer_balance(customer) == D("0.00")


def test_discount_above_the_due_or_on_a_paid_bill_is_refused(world, customer):
    bill = make_bill(world, customer)
    payment_record(actor=world.admin, customer=customer, amount="500", bill=bill)
    before = db_state(*WATCHED)
    with pytest.raises(ValidationError) as exc:
        bill_discount(actor=world.admin, bill=bill, amount="340.01", reason="too much")
    assert exc.value.message_dict == {
        "amount": ["The discount cannot be more than the due (340.00)."]
    }
    assert db_state(*WATCHED) == before
    payment_record(actor=world.admin, customer=customer, amount="340", bill=bill)
    before = db_state(*WATCHED)
    with pytest.raises(ValidationError) as exc:
        bill_discount(actor=world.admin, bill=bill, amount="1", reason="late")
    assert list(exc.value.message_dict) == ["bill"]
    assert db_state(*WATCHED) == before


def test_discount_without_the_key_is_refused_and_nothing_changes(world, customer):
    bill = make_bill(world, customer)
    world.admin_manager.granted_keys = [P.VIEW_BILLS, P.EDIT_BILLS]
    world.admin_manager.save()
    before = db_state(*WATCHED)
    with pytest.raises(PermissionDenied):
        bill_discount(actor=world.admin_manager, bill=bill, amount="10", reason="x")
    assert db_state(*WATCHED) == before


def test_wallet_applies_only_the_discounted_due_to_a_new_bill(world, customer):
    payment_record(actor=world.admin, customer=customer, amount="300", method="advance")
    bill = make_bill(world, customer)
    assert bill.paid_amount == D("300.00")
    bill_discount(actor=world.admin, bill=bill, amount="540", reason="goodwill")
    bill.refresh_from_db()
    assert (bill.status, bill.due) == ("paid", D("0.00"))


# --- voids ----------------------------------------------------------------------------------


def test_void_reverses_the_bill_and_the_resellers_charge(world):
    customer = make_customer(world, owner=world.sub_operator, vat_profile=world.vat)
    fund(world, world.sub_operator, "5000")
    ops_before = (reseller_balance(world.sub_operator), reseller_balance(world.operator))
    bill = make_bill(world, customer)
    assert reseller_balance(world.sub_operator) == ops_before[0] - D("600.00")

    bill_void(actor=world.admin, bill=bill, reason="billed by mistake")

    bill.refresh_from_db()
    assert (bill.status, bill.void_reason) == ("void", "billed by mistake")
    assert bill.voided_at is not None
    reversal = JournalEntry.objects.get(reverses=bill.entry)
    assert sorted(lines(reversal)) == sorted((c, -a) for c, a in lines(bill.entry))
    assert customer_balance(customer) == D("0.00")
    assert (reseller_balance(world.sub_operator), reseller_balance(world.operator)) == ops_before
    log = ActivityLog.objects.get(action="bill.void")
    assert (log.before["status"], log.after["status"]) == ("unpaid", "void")


def test_void_is_refused_while_payments_are_recorded_against_the_bill(world, customer):
    bill = make_bill(world, customer)
    payment = payment_record(actor=world.admin, customer=customer, amount="300", bill=bill)
    before = db_state(*WATCHED)
    with pytest.raises(ValidationError) as exc:
        bill_void(actor=world.admin, bill=bill, reason="mistake")
    assert exc.value.message_dict == {
        "bill": [
            f"Payments are recorded against this bill ({payment.receipt_number}): "
            "void those payments first."
        ]
    }
    assert db_state(*WATCHED) == before
    # after voiding the payment the bill can go, and the customer owes nothing
    payment_void(actor=world.admin, payment=payment, reason="mistake")
    bill_void(actor=world.admin, bill=bill, reason="mistake")
    assert customer_balance(customer) == D("0.00")


def test_void_returns_what_the_wallet_paid_and_undoes_the_discount(world, customer):
    payment_record(actor=world.admin, customer=customer, amount="500", method="advance")
    bill = make_bill(world, customer)  # 500 from the wallet
    bill_discount(actor=world.admin, bill=bill, amount="40", reason="promo")
    assert (wallet_balance(customer), customer_due(customer)) == (D("0.00"), D("300.00"))

    bill_void(actor=world.admin, bill=bill, reason="wrong package")

    bill.refresh_from_db()
    assert (bill.status, bill.paid_amount) == ("void", D("0.00"))
    undo = JournalEntry.objects.get(kind="bill.void")
    assert lines(undo) == [
        ("1300", D("40.00")),
        ("1300", D("500.00")),
        ("2000", D("-500.00")),
        ("4900", D("-40.00")),
    ]
    assert (wallet_balance(customer), customer_due(customer)) == (D("500.00"), D("0.00"))
    assert not PaymentAllocation.objects.filter(bill=bill, voided_at__isnull=True).exists()
    discounts = JournalLine.objects.filter(account__code="4900").values_list("amount", flat=True)
    assert sum(discounts) == D("0.00")


def test_a_bill_is_voided_once_and_only_with_the_key(world, customer):
    bill = make_bill(world, customer)
    world.admin_manager.granted_keys = [P.EDIT_BILLS]
    world.admin_manager.save()
    before = db_state(*WATCHED)
    with pytest.raises(PermissionDenied):
        bill_void(actor=world.admin_manager, bill=bill, reason="x")
    assert db_state(*WATCHED) == before
    bill_void(actor=world.admin, bill=bill, reason="x")
    with pytest.raises(ValidationError) as exc:
        bill_void(actor=world.admin, bill=bill, reason="x")
    assert exc.value.message_dict == {"bill": ["This bill is already void."]}


# --- edits ----------------------------------------------------------------------------------


def test_edit_reissues_the_same_period_with_the_new_amount_and_vat_in_proportion(world):
    customer = make_customer(world, owner=world.operator, vat_profile=world.vat)
    fund(world, world.operator, "5000")
    old = make_bill(world, customer)
    reseller_after_bill = reseller_balance(world.operator)

    new = bill_edit(actor=world.admin, bill=old, amount="525", reason="agreed price")

    old.refresh_from_db()
    assert old.status == "void"
    assert (new.period_start, new.period_end, new.kind, new.due_date) == (
        old.period_start,
        old.period_end,
        old.kind,
        old.due_date,
    )
    assert new.number != old.number
    assert (new.amount, new.status) == (D("525.00"), "unpaid")
    assert sorted(new.lines.values_list("kind", "amount")) == [
        ("package", D("500.00")),
        ("vat", D("25.00")),
    ]
    assert lines(new.entry) == [
        ("1300", D("525.00")),
        ("1400", D("600.00")),
        ("2200", D("-25.00")),
        ("4100", D("-500.00")),
        ("4500", D("-600.00")),
    ]
    assert customer_due(customer) == D("525.00")
    assert reseller_balance(world.operator) == reseller_after_bill  # charged once for the period
    log = ActivityLog.objects.get(action="bill.edit")
    assert (log.before["amount"], log.after["amount"]) == ("840.00", "525.00")


def test_edit_applies_the_wallet_to_the_new_bill(world, customer):
    payment_record(actor=world.admin, customer=customer, amount="1000", method="advance")
    old = make_bill(world, customer)
    new = bill_edit(actor=world.admin, bill=old, amount="420", reason="half month")
    assert (new.status, new.paid_amount) == ("paid", D("420.00"))
    assert wallet_balance(customer) == D("580.00")


def test_edit_without_the_key_is_refused_and_nothing_changes(world, customer):
    bill = make_bill(world, customer)
    world.admin_manager.granted_keys = [P.DELETE_BILLS]
    world.admin_manager.save()
    before = db_state(*WATCHED)
    with pytest.raises(PermissionDenied):
        bill_edit(actor=world.admin_manager, bill=bill, amount="100", reason="x")
    assert db_state(*WATCHED) == before
