"""Permission-matrix rows for reseller money and expenses (see core/tests/test_permission_matrix.py).

``expense-management`` and ``view-accounts`` are tried with the operator's manager (holding
only that key); the reseller money actions (``manage-staff``) with the operator acting on its
sub-operator."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from netbill.accounts.models import User
from netbill.core import permissions as P
from netbill.core.matrix import Action
from netbill.ledger.expenses import expense_category_create, expense_record
from netbill.ledger.models import Expense, ExpenseCategory
from netbill.ledger.selectors import reseller_position


def setup(ctx):
    world = ctx.world
    category = expense_category_create(actor=world.operator, name="Matrix Rent")
    ctx.extra["expense_category"] = category
    ctx.extra["expense"] = expense_record(actor=world.operator, category=category, amount="75")


def _sub(c):
    return c.world.sub_operator.pk


ACTIONS = [
    # --- expenses (the operator's manager, in the operator's book)
    Action(
        P.EXPENSE_MANAGEMENT, "expense list", "panel", "get", lambda c: reverse("ledger:expenses")
    ),
    Action(
        P.EXPENSE_MANAGEMENT,
        "record expense",
        "panel",
        "post",
        lambda c: reverse("ledger:expense_create"),
        lambda c: {
            "category": c.extra["expense_category"].pk,
            "amount": "120.00",
            "date": str(c.extra["expense"].date),
            "note": "matrix expense",
        },
        lambda c: Expense.objects.filter(note="matrix expense", amount=Decimal("120.00")).exists(),
    ),
    Action(
        P.EXPENSE_MANAGEMENT,
        "create expense category",
        "panel",
        "post",
        lambda c: reverse("ledger:expense_categories"),
        lambda c: {"name": "Matrix Fuel"},
        lambda c: ExpenseCategory.objects.filter(name="Matrix Fuel").exists(),
    ),
    Action(
        P.EXPENSE_MANAGEMENT,
        "void expense",
        "panel",
        "post",
        lambda c: reverse("ledger:expense_void", args=[c.extra["expense"].pk]),
        lambda c: {"reason": "matrix"},
        lambda c: Expense.objects.get(pk=c.extra["expense"].pk).voided_at is not None,
    ),
    # --- reseller money (the operator and its sub-operator)
    Action(
        P.MANAGE_STAFF,
        "reseller accounts",
        "panel",
        "get",
        lambda c: reverse("ledger:resellers"),
        subject="operator",
    ),
    Action(
        P.MANAGE_STAFF,
        "add balance",
        "panel",
        "post",
        lambda c: reverse("ledger:reseller_add_balance", args=[_sub(c)]),
        lambda c: {"amount": "500", "note": "matrix"},
        lambda c: reseller_position(c.world.sub_operator) == Decimal("-500.00"),
        subject="operator",
    ),
    Action(
        P.MANAGE_STAFF,
        "entry cash received",
        "panel",
        "post",
        lambda c: reverse("ledger:reseller_cash_received", args=[_sub(c)]),
        lambda c: {"amount": "300", "note": "matrix"},
        lambda c: reseller_position(c.world.sub_operator) == Decimal("-300.00"),
        subject="operator",
    ),
    Action(
        P.MANAGE_STAFF,
        "set credit limit",
        "panel",
        "post",
        lambda c: reverse("ledger:reseller_credit_limit", args=[_sub(c)]),
        lambda c: {"credit_limit": "1234.00"},
        lambda c: User.objects.get(pk=_sub(c)).credit_limit == Decimal("1234.00"),
        subject="operator",
    ),
    Action(
        P.MANAGE_STAFF,
        "reseller statement",
        "panel",
        "get",
        lambda c: reverse("ledger:reseller_statement", args=[_sub(c)]),
        subject="operator",
    ),
    # --- the reseller's own account (the operator's manager sees the operator's)
    Action(P.VIEW_ACCOUNTS, "my account", "panel", "get", lambda c: reverse("ledger:my_account")),
]
