"""A small money data set built through the real services, with its figures worked out by
hand in the tests.

Books (tenant "Alpha Net"): the ISP's (admin), the operator's, the sub-operator's.
  admin adds 5000 to the operator; the operator adds 2000 to its sub-operator.
  c_admin  (admin, VAT 5 %)      bill 840 (800 + 40), paid 840 cash            due today
  c_op1    (operator, VAT 5 %)   bill 840 (800 + 40), paid 420 cash            due 45 days ago
  c_op2    (operator)            bill 800, paid 1000 bank (800 bill, 200 wallet) due today
  c_sub    (sub-operator, no zone) bill 800, unpaid                            due 100 days ago
  Each operator / sub-operator bill charges the resellers 600 each (reseller price).
  Expenses: 100 in the ISP's book today, 150 in the operator's book yesterday.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from netbill.billing.services import bill_create
from netbill.core.testing import make_customer
from netbill.ledger import chart
from netbill.ledger.posting import Line, post_entry
from netbill.ledger.resellers import reseller_add_balance
from netbill.payments.services import payment_record

D = Decimal


@dataclass
class Data:
    world: object
    today: datetime.date
    yesterday: datetime.date
    c_admin: object
    c_op1: object
    c_op2: object
    c_sub: object
    b_admin: object
    b_op1: object
    b_op2: object
    b_sub: object
    p_admin: object
    p_op1: object
    p_op2: object


def expense(world, book, amount, on, payer):
    return post_entry(
        tenant_id=world.tenant.pk,
        kind="expense",
        lines=[
            Line(code=chart.EXPENSES, amount=D(amount), book=book, party="Rent"),
            Line(code=chart.CASH, amount=-D(amount), book=book, staff=payer),
        ],
        actor=payer,
        memo="Rent",
        on=on,
    )


def _bill(world, customer, due: datetime.date, actor):
    return bill_create(
        actor=actor,
        customer=customer,
        kind="monthly",
        period_start=due,
        period_end=due + datetime.timedelta(days=29),
        due_date=due,
    )


def build(world, prefix: str = "") -> Data:
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    w = world
    reseller_add_balance(actor=w.admin, reseller=w.operator, amount="5000", note="top-up")
    reseller_add_balance(actor=w.operator, reseller=w.sub_operator, amount="2000", note="top-up")
    c_admin = make_customer(w, owner=w.admin, name=f"{prefix}Admin Customer", vat_profile=w.vat)
    c_op1 = make_customer(w, owner=w.operator, name=f"{prefix}Op Customer One", vat_profile=w.vat)
    c_op2 = make_customer(w, owner=w.operator, name=f"{prefix}Op Customer Two")
    c_sub = make_customer(w, owner=w.sub_operator, name=f"{prefix}Sub Customer", zone=None)
    b_admin = _bill(w, c_admin, today, w.admin)
    b_op1 = _bill(w, c_op1, today - datetime.timedelta(days=45), w.operator)
    b_op2 = _bill(w, c_op2, today, w.operator)
    b_sub = _bill(w, c_sub, today - datetime.timedelta(days=100), w.sub_operator)
    p_admin = payment_record(actor=w.admin, customer=c_admin, amount="840", bill=b_admin)
    p_op1 = payment_record(actor=w.operator, customer=c_op1, amount="420", bill=b_op1)
    p_op2 = payment_record(actor=w.operator, customer=c_op2, amount="1000", method="bank")
    expense(w, None, "100", today, w.admin)
    expense(w, w.operator, "150", yesterday, w.operator)
    return Data(
        w,
        today,
        yesterday,
        c_admin,
        c_op1,
        c_op2,
        c_sub,
        b_admin,
        b_op1,
        b_op2,
        b_sub,
        p_admin,
        p_op1,
        p_op2,
    )
