"""Permission-matrix rows of the billing panel (see core/tests/test_permission_matrix.py):
without its key each action answers 403 and changes nothing; with it, it takes effect."""

from __future__ import annotations

import datetime

from django.urls import reverse

from netbill.billing import calendar as cal
from netbill.billing.models import Bill, BillingRun
from netbill.billing.services import bill_create
from netbill.core import permissions as P
from netbill.core.matrix import Action
from netbill.ledger.resellers import reseller_add_balance


def setup(ctx) -> None:
    """A bill of the matrix customer for a past period (so "Generate bill" for today's
    cycle still has something to create), its operator funded."""
    world = ctx.world
    reseller_add_balance(actor=world.admin, reseller=world.operator, amount="10000")
    ctx.extra["bill"] = bill_create(
        actor=world.admin,
        customer=ctx.customer,
        kind="monthly",
        period_start=datetime.date(2020, 1, 1),
        period_end=datetime.date(2020, 1, 31),
    )


def generated(c) -> bool:
    today = cal.local_today(c.world.tenant)
    return Bill.objects.filter(customer=c.customer, period_end__gte=today).exists()


def ran(dry: bool):
    return lambda c: BillingRun.objects.filter(tenant=c.world.tenant, dry_run=dry).exists()


def _today(c) -> str:
    return cal.local_today(c.world.tenant).isoformat()


ACTIONS = [
    Action(P.VIEW_BILLS, "bill list", "panel", "get", lambda c: reverse("billing:bills")),
    Action(
        P.VIEW_BILLS,
        "bill detail",
        "panel",
        "get",
        lambda c: reverse("billing:bill_detail", args=[c.extra["bill"].pk]),
    ),
    Action(
        P.GENERATE_BILLS,
        "generate bill",
        "panel",
        "post",
        lambda c: reverse("billing:generate", args=[c.customer.pk]),
        effect=generated,
    ),
    Action(
        P.RUN_BILLING,
        "billing runs",
        "panel",
        "get",
        lambda c: reverse("billing:runs"),
        subject="admin_only",
    ),
    Action(
        P.RUN_BILLING,
        "billing dry run",
        "panel",
        "post",
        lambda c: reverse("billing:runs"),
        lambda c: {"run_date": _today(c), "action": "dry"},
        ran(dry=True),
        subject="admin_only",
    ),
    Action(
        P.RUN_BILLING,
        "billing run now",
        "panel",
        "post",
        lambda c: reverse("billing:runs"),
        lambda c: {"run_date": _today(c), "action": "run"},
        ran(dry=False),
        subject="admin_only",
    ),
]
