"""Each PIN works once, also when 20 clients redeem it at the same moment (real threads,
each with its own database connection)."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from netbill.billing.models import Bill
from netbill.billing.services import bill_create
from netbill.core.testing import make_customer
from netbill.ledger.models import JournalEntry
from netbill.ledger.selectors import customer_due, wallet_balance
from netbill.payments.cards import card_batch_create, card_redeem, distributor_create
from netbill.payments.models import Payment, RechargeCard

THREADS = 20


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_redemptions_of_one_pin_make_exactly_one_payment(world):
    # given one 500 card and two customers of the ISP, one with an 800 bill
    first = make_customer(world, owner=world.admin)
    second = make_customer(world, owner=world.admin)
    bill_create(
        actor=world.admin,
        customer=first,
        kind="monthly",
        period_start=datetime.date(2026, 5, 1),
        period_end=datetime.date(2026, 5, 31),
    )
    shop = distributor_create(actor=world.admin, name="Race Shop", commission_percent="2")
    _batch, printed = card_batch_create(
        actor=world.admin, name="Race", value="500", count=1, distributor=shop
    )
    pin = printed[0].pin
    barrier = threading.Barrier(THREADS)
    results: list = []
    lock = threading.Lock()

    def redeem(i):
        customer = first if i % 2 == 0 else second
        try:
            barrier.wait()
            payment = card_redeem(actor=world.admin, customer=customer, pin=pin)
            outcome = ("ok", payment.customer_id)
        except ValidationError as exc:
            outcome = ("refused", exc.message_dict)
        except Exception as exc:  # noqa: BLE001 - a crash is a failed outcome, reported below
            outcome = ("error", repr(exc))
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    # when 20 threads redeem the same PIN at once
    threads = [threading.Thread(target=redeem, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    # then exactly one redemption took effect, every other one was refused naming the PIN
    assert len(results) == THREADS
    ok = [r for r in results if r[0] == "ok"]
    refused = [r for r in results if r[0] == "refused"]
    assert len(ok) == 1, results
    assert refused == [("refused", {"pin": ["This card has already been used."]})] * (THREADS - 1)
    assert Payment.objects.count() == 1
    assert JournalEntry.objects.filter(kind="payment.card").count() == 1
    assert JournalEntry.objects.filter(kind="card.commission").count() == 1
    card = RechargeCard.objects.get()
    payment = Payment.objects.get()
    assert (card.status, card.payment_id, card.redeemed_by_id) == (
        "redeemed",
        payment.pk,
        ok[0][1],
    )
    winner = first if ok[0][1] == first.pk else second
    if winner == first:
        assert (customer_due(first), wallet_balance(first)) == (Decimal("300.00"), Decimal("0.00"))
        assert Bill.objects.get(customer=first).paid_amount == Decimal("500.00")
    else:
        assert wallet_balance(second) == Decimal("500.00")
        assert Bill.objects.get(customer=first).paid_amount == Decimal("0.00")
