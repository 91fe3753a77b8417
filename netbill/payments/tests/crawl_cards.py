"""Cross-scope crawl objects for recharge cards of the foreign tenant (distributors, batches,
a redeemed card); the lead calls ``populate`` from ``payments/tests/crawl.py``."""

from __future__ import annotations

from netbill.core.testing import make_customer
from netbill.payments.cards import card_batch_create, card_redeem, distributor_create


def populate(foreign, marker):
    for owner in (foreign.admin, foreign.operator):
        shop = distributor_create(
            actor=owner, name=f"{marker} Shop {owner.pk}", commission_percent="5"
        )
        _batch, printed = card_batch_create(
            actor=owner, name=f"{marker} Batch {owner.pk}", value="500", count=3, distributor=shop
        )
        customer = make_customer(foreign, owner=owner, name=f"{marker} Card Customer {owner.pk}")
        card_redeem(actor=owner, customer=customer, pin=printed[0].pin)
