"""Permission-matrix rows of the money API for reseller accounts and expenses (see
core/tests/test_permission_matrix.py).  The lead wires them in: ``ACTIONS +=
matrix_api.ACTIONS`` and ``matrix_api.setup(ctx)`` (e.g. from ``ledger/tests/matrix.py``).

``expense-management`` and ``view-accounts``: the operator's manager holding only that key;
reseller money (``manage-staff``): the operator acting on its sub-operator.  ``ctx.extra``
keys start with ``api_ledger``."""

from __future__ import annotations

from decimal import Decimal

from netbill.core import permissions as P
from netbill.core.matrix import Action
from netbill.ledger.expenses import expense_category_create, expense_record
from netbill.ledger.models import Expense, ExpenseCategory
from netbill.ledger.selectors import reseller_position


def setup(ctx) -> None:
    world = ctx.world
    category = expense_category_create(actor=world.operator, name="API Matrix Rent")
    ctx.extra["api_ledger_category"] = category
    ctx.extra["api_ledger_expense"] = expense_record(
        actor=world.operator, category=category, amount="55"
    )


def _sub(c) -> str:
    return f"/api/v1/resellers/{c.world.sub_operator.pk}/"


ACTIONS = [
    Action(P.EXPENSE_MANAGEMENT, "expense list", "api", "get", lambda c: "/api/v1/expenses/"),
    Action(
        P.EXPENSE_MANAGEMENT,
        "record expense",
        "api",
        "post",
        lambda c: "/api/v1/expenses/",
        lambda c: {
            "category": c.extra["api_ledger_category"].pk,
            "amount": "121.00",
            "note": "api matrix expense",
        },
        lambda c: Expense.objects.filter(
            note="api matrix expense", amount=Decimal("121.00")
        ).exists(),
    ),
    Action(
        P.EXPENSE_MANAGEMENT,
        "void expense",
        "api",
        "post",
        lambda c: f"/api/v1/expenses/{c.extra['api_ledger_expense'].pk}/void/",
        lambda c: {"reason": "matrix"},
        lambda c: Expense.objects.get(pk=c.extra["api_ledger_expense"].pk).voided_at is not None,
    ),
    Action(
        P.EXPENSE_MANAGEMENT,
        "create expense category",
        "api",
        "post",
        lambda c: "/api/v1/expense-categories/",
        lambda c: {"name": "API Matrix Fuel"},
        lambda c: ExpenseCategory.objects.filter(name="API Matrix Fuel").exists(),
    ),
    Action(
        P.MANAGE_STAFF,
        "reseller accounts",
        "api",
        "get",
        lambda c: "/api/v1/resellers/",
        subject="operator",
    ),
    Action(
        P.MANAGE_STAFF,
        "add balance",
        "api",
        "post",
        lambda c: _sub(c) + "add-balance/",
        lambda c: {"amount": "700", "note": "api matrix"},
        lambda c: reseller_position(c.world.sub_operator) == Decimal("-700.00"),
        subject="operator",
    ),
    Action(
        P.MANAGE_STAFF,
        "entry cash received",
        "api",
        "post",
        lambda c: _sub(c) + "cash-received/",
        lambda c: {"amount": "350", "note": "api matrix"},
        lambda c: reseller_position(c.world.sub_operator) == Decimal("-350.00"),
        subject="operator",
    ),
    Action(
        P.MANAGE_STAFF,
        "reseller statement",
        "api",
        "get",
        lambda c: _sub(c) + "statement/",
        subject="operator",
    ),
    Action(P.VIEW_ACCOUNTS, "my account", "api", "get", lambda c: "/api/v1/resellers/me/"),
]
