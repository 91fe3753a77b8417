"""Outbox handlers of the RADIUS app (registered when the app is ready)."""

from netbill.core.outbox import outbox_handler
from netbill.radius import live
from netbill.radius.services import resync_customers_of


@outbox_handler("radius.resync")
def deliver_resync(message) -> None:
    resync_customers_of(message.payload["package_ids"])


@outbox_handler("radius.disconnect", on_failure=live.record_failure)
def deliver_disconnect(message) -> None:
    """Send one Disconnect-Request (a :class:`~netbill.radius.models.NasRequest`)."""
    live.deliver(message)


@outbox_handler("radius.coa", on_failure=live.record_failure)
def deliver_coa(message) -> None:
    """Send one CoA-Request; a router that refuses it gets a Disconnect instead."""
    live.deliver(message)
