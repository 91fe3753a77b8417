"""Expenses (``expense-management``): categories with subcategories, and expenses paid
from the recording staff member's cash, each posted to the ledger.

Every book keeps its own categories and expenses: the ISP's (the group admin and its
managers) and each reseller's (the reseller and its managers).  Posting, in that book:
  Dr Expenses [party: category]  amount / Cr Cash in hand [staff: who paid]  amount
A void posts the reversing entry; nothing is deleted.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from netbill.accounts.models import User
from netbill.billing.calendar import local_today
from netbill.core import permissions as P
from netbill.core.audit import audit_record
from netbill.core.choices import RESELLER_ROLES, Role
from netbill.core.money import ZERO, money
from netbill.ledger import chart
from netbill.ledger.models import Expense, ExpenseCategory
from netbill.ledger.posting import Line, post_entry, reverse_entry


def parse_amount(value, field: str = "amount"):
    try:
        amount = money(value)
        if not amount.is_finite():
            raise ValueError(value)
    except Exception as exc:  # noqa: BLE001 - any unparsable input is the field's error
        raise ValidationError({field: _("Enter an amount.")}) from exc
    if amount <= ZERO:
        raise ValidationError({field: _("The amount must be more than zero.")})
    return amount


def book_owner(user: User) -> User | None:
    """The reseller whose book ``user`` keeps (a manager keeps its parent's); None: the ISP."""
    node = user
    while node is not None and node.role == Role.MANAGER:
        node = node.parent
    if node is not None and node.role in RESELLER_ROLES:
        return node
    return None


def book_id_of(user: User) -> int | None:
    owner = book_owner(user)
    return owner.pk if owner is not None else None


def categories_for(user: User):
    """The categories ``user`` records expenses in: those of its own book."""
    return ExpenseCategory.objects.visible_to(user).filter(book_id=book_id_of(user))


def _check_own_book(actor: User, obj, field: str) -> None:
    if obj.tenant_id != actor.tenant_id or obj.book_id != book_id_of(actor):
        raise ValidationError({field: _("Choose one of your own expense categories.")})


def _clean_name(name) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter a name.")})
    if len(name) > 80:
        raise ValidationError({"name": _("Use at most 80 characters.")})
    return name


def _save_category(category: ExpenseCategory) -> None:
    clash = ExpenseCategory.objects.filter(
        tenant_id=category.tenant_id,
        book_id=category.book_id,
        parent_id=category.parent_id,
        name__iexact=category.name,
    ).exclude(pk=category.pk)
    if clash.exists():
        raise ValidationError({"name": _("A category with this name already exists here.")})
    try:
        with transaction.atomic():
            category.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"name": _("A category with this name already exists here.")}
        ) from exc


def expense_category_create(
    *, actor: User, name: str, parent: ExpenseCategory | None = None
) -> ExpenseCategory:
    """A category (or, with ``parent``, a subcategory) in the actor's book."""
    P.require(actor, P.EXPENSE_MANAGEMENT)
    name = _clean_name(name)
    if parent is not None:
        _check_own_book(actor, parent, "parent")
        if parent.parent_id is not None:
            raise ValidationError({"parent": _("A subcategory cannot have subcategories.")})
    book = book_owner(actor)
    with transaction.atomic():
        category = ExpenseCategory(tenant_id=actor.tenant_id, name=name, parent=parent, book=book)
        _save_category(category)
        audit_record(
            actor=actor,
            action="expense_category.create",
            obj=category,
            owner=book,
            after={"name": name, "parent": parent.pk if parent else None},
        )
    return category


def expense_category_update(*, actor: User, category: ExpenseCategory, name: str):
    """Rename a category.  Posted lines keep the name they were posted with."""
    P.require(actor, P.EXPENSE_MANAGEMENT, category)
    _check_own_book(actor, category, "category")
    name = _clean_name(name)
    with transaction.atomic():
        category = ExpenseCategory.objects.select_for_update().get(pk=category.pk)
        before = {"name": category.name}
        category.name = name
        _save_category(category)
        audit_record(
            actor=actor,
            action="expense_category.update",
            obj=category,
            owner=category.book_id,
            before=before,
            after={"name": name},
        )
    return category


def expense_category_delete(*, actor: User, category: ExpenseCategory) -> None:
    """Delete a category nothing uses (no expenses, no subcategories)."""
    P.require(actor, P.EXPENSE_MANAGEMENT, category)
    _check_own_book(actor, category, "category")
    with transaction.atomic():
        category = ExpenseCategory.objects.select_for_update().get(pk=category.pk)
        if category.subcategories.exists():
            raise ValidationError({"category": _("Delete its subcategories first.")})
        if category.expenses.exists():
            raise ValidationError(
                {"category": _("Expenses are recorded in this category: it stays.")}
            )
        audit_record(
            actor=actor,
            action="expense_category.delete",
            obj=category,
            owner=category.book_id,
            before={"name": category.name, "parent": category.parent_id},
        )
        category.delete()


def expense_record(
    *,
    actor: User,
    category: ExpenseCategory,
    amount,
    date: datetime.date | None = None,
    note: str = "",
) -> Expense:
    """Record an expense paid from the actor's cash, in the actor's book."""
    P.require(actor, P.EXPENSE_MANAGEMENT)
    _check_own_book(actor, category, "category")
    amount = parse_amount(amount)
    today = local_today(actor.tenant)
    date = date or today
    if date > today:
        raise ValidationError({"date": _("The date is in the future.")})
    note = (note or "").strip()[:200]
    book = book_owner(actor)
    with transaction.atomic():
        entry = post_entry(
            tenant_id=actor.tenant_id,
            kind="expense",
            actor=actor,
            memo=f"{category}: {note}" if note else str(category),
            on=date,
            lines=[
                Line(code=chart.EXPENSES, amount=amount, book=book, party=str(category)),
                Line(code=chart.CASH, amount=-amount, book=book, staff=actor),
            ],
        )
        expense = Expense.objects.create(
            tenant_id=actor.tenant_id,
            book=book,
            category=category,
            amount=amount,
            date=date,
            note=note,
            paid_by=actor,
            entry=entry,
        )
        audit_record(
            actor=actor,
            action="expense.record",
            obj=expense,
            owner=book,
            after={"category": str(category), "amount": amount, "date": date, "note": note},
        )
    return expense


def expense_void(*, actor: User, expense: Expense, reason: str = "") -> Expense:
    """Void an expense of the actor's book: the reversing entry undoes its posting."""
    P.require(actor, P.EXPENSE_MANAGEMENT, expense)
    if expense.book_id != book_id_of(actor):
        raise ValidationError({"expense": _("Only the book that recorded an expense voids it.")})
    with transaction.atomic():
        expense = Expense.objects.select_for_update().get(pk=expense.pk)
        if expense.voided_at is not None:
            raise ValidationError({"expense": _("This expense is already void.")})
        reversal = reverse_entry(
            entry=expense.entry,
            actor=actor,
            memo=_("Void: %(reason)s") % {"reason": reason} if reason else "",
        )
        expense.voided_at = timezone.now()
        expense.void_entry = reversal
        expense.save(update_fields=["voided_at", "void_entry"])
        audit_record(
            actor=actor,
            action="expense.void",
            obj=expense,
            owner=expense.book_id,
            after={"reason": reason, "entry": reversal.pk},
        )
    return expense
