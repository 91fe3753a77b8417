"""The side-effect outbox: record effects in the action's transaction, deliver them later.

A service calls :func:`outbox_enqueue`; the worker (Celery task ``drain_outbox``, also run
on commit and by beat) calls :func:`outbox_drain`, which locks due rows with
``SKIP LOCKED`` so several workers never deliver one effect twice.  A handler that raises
is retried with exponential back-off; after ``max_attempts`` the row is a dead letter.

A failing handler's own writes are rolled back with it; a handler that must leave a trace of
each failed attempt (the CoA/Disconnect outcome on the customer's page) registers an
``on_failure`` hook, called after the rollback, in the drain's transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from netbill.core.choices import OutboxStatus
from netbill.core.models import OutboxMessage

logger = logging.getLogger("netbill.outbox")

Handler = Callable[[OutboxMessage], None]
FailureHook = Callable[..., None]  # (message, exc, *, dead: bool)
_HANDLERS: dict[str, Handler] = {}
_FAILURE_HOOKS: dict[str, FailureHook] = {}


def outbox_handler(
    kind: str, *, on_failure: FailureHook | None = None
) -> Callable[[Handler], Handler]:
    """Register the function that delivers side effects of ``kind``.

    ``on_failure(message, exc, dead=...)`` runs after each failed attempt (``dead`` on the
    last one), once the handler's writes are rolled back.
    """

    def register(func: Handler) -> Handler:
        _HANDLERS[kind] = func
        if on_failure is not None:
            _FAILURE_HOOKS[kind] = on_failure
        else:
            _FAILURE_HOOKS.pop(kind, None)
        return func

    return register


def outbox_enqueue(
    *, tenant, kind: str, payload: dict, dedupe_key: str | None = None
) -> OutboxMessage:
    """Record a side effect; delivered after the surrounding transaction commits."""
    if dedupe_key is not None:
        existing = OutboxMessage.objects.filter(tenant=tenant, dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    message = OutboxMessage.objects.create(
        tenant=tenant,
        kind=kind,
        payload=payload,
        dedupe_key=dedupe_key,
        max_attempts=settings.OUTBOX_MAX_ATTEMPTS,
        next_attempt_at=timezone.now(),
    )
    if settings.OUTBOX_DRAIN_ON_COMMIT:
        transaction.on_commit(_kick_worker)
    return message


def _kick_worker() -> None:
    from netbill.core.tasks import drain_outbox

    try:
        drain_outbox.delay()
    except Exception:  # noqa: BLE001 - the broker being down must not fail the action;
        # beat drains the row on its next tick.
        logger.warning("outbox: could not queue a drain; the scheduled drain will pick it up")


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


def outbox_drain(*, limit: int = 100) -> dict[str, int]:
    """Deliver due side effects; returns counts by outcome."""
    counts = {"delivered": 0, "retried": 0, "dead": 0}
    for _ in range(limit):
        with transaction.atomic():
            message = (
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(status=OutboxStatus.PENDING, next_attempt_at__lte=timezone.now())
                .order_by("next_attempt_at", "id")
                .first()
            )
            if message is None:
                break
            outcome = _deliver(message)
            counts[outcome] += 1
    return counts


def _deliver(message: OutboxMessage) -> str:
    handler = _HANDLERS.get(message.kind)
    message.attempts += 1
    try:
        if handler is None:
            raise LookupError(f"no handler for side effect {message.kind!r}")
        with transaction.atomic():
            handler(message)
    except Exception as exc:  # noqa: BLE001 - any failure is recorded and retried
        message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if message.attempts >= message.max_attempts:
            message.status = OutboxStatus.DEAD
            outcome = "dead"
            logger.error("outbox: %s is a dead letter: %s", message, message.last_error)
        else:
            message.next_attempt_at = timezone.now() + backoff(message.attempts)
            outcome = "retried"
        message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
        _after_failure(message, exc, dead=outcome == "dead")
        return outcome
    message.status = OutboxStatus.DONE
    message.delivered_at = timezone.now()
    message.last_error = ""
    message.save(update_fields=["attempts", "last_error", "status", "delivered_at"])
    return "delivered"


def _after_failure(message: OutboxMessage, exc: Exception, *, dead: bool) -> None:
    hook = _FAILURE_HOOKS.get(message.kind)
    if hook is None:
        return
    try:
        with transaction.atomic():
            hook(message, exc, dead=dead)
    except Exception:  # noqa: BLE001 - the hook only records; the retry must still be saved
        logger.exception("outbox: the failure hook of %s failed", message)


def outbox_retry(*, actor, message: OutboxMessage) -> OutboxMessage:
    """Put a dead letter back in the queue (group admin, from the outbox page)."""
    from netbill.core.audit import audit_record
    from netbill.core.permissions import VIEW_OUTBOX, require

    require(actor, VIEW_OUTBOX, message)
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
        before = {"status": message.status, "attempts": message.attempts}
        message.status = OutboxStatus.PENDING
        message.attempts = 0
        message.next_attempt_at = timezone.now()
        message.save(update_fields=["status", "attempts", "next_attempt_at"])
        audit_record(
            actor=actor,
            action="outbox.retry",
            obj=message,
            before=before,
            after={"status": message.status, "attempts": 0},
        )
        if settings.OUTBOX_DRAIN_ON_COMMIT:
            transaction.on_commit(_kick_worker)
    return message


# Until the notification capability lands, messages are "sent" by logging them.
@outbox_handler("notify.sms")
def _log_sms(message: OutboxMessage) -> None:
    logger.info("SMS to %s: %s", message.payload.get("to"), message.payload.get("text"))
