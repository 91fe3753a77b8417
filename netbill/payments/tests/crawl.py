"""Payments of the foreign tenant for the cross-scope crawl (core/tests/test_crawl.py):
bills, payments (live and void) and online transactions, so every payments URL is
requested with ids of another tenant's rows."""

from __future__ import annotations

import datetime

from netbill.billing.services import bill_create
from netbill.core.testing import make_customer
from netbill.payments.online import online_transaction_record
from netbill.payments.services import payment_record, payment_void


def populate(foreign, marker: str) -> None:
    for i, owner in enumerate((foreign.admin, foreign.operator)):
        customer = make_customer(foreign, owner=owner, name=f"{marker} Payer {i}")
        if owner == foreign.admin:
            for month in (5, 6):
                bill_create(
                    actor=foreign.admin,
                    customer=customer,
                    kind="monthly",
                    period_start=datetime.date(2031, month, 1),
                    period_end=datetime.date(2031, month, 28),
                )
        payment_record(actor=foreign.admin, customer=customer, amount="100", note=marker)
        void = payment_record(actor=foreign.admin, customer=customer, amount="50", note=marker)
        payment_void(actor=foreign.admin, payment=void, reason=marker)
        for n in range(2):
            online_transaction_record(
                tenant=foreign.tenant,
                gateway="bkash",
                gateway_reference=f"{marker}-{i}-{n}",
                amount="75",
                customer=customer,
                raw_callback={"note": marker},
            )
