"""Permission-matrix rows for recharge cards (``manage-recharge-cards``) and card
redemption (``receive-payment``); the lead wires them into ``payments/tests/matrix.py``
(``ACTIONS += matrix_cards.ACTIONS`` and ``matrix_cards.setup(ctx)`` from its ``setup``).

Subject: the operator's manager holding only the key; the objects belong to the operator."""

from __future__ import annotations

from django.urls import reverse

from netbill.core import permissions as P
from netbill.core.matrix import Action
from netbill.payments.cards import card_batch_create, distributor_create
from netbill.payments.models import CardDistributor, RechargeCard, RechargeCardBatch


def setup(ctx):
    world = ctx.world
    shop = distributor_create(actor=world.operator, name="Matrix Shop", commission_percent="5")
    batch, printed = card_batch_create(
        actor=world.operator, name="Matrix Batch", value="500", count=2, distributor=shop
    )
    ctx.extra.update(
        {
            "card_distributor": shop,
            "card_batch": batch,
            "card_pin": printed[0].pin,
            "card_serial": printed[0].serial,
        }
    )


def _card(c):
    return RechargeCard.objects.get(serial=c.extra["card_serial"])


ACTIONS = [
    Action(
        P.MANAGE_RECHARGE_CARDS,
        "card batches",
        "panel",
        "get",
        lambda c: reverse("payments:card_batches"),
    ),
    Action(
        P.MANAGE_RECHARGE_CARDS,
        "card batch detail",
        "panel",
        "get",
        lambda c: reverse("payments:card_batch_detail", args=[c.extra["card_batch"].pk]),
    ),
    Action(
        P.MANAGE_RECHARGE_CARDS,
        "print cards",
        "panel",
        "post",
        lambda c: reverse("payments:card_batch_create"),
        lambda c: {"name": "Matrix Print", "value": "200", "count": "3"},
        lambda c: RechargeCardBatch.objects.filter(name="Matrix Print", count=3).exists(),
    ),
    Action(
        P.MANAGE_RECHARGE_CARDS,
        "void cards",
        "panel",
        "post",
        lambda c: reverse("payments:card_batch_void", args=[c.extra["card_batch"].pk]),
        lambda c: {"reason": "matrix"},
        lambda c: _card(c).status == "void",
    ),
    Action(
        P.MANAGE_RECHARGE_CARDS,
        "distributors",
        "panel",
        "get",
        lambda c: reverse("payments:distributors"),
    ),
    Action(
        P.MANAGE_RECHARGE_CARDS,
        "create distributor",
        "panel",
        "post",
        lambda c: reverse("payments:distributor_create"),
        lambda c: {"name": "Matrix New Shop", "mobile": "", "commission_percent": "3"},
        lambda c: CardDistributor.objects.filter(name="Matrix New Shop").exists(),
    ),
    Action(
        P.MANAGE_RECHARGE_CARDS,
        "edit distributor",
        "panel",
        "post",
        lambda c: reverse("payments:distributor_edit", args=[c.extra["card_distributor"].pk]),
        lambda c: {"name": "Matrix Shop", "mobile": "01900000000", "commission_percent": "5"},
        lambda c: (
            CardDistributor.objects.get(pk=c.extra["card_distributor"].pk).mobile == "01900000000"
        ),
    ),
    Action(
        P.RECEIVE_PAYMENT,
        "redeem recharge card",
        "panel",
        "post",
        lambda c: reverse("payments:card_redeem"),
        lambda c: {"customer": c.customer.username, "pin": c.extra["card_pin"]},
        lambda c: _card(c).status == "redeemed",
    ),
]
