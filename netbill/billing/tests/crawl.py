"""Billing objects of the foreign tenant for the cross-scope crawl (core/tests/test_crawl.py):
a bill of one of its customers and a run log whose error names the marker."""

from __future__ import annotations

import datetime

from django.utils import timezone

from netbill.billing.models import BillingRun
from netbill.billing.services import bill_create
from netbill.core.testing import make_customer


def populate(foreign, marker: str) -> None:
    customer = make_customer(foreign, owner=foreign.admin, name=f"{marker} Billed Customer")
    bill_create(
        actor=foreign.admin,
        customer=customer,
        kind="monthly",
        period_start=datetime.date(2026, 6, 1),
        period_end=datetime.date(2026, 6, 30),
    )
    BillingRun.objects.create(
        tenant=foreign.tenant,
        kind="billing",
        run_date=datetime.date(2026, 6, 1),
        started_at=timezone.now(),
        finished_at=timezone.now(),
        error_count=1,
        errors=[{"customer": customer.pk, "username": marker, "message": marker}],
    )
