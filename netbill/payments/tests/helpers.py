"""Shared helpers of the payments tests."""

from __future__ import annotations

import datetime
from decimal import Decimal

from netbill.billing.services import bill_create
from netbill.ledger.resellers import reseller_add_balance

D = Decimal
MAY = (datetime.date(2026, 5, 1), datetime.date(2026, 5, 31))
JUNE = (datetime.date(2026, 6, 1), datetime.date(2026, 6, 30))
JULY = (datetime.date(2026, 7, 1), datetime.date(2026, 7, 31))


def make_bill(world, customer, period=MAY, *, actor=None, due_date=None, kind="monthly"):
    return bill_create(
        actor=actor or world.admin,
        customer=customer,
        kind=kind,
        period_start=period[0],
        period_end=period[1],
        due_date=due_date,
    )


def lines(entry) -> list[tuple[str, Decimal]]:
    """(account code, amount) of an entry's lines, sorted."""
    return sorted((row.account.code, row.amount) for row in entry.lines.select_related("account"))


def fund(world, reseller, amount="10000"):
    """Give a prepaid reseller (and its operator, for a sub-operator) balance."""
    if reseller.parent_id and reseller.parent.role == "operator":
        reseller_add_balance(actor=world.admin, reseller=reseller.parent, amount=amount)
        reseller_add_balance(actor=reseller.parent, reseller=reseller, amount=amount)
    else:
        reseller_add_balance(actor=world.admin, reseller=reseller, amount=amount)
