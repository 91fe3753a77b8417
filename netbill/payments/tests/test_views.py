"""The payments panel through the Django test client: Customer Payments (filters, CSV),
collect, receipt, void / edit, bulk mark paid, bill corrections, Verify Payments, and the
customer profile tabs — with keys and scope."""

import csv
import io
import re

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from netbill.billing.models import Bill
from netbill.core import permissions as P
from netbill.core.testing import db_state, make_customer
from netbill.ledger.models import JournalLine
from netbill.ledger.selectors import wallet_balance
from netbill.payments.adjustments import bill_discount
from netbill.payments.models import OnlineTransaction, Payment
from netbill.payments.online import online_transaction_record
from netbill.payments.selectors import customer_money_tabs
from netbill.payments.services import payment_record, payment_void
from netbill.payments.tests.helpers import JUNE, D, fund, make_bill

pytestmark = pytest.mark.django_db

PAYMENT_ROW = re.compile(r'data-payment="([^"]+)"')


def login(client, user, *keys):
    if keys:
        user.granted_keys = sorted(keys)
        user.save(update_fields=["granted_keys"])
    client.force_login(user)
    return client


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


@pytest.fixture
def customer(world):
    return make_customer(world, owner=world.admin, vat_profile=world.vat, name="Karim Mia")


# --- collect and receipt --------------------------------------------------------------------


def test_collect_finds_the_customer_and_prefills_the_bill_and_its_due(client, world, customer):
    bill = make_bill(world, customer)
    login(client, world.admin_manager, P.RECEIVE_PAYMENT)
    page = body(client.get(reverse("payments:collect"), {"q": "Karim"}))
    assert f'data-customer="{customer.username}"' in page
    response = client.get(reverse("payments:collect"), {"customer": customer.pk, "bill": bill.pk})
    assert response.status_code == 200
    form = response.context["form"]
    assert (form.initial["bill"], form.initial["amount"]) == (bill.pk, D("840.00"))
    assert list(form.fields["bill"].queryset) == [bill]


def test_cash_payment_from_the_panel_records_the_collector_and_shows_the_receipt(
    client, world, customer
):
    tenant = world.tenant
    tenant.address, tenant.phone = "12 Lake Road, Dhaka", "09610000001"
    tenant.invoice_footer = "Thank you for staying with Alpha Net"
    tenant.save()
    bill = make_bill(world, customer)
    login(client, world.admin_manager, P.RECEIVE_PAYMENT)

    response = client.post(
        reverse("payments:collect"),
        {"customer": customer.pk, "bill": bill.pk, "amount": "1000", "method": "cash", "note": ""},
    )

    payment = Payment.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("payments:receipt", args=[payment.pk])
    assert (payment.amount, payment.collected_by, payment.method) == (
        D("1000.00"),
        world.admin_manager,
        "cash",
    )
    receipt = body(client.get(response.url))
    for text in (
        "Alpha Net",
        "12 Lake Road, Dhaka",
        "09610000001",
        "Thank you for staying with Alpha Net",
        payment.receipt_number,
        "1000.00",
        f'data-bill="{bill.number}"',
        "160.00",  # the wallet part
        world.admin_manager.name,
    ):
        assert text in receipt, text


def test_advance_payment_from_the_panel_goes_to_the_wallet(client, world, customer):
    login(client, world.admin)
    client.post(
        reverse("payments:collect"),
        {"customer": customer.pk, "amount": "500", "method": "advance"},
    )
    assert Payment.objects.get().method == "advance"
    assert wallet_balance(customer) == D("500.00")


def test_manager_without_receive_payment_gets_403_and_nothing_changes(client, world, customer):
    bill = make_bill(world, customer)
    login(client, world.admin_manager, P.VIEW_PAYMENTS, P.VIEW_BILLS)
    before = db_state(Payment, JournalLine, Bill)
    data = {"customer": customer.pk, "bill": bill.pk, "amount": "840", "method": "cash"}
    assert client.post(reverse("payments:collect"), data).status_code == 403
    assert client.get(reverse("payments:collect")).status_code == 403
    assert client.post(reverse("payments:bulk_mark_paid"), {"ids": [bill.pk]}).status_code == 403
    assert db_state(Payment, JournalLine, Bill) == before


