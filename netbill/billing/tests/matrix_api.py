"""Permission-matrix rows of the money API for bills and billing runs (see
core/tests/test_permission_matrix.py).  The lead wires them in: ``ACTIONS +=
matrix_api.ACTIONS`` and ``matrix_api.setup(ctx)`` (e.g. from ``billing/tests/matrix.py``).

Subject: the operator's manager holding only the key (billing runs: the operator refused,
the group admin allowed).  Objects belong to the operator; ``ctx.extra`` keys start with
``api_bill``."""

from __future__ import annotations

import datetime
from decimal import Decimal

from netbill.billing.models import Bill, BillingRun
from netbill.billing.services import bill_create
from netbill.core import permissions as P
from netbill.core.matrix import Action
from netbill.core.testing import make_customer
from netbill.ledger.resellers import reseller_add_balance

NAMES = ("discount", "void", "edit", "paid", "show")


def setup(ctx) -> None:
    world = ctx.world
    reseller_add_balance(actor=world.admin, reseller=world.operator, amount="10000")
    billed = make_customer(world, owner=world.operator, name="API Matrix Billed")
    for i, name in enumerate(NAMES):
        start = datetime.date(2032, i + 1, 1)
        ctx.extra[f"api_bill_{name}"] = bill_create(
            actor=world.admin,
            customer=billed,
            kind="monthly",
            period_start=start,
            period_end=start + datetime.timedelta(days=27),
        )
    ctx.extra["api_bill_generate_customer"] = make_customer(
        world, owner=world.operator, name="API Matrix Generate"
    )


def _bill(c, name) -> Bill:
    return Bill.objects.get(pk=c.extra[f"api_bill_{name}"].pk)


def _url(name, suffix=""):
    return lambda c: f"/api/v1/bills/{c.extra[f'api_bill_{name}'].pk}/{suffix}"


def _edited(c) -> bool:
    old = _bill(c, "edit")
    return (
        old.status == "void"
        and Bill.objects.filter(
            customer=old.customer, period_start=old.period_start, amount=Decimal("500.00")
        )
        .exclude(status="void")
        .exists()
    )


ACTIONS = [
    Action(P.VIEW_BILLS, "bill list", "api", "get", lambda c: "/api/v1/bills/"),
    Action(P.VIEW_BILLS, "bill detail", "api", "get", _url("show")),
    Action(
        P.GENERATE_BILLS,
        "generate bill",
        "api",
        "post",
        lambda c: "/api/v1/bills/generate/",
        lambda c: {"customer": c.extra["api_bill_generate_customer"].pk},
        lambda c: Bill.objects.filter(customer=c.extra["api_bill_generate_customer"]).exists(),
    ),
    Action(
        P.DISCOUNT_ON_BILLS,
        "bill discount",
        "api",
        "post",
        _url("discount", "discount/"),
        lambda c: {"amount": "10", "reason": "matrix"},
        lambda c: _bill(c, "discount").discount == Decimal("10.00"),
    ),
    Action(
        P.DELETE_BILLS,
        "bill void",
        "api",
        "post",
        _url("void", "void/"),
        lambda c: {"reason": "matrix"},
        lambda c: _bill(c, "void").status == "void",
    ),
    Action(
        P.EDIT_BILLS,
        "bill edit",
        "api",
        "post",
        _url("edit", "edit/"),
        lambda c: {"amount": "500", "reason": "matrix"},
        _edited,
    ),
    Action(
        P.RECEIVE_PAYMENT,
        "bills mark paid",
        "api",
        "post",
        lambda c: "/api/v1/bills/mark-paid/",
        lambda c: {"bills": [c.extra["api_bill_paid"].pk]},
        lambda c: _bill(c, "paid").status == "paid",
    ),
    Action(
        P.RUN_BILLING,
        "billing runs",
        "api",
        "get",
        lambda c: "/api/v1/billing-runs/",
        subject="admin_only",
    ),
    Action(
        P.RUN_BILLING,
        "billing dry run",
        "api",
        "post",
        lambda c: "/api/v1/billing-runs/",
        lambda c: {"run_date": "2026-03-01", "dry_run": True},
        lambda c: BillingRun.objects.filter(run_date="2026-03-01", dry_run=True).exists(),
        subject="admin_only",
    ),
]
