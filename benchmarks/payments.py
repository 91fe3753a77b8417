"""The payment path under concurrency: payments/second from 8 clients.

Each client is a thread with its own database connection, paying (through the real
``payments.services.payment_record``) the open bill of customers no other client touches,
one committed transaction per payment — as collectors do at the counter.  Receipt numbers
come from one per-tenant counter row, so the clients do contend where production does.

Setup (not measured): one open bill per chosen customer of the bench ISP's group admin,
written in bulk (bills plus their balanced ledger entries), bypassing ``bill_create`` so
the customers' validity is not moved.  Cleanup: the rows this run created (bills, payments,
allocations, journal entries and lines, activity and outbox rows) are deleted and the
counters put back, so every run starts from the same database.  Posted ledger rows are
append-only (triggers of migration ``ledger.0002``): the cleanup disables those two guards
inside its own transaction only — PostgreSQL DDL is transactional, so they are back on when
it commits or fails, and the table lock keeps every other session out meanwhile.
"""

from __future__ import annotations

import contextlib
import datetime
import statistics
import threading
import time
from decimal import Decimal

CLIENTS = 8
PAYMENTS_PER_CLIENT = 50
# The issue sets no target for payments; this floor only flags a broken or badly
# regressed path (on the 2-core bench machine 8 threads measured 30–50 payments/s: the
# tenant's receipt counter row, locked until commit, and the GIL serialise the clients).
TARGET_PER_SECOND = 20.0
PERIOD = (datetime.date(2099, 1, 1), datetime.date(2099, 1, 31))
BILL_PREFIX = "BENCHPAY-"
APPEND_ONLY_TRIGGERS = (
    ("ledger_journalline", "ledger_journalline_append_only"),
    ("ledger_journalentry", "ledger_journalentry_append_only"),
)


def _marks(tenant_id: int) -> dict:
    """The highest id of every table the run writes to (rows above it are the run's)."""
    from django.db.models import Max

    from netbill.billing.models import Bill, BillLine
    from netbill.core.models import ActivityLog, OutboxMessage
    from netbill.ledger.models import JournalEntry, JournalLine
    from netbill.payments.models import Payment, PaymentAllocation

    models = (
        Bill,
        BillLine,
        Payment,
        PaymentAllocation,
        JournalEntry,
        JournalLine,
        ActivityLog,
        OutboxMessage,
    )
    return {m: m.objects.aggregate(top=Max("id"))["top"] or 0 for m in models}


def _counters(tenant_id: int) -> dict[str, int]:
    from netbill.core.models import Counter

    return dict(Counter.objects.filter(tenant_id=tenant_id).values_list("name", "value"))


def _setup_bills(tenant, admin, count: int):
    """One open manual bill per customer for ``count`` active customers of the admin."""
    from django.db import transaction

    from netbill.billing.models import Bill
    from netbill.customers.models import Customer
    from netbill.ledger import chart
    from netbill.ledger.posting import AccountCache, Line, build_entry, post_entries

    customers = list(
        Customer.objects.filter(tenant=tenant, owner=admin, status="active", deleted_at=None)
        .select_related("package")
        .order_by("id")[:count]
    )
    if len(customers) < count:
        raise RuntimeError(f"only {len(customers)} active customers of the group admin")
    accounts = AccountCache(tenant.pk)
    amount = Decimal("500.00")
    with transaction.atomic():
        built = [
            build_entry(
                tenant_id=tenant.pk,
                kind="bill.manual",
                memo=f"bench {c.username}",
                accounts=accounts,
                lines=[
                    Line(code=chart.CUSTOMER_RECEIVABLE, amount=amount, customer=c),
                    Line(
                        code=chart.REVENUE_BY_CONNECTION.get(
                            c.connection_type, chart.REVENUE_OTHER
                        ),
                        amount=-amount,
                        customer=c,
                    ),
                ],
            )
            for c in customers
        ]
        entries = post_entries(built)
        bills = Bill.objects.bulk_create(
            [
                Bill(
                    tenant=tenant,
                    customer=c,
                    owner=admin,
                    number=f"{BILL_PREFIX}{i:06d}",
                    kind="manual",
                    period_start=PERIOD[0],
                    period_end=PERIOD[1],
                    issue_date=PERIOD[0],
                    due_date=PERIOD[0],
                    package=c.package,
                    amount=amount,
                    entry=entry,
                )
                for i, (c, entry) in enumerate(zip(customers, entries, strict=True))
            ]
        )
    return list(zip(customers, bills, strict=True))