def test_collect_for_another_resellers_customer_answers_404(client, world):
    theirs = make_customer(world, owner=world.operator2)
    login(client, world.operator)
    data = {"customer": theirs.pk, "amount": "100", "method": "cash"}
    assert client.get(reverse("payments:collect"), {"customer": theirs.pk}).status_code == 404
    assert client.post(reverse("payments:collect"), data).status_code == 404
    assert Payment.objects.count() == 0


def test_a_bad_amount_is_shown_on_the_form(client, world, customer):
    login(client, world.admin)
    response = client.post(
        reverse("payments:collect"), {"customer": customer.pk, "amount": "0", "method": "cash"}
    )
    assert response.status_code == 400
    assert 'data-error-for="amount"' in body(response)
    assert Payment.objects.count() == 0


# --- the list and its download --------------------------------------------------------------


def _payments(world):
    mine = make_customer(world, owner=world.operator, name="Op Customer")
    admins = make_customer(world, owner=world.admin, name="Admin Customer")
    a = payment_record(actor=world.admin, customer=admins, amount="100")
    b = payment_record(actor=world.operator, customer=mine, amount="200", method="bank")
    c = payment_record(actor=world.operator, customer=mine, amount="300")
    payment_void(actor=world.admin, payment=c, reason="typo")
    return a, b, c


def test_payments_list_is_scoped_and_filtered(client, world):
    a, b, c = _payments(world)
    login(client, world.admin)
    url = reverse("payments:payments")
    assert PAYMENT_ROW.findall(body(client.get(url))) == [
        c.receipt_number,
        b.receipt_number,
        a.receipt_number,
    ]
    assert PAYMENT_ROW.findall(body(client.get(url, {"status": "void"}))) == [c.receipt_number]
    assert PAYMENT_ROW.findall(body(client.get(url, {"method": "bank"}))) == [b.receipt_number]
    assert PAYMENT_ROW.findall(body(client.get(url, {"q": "Admin Cust"}))) == [a.receipt_number]
    by_collector = body(client.get(url, {"collector": world.operator.pk, "status": "live"}))
    assert PAYMENT_ROW.findall(by_collector) == [b.receipt_number]
    totals = client.get(url, {"owner": world.operator.pk}).context["totals"]
    assert (totals["count"], totals["total"], totals["void_count"]) == (1, D("200.00"), 1)
    login(client, world.operator)
    assert PAYMENT_ROW.findall(body(client.get(url))) == [c.receipt_number, b.receipt_number]


def test_payments_csv_downloads_the_filtered_list(client, world):
    a, b, c = _payments(world)
    login(client, world.admin_manager, P.VIEW_PAYMENTS)
    response = client.get(reverse("payments:payments_csv"), {"status": "live"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(body(response).lstrip("\ufeff"))))
    assert rows[0][:5] == ["Receipt", "Received", "Customer", "Username", "Amount"]
    assert [(r[0], r[4], r[5], r[8]) for r in rows[1:]] == [
        (b.receipt_number, "200.00", "Bank", "Live"),
        (a.receipt_number, "100.00", "Cash", "Live"),
    ]


# --- corrections from the panel -------------------------------------------------------------


def test_void_and_edit_a_payment_from_the_panel(client, world, customer):
    payment = payment_record(actor=world.admin, customer=customer, amount="500")
    login(client, world.admin_manager, P.DELETE_CUSTOMER_PAYMENT, P.EDIT_CUSTOMER_PAYMENT)
    assert client.get(reverse("payments:payment_edit", args=[payment.pk])).status_code == 200
    response = client.post(
        reverse("payments:payment_edit", args=[payment.pk]),
        {"amount": "450", "note": "fixed", "reason": "miscounted"},
    )
    new = Payment.objects.get(voided_at__isnull=True)
    assert response.url == reverse("payments:receipt", args=[new.pk])
    assert (new.amount, new.note) == (D("450.00"), "fixed")
    response = client.post(reverse("payments:payment_void", args=[new.pk]), {"reason": ""})
    assert response.status_code == 400
    assert 'data-error-for="reason"' in body(response)
    client.post(reverse("payments:payment_void", args=[new.pk]), {"reason": "refund"})
    new.refresh_from_db()
    assert new.void_reason == "refund"
    assert wallet_balance(customer) == D("0.00")
    again = client.post(reverse("payments:payment_void", args=[new.pk]), {"reason": "again"})
    assert "This payment is already void." in body(again)


