"""Balances read from the ledger (the ledger is the truth; nothing caches these)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Sum

from netbill.core.choices import RESELLER_ROLES, AccountType, Role
from netbill.core.money import ZERO
from netbill.ledger import chart
from netbill.ledger.models import JournalLine

if TYPE_CHECKING:
    from netbill.accounts.models import User


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


def reseller_positions(reseller_ids, *, book_id: int | None) -> dict[int, Decimal]:
    """Positions (as :func:`reseller_position`) of many resellers whose accounts are in one
    book, in ONE grouped query (list pages)."""
    rows = (
        JournalLine.objects.filter(
            reseller_id__in=list(reseller_ids),
            book_id=book_id,
            account__code=chart.RESELLER_ACCOUNTS,
        )
        .values("reseller_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    positions = dict.fromkeys(reseller_ids, ZERO)
    positions.update({row["reseller_id"]: row["total"] for row in rows})
    return positions


def reseller_statement(reseller, *, date_from=None, date_to=None) -> dict:
    """A reseller's account with its parent between two dates (both included).

    Amounts are seen from the parent's book: a debit is a charge (the reseller owes more),
    a credit is money the parent received (Add Balance, Entry Cash Received).  ``balance``
    is what the reseller owes (positive) or has in deposit (negative), after each line.
    """
    lines = JournalLine.objects.filter(
        reseller=reseller,
        book_id=upstream_book_id(reseller),
        account__code=chart.RESELLER_ACCOUNTS,
    )
    opening = _sum(lines.filter(date__lt=date_from)) if date_from else ZERO
    period = lines
    if date_from:
        period = period.filter(date__gte=date_from)
    if date_to:
        period = period.filter(date__lte=date_to)
    movements = []
    balance = opening
    total_debit = total_credit = ZERO
    for line in period.select_related("entry", "customer").order_by("date", "entry_id", "id"):
        balance += line.amount
        debit = line.amount if line.amount > 0 else ZERO
        credit = -line.amount if line.amount < 0 else ZERO
        total_debit += debit
        total_credit += credit
        movements.append(
            {
                "date": line.date,
                "kind": line.entry.kind,
                "memo": line.entry.memo,
                "customer": line.customer,
                "entry_id": line.entry_id,
                "debit": debit,
                "credit": credit,
                "balance": balance,
            }
        )
    return {
        "opening": opening,
        "movements": movements,
        "total_debit": total_debit,
        "total_credit": total_credit,
        "closing": balance,
    }


def children_resellers(user: User):
    """The reseller accounts ``user`` is the parent of: the group admin's operators, an
    operator's sub-operators.  Everyone else: none."""
    from netbill.accounts.models import User

    qs = User.objects.visible_to(user).filter(tenant_id=user.tenant_id)
    if user.role == Role.GROUP_ADMIN:
        return qs.filter(role=Role.OPERATOR)
    if user.role == Role.OPERATOR:
        return qs.filter(role=Role.SUB_OPERATOR, parent_id=user.pk)
    return qs.none()


def position_view(reseller: User, position) -> dict:
    """What the pages show of a position: prepaid → balance; postpaid → owed, limit, room."""
    prepaid = reseller.account_type != AccountType.POSTPAID
    return {
        "prepaid": prepaid,
        "position": position,
        "balance": -position,
        "owes": position if position > 0 else ZERO,
        "credit_limit": reseller.credit_limit,
        "available": -position if prepaid else reseller.credit_limit - position,
    }


def own_reseller(user: User) -> User | None:
    """The reseller whose account with its parent ``user`` sees (a manager: its parent's)."""
    from netbill.ledger.expenses import book_owner

    return book_owner(user)
