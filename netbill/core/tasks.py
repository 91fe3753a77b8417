"""Celery tasks of the core: they only call services."""

from celery import shared_task

from netbill.core.outbox import outbox_drain


@shared_task(name="netbill.core.tasks.drain_outbox")
def drain_outbox() -> dict:
    return outbox_drain(limit=500)
