"""Requests to the NAS of the foreign tenant for the cross-scope crawl (core/tests/test_crawl.py):
each of its customers has a Disconnect and a CoA on record, so the customer URLs that list
them (profile tab, ``nas-requests``) and the disconnect action are requested with ids of
another tenant's customers and must answer 404 without showing or sending anything."""

from __future__ import annotations

from django.utils import timezone

from netbill.core.testing import make_customer
from netbill.radius.models import NasRequest, RadAcct


def populate(foreign, marker: str) -> None:
    for i, owner in enumerate((foreign.admin, foreign.operator)):
        customer = make_customer(foreign, owner=owner, name=f"{marker} Online {i}")
        RadAcct.objects.create(
            tenant_id=foreign.tenant.pk,
            customer=customer,
            acctsessionid=f"zeta{i}",
            acctuniqueid=f"{marker}-{i}",
            username=customer.username,
            nasipaddress="192.0.2.1",
            framedipaddress=f"10.250.0.{i + 1}",
            acctstarttime=timezone.now(),
        )
        for kind, status in (("disconnect", "nak"), ("coa", "ack")):
            NasRequest.objects.create(
                tenant=foreign.tenant,
                customer=customer,
                kind=kind,
                reason=marker,
                status=status,
                attempts=1,
                detail=f"{marker} detail",
                nas_address="192.0.2.1",
                acct_session_id=f"zeta{i}",
            )
