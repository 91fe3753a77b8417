"""Permission-matrix rows of the payments panel (see core/tests/test_permission_matrix.py):
without its key each action answers 403 and changes nothing; with it, it takes effect."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.urls import reverse

from netbill.billing.models import Bill
from netbill.billing.services import bill_create
from netbill.core import permissions as P
from netbill.core.matrix import Action
from netbill.core.testing import make_customer
from netbill.ledger.resellers import reseller_add_balance
from netbill.payments.models import OnlineTransaction, Payment
from netbill.payments.online import online_transaction_record
from netbill.payments.services import payment_record

BILLS = ("discount", "void", "edit", "bulk")


def setup(ctx) -> None:
    world = ctx.world
    reseller_add_balance(actor=world.admin, reseller=world.operator, amount="10000")
    billed = make_customer(world, owner=world.operator, name="Matrix Billed")
    for i, name in enumerate(BILLS):
        start = datetime.date(2031, i + 1, 1)
        ctx.extra[f"bill_{name}"] = bill_create(
            actor=world.admin,
            customer=billed,
            kind="monthly",
            period_start=start,
            period_end=start + datetime.timedelta(days=27),
        )
    payer = make_customer(world, owner=world.operator, name="Matrix Payer")
    ctx.extra["payer"] = payer
    for name in ("pay_void", "pay_edit"):
        ctx.extra[name] = payment_record(actor=world.admin, customer=payer, amount="100")
    for name in ("tx_approve", "tx_reject"):
        ctx.extra[name] = online_transaction_record(
            tenant=world.tenant,
            gateway="bkash",
            gateway_reference=f"MATRIX-{name}",
            amount="250",
            customer=payer,
        )


def _x(c, name):
    return c.extra[name]


def _bill(c, name) -> Bill:
    return Bill.objects.get(pk=_x(c, f"bill_{name}").pk)


def _url(name, obj):
    return lambda c: reverse(name, args=[_x(c, obj).pk])


def _tx_status(name, status):
    return lambda c: OnlineTransaction.objects.get(pk=_x(c, name).pk).status == status


def _edited_payment(c) -> bool:
    old = Payment.objects.get(pk=_x(c, "pay_edit").pk)
    return (
        old.voided_at is not None
        and Payment.objects.filter(
            customer=old.customer, amount=Decimal("90.00"), voided_at__isnull=True
        ).exists()
    )


def _edited_bill(c) -> bool:
    old = _bill(c, "edit")
    return (
        old.status == "void"
        and Bill.objects.filter(
            customer=old.customer, period_start=old.period_start, amount=Decimal("500.00")
        )
        .exclude(status="void")
        .exists()
    )


ACTIONS = [
    Action(
        P.RECEIVE_PAYMENT,
        "collect page",
        "panel",
        "get",
        lambda c: reverse("payments:collect") + f"?customer={_x(c, 'payer').pk}",
    ),
    Action(
        P.RECEIVE_PAYMENT,
        "cash payment",
        "panel",
        "post",
        lambda c: reverse("payments:collect"),
        lambda c: {"customer": _x(c, "payer").pk, "amount": "123.45", "method": "cash"},
        lambda c: Payment.objects.filter(amount=Decimal("123.45")).exists(),
    ),
    Action(
        P.RECEIVE_PAYMENT,
        "bulk mark paid",
        "panel",
        "post",
        lambda c: reverse("payments:bulk_mark_paid"),
        lambda c: {"ids": [_x(c, "bill_bulk").pk]},
        lambda c: _bill(c, "bulk").status == "paid",
    ),
    Action(
        P.VIEW_PAYMENTS, "payments list", "panel", "get", lambda c: reverse("payments:payments")
    ),
    Action(
        P.VIEW_PAYMENTS,
        "payments csv",
        "panel",
        "get",
        lambda c: reverse("payments:payments_csv"),
    ),
    Action(P.VIEW_PAYMENTS, "receipt", "panel", "get", _url("payments:receipt", "pay_void")),
    Action(
        P.DISCOUNT_ON_BILLS,
        "discount bill",
        "panel",
        "post",
        _url("payments:bill_discount", "bill_discount"),
        lambda c: {"amount": "10", "reason": "matrix"},
        lambda c: _bill(c, "discount").discount == Decimal("10.00"),
    ),
    Action(
        P.EDIT_BILLS,
        "edit bill",
        "panel",
        "post",
        _url("payments:bill_edit", "bill_edit"),
        lambda c: {"amount": "500", "reason": "matrix"},
        _edited_bill,
    ),
    Action(
        P.DELETE_BILLS,
        "void bill",
        "panel",
        "post",
        _url("payments:bill_void", "bill_void"),
        lambda c: {"reason": "matrix"},
        lambda c: _bill(c, "void").status == "void",
    ),
    Action(
        P.EDIT_CUSTOMER_PAYMENT,
        "edit payment",
        "panel",
        "post",
        _url("payments:payment_edit", "pay_edit"),
        lambda c: {"amount": "90", "reason": "matrix"},
        _edited_payment,
    ),
    Action(
        P.DELETE_CUSTOMER_PAYMENT,
        "void payment",
        "panel",
        "post",
        _url("payments:payment_void", "pay_void"),
        lambda c: {"reason": "matrix"},
        lambda c: Payment.objects.get(pk=_x(c, "pay_void").pk).voided_at is not None,
    ),
    Action(P.VERIFY_PAYMENTS, "verify list", "panel", "get", lambda c: reverse("payments:verify")),
    Action(
        P.VERIFY_PAYMENTS,
        "approve online",
        "panel",
        "post",
        _url("payments:verify_approve", "tx_approve"),
        effect=_tx_status("tx_approve", "completed"),
    ),
    Action(
        P.VERIFY_PAYMENTS,
        "reject online",
        "panel",
        "post",
        _url("payments:verify_reject", "tx_reject"),
        lambda c: {"reason": "matrix"},
        _tx_status("tx_reject", "rejected"),
    ),
]
