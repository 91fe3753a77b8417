"""Shared set-up of the CoA / Disconnect tests: routers registered as NAS, open sessions
written into ``radacct`` the way FreeRADIUS's accounting Start does, and draining the outbox
until every request to the NAS has its final outcome."""

from __future__ import annotations

import itertools

from django.utils import timezone

from netbill.core.choices import OutboxStatus
from netbill.core.crypto import encrypt
from netbill.core.models import OutboxMessage
from netbill.core.outbox import outbox_drain
from netbill.network.models import Router
from netbill.radius.models import RadAcct
from netbill.radius.nas import sync_nas

SECRET = "s3cret-router"
_session_ids = itertools.count(0x81A00001)


def make_router(world, nas, *, secret: str = SECRET, name: str = "Core"):
    """A router at the fake NAS's address and CoA port, registered as a RADIUS client."""
    router = Router.objects.create(
        tenant=world.tenant,
        name=name,
        host=nas.address,
        api_username="admin",
        radius_secret_enc=encrypt(secret),
        coa_port=nas.port,
    )
    sync_nas(router)
    return router


def open_session(customer, nas, *, framed_ip: str | None = "10.20.0.5", known: bool = True):
    """An accounting session of ``customer`` on ``nas`` (the NAS knows it unless
    ``known`` is off: then it answers NAK Session-Context-Not-Found)."""
    session_id = f"{next(_session_ids):08x}"
    row = RadAcct.objects.create(
        tenant_id=customer.tenant_id,
        customer=customer,
        acctsessionid=session_id,
        acctuniqueid=f"{customer.tenant_id}-{session_id}",
        username=customer.username,
        nasipaddress=nas.address,
        framedipaddress=framed_ip,
        acctstarttime=timezone.now(),
        acctupdatetime=timezone.now(),
    )
    if known:
        nas.add_session(session_id, username=customer.username)
    return row


def radius_messages():
    return OutboxMessage.objects.filter(kind__in=("radius.disconnect", "radius.coa"))


def drain(*, rounds: int = 20) -> int:
    """Deliver the outbox until nothing is left to do; the back-off between retries is
    skipped (time "passes" by making retried rows due).  Returns the drain rounds run."""
    for n in range(1, rounds + 1):
        outbox_drain()
        waiting = OutboxMessage.objects.filter(status=OutboxStatus.PENDING)
        if not waiting.exists():
            return n
        waiting.update(next_attempt_at=timezone.now())
    raise AssertionError("the outbox never settled")