def _cleanup(tenant_id: int, marks: dict, counters: dict[str, int]) -> None:
    from django.db import connection, transaction

    from netbill.billing.models import Bill, BillLine
    from netbill.core.models import ActivityLog, Counter, OutboxMessage
    from netbill.ledger.models import JournalEntry, JournalLine
    from netbill.payments.models import Payment, PaymentAllocation

    with transaction.atomic():
        with connection.cursor() as cursor:
            for table, trigger in APPEND_ONLY_TRIGGERS:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
        # Children before parents (every foreign key here is PROTECT).
        for model in (
            PaymentAllocation,
            Payment,
            BillLine,
            Bill,
            JournalLine,
            JournalEntry,
            ActivityLog,
            OutboxMessage,
        ):
            model.objects.filter(tenant_id=tenant_id, id__gt=marks[model]).delete()
        with connection.cursor() as cursor:
            # Run the deferred foreign-key checks now: ALTER TABLE refuses pending events.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table, trigger in APPEND_ONLY_TRIGGERS:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
        for name, value in counters.items():
            Counter.objects.filter(tenant_id=tenant_id, name=name).update(value=value)
        Counter.objects.filter(tenant_id=tenant_id).exclude(name__in=list(counters)).delete()


def run_payment_bench(report, *, clients: int = CLIENTS, per_client: int = PAYMENTS_PER_CLIENT):
    """Measure and add ``payments.concurrent_8.*`` figures to ``report``."""
    from django.db import connection

    from benchmarks.seed import ADMIN_EMAIL, bench_tenant
    from netbill.accounts.models import User
    from netbill.payments.services import payment_record

    tenant = bench_tenant()
    admin = User.objects.get(email=ADMIN_EMAIL)
    marks = _marks(tenant.pk)
    counters = _counters(tenant.pk)
    try:
        work = _setup_bills(tenant, admin, clients * per_client)
        chunks = [work[i * per_client : (i + 1) * per_client] for i in range(clients)]
        barrier = threading.Barrier(clients + 1)
        latencies: list[list[float]] = [[] for _ in range(clients)]
        errors: list[str] = []

        def client(i: int) -> None:
            try:
                actor = User.objects.get(pk=admin.pk)
                barrier.wait()
                for customer, bill in chunks[i]:
                    started = time.perf_counter()
                    payment_record(actor=actor, customer=customer, amount=bill.amount, bill=bill)
                    latencies[i].append((time.perf_counter() - started) * 1000)
            except Exception as exc:  # noqa: BLE001 - reported, not fatal
                errors.append(f"{type(exc).__name__}: {exc}")
                barrier.abort()  # release the others (and the timer) if still waiting
            finally:
                connection.close()

        threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        for t in threads:
            t.start()
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        started = time.perf_counter()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
    finally:
        _cleanup(tenant.pk, marks, counters)

    done = sum(len(x) for x in latencies)
    if errors:
        report.notes.append(
            f"payments.concurrent_{clients}: {len(errors)} clients failed: {errors[0]}"
        )
        print(f"  payments.concurrent_{clients}    ERROR {errors[0]}")
    all_ms = sorted(ms for x in latencies for ms in x)
    rate = done / elapsed if elapsed else 0.0
    median = statistics.median(all_ms) if all_ms else 0.0
    p95 = all_ms[max(0, int(0.95 * len(all_ms)) - 1)] if all_ms else 0.0
    name = f"payments.concurrent_{clients}"
    report.add(f"{name}.per_second", rate, "payments/s", f">= {TARGET_PER_SECOND:g}",
               rate >= TARGET_PER_SECOND and not errors)  # fmt: skip
    report.add(f"{name}.median_ms", median, "ms", "reported", True)
    report.add(f"{name}.p95_ms", p95, "ms", "reported", True)
    report.add(f"{name}.payments", done, "payments", f"== {clients * per_client}",
               done == clients * per_client)  # fmt: skip
    line = (
        f"{name}: {done} payments in {elapsed:.2f} s = {rate:.1f} payments/s "
        f"(per payment: median {median:.1f} ms, p95 {p95:.1f} ms)"
    )
    report.notes.append(line)
    print(f"  {line}")