def test_bill_discount_void_and_edit_pages(client, world, customer):
    bill = make_bill(world, customer)
    other = make_bill(world, customer, JUNE)
    login(
        client,
        world.admin_manager,
        P.DISCOUNT_ON_BILLS,
        P.DELETE_BILLS,
        P.EDIT_BILLS,
        P.VIEW_CUSTOMER_DETAILS,
    )
    for name in ("payments:bill_discount", "payments:bill_void", "payments:bill_edit"):
        assert client.get(reverse(name, args=[bill.pk])).status_code == 200
    response = client.post(
        reverse("payments:bill_discount", args=[bill.pk]), {"amount": "900", "reason": "x"}
    )
    assert "The discount cannot be more than the due (840.00)." in body(response)
    response = client.post(
        reverse("payments:bill_discount", args=[bill.pk]), {"amount": "40", "reason": "promo"}
    )
    assert response.url == reverse("customers:detail", args=[customer.pk])
    bill.refresh_from_db()
    assert bill.discount == D("40.00")
    client.post(reverse("payments:bill_edit", args=[bill.pk]), {"amount": "420", "reason": "half"})
    bill.refresh_from_db()
    assert bill.status == "void"
    assert Bill.objects.get(period_start=bill.period_start, status="unpaid").amount == D("420.00")
    client.post(
        reverse("payments:bill_void", args=[other.pk]),
        {"reason": "moved", "next": "/customers/"},
    )
    other.refresh_from_db()
    assert other.status == "void"


def test_voiding_a_paid_bill_names_the_payments_to_void_first(client, world, customer):
    bill = make_bill(world, customer)
    payment = payment_record(actor=world.admin, customer=customer, amount="840", bill=bill)
    login(client, world.admin)
    response = client.post(reverse("payments:bill_void", args=[bill.pk]), {"reason": "x"})
    assert response.status_code == 400
    assert payment.receipt_number in body(response)
    bill.refresh_from_db()
    assert bill.status == "paid"


def test_bulk_mark_paid_lists_each_bill_with_its_result(client, world, customer):
    unpaid = make_bill(world, customer)
    paid = make_bill(world, customer, JUNE)
    bill_discount(actor=world.admin, bill=paid, amount="840", reason="free month")
    login(client, world.admin_manager, P.RECEIVE_PAYMENT)
    page = body(client.get(reverse("payments:bulk_mark_paid"), {"ids": [unpaid.pk, paid.pk]}))
    assert f'data-bill="{unpaid.number}"' in page
    response = client.post(
        reverse("payments:bulk_mark_paid"), {"ids": [unpaid.pk, paid.pk, "999999"]}
    )
    page = body(response)
    assert f'data-bill="{unpaid.number}" data-result="paid"' in page
    assert f'data-bill="{paid.number}" data-result="failed"' in page
    assert "This bill is already paid." in page
    assert "No such bill." in page
    unpaid.refresh_from_db()
    assert unpaid.status == "paid"
    assert Payment.objects.get().amount == D("840.00")


# --- Verify Payments ------------------------------------------------------------------------


