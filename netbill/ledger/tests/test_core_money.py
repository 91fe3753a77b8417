"""The money core: bills, payments, wallets and reseller charges post balanced entries."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from netbill.billing.services import bill_create
from netbill.core.testing import make_customer
from netbill.ledger.models import JournalLine
from netbill.ledger.resellers import ResellerRefused, reseller_add_balance, reseller_cash_received
from netbill.ledger.selectors import (
    customer_due,
    reseller_balance,
    reseller_position,
    wallet_balance,
)
from netbill.payments.services import payment_record

pytestmark = pytest.mark.django_db
D = Decimal
MAY = (datetime.date(2026, 5, 1), datetime.date(2026, 5, 31))


def bill(world, customer, actor=None, period=MAY):
    return bill_create(
        actor=actor or world.admin,
        customer=customer,
        kind="monthly",
        period_start=period[0],
        period_end=period[1],
    )


def test_bill_posts_receivable_revenue_and_vat_in_the_owners_book(world):
    customer = make_customer(world, owner=world.admin, vat_profile=world.vat)
    b = bill(world, customer)
    assert (b.amount, b.status) == (D("840.00"), "unpaid")
    rows = sorted((line.account.code, line.amount) for line in b.entry.lines.all())
    assert rows == [("1300", D("840.00")), ("2200", D("-40.00")), ("4100", D("-800.00"))]
    assert customer_due(customer) == D("840.00")


def test_partial_then_full_payment_settles_the_bill_and_the_excess_goes_to_the_wallet(world):
    customer = make_customer(world, owner=world.admin)
    b = bill(world, customer)
    payment_record(actor=world.admin, customer=customer, amount="300", bill=b)
    b.refresh_from_db()
    assert (b.paid_amount, b.status) == (D("300.00"), "partial")
    payment_record(actor=world.admin, customer=customer, amount="700")
    b.refresh_from_db()
    assert (b.paid_amount, b.status) == (D("800.00"), "paid")
    assert customer_due(customer) == D("0.00")
    assert wallet_balance(customer) == D("200.00")


def test_wallet_credit_pays_the_next_bill(world):
    customer = make_customer(world, owner=world.admin)
    payment_record(actor=world.admin, customer=customer, amount="1000", method="advance")
    b = bill(world, customer)
    assert (b.status, wallet_balance(customer)) == ("paid", D("200.00"))


def test_prepaid_reseller_is_charged_its_price_and_refused_at_zero(world):
    customer = make_customer(world, owner=world.operator)
    with pytest.raises(ResellerRefused) as exc:
        bill(world, customer)
    assert "not enough balance" in str(exc.value)
    assert JournalLine.objects.count() == 0
    reseller_add_balance(actor=world.admin, reseller=world.operator, amount="1000", note="bKash")
    bill(world, customer)
    assert reseller_balance(world.operator) == D("400.00")  # 1000 - reseller price 600


def test_sub_operator_charges_its_operator_too(world):
    customer = make_customer(world, owner=world.sub_operator)
    reseller_add_balance(actor=world.admin, reseller=world.operator, amount="5000")
    reseller_add_balance(actor=world.operator, reseller=world.sub_operator, amount="1000")
    bill(world, customer)
    assert reseller_balance(world.sub_operator) == D("400.00")
    assert reseller_balance(world.operator) == D("4400.00")


def test_postpaid_reseller_refused_past_its_credit_limit_until_cash_received(world):
    op = world.operator2
    op.account_type, op.credit_limit = "postpaid", D("1000.00")
    op.save()
    first = make_customer(world, owner=op)
    second = make_customer(world, owner=op)
    bill(world, first)
    assert reseller_position(op) == D("600.00")
    with pytest.raises(ResellerRefused):
        bill(world, second)
    reseller_cash_received(actor=world.admin, reseller=op, amount="600")
    bill(world, second)
    assert reseller_position(op) == D("600.00")


def test_same_period_cannot_be_billed_twice(world):
    customer = make_customer(world, owner=world.admin)
    bill(world, customer)
    with pytest.raises(ValidationError) as exc:
        bill(world, customer)
    assert "period_start" in exc.value.message_dict
    assert customer_due(customer) == D("800.00")


def test_database_refuses_an_unbalanced_entry_and_any_change_to_posted_lines(world):
    customer = make_customer(world, owner=world.admin)
    b = bill(world, customer)
    line = b.entry.lines.first()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_journalline SET amount = amount + 1 WHERE id = %s", [line.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_journalline (tenant_id, entry_id, account_id, amount, party, date)"
            " VALUES (%s, %s, %s, 5, '', '2026-05-01')",
            [line.tenant_id, line.entry_id, line.account_id],
        )
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_journalline WHERE id = %s", [line.pk])
