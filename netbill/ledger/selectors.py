"""Balances read from the ledger (the ledger is the truth; nothing caches these)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from netbill.core.choices import RESELLER_ROLES
from netbill.core.money import ZERO
from netbill.ledger import chart
from netbill.ledger.models import JournalLine


def _sum(qs) -> Decimal:
    return qs.aggregate(total=Sum("amount"))["total"] or ZERO


def customer_due(customer) -> Decimal:
    """What the customer owes on its bills (its receivable)."""
    return _sum(
        JournalLine.objects.filter(customer=customer, account__code=chart.CUSTOMER_RECEIVABLE)
    )


def wallet_balance(customer) -> Decimal:
    """The customer's advance / prepaid credit."""
    return -_sum(JournalLine.objects.filter(customer=customer, account__code=chart.CUSTOMER_WALLET))


def customer_balance(customer) -> Decimal:
    """Net position: what it owes minus its wallet (negative: in credit)."""
    return _sum(
        JournalLine.objects.filter(
            customer=customer, account__code__in=(chart.CUSTOMER_RECEIVABLE, chart.CUSTOMER_WALLET)
        )
    )


def upstream_book_id(reseller) -> int | None:
    """The book a reseller's account lives in: its parent operator's, or the ISP's."""
    parent = reseller.parent
    if parent is not None and parent.role in RESELLER_ROLES:
        return parent.pk
    return None


def reseller_position(reseller) -> Decimal:
    """What the reseller owes its parent (positive) or has deposited (negative)."""
    return _sum(
        JournalLine.objects.filter(
            reseller=reseller,
            book_id=upstream_book_id(reseller),
            account__code=chart.RESELLER_ACCOUNTS,
        )
    )


def reseller_balance(reseller) -> Decimal:
    """A prepaid reseller's spendable balance (its deposit)."""
    return -reseller_position(reseller)
