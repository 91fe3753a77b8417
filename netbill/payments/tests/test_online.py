"""Online transactions: idempotent per gateway reference, pending → completed | rejected,
the payment recorded on approval, decided transactions never change again."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from netbill.core import permissions as P
from netbill.core.models import ActivityLog
from netbill.core.testing import db_state, make_customer
from netbill.ledger.models import JournalLine
from netbill.ledger.selectors import wallet_balance
from netbill.payments.models import OnlineTransaction, Payment
from netbill.payments.online import (
    online_transaction_approve,
    online_transaction_record,
    online_transaction_reject,
)
from netbill.payments.tests.helpers import D, lines, make_bill

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(world):
    return make_customer(world, owner=world.admin)


def record(world, customer, reference="TX100", amount="500", **extra):
    return online_transaction_record(
        tenant=world.tenant,
        gateway=extra.pop("gateway", "bkash"),
        gateway_reference=reference,
        amount=amount,
        customer=customer,
        raw_callback=extra.pop("raw", {"trxID": reference}),
    )


def test_a_callback_records_a_pending_transaction_without_moving_money(world, customer):
    tx = record(world, customer)
    assert (tx.status, tx.amount, tx.gateway, tx.owner_id) == (
        "pending",
        D("500.00"),
        "bkash",
        world.admin.pk,
    )
    assert tx.raw_callback == {"trxID": "TX100"}
    assert (Payment.objects.count(), JournalLine.objects.count()) == (0, 0)


def test_a_repeated_callback_returns_the_same_row_unchanged(world, customer):
    first = record(world, customer)
    again = record(world, customer, amount="999", raw={"retry": 1})
    assert again.pk == first.pk
    assert (again.amount, again.raw_callback) == (D("500.00"), {"trxID": "TX100"})
    assert OnlineTransaction.objects.count() == 1
    # the same reference at another gateway is another transaction
    assert record(world, customer, gateway="nagad").pk != first.pk


def test_a_callback_with_missing_or_foreign_parts_is_refused(world, other_world, customer):
    foreign = make_customer(other_world, owner=other_world.admin)
    with pytest.raises(ValidationError) as exc:
        online_transaction_record(
            tenant=world.tenant,
            gateway="",
            gateway_reference=" ",
            amount="10",
            customer=foreign,
        )
    assert set(exc.value.message_dict) == {"gateway", "gateway_reference", "customer"}
    with pytest.raises(ValidationError) as exc:
        record(world, customer, amount="-1")
    assert list(exc.value.message_dict) == ["amount"]
    assert OnlineTransaction.objects.count() == 0


def test_approve_records_an_online_payment_against_gateway_clearing(world, customer):
    bill = make_bill(world, customer)  # 800
    world.admin_manager.granted_keys = [P.VERIFY_PAYMENTS]
    world.admin_manager.save()
    tx = record(world, customer, amount="1000")

    tx = online_transaction_approve(actor=world.admin_manager, tx=tx)

    assert (tx.status, tx.decided_by) == ("completed", world.admin_manager)
    payment = tx.payment
    assert (payment.method, payment.amount, payment.reference) == ("online", D("1000.00"), "TX100")
    assert lines(payment.entry) == [
        ("1200", D("1000.00")),
        ("1300", D("-800.00")),
        ("2000", D("-200.00")),
    ]
    assert payment.entry.lines.get(account__code="1200").party == "bkash"
    bill.refresh_from_db()
    assert bill.status == "paid"
    assert wallet_balance(customer) == D("200.00")
    assert ActivityLog.objects.filter(action="online.approve", actor=world.admin_manager).exists()


def test_a_decided_transaction_never_changes_again(world, customer):
    approved = record(world, customer, reference="A1")
    online_transaction_approve(actor=world.admin, tx=approved)
    rejected = record(world, customer, reference="R1")
    online_transaction_reject(actor=world.admin, tx=rejected, reason="not received")
    rejected.refresh_from_db()
    assert (rejected.status, rejected.reject_reason, rejected.payment) == (
        "rejected",
        "not received",
        None,
    )
    before = db_state(OnlineTransaction, Payment, JournalLine)
    for tx, action in (
        (approved, lambda tx: online_transaction_approve(actor=world.admin, tx=tx)),
        (approved, lambda tx: online_transaction_reject(actor=world.admin, tx=tx, reason="x")),
        (rejected, lambda tx: online_transaction_approve(actor=world.admin, tx=tx)),
    ):
        with pytest.raises(ValidationError) as exc:
            action(tx)
        assert "This transaction is already" in str(exc.value)
    assert db_state(OnlineTransaction, Payment, JournalLine) == before


def test_verifying_needs_the_key_and_a_reject_needs_a_reason(world, customer):
    tx = record(world, customer)
    world.admin_manager.granted_keys = [P.RECEIVE_PAYMENT, P.VIEW_PAYMENTS]
    world.admin_manager.save()
    before = db_state(OnlineTransaction, Payment, JournalLine)
    with pytest.raises(PermissionDenied):
        online_transaction_approve(actor=world.admin_manager, tx=tx)
    with pytest.raises(PermissionDenied):
        online_transaction_reject(actor=world.admin_manager, tx=tx, reason="no")
    with pytest.raises(ValidationError) as exc:
        online_transaction_reject(actor=world.admin, tx=tx, reason="")
    assert list(exc.value.message_dict) == ["reason"]
    assert db_state(OnlineTransaction, Payment, JournalLine) == before
