"""Permission-matrix rows for reports and invoices (see core/tests/test_permission_matrix.py)."""

import datetime

from django.urls import reverse

from netbill.billing.services import bill_create
from netbill.core import permissions as P
from netbill.core.matrix import Action
from netbill.core.testing import make_customer
from netbill.ledger.resellers import reseller_add_balance


def setup(ctx):
    """A bill of one of the operator's customers, for the invoice rows."""
    world = ctx.world
    reseller_add_balance(actor=world.admin, reseller=world.operator, amount="1000", note="matrix")
    customer = make_customer(world, owner=world.operator, name="Invoice Matrix Customer")
    ctx.extra["reports_bill"] = bill_create(
        actor=world.admin,
        customer=customer,
        kind="monthly",
        period_start=datetime.date(2020, 1, 1),
        period_end=datetime.date(2020, 1, 30),
    )


ACTIONS = [
    Action(P.VIEW_ACCOUNTS, "ledger report", "panel", "get", lambda c: reverse("reports:ledger")),
    Action(
        P.VIEW_ACCOUNTS,
        "daily report export",
        "panel",
        "get",
        lambda c: reverse("reports:daily") + "?format=xlsx",
    ),
    Action(
        P.VIEW_BILLS, "bills summary", "panel", "get", lambda c: reverse("reports:bills_summary")
    ),
    Action(
        P.VIEW_PAYMENTS,
        "customer payments report",
        "panel",
        "get",
        lambda c: reverse("reports:customer_payments") + "?format=csv",
    ),
    Action(
        P.PRINT_INVOICE,
        "invoice PDF",
        "panel",
        "get",
        lambda c: reverse("reports:invoice_pdf", args=[c.extra["reports_bill"].pk]),
    ),
    Action(
        P.PRINT_INVOICE,
        "invoice print page",
        "panel",
        "get",
        lambda c: reverse("reports:invoice_print", args=[c.extra["reports_bill"].pk]),
    ),
]
