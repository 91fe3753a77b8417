"""Reseller money: prepaid (debit) balances and postpaid (credit) limits.

Each reseller has an account in its parent's book (the ISP's for an operator, the
operator's for a sub-operator).  A billed period of one of its customers charges it the
reseller price (debit); "Add Balance" and "Entry Cash Received" credit it.  A prepaid
reseller may not go below zero; a postpaid one may not owe more than its credit limit.
A sub-operator's charge also charges its operator at the operator's own price.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from netbill.accounts.models import User
from netbill.catalog.models import OperatorPackage
from netbill.core.audit import audit_record
from netbill.core.choices import RESELLER_ROLES, AccountType, Role
from netbill.core.money import ZERO, money
from netbill.core.permissions import MANAGE_STAFF, require
from netbill.ledger import chart
from netbill.ledger.posting import Line, post_entry
from netbill.ledger.selectors import reseller_position, upstream_book_id


class ResellerRefused(ValidationError):
    """A reseller's balance or credit limit does not allow the operation."""


@dataclass
class Charge:
    reseller: User
    book_id: int | None
    amount: Decimal


def reseller_chain(owner: User) -> list[User]:
    """The resellers a customer of ``owner`` charges: the sub-operator, then its operator."""
    chain = []
    node = owner
    while node is not None and node.role in RESELLER_ROLES:
        chain.append(node)
        node = node.parent
    return chain


def reseller_price(reseller: User, package_id: int) -> Decimal:
    op = OperatorPackage.objects.filter(operator=reseller, master_package_id=package_id).first()
    if op is None:
        raise ResellerRefused(
            {"package": _("This package is not assigned to %(r)s.") % {"r": reseller.name}}
        )
    return op.reseller_price


def lock_chain(owner: User) -> list[User]:
    """Lock the charged reseller rows, top-down (a fixed order: no deadlocks)."""
    chain = reseller_chain(owner)
    if not chain:
        return []
    ids = [r.pk for r in reversed(chain)]
    locked = {u.pk: u for u in User.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    return [locked[r.pk] for r in chain]


def check_can_pay(reseller: User, amount: Decimal, *, position: Decimal | None = None) -> None:
    """Raise :class:`ResellerRefused` if charging ``amount`` breaks the reseller's rule."""
    position = reseller_position(reseller) if position is None else position
    after = position + amount
    if reseller.account_type == AccountType.POSTPAID:
        if after > reseller.credit_limit:
            raise ResellerRefused(
                {
                    "reseller": _(
                        "%(r)s has reached its credit limit of %(limit)s (owes %(owes)s): settle the "
                        "account with “Entry Cash Received” first."
                    )
                    % {"r": reseller.name, "limit": reseller.credit_limit, "owes": position}
                }
            )
    elif after > 0:
        raise ResellerRefused(
            {
                "reseller": _(
                    "%(r)s has not enough balance (%(bal)s) for %(amount)s: add balance first."
                )
                % {"r": reseller.name, "bal": -position, "amount": amount}
            }
        )


def charge_lines(
    owner: User, package_id: int, *, memo_customer=None, positions: dict[int, Decimal] | None = None
) -> list[Line]:
    """Ledger lines charging every reseller in ``owner``'s chain for one billed period.

    Checks each reseller's rule (the caller holds the locks from :func:`lock_chain`).
    ``positions`` (reseller id → position) lets a batch keep running totals.
    """
    lines: list[Line] = []
    for reseller in reseller_chain(owner):
        price = money(reseller_price(reseller, package_id))
        if price == 0:
            continue
        position = None if positions is None else positions.get(reseller.pk)
        if positions is not None and position is None:
            position = reseller_position(reseller)
        check_can_pay(reseller, price, position=position)
        if positions is not None:
            positions[reseller.pk] = position + price
        book = upstream_book_id(reseller)
        lines += [
            Line(
                code=chart.RESELLER_ACCOUNTS,
                amount=price,
                book=book,
                reseller=reseller,
                customer=memo_customer,
            ),
            Line(code=chart.WHOLESALE_REVENUE, amount=-price, book=book, reseller=reseller),
        ]
    return lines


def _check_parent(actor: User, reseller: User) -> None:
    require(actor, MANAGE_STAFF, reseller)
    if reseller.role not in RESELLER_ROLES or reseller.tenant_id != actor.tenant_id:
        raise ValidationError({"reseller": _("Choose an operator or sub-operator.")})
    parent_ok = (actor.role == Role.GROUP_ADMIN and upstream_book_id(reseller) is None) or (
        reseller.parent_id == actor.pk
    )
    if not parent_ok:
        raise PermissionDenied(_("Only the reseller's parent account records its money."))


def reseller_add_balance(
    *, actor: User, reseller: User, amount, note: str = "", kind: str = "reseller.add_balance"
):
    """Add balance (prepaid) or record cash received (postpaid): the parent received
    ``amount`` from the reseller.  One posting: cash in hand of the actor, reseller account."""
    _check_parent(actor, reseller)
    try:
        amount = money(amount)
    except Exception as exc:  # noqa: BLE001 - any unparsable amount is the field's error
        raise ValidationError({"amount": _("Enter an amount.")}) from exc
    if amount <= ZERO:
        raise ValidationError({"amount": _("The amount must be more than zero.")})
    note = (note or "").strip()
    with transaction.atomic():
        lock_chain(reseller)
        book = upstream_book_id(reseller)
        entry = post_entry(
            tenant_id=actor.tenant_id,
            kind=kind,
            actor=actor,
            memo=note or kind,
            lines=[
                Line(code=chart.CASH, amount=amount, book=book, staff=actor),
                Line(code=chart.RESELLER_ACCOUNTS, amount=-amount, book=book, reseller=reseller),
            ],
        )
        audit_record(
            actor=actor,
            action=kind,
            obj=reseller,
            owner=reseller,
            after={"amount": amount, "note": note, "entry": entry.pk},
        )
    return entry


def reseller_cash_received(*, actor: User, reseller: User, amount, note: str = ""):
    """ "Entry Cash Received": a postpaid reseller settles (part of) what it owes."""
    return reseller_add_balance(
        actor=actor, reseller=reseller, amount=amount, note=note, kind="reseller.cash_received"
    )
