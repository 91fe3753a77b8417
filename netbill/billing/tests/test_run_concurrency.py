"""Two billing runs for the same date at the same moment, on two real connections."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection

from netbill.billing.models import Bill, BillingRun
from netbill.billing.runs import billing_run
from netbill.billing.tests.helpers import activated, unbalanced_entries
from netbill.ledger.resellers import reseller_add_balance
from netbill.ledger.selectors import reseller_position

JUNE_1 = datetime.date(2026, 6, 1)


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_for_the_same_date_bill_every_customer_exactly_once(world):
    reseller_add_balance(actor=world.admin, reseller=world.operator, amount="100000")
    owners = [world.admin, world.operator] * 15
    customers = [activated(world, datetime.date(2026, 5, 10), owner=o) for o in owners]
    barrier = threading.Barrier(2)
    results, failures = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(billing_run(world.tenant, JUNE_1, chunk_size=7))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            failures.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    assert Bill.objects.count() == len(customers)
    assert sorted(Bill.objects.values_list("customer_id", flat=True)) == sorted(
        c.pk for c in customers
    )
    assert sum(r.created_count for r in results) == len(customers)
    assert BillingRun.objects.filter(finished_at__isnull=False).count() == 2
    # the operator was charged its price once per customer: 15 × 600
    assert reseller_position(world.operator) == Decimal("-100000.00") + Decimal("9000.00")
    assert unbalanced_entries() == []
