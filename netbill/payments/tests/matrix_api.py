"""Permission-matrix rows of the money API for payments, online transactions and recharge
cards (see core/tests/test_permission_matrix.py).  The lead wires them in: ``ACTIONS +=
matrix_api.ACTIONS`` and ``matrix_api.setup(ctx)`` (e.g. from ``payments/tests/matrix.py``).

Subject: the operator's manager holding only the key; the objects belong to the operator.
``ctx.extra`` keys start with ``api_pay``."""

from __future__ import annotations

from decimal import Decimal

from netbill.core import permissions as P
from netbill.core.matrix import Action
from netbill.core.testing import make_customer
from netbill.payments.cards import card_batch_create, distributor_create
from netbill.payments.models import (
    CardDistributor,
    OnlineTransaction,
    Payment,
    RechargeCard,
    RechargeCardBatch,
)
from netbill.payments.online import online_transaction_record
from netbill.payments.services import payment_record


def setup(ctx) -> None:
    world = ctx.world
    payer = make_customer(world, owner=world.operator, name="API Matrix Payer")
    extra = ctx.extra
    extra["api_pay_customer"] = payer
    for name in ("void", "edit", "show"):
        extra[f"api_pay_{name}"] = payment_record(actor=world.admin, customer=payer, amount="100")
    for name in ("approve", "reject"):
        extra[f"api_pay_tx_{name}"] = online_transaction_record(
            tenant=world.tenant,
            gateway="nagad",
            gateway_reference=f"API-MATRIX-{name}",
            amount="250",
            customer=payer,
        )
    shop = distributor_create(actor=world.operator, name="API Matrix Shop")
    batch, printed = card_batch_create(
        actor=world.operator, name="API Matrix Cards", value="300", count=2, distributor=shop
    )
    extra.update(
        {
            "api_pay_shop": shop,
            "api_pay_batch": batch,
            "api_pay_pin": printed[0].pin,
            "api_pay_serial": printed[0].serial,
        }
    )


def _x(c, name):
    return c.extra[f"api_pay_{name}"]


def _payment(c, name) -> Payment:
    return Payment.objects.get(pk=_x(c, name).pk)


def _tx_status(name, status):
    return lambda c: OnlineTransaction.objects.get(pk=_x(c, f"tx_{name}").pk).status == status


def _edited(c) -> bool:
    old = _payment(c, "edit")
    return (
        old.voided_at is not None
        and Payment.objects.filter(
            customer=old.customer, amount=Decimal("91.00"), voided_at__isnull=True
        ).exists()
    )


ACTIONS = [
    Action(P.VIEW_PAYMENTS, "payment list", "api", "get", lambda c: "/api/v1/payments/"),
    Action(
        P.VIEW_PAYMENTS,
        "payment detail",
        "api",
        "get",
        lambda c: f"/api/v1/payments/{_x(c, 'show').pk}/",
    ),
    Action(
        P.RECEIVE_PAYMENT,
        "take payment",
        "api",
        "post",
        lambda c: "/api/v1/payments/",
        lambda c: {"customer": _x(c, "customer").pk, "amount": "123.45", "method": "cash"},
        lambda c: Payment.objects.filter(amount=Decimal("123.45")).exists(),
    ),
    Action(
        P.RECEIVE_PAYMENT,
        "redeem card",
        "api",
        "post",
        lambda c: "/api/v1/cards/redeem/",
        lambda c: {"customer": _x(c, "customer").pk, "pin": _x(c, "pin")},
        lambda c: RechargeCard.objects.get(serial=_x(c, "serial")).status == "redeemed",
    ),
    Action(
        P.DELETE_CUSTOMER_PAYMENT,
        "void payment",
        "api",
        "post",
        lambda c: f"/api/v1/payments/{_x(c, 'void').pk}/void/",
        lambda c: {"reason": "matrix"},
        lambda c: _payment(c, "void").voided_at is not None,
    ),
    Action(
        P.EDIT_CUSTOMER_PAYMENT,
        "edit payment",
        "api",
        "post",
        lambda c: f"/api/v1/payments/{_x(c, 'edit').pk}/edit/",
        lambda c: {"amount": "91", "reason": "matrix"},
        _edited,
    ),
    Action(
        P.VERIFY_PAYMENTS,
        "online transactions",
        "api",
        "get",
        lambda c: "/api/v1/online-transactions/",
    ),
    Action(
        P.VERIFY_PAYMENTS,
        "approve online",
        "api",
        "post",
        lambda c: f"/api/v1/online-transactions/{_x(c, 'tx_approve').pk}/approve/",
        effect=_tx_status("approve", "completed"),
    ),
    Action(
        P.VERIFY_PAYMENTS,
        "reject online",
        "api",
        "post",
        lambda c: f"/api/v1/online-transactions/{_x(c, 'tx_reject').pk}/reject/",
        lambda c: {"reason": "matrix"},
        _tx_status("reject", "rejected"),
    ),
    Action(
        P.MANAGE_RECHARGE_CARDS, "card batches", "api", "get", lambda c: "/api/v1/card-batches/"
    ),
    Action(
        P.MANAGE_RECHARGE_CARDS,
        "create card batch",
        "api",
        "post",
        lambda c: "/api/v1/card-batches/",
        lambda c: {"name": "API Matrix New", "value": "200", "count": 2},
        lambda c: RechargeCardBatch.objects.filter(name="API Matrix New").exists(),
    ),
    Action(
        P.MANAGE_RECHARGE_CARDS,
        "void card batch",
        "api",
        "post",
        lambda c: f"/api/v1/card-batches/{_x(c, 'batch').pk}/void/",
        lambda c: {"reason": "matrix"},
        lambda c: not RechargeCard.objects.filter(batch=_x(c, "batch"), status="active").exists(),
    ),
    Action(
        P.MANAGE_RECHARGE_CARDS,
        "create distributor",
        "api",
        "post",
        lambda c: "/api/v1/card-distributors/",
        lambda c: {"name": "API Matrix Kiosk", "commission_percent": "3"},
        lambda c: CardDistributor.objects.filter(name="API Matrix Kiosk").exists(),
    ),
]
