"""Cross-scope crawl objects: sessions and usage of the foreign tenant's customers."""

from __future__ import annotations

from django.utils import timezone

from netbill.core.testing import make_customer
from netbill.radius.models import RadAcct, UsageDaily


def populate(foreign, marker):
    for n, owner in enumerate((foreign.admin, foreign.operator)):
        customer = make_customer(foreign, owner=owner, name=f"{marker} Session Customer {n}")
        for open_ in (True, False):
            RadAcct.objects.create(
                tenant_id=foreign.tenant.pk,
                customer_id=customer.pk,
                username=customer.username,
                acctsessionid=f"{marker}-{n}-{open_}",
                acctuniqueid=f"{marker}-{n}-{open_}",
                nasipaddress="10.99.0.1",
                acctstarttime=timezone.now(),
                acctupdatetime=timezone.now(),
                acctstoptime=None if open_ else timezone.now(),
                acctinputoctets=1,
                acctoutputoctets=2,
                framedipaddress=f"10.99.{n}.{int(open_) + 1}",
            )
        UsageDaily.objects.create(
            tenant=foreign.tenant, customer=customer, day=timezone.localdate(), output_octets=5
        )
