"""Concurrency with real threads, each on its own database connection: 20 payments of one
bill, 20 callbacks of one gateway reference, two approvals of one transaction."""

import threading

import pytest
from django.db import connection
from django.db.models import Sum

from netbill.core.testing import make_customer
from netbill.ledger.models import JournalLine
from netbill.ledger.selectors import customer_due, wallet_balance
from netbill.payments.models import OnlineTransaction, Payment, PaymentAllocation
from netbill.payments.online import online_transaction_approve, online_transaction_record
from netbill.payments.services import payment_record
from netbill.payments.tests.helpers import D, make_bill

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 20


def run_together(count, work):
    """Run ``work(i)`` in ``count`` threads released at once; returns (results, errors)."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, [None] * count

    def target(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - collected and asserted on by the test
            errors[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def unbalanced_entries():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT entry_id, book_id FROM ledger_journalline "
            "GROUP BY entry_id, book_id HAVING SUM(amount) <> 0"
        )
        return cursor.fetchall()


def test_twenty_concurrent_payments_of_one_bill_pay_it_once_and_fill_the_wallet(world):
    customer = make_customer(world, owner=world.admin)
    bill = make_bill(world, customer)  # 800.00

    results, errors = run_together(
        THREADS,
        lambda i: payment_record(actor=world.admin, customer=customer, amount="500", bill=bill).pk,
    )

    assert errors == [None] * THREADS
    assert Payment.objects.filter(customer=customer).count() == THREADS
    assert len(set(Payment.objects.values_list("receipt_number", flat=True))) == THREADS
    bill.refresh_from_db()
    assert (bill.paid_amount, bill.status) == (D("800.00"), "paid")
    allocated = PaymentAllocation.objects.filter(bill=bill).aggregate(s=Sum("amount"))["s"]
    assert allocated == D("800.00")
    assert customer_due(customer) == D("0.00")
    assert wallet_balance(customer) == D("9200.00")  # 20 × 500 − 800
    assert unbalanced_entries() == []
    assert JournalLine.objects.filter(account__code="1000").aggregate(s=Sum("amount"))["s"] == D(
        "10000.00"
    )


def test_twenty_concurrent_callbacks_for_one_reference_make_one_transaction(world):
    customer = make_customer(world, owner=world.admin)

    results, errors = run_together(
        THREADS,
        lambda i: (
            online_transaction_record(
                tenant=world.tenant,
                gateway="bkash",
                gateway_reference="8N7A6B5C",
                amount="700",
                customer=customer,
                raw_callback={"attempt": i},
            ).pk
        ),
    )

    assert errors == [None] * THREADS
    assert OnlineTransaction.objects.count() == 1
    assert set(results) == {OnlineTransaction.objects.get().pk}
    assert Payment.objects.count() == 0


def test_two_concurrent_approvals_record_one_payment(world):
    customer = make_customer(world, owner=world.admin)
    tx = online_transaction_record(
        tenant=world.tenant,
        gateway="nagad",
        gateway_reference="NG-1",
        amount="300",
        customer=customer,
    )

    results, errors = run_together(
        2, lambda i: online_transaction_approve(actor=world.admin, tx=tx).payment_id
    )

    assert sorted(type(e).__name__ for e in errors if e) == ["ValidationError"]
    assert Payment.objects.count() == 1
    tx.refresh_from_db()
    assert (tx.status, tx.payment_id) == ("completed", Payment.objects.get().pk)
    assert wallet_balance(customer) == D("300.00")
    assert unbalanced_entries() == []
