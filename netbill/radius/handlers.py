"""Outbox handlers of the RADIUS app (registered when the app is ready)."""

from netbill.core.outbox import outbox_handler
from netbill.radius.services import resync_customers_of


@outbox_handler("radius.resync")
def deliver_resync(message) -> None:
    resync_customers_of(message.payload["package_ids"])
