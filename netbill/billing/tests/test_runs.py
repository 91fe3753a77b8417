"""The scheduled billing run: who is billed, the same rows as bill_create, idempotency,
catch-up, dry run, reseller refusals, the run log and a balanced ledger."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from netbill.billing import calendar as cal
from netbill.billing.models import Bill, BillingRun, BillLine
from netbill.billing.runs import billing_catch_up, billing_run
from netbill.billing.services import bill_create
from netbill.billing.tests.helpers import activated, end_of, profile, unbalanced_entries, utc
from netbill.core.counters import next_numbers
from netbill.core.models import Counter, OutboxMessage
from netbill.core.testing import db_state
from netbill.customers.models import Customer
from netbill.ledger.models import JournalEntry, JournalLine
from netbill.ledger.resellers import reseller_add_balance
from netbill.ledger.selectors import reseller_position, wallet_balance
from netbill.payments.models import PaymentAllocation
from netbill.payments.services import payment_record

pytestmark = pytest.mark.django_db
D = Decimal
JUNE_1 = datetime.date(2026, 6, 1)
JUNE_30 = datetime.date(2026, 6, 30)
MAY_10 = datetime.date(2026, 5, 10)


def fund(world, operator=Decimal("100000"), sub=Decimal("50000")):
    reseller_add_balance(actor=world.admin, reseller=world.operator, amount=operator)
    reseller_add_balance(actor=world.operator, reseller=world.sub_operator, amount=sub)


def bills_of(customer):
    return list(Bill.objects.filter(customer=customer).order_by("period_start"))


def entry_rows(entry_id, customer):
    rows = []
    for line in JournalLine.objects.filter(entry_id=entry_id).select_related("account"):
        rows.append(
            (
                line.account.code,
                line.book_id,
                line.amount,
                "self" if line.customer_id == customer.pk else line.customer_id,
                line.reseller_id,
                line.staff_id,
                line.party,
                line.date,
            )
        )
    return rows


def entry_head(entry, bill):
    memo = entry.memo.replace(bill.number, "NUMBER").replace(bill.customer.username, "USER")
    return (entry.kind, memo, entry.date, entry.actor_id, entry.reverses_id)


BILL_FIELDS = (
    "tenant_id",
    "owner_id",
    "kind",
    "period_start",
    "period_end",
    "issue_date",
    "due_date",
    "package_id",
    "amount",
    "discount",
    "paid_amount",
    "status",
    "reseller_entry_id",
    "created_by_id",
    "voided_at",
    "void_reason",
)


def describe(bill):
    """Everything a bill wrote, with its own ids and names taken out."""
    customer = bill.customer
    allocations = list(PaymentAllocation.objects.filter(bill=bill).order_by("id"))
    sms = OutboxMessage.objects.get(payload__bill_id=bill.pk).payload
    return {
        "bill": tuple(getattr(bill, f) for f in BILL_FIELDS),
        "number": bill.number[:6],
        "entry": entry_head(bill.entry, bill),
        "entry_lines": entry_rows(bill.entry_id, customer),
        "lines": list(bill.lines.order_by("id").values_list("kind", "description", "amount")),
        "allocations": [(a.amount, a.payment_id, a.voided_at) for a in allocations],
        "wallet_entries": [
            (entry_head(a.entry, bill), entry_rows(a.entry_id, customer)) for a in allocations
        ],
        "expires_at": Customer.objects.get(pk=customer.pk).expires_at,
        "sms": {
            **sms,
            "customer_id": "C",
            "bill_id": "B",
            "to": "T",
            "text": sms["text"].replace(bill.number, "N").replace(customer.name, "NAME"),
        },
    }


def test_a_run_made_bill_and_its_ledger_lines_equal_a_bill_create_made_one(world):
    # given two customers alike in everything: a sub-operator's, custom price, 5 % VAT,
    # 100.00 in the wallet
    fund(world)
    twins = [
        activated(
            world,
            MAY_10,
            owner=world.sub_operator,
            vat_profile=world.vat,
            custom_price=D("333.33"),
        )
        for _ in range(2)
    ]
    for twin in twins:
        payment_record(actor=world.admin, customer=twin, amount="100", method="advance")
    # when one is billed by bill_create and the other by the run, for the same period
    single = bill_create(
        actor=None,
        customer=twins[0],
        kind="monthly",
        period_start=JUNE_1,
        period_end=JUNE_30,
        system=True,
        on=JUNE_1,
    )
    run = billing_run(world.tenant, JUNE_1)
    # then the run billed only the other one, and wrote exactly the same rows
    assert (run.created_count, run.skipped_count, run.error_count) == (1, 1, 0)
    bulk = Bill.objects.get(customer=twins[1])
    single.refresh_from_db()
    assert describe(bulk) == describe(single)
    # and the values are the expected ones
    assert (bulk.amount, bulk.paid_amount, bulk.status) == (D("350.00"), D("100.00"), "partial")
    assert describe(bulk)["entry_lines"] == [
        ("1300", world.sub_operator.pk, D("350.00"), "self", None, None, "", JUNE_1),
        ("4100", world.sub_operator.pk, D("-333.33"), "self", None, None, "", JUNE_1),
        ("2200", world.sub_operator.pk, D("-16.67"), "self", None, None, "", JUNE_1),
        ("1400", world.operator.pk, D("600.00"), "self", world.sub_operator.pk, None, "", JUNE_1),
        ("4500", world.operator.pk, D("-600.00"), None, world.sub_operator.pk, None, "", JUNE_1),
        ("1400", None, D("600.00"), "self", world.operator.pk, None, "", JUNE_1),
        ("4500", None, D("-600.00"), None, world.operator.pk, None, "", JUNE_1),
    ]
    assert list(bulk.lines.values_list("kind", "description", "amount")) == [
        ("package", "Home 10M 2026-06-01–2026-06-30", D("333.33")),
        ("vat", "VAT 5.00%", D("16.67")),
    ]
    assert wallet_balance(twins[1]) == D("0.00")
    assert Customer.objects.get(pk=twins[1].pk).expires_at == end_of(JUNE_30)
    assert unbalanced_entries() == []


def test_the_run_bills_due_monthly_customers_and_no_one_else(world):
    due_31 = profile(world, "Monthly 31st", due_day=31)
    free = profile(world, "Free", billing_type="free")
    manual = profile(world, "Manual billing", auto_billing=False)
    billed = [
        activated(world, MAY_10, name="active"),
        activated(world, MAY_10, name="suspended", status="suspended"),
        activated(world, MAY_10, name="fup", status="fup"),
    ]
    activated(world, MAY_10, name="disabled", status="disabled")
    activated(world, MAY_10, name="free", billing_profile=free)
    activated(world, MAY_10, name="manual", billing_profile=manual)
    activated(world, MAY_10, name="other due day", billing_profile=due_31)
    activated(world, datetime.date(2026, 6, 2), name="activated after the run date")
    gone = activated(world, MAY_10, name="deleted")
    Customer.objects.filter(pk=gone.pk).update(deleted_at=timezone.now())

    run = billing_run(world.tenant, JUNE_1)

    assert (run.created_count, run.skipped_count, run.error_count, run.errors) == (3, 0, 0, [])
    assert sorted(Bill.objects.values_list("customer__name", "period_start", "period_end")) == [
        (c.name, JUNE_1, JUNE_30) for c in sorted(billed, key=lambda c: c.name)
    ]
    assert set(Bill.objects.values_list("amount", "status", "issue_date", "due_date")) == {
        (D("800.00"), "unpaid", JUNE_1, JUNE_1)
    }
    assert unbalanced_entries() == []


def test_due_day_31_customers_are_billed_on_the_28th_of_february(world):
    due_31 = profile(world, "Monthly 31st", due_day=31)
    due_28 = profile(world, "Monthly 28th", due_day=28)
    customers = [
        activated(world, datetime.date(2026, 1, 5), billing_profile=p) for p in (due_31, due_28)
    ]
    assert billing_run(world.tenant, datetime.date(2026, 2, 27)).created_count == 0
    run = billing_run(world.tenant, datetime.date(2026, 2, 28))
    assert run.created_count == 2
    assert [(b.period_start, b.period_end) for b in bills_of(customers[0])] == [
        (datetime.date(2026, 2, 28), datetime.date(2026, 3, 30))
    ]
    assert [(b.period_start, b.period_end) for b in bills_of(customers[1])] == [
        (datetime.date(2026, 2, 28), datetime.date(2026, 3, 27))
    ]


def test_leap_year_bills_due_day_31_on_the_29th_of_february(world):
    due_31 = profile(world, "Monthly 31st", due_day=31)
    customer = activated(world, datetime.date(2028, 1, 5), billing_profile=due_31)
    assert billing_run(world.tenant, datetime.date(2028, 2, 28)).created_count == 0
    assert billing_run(world.tenant, datetime.date(2028, 2, 29)).created_count == 1
    assert [(b.period_start, b.period_end) for b in bills_of(customer)] == [
        (datetime.date(2028, 2, 29), datetime.date(2028, 3, 30))
    ]


def test_vat_is_rounded_to_the_minor_unit_on_bill_lines_and_ledger(world):
    vat = world.vat
    vat.rate = D("7.50")
    vat.save()
    customer = activated(world, MAY_10, vat_profile=vat, custom_price=D("333.33"))
    billing_run(world.tenant, JUNE_1)
    bill = Bill.objects.get(customer=customer)
    # 333.33 × 7.5 % = 24.99975 → 25.00
    assert bill.amount == D("358.33")
    assert list(bill.lines.values_list("kind", "amount")) == [
        ("package", D("333.33")),
        ("vat", D("25.00")),
    ]
    assert sorted(bill.entry.lines.values_list("account__code", "amount")) == [
        ("1300", D("358.33")),
        ("2200", D("-25.00")),
        ("4100", D("-333.33")),
    ]


def test_running_twice_bills_once(world):
    fund(world)
    for owner in (world.admin, world.operator, world.sub_operator, world.admin):
        activated(world, MAY_10, owner=owner)
    first = billing_run(world.tenant, JUNE_1, chunk_size=3)
    second = billing_run(world.tenant, JUNE_1, chunk_size=3)
    assert (first.created_count, first.skipped_count) == (4, 0)
    assert (second.created_count, second.skipped_count) == (0, 4)
    assert Bill.objects.count() == 4
    assert JournalEntry.objects.filter(kind="bill.monthly").count() == 4
    assert OutboxMessage.objects.filter(payload__event="bill.created").count() == 4
    # the resellers were charged once: 3 × 600 for the operator, 600 for the sub-operator
    assert reseller_position(world.operator) == D("-100000.00") + D("1200.00")
    assert reseller_position(world.sub_operator) == D("-50000.00") + D("600.00")


def test_a_run_killed_halfway_is_finished_by_the_next_catch_up_without_duplicates(world):
    # given a run for 1 June that billed a first chunk and was killed (no finished_at)
    first = [activated(world, MAY_10) for _ in range(2)]
    killed = billing_run(world.tenant, JUNE_1)
    BillingRun.objects.filter(pk=killed.pk).update(finished_at=None)
    rest = [activated(world, MAY_10) for _ in range(3)]  # the chunks it never reached
    # when the scheduler catches up through 1 June
    runs = billing_catch_up(world.tenant, through=JUNE_1)
    # then 1 June is run again and only the rest is billed
    assert [(r.run_date, r.created_count, r.skipped_count) for r in runs] == [(JUNE_1, 3, 2)]
    for customer in first + rest:
        assert [(b.period_start, b.period_end) for b in bills_of(customer)] == [(JUNE_1, JUNE_30)]
    assert Bill.objects.count() == 5
    numbers = sorted(Bill.objects.values_list("number", flat=True))
    assert numbers == [f"B2026-{n:07d}" for n in range(1, 6)]


def test_catch_up_bills_every_missed_bill_date_once_and_logs_each_day(world):
    due_15 = profile(world, "Monthly 15th", due_day=15)
    on_1st = [activated(world, datetime.date(2026, 4, 20)) for _ in range(2)]
    on_15th = activated(world, datetime.date(2026, 4, 20), billing_profile=due_15)
    may_31 = datetime.date(2026, 5, 31)
    BillingRun.objects.create(
        tenant=world.tenant,
        kind="billing",
        run_date=may_31,
        started_at=timezone.now(),
        finished_at=timezone.now(),
    )
    through = datetime.date(2026, 6, 20)

    runs = billing_catch_up(world.tenant, through=through)

    assert [r.run_date for r in runs] == cal.days_between(JUNE_1, through)
    assert {r.run_date: r.created_count for r in runs if r.created_count} == {
        JUNE_1: 2,
        datetime.date(2026, 6, 15): 1,
    }
    for customer in on_1st:
        assert [(b.period_start, b.period_end) for b in bills_of(customer)] == [(JUNE_1, JUNE_30)]
    assert [(b.period_start, b.period_end) for b in bills_of(on_15th)] == [
        (datetime.date(2026, 6, 15), datetime.date(2026, 7, 14))
    ]
    assert BillingRun.objects.filter(kind="billing", finished_at__isnull=False).count() == 21
    # a second catch-up only re-checks the last day, and leaves no empty log row behind
    again = billing_catch_up(world.tenant, through=through)
    assert [(r.run_date, r.created_count, r.pk) for r in again] == [(through, 0, None)]
    assert Bill.objects.count() == 3
    assert BillingRun.objects.count() == 21


def test_catch_up_for_today_follows_the_tenants_midnight(world):
    # due day 31 and due day 1: 31 May and 1 June are bill dates
    due_31 = profile(world, "Monthly 31st", due_day=31)
    may_customer = activated(world, datetime.date(2026, 4, 2), billing_profile=due_31)
    june_customer = activated(world, datetime.date(2026, 4, 2))
    # 23:59 in Dhaka on 31 May (17:59 UTC)
    before = cal.local_today(world.tenant, now=utc(2026, 5, 31, 17, 59))
    runs = billing_catch_up(world.tenant, through=before)
    assert [(r.run_date, r.created_count) for r in runs] == [(datetime.date(2026, 5, 31), 1)]
    assert len(bills_of(may_customer)) == 1
    assert bills_of(june_customer) == []
    # 00:01 in Dhaka on 1 June (18:01 UTC on 31 May): already the next day there
    after = cal.local_today(world.tenant, now=utc(2026, 5, 31, 18, 1))
    runs = billing_catch_up(world.tenant, through=after)
    assert [(r.run_date, r.created_count) for r in runs] == [(JUNE_1, 1)]
    assert [b.period_start for b in bills_of(june_customer)] == [JUNE_1]


def test_a_tenant_in_another_timezone_has_its_own_today(world):
    world.tenant.timezone = "UTC"
    world.tenant.save()
    # 18:30 UTC on 31 May: still 31 May in UTC, already 1 June in Dhaka
    assert cal.local_today(world.tenant, now=utc(2026, 5, 31, 18, 30)) == datetime.date(2026, 5, 31)


def test_a_customer_activated_late_on_the_run_date_in_dhaka_is_billed_that_day(world):
    customer = activated(world, MAY_10)
    # 23:30 on 31 May in Dhaka is 17:30 UTC: activated before 1 June began there
    late = activated(world, MAY_10)
    Customer.objects.filter(pk=late.pk).update(created_at=utc(2026, 5, 31, 17, 30))
    # 00:30 on 2 June in Dhaka (18:30 UTC on 1 June): after the run date
    next_day = activated(world, MAY_10)
    Customer.objects.filter(pk=next_day.pk).update(created_at=utc(2026, 6, 1, 18, 30))
    billing_run(world.tenant, JUNE_1)
    assert sorted(Bill.objects.values_list("customer_id", flat=True)) == sorted(
        [customer.pk, late.pk]
    )


def test_dry_run_shows_what_it_would_create_and_writes_nothing(world):
    fund(world)
    admins = activated(world, MAY_10, owner=world.admin, name="Admin's")
    operators = activated(world, MAY_10, owner=world.operator, name="Operator's")
    refused = activated(world, MAY_10, owner=world.operator2, name="Refused")
    watched = (Bill, BillLine, JournalEntry, JournalLine, OutboxMessage, Customer, Counter)
    before = db_state(*watched, PaymentAllocation)

    run = billing_run(world.tenant, JUNE_1, dry_run=True)

    assert db_state(*watched, PaymentAllocation) == before
    assert run.preview == [
        {
            "customer": c.pk,
            "username": c.username,
            "name": c.name,
            "kind": "monthly",
            "period_start": JUNE_1,
            "period_end": JUNE_30,
            "amount": D("800.00"),
            "wallet": D("0.00"),
        }
        for c in (admins, operators)
    ]
    assert run.total == D("1600.00")
    saved = BillingRun.objects.get(pk=run.pk)
    assert (saved.dry_run, saved.created_count, saved.error_count) == (True, 2, 1)
    assert saved.errors == [
        {
            "customer": refused.pk,
            "username": refused.username,
            "message": f"{world.operator2.name} has not enough balance (0.00) for 600.00: "
            "add balance first.",
        }
    ]


def test_customers_of_a_prepaid_reseller_at_zero_are_error_rows_and_stay_unbilled(world):
    admins = activated(world, MAY_10, owner=world.admin)
    theirs = [activated(world, MAY_10, owner=world.operator) for _ in range(2)]
    subs = activated(world, MAY_10, owner=world.sub_operator)
    expires = {c.pk: c.expires_at for c in (*theirs, subs)}

    run = billing_run(world.tenant, JUNE_1)

    assert (run.created_count, run.error_count) == (1, 3)
    assert list(Bill.objects.values_list("customer_id", flat=True)) == [admins.pk]
    op_message = (
        f"{world.operator.name} has not enough balance (0.00) for 600.00: add balance first."
    )
    sub_message = (
        f"{world.sub_operator.name} has not enough balance (0.00) for 600.00: add balance first."
    )
    assert BillingRun.objects.get(pk=run.pk).errors == [
        {"customer": theirs[0].pk, "username": theirs[0].username, "message": op_message},
        {"customer": theirs[1].pk, "username": theirs[1].username, "message": op_message},
        {"customer": subs.pk, "username": subs.username, "message": sub_message},
    ]
    assert JournalLine.objects.filter(reseller__isnull=False).count() == 0
    assert {c.pk: c.expires_at for c in Customer.objects.filter(pk__in=expires)} == expires
    assert (reseller_position(world.operator), reseller_position(world.sub_operator)) == (
        D("0.00"),
        D("0.00"),
    )


def test_a_postpaid_reseller_is_refused_past_its_credit_limit_within_one_chunk(world):
    op = world.operator2
    op.account_type, op.credit_limit = "postpaid", D("1000.00")
    op.save()
    customers = [activated(world, MAY_10, owner=op) for _ in range(3)]

    run = billing_run(world.tenant, JUNE_1)

    assert (run.created_count, run.error_count) == (1, 2)
    assert list(Bill.objects.values_list("customer_id", flat=True)) == [customers[0].pk]
    assert reseller_position(op) == D("600.00")
    assert [e["customer"] for e in run.errors] == [customers[1].pk, customers[2].pk]
    assert run.errors[0]["message"].startswith(
        f"{op.name} has reached its credit limit of 1000.00 (owes 600.00)"
    )


def test_the_run_log_records_when_how_many_and_who(world):
    fund(world)
    activated(world, MAY_10)
    activated(world, MAY_10, owner=world.operator2)  # refused: no balance
    billing_run(world.tenant, JUNE_1)
    started = timezone.now()
    run = billing_run(world.tenant, JUNE_1, actor=world.admin)
    saved = BillingRun.objects.get(pk=run.pk)
    assert (saved.kind, saved.run_date, saved.dry_run, saved.triggered_by_id) == (
        "billing",
        JUNE_1,
        False,
        world.admin.pk,
    )
    assert (saved.created_count, saved.skipped_count, saved.error_count) == (0, 1, 1)
    assert started <= saved.started_at <= saved.finished_at


def test_daily_prepaid_customers_are_charged_from_the_wallet_or_not_at_all(world):
    fund(world)
    paid = activated(world, MAY_10, customer_type="pppoe_daily", billing_profile=world.daily)
    payment_record(actor=world.admin, customer=paid, amount="100", method="advance")
    broke = activated(world, MAY_10, customer_type="pppoe_daily", billing_profile=world.daily)
    hotspot = activated(world, MAY_10, customer_type="hotspot", billing_profile=world.daily)
    reseller_daily = activated(
        world,
        MAY_10,
        owner=world.operator,
        customer_type="pppoe_daily",
        billing_profile=world.daily,
    )
    payment_record(actor=world.admin, customer=reseller_daily, amount="30", method="advance")
    day = datetime.date(2026, 6, 7)

    run = billing_run(world.tenant, day)

    assert (run.created_count, run.skipped_count, run.error_count) == (2, 1, 0)
    bill = Bill.objects.get(customer=paid)
    assert (bill.kind, bill.period_start, bill.period_end, bill.due_date) == (
        "daily",
        day,
        day,
        day,
    )
    # 800 / 30 days = 26.67, paid at once from the wallet
    assert (bill.amount, bill.paid_amount, bill.status) == (D("26.67"), D("26.67"), "paid")
    assert wallet_balance(paid) == D("73.33")
    assert Customer.objects.get(pk=paid.pk).expires_at == end_of(day)
    assert bills_of(broke) == bills_of(hotspot) == []
    # the operator is charged the same share of its price: 600 / 30 = 20.00
    assert reseller_position(world.operator) == D("-100000.00") + D("20.00")
    # a second run the same day charges nobody again
    assert billing_run(world.tenant, day).created_count == 0
    assert Bill.objects.count() == 2
    assert unbalanced_entries() == []


def test_every_journal_entry_balances_per_book_after_a_mixed_run(world):
    fund(world)
    world.operator2.account_type, world.operator2.credit_limit = "postpaid", D("5000")
    world.operator2.save()
    for owner in (world.admin, world.operator, world.sub_operator, world.operator2):
        for vat in (None, world.vat):
            customer = activated(world, MAY_10, owner=owner, vat_profile=vat)
            payment_record(actor=world.admin, customer=customer, amount="250", method="advance")
    run = billing_run(world.tenant, JUNE_1, chunk_size=3)
    assert (run.created_count, run.error_count) == (8, 0)
    assert unbalanced_entries() == []
    assert Bill.objects.filter(status="partial", paid_amount=D("250.00")).count() == 8
    assert PaymentAllocation.objects.filter(payment__isnull=True).count() == 8


def test_bill_numbers_continue_the_counter_shared_with_single_bills(world):
    next_numbers(world.tenant.pk, "bill", 41)
    activated(world, MAY_10)
    billing_run(world.tenant, JUNE_1)
    assert list(Bill.objects.values_list("number", flat=True)) == ["B2026-0000042"]