def test_verify_page_lists_pending_transactions_and_approves_or_rejects(client, world, customer):
    first = online_transaction_record(
        tenant=world.tenant, gateway="bkash", gateway_reference="B-1", amount="500",
        customer=customer,
    )  # fmt: skip
    second = online_transaction_record(
        tenant=world.tenant, gateway="nagad", gateway_reference="N-1", amount="300",
        customer=customer,
    )  # fmt: skip
    login(client, world.admin_manager, P.VERIFY_PAYMENTS)
    page = body(client.get(reverse("payments:verify")))
    assert 'data-tx="B-1" data-status="pending"' in page
    assert 'data-tx="N-1" data-status="pending"' in page
    client.post(reverse("payments:verify_approve", args=[first.pk]))
    client.post(reverse("payments:verify_reject", args=[second.pk]), {"reason": "not in statement"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status, second.reject_reason) == (
        "completed",
        "rejected",
        "not in statement",
    )
    assert 'data-tx="B-1"' not in body(client.get(reverse("payments:verify")))
    done = body(client.get(reverse("payments:verify"), {"status": "all"}))
    assert first.payment.receipt_number in done
    response = client.post(reverse("payments:verify_approve", args=[first.pk]), follow=True)
    assert "This transaction is already completed." in body(response)
    assert Payment.objects.count() == 1


def test_verify_is_scoped_to_the_resellers_own_customers(client, world):
    theirs = make_customer(world, owner=world.operator2)
    tx = online_transaction_record(
        tenant=world.tenant, gateway="bkash", gateway_reference="X-9", amount="100",
        customer=theirs,
    )  # fmt: skip
    login(client, world.operator)
    assert "X-9" not in body(client.get(reverse("payments:verify")))
    assert client.post(reverse("payments:verify_approve", args=[tx.pk])).status_code == 404
    tx.refresh_from_db()
    assert tx.status == "pending"
    assert OnlineTransaction.objects.count() == 1


# --- the customer profile's tabs -----------------------------------------------------------


def test_customer_tabs_show_payments_wallet_and_a_running_ledger(world):
    customer = make_customer(world, owner=world.operator, vat_profile=world.vat)
    fund(world, world.operator)
    payment_record(actor=world.operator, customer=customer, amount="1000", method="advance")
    bill = make_bill(world, customer)  # 840 from the wallet
    payment = payment_record(actor=world.operator, customer=customer, amount="200")
    request = RequestFactory().get("/")
    request.user = world.op_manager
    world.op_manager.granted_keys = [P.VIEW_PAYMENTS, P.RECEIVE_PAYMENT]
    world.op_manager.save()

    ctx = customer_money_tabs(user=world.op_manager, customer=customer)

    assert (ctx["customer_wallet_balance"], ctx["customer_due_total"]) == (D("360.00"), D("0.00"))
    assert ctx["customer_net_balance"] == D("-360.00")
    ledger = [(row.entry.kind, row.amount, row.running) for row in ctx["customer_ledger"]]
    assert ledger == [
        ("payment.cash", D("-200.00"), D("-360.00")),
        ("wallet.apply", D("-840.00"), D("-160.00")),
        ("wallet.apply", D("840.00"), D("680.00")),
        ("bill.monthly", D("840.00"), D("-160.00")),
        ("payment.advance", D("-1000.00"), D("-1000.00")),
    ]
    html = render_to_string(
        "payments/_customer_payments.html", {"customer": customer, **ctx}, request=request
    )
    assert PAYMENT_ROW.findall(html) == [
        payment.receipt_number,
        ctx["customer_payments"][1].receipt_number,
    ]
    assert f"?customer={customer.pk}" in html  # the cash payment button
    html = render_to_string("payments/_customer_wallet.html", ctx, request=request)
    assert 'data-testid="wallet-balance">360.00' in html
    assert html.count("data-running") == 5
    assert bill.number in html


def test_customer_ledger_is_read_through_the_book_scope(world):
    customer = make_customer(world, owner=world.admin)
    payment_record(actor=world.admin, customer=customer, amount="100")
    ctx = customer_money_tabs(user=world.operator, customer=customer)
    assert (ctx["customer_ledger"], ctx["customer_payments"]) == ([], [])


def test_list_pages_take_the_same_number_of_queries_for_one_row_or_many(client, world, customer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, world.admin)
    payment_record(actor=world.admin, customer=customer, amount="100")
    online_transaction_record(
        tenant=world.tenant, gateway="bkash", gateway_reference="Q-0", amount="5",
        customer=customer,
    )  # fmt: skip
    urls = (reverse("payments:payments"), reverse("payments:verify"))

    def counts():
        result = []
        for url in urls:
            client.get(url)  # warm the session
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            result.append(len(ctx.captured_queries))
        return result

    one = counts()
    for i in range(1, 6):
        other = make_customer(world, owner=world.operator)
        payment_record(actor=world.admin, customer=other, amount="10")
        online_transaction_record(
            tenant=world.tenant, gateway="bkash", gateway_reference=f"Q-{i}", amount="5",
            customer=other,
        )  # fmt: skip
    assert counts() == one
