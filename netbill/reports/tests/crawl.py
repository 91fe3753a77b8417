"""Objects of the other tenant for the cross-scope crawl (core/tests/test_crawl.py): a bill,
its payment and the ledger accounts they post to, so the invoice, receipt and account
statement URLs are crawled with them."""

import datetime

from netbill.billing.services import bill_create
from netbill.core.testing import make_customer
from netbill.payments.services import payment_record


def populate(world, marker):
    customer = make_customer(world, owner=world.admin, name=f"{marker} Invoice Customer")
    bill = bill_create(
        actor=world.admin,
        customer=customer,
        kind="monthly",
        period_start=datetime.date(2020, 1, 1),
        period_end=datetime.date(2020, 1, 30),
    )
    payment_record(actor=world.admin, customer=customer, amount="100", bill=bill, note=marker)
