"""Billing pages: the bill list (scope, filters, no N+1), a bill, "Generate bill", the
billing runs page (dry run, run now, log), the customer's Bills tab, the daily task."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from netbill.billing import calendar as cal
from netbill.billing.models import Bill, BillingRun
from netbill.billing.selectors import customer_bills
from netbill.billing.services import bill_create
from netbill.billing.tasks import billing_daily
from netbill.billing.tests.helpers import activated
from netbill.core.models import OutboxMessage
from netbill.core.testing import db_state, make_customer
from netbill.customers.models import Customer, Zone
from netbill.ledger.models import JournalLine
from netbill.ledger.resellers import reseller_add_balance
from netbill.payments.services import payment_record

pytestmark = pytest.mark.django_db
D = Decimal
JUNE_1 = datetime.date(2026, 6, 1)


def bill_for(world, customer, start=JUNE_1):
    return bill_create(
        actor=world.admin,
        customer=customer,
        kind="monthly",
        period_start=start,
        period_end=start + datetime.timedelta(days=29),
    )


def listed(response) -> list[str]:
    return re.findall(r'data-bill="([^"]+)"', response.content.decode())


@pytest.fixture
def bills(world):
    reseller_add_balance(actor=world.admin, reseller=world.operator, amount="10000")
    reseller_add_balance(actor=world.admin, reseller=world.operator2, amount="10000")
    south = Zone.objects.create(tenant=world.tenant, name="South")
    made = {
        "admin": bill_for(world, make_customer(world, owner=world.admin, name="Karim Admin")),
        "operator": bill_for(world, make_customer(world, owner=world.operator, name="Rahim Op")),
        "operator2": bill_for(
            world, make_customer(world, owner=world.operator2, name="Other Op", zone=south)
        ),
    }
    paid = made["admin"]
    payment_record(actor=world.admin, customer=paid.customer, amount="800", bill=paid)
    return made


def test_the_group_admin_sees_every_bill_and_filters_them(client, world, bills):
    client.force_login(world.admin)
    url = reverse("billing:bills")
    numbers = {k: b.number for k, b in bills.items()}
    assert sorted(listed(client.get(url))) == sorted(numbers.values())
    assert listed(client.get(url, {"status": "paid"})) == [numbers["admin"]]
    assert sorted(listed(client.get(url, {"status": "open"}))) == sorted(
        [numbers["operator"], numbers["operator2"]]
    )
    assert listed(client.get(url, {"owner": world.operator2.pk})) == [numbers["operator2"]]
    south = Zone.objects.get(name="South")
    assert listed(client.get(url, {"zone": south.pk})) == [numbers["operator2"]]
    assert listed(client.get(url, {"q": "rahim"})) == [numbers["operator"]]
    assert listed(client.get(url, {"q": numbers["admin"]})) == [numbers["admin"]]
    today = cal.local_today(world.tenant).isoformat()
    assert len(listed(client.get(url, {"date_from": today, "date_to": today}))) == 3
    assert listed(client.get(url, {"date_from": "2000-01-01", "date_to": "2000-12-31"})) == []
    assert listed(client.get(url, {"owner": "not-a-number"})) == []


def test_an_operator_sees_only_its_own_bills_and_others_answer_404(client, world, bills):
    client.force_login(world.operator)
    assert listed(client.get(reverse("billing:bills"))) == [bills["operator"].number]
    theirs = reverse("billing:bill_detail", args=[bills["operator2"].pk])
    assert client.get(theirs).status_code == 404
    assert client.get(reverse("billing:bills"), {"owner": world.operator2.pk}).status_code == 200


def test_the_bill_list_runs_the_same_queries_for_one_row_or_many(client, world):
    client.force_login(world.admin)
    bill_for(world, make_customer(world, owner=world.admin))
    url = reverse("billing:bills")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(12):
        bill_for(world, make_customer(world, owner=world.admin))
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(listed(response)) == 13
    assert len(many.captured_queries) == len(one.captured_queries)


def test_a_bill_page_shows_its_lines_payments_and_ledger(client, world, bills):
    client.force_login(world.admin)
    bill = bills["admin"]
    body = client.get(reverse("billing:bill_detail", args=[bill.pk])).content.decode()
    assert bill.number in body
    assert 'data-line="package"' in body
    payment = bill.allocations.get().payment
    assert f'data-allocation="{payment.receipt_number}"' in body
    assert body.count('data-ledger="1300"') == 2  # billed, then settled
    assert 'data-ledger="4100"' in body and 'data-ledger="1000"' in body


def test_an_operator_sees_its_customers_bill_ledger_in_its_own_books_only(client, world, bills):
    client.force_login(world.operator)
    body = client.get(reverse("billing:bill_detail", args=[bills["operator"].pk])).content.decode()
    # its customer's receivable and revenue (its book) and its own charge (the ISP's book,
    # naming it); nothing else of the ISP's books
    assert body.count('data-ledger="1300"') == 1
    assert body.count('data-ledger="1400"') == 1
    assert body.count('data-ledger="4500"') == 1


def test_generate_bill_previews_creates_then_refuses_a_second_bill(client, world):
    customer = activated(world, datetime.date(2026, 1, 5), owner=world.admin)
    client.force_login(world.admin)
    url = reverse("billing:generate", args=[customer.pk])
    cycle = cal.monthly_cycle(cal.local_today(world.tenant), 1)
    page = client.get(url).content.decode()
    assert f"{cycle.start:%Y-%m-%d} – {cycle.end:%Y-%m-%d}" in page
    response = client.post(url)
    bill = Bill.objects.get(customer=customer)
    assert response.status_code == 302
    assert response["Location"] == reverse("billing:bill_detail", args=[bill.pk])
    before = db_state(Bill, JournalLine, OutboxMessage)
    again = client.post(url)
    assert again.status_code == 400
    assert f"already has bill {bill.number}" in again.content.decode()
    assert db_state(Bill, JournalLine, OutboxMessage) == before


def test_generate_bill_for_a_reseller_without_balance_shows_its_message(client, world):
    customer = activated(world, datetime.date(2026, 1, 5), owner=world.operator)
    client.force_login(world.operator)
    response = client.post(reverse("billing:generate", args=[customer.pk]))
    assert response.status_code == 400
    assert "has not enough balance (0.00) for 600.00: add balance first." in (
        response.content.decode()
    )
    assert Bill.objects.count() == 0


def test_dry_run_from_the_runs_page_shows_the_bills_and_writes_none(client, world):
    for _ in range(2):
        activated(world, datetime.date(2026, 5, 10), owner=world.admin)
    client.force_login(world.admin)
    before = db_state(Bill, JournalLine, Customer, OutboxMessage)
    response = client.post(reverse("billing:runs"), {"run_date": "2026-06-01", "action": "dry"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("data-preview=") == 2
    assert "Would create 2 bills (1600.00 BDT); 0 skipped; 0 refused." in body
    assert db_state(Bill, JournalLine, Customer, OutboxMessage) == before
    assert BillingRun.objects.get().dry_run is True


def test_run_now_bills_and_shows_the_run_log(client, world):
    customer = activated(world, datetime.date(2026, 5, 10), owner=world.admin)
    activated(world, datetime.date(2026, 5, 10), owner=world.operator)  # refused
    client.force_login(world.admin)
    response = client.post(reverse("billing:runs"), {"run_date": "2026-06-01", "action": "run"})
    run = BillingRun.objects.get()
    assert response["Location"] == reverse("billing:run_detail", args=[run.pk])
    assert list(Bill.objects.values_list("customer_id", flat=True)) == [customer.pk]
    detail = client.get(response["Location"]).content.decode()
    assert "has not enough balance" in detail
    log = client.get(reverse("billing:runs")).content.decode()
    assert 'data-run="billing:2026-06-01"' in log


def test_run_now_for_a_future_date_is_refused(client, world):
    client.force_login(world.admin)
    tomorrow = cal.local_today(world.tenant) + datetime.timedelta(days=1)
    response = client.post(reverse("billing:runs"), {"run_date": tomorrow, "action": "run"})
    assert response.status_code == 400
    assert 'data-error-for="run_date"' in response.content.decode()
    assert BillingRun.objects.count() == 0


def test_the_customer_bills_tab_lists_its_bills_and_the_generate_button(world):
    customer = make_customer(world, owner=world.admin)
    bill = bill_for(world, customer)
    request = RequestFactory().get("/")
    request.user = world.admin
    html = render_to_string(
        "billing/_customer_bills.html",
        {
            "customer": customer,
            "customer_bills": customer_bills(user=world.admin, customer=customer),
        },
        request=request,
    )
    assert f'data-bill="{bill.number}"' in html
    assert reverse("billing:generate", args=[customer.pk]) in html
    world.op_manager.granted_keys = ["view-bills"]
    world.op_manager.save()
    request.user = world.op_manager
    assert customer_bills(user=world.op_manager, customer=customer) == []


def test_the_daily_task_bills_today_and_sweeps_for_every_tenant(world, other_world):
    today = cal.local_today(world.tenant)
    due_today = world.monthly
    due_today.due_day = today.day
    due_today.save()
    yesterday = today - datetime.timedelta(days=1)
    customer = activated(world, yesterday - datetime.timedelta(days=40), owner=world.admin)
    expired = make_customer(
        other_world,
        owner=other_world.admin,
        name="expired",
        expires_at=cal.day_end(yesterday, cal.tenant_tz(other_world.tenant)),
    )

    result = billing_daily()

    assert result[world.tenant.slug] == {"billed": 1, "errors": 0, "suspended": 0, "reactivated": 0}
    assert result[other_world.tenant.slug]["suspended"] == 1
    assert Bill.objects.get(customer=customer).period_start == today
    assert Customer.objects.get(pk=expired.pk).status == "suspended"
    # the hourly safety net: nothing more, and no empty log rows
    runs = BillingRun.objects.count()
    assert billing_daily()[world.tenant.slug]["billed"] == 0
    assert BillingRun.objects.count() == runs
