"""Live changes on the NAS: which change of a customer needs a Disconnect or a CoA, queuing
one request per open session, and delivering it from the outbox.

A customer change is written to the RADIUS tables in its own transaction (that only affects
the *next* login); the session already up keeps its old address and speed until the NAS is
told.  So, in the same transaction, :func:`apply_customer_change` decides:

- suspended, disabled, deleted, or back from suspended/disabled → Disconnect-Request (the
  customer reconnects and gets the new answer: the suspended pool, a reject, its own pool);
- only the speed changed (package change, entering or leaving FUP, a package's speeds
  edited) → CoA-Request with the new ``Mikrotik-Rate-Limit``;
- the address changed (static IP, pool, address list) → Disconnect-Request, since a CoA cannot
  move a live session to another pool.

Each open session (``radacct`` row without a stop time) gets a :class:`NasRequest` and one
outbox message.  The outbox delivers it with :mod:`netbill.radius.coa`; an ACK finishes it,
a NAK or no answer raises so the outbox retries with its back-off, and every failed attempt
is written on the request by :func:`record_failure` (the failure hook runs after the
handler's writes are rolled back), the last one as the final outcome.  A router that refuses
a CoA is sent a Disconnect instead.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from netbill.core.outbox import outbox_enqueue
from netbill.customers.choices import CustomerStatus
from netbill.radius import coa
from netbill.radius.models import NasRequest, NasRequestKind, NasRequestStatus, RadAcct, RadReply
from netbill.radius.nas import router_for_address
from netbill.radius.sync import desired_rows, sync_customer

KIND_OUTBOX = {
    NasRequestKind.DISCONNECT: "radius.disconnect",
    NasRequestKind.COA: "radius.coa",
}
RATE_LIMIT = "Mikrotik-Rate-Limit"
# A live session cannot be moved to another address or address list: these need a reconnect.
ADDRESS_ATTRIBUTES = ("Framed-IP-Address", "Framed-Pool", "Framed-IPv6-Pool")
ADDRESS_LIST = "Mikrotik-Address-List"
BLOCKED = (CustomerStatus.SUSPENDED, CustomerStatus.DISABLED)
# Requests that reached their goal: never sent again, whatever the outbox does.
SETTLED = (NasRequestStatus.ACK, NasRequestStatus.NO_SESSION)


class NasRequestFailed(Exception):
    """An attempt that did not reach its goal (NAK, no answer, not sendable): retried."""

    def __init__(self, status: str, detail: str, attributes: dict | None = None):
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail
        self.attributes = attributes


# --- reading ----------------------------------------------------------------------------------


def open_sessions(customer):
    """The customer's open accounting sessions (also those FreeRADIUS logged under its
    username without resolving the customer)."""
    return (
        RadAcct.objects.filter(acctstoptime__isnull=True)
        .filter(
            Q(customer_id=customer.pk)
            | Q(customer__isnull=True, tenant_id=customer.tenant_id, username=customer.username)
        )
        .order_by("acctstarttime", "radacctid")
    )


def reply_rows(customer) -> list[tuple[str, str, str]]:
    """The customer's ``radreply`` rows as written now."""
    return list(
        RadReply.objects.filter(customer_id=customer.pk)
        .order_by("id")
        .values_list("attribute", "op", "value")
    )


def _values(rows, names) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for attribute, _op, value in rows:
        if attribute in names:
            found.setdefault(attribute, []).append(value)
    return found


def rate_limit_of(rows) -> str | None:
    values = _values(rows, (RATE_LIMIT,)).get(RATE_LIMIT)
    return values[0] if values else None


NAS_REQUESTS_SHOWN = 20


def customer_nas_requests(*, user, customer, limit: int = NAS_REQUESTS_SHOWN) -> dict:
    """The customer's latest requests to the NAS, as ``user`` may see them (profile tab)."""
    rows = list(NasRequest.objects.visible_to(user).filter(customer=customer)[:limit])
    return {
        "nas_requests": rows,
        "nas_in_flight": any(r.status == NasRequestStatus.PENDING or r.retrying for r in rows),
    }


# --- deciding ---------------------------------------------------------------------------------


def live_change(
    customer, *, event: str, old_status: str | None, before, after
) -> tuple[str, str] | None:
    """(kind, reason) of the request the change needs on the customer's live sessions."""
    if event == "create":
        return None
    if customer.deleted_at is not None:
        return NasRequestKind.DISCONNECT, _("Customer deleted")
    status = customer.status
    if event == "status" and old_status != status:
        if status == CustomerStatus.SUSPENDED:
            return NasRequestKind.DISCONNECT, _("Customer suspended")
        if status == CustomerStatus.DISABLED:
            return NasRequestKind.DISCONNECT, _("Customer disabled")
        if old_status in BLOCKED:
            return NasRequestKind.DISCONNECT, _("Customer reactivated: reconnect with its own pool")
    if before == after or status in BLOCKED:
        return None
    if _values(before, (*ADDRESS_ATTRIBUTES, ADDRESS_LIST)) != _values(
        after, (*ADDRESS_ATTRIBUTES, ADDRESS_LIST)
    ):
        return NasRequestKind.DISCONNECT, _("Address or pool changed: reconnect")
    if rate_limit_of(before) != rate_limit_of(after):
        if event == "status" and status == CustomerStatus.FUP:
            reason = _("Fair usage limit reached")
        elif event == "status" and old_status == CustomerStatus.FUP:
            reason = _("Fair usage reset")
        elif event == "package":
            reason = _("Package changed")
        elif event == "resync":
            reason = _("Package or PPPoE profile edited")
        else:
            reason = _("Speed changed")
        return NasRequestKind.COA, reason
    return None


def apply_customer_change(customer, *, event: str, old_status: str | None = None) -> bool:
    """Rewrite the customer's RADIUS rows and queue what its live sessions need (in the
    caller's transaction).  Returns whether the rows changed."""
    before = reply_rows(customer) if event != "create" else []
    changed = sync_customer(customer)
    if event == "create" or (not changed and event not in ("status", "delete")):
        return changed
    after = desired_rows(customer)[1] if customer.deleted_at is None else []
    decision = live_change(customer, event=event, old_status=old_status, before=before, after=after)
    if decision is not None:
        kind, reason = decision
        sessions = list(open_sessions(customer))
        if sessions:
            queue_requests(customer, kind=kind, reason=reason, sessions=sessions)
    return changed


# --- queuing ----------------------------------------------------------------------------------


def _identity(session) -> dict:
    return dict(coa.session_attributes(session))


def queue_requests(customer, *, kind: str, reason: str, sessions) -> list[NasRequest]:
    """One :class:`NasRequest` and one outbox message per session (caller's transaction)."""
    requests = []
    for session in sessions:
        attributes = _identity(session)
        if kind == NasRequestKind.COA:
            rate = rate_limit_of(desired_rows(customer)[1])
            if rate:
                attributes[RATE_LIMIT] = rate
        request = NasRequest.objects.create(
            tenant_id=customer.tenant_id,
            customer=customer,
            kind=kind,
            reason=reason[:200],
            nas_address=session.nasipaddress,
            acct_session_id=session.acctsessionid[:128],
            framed_ip=session.framedipaddress or None,
            attributes=attributes,
        )
        outbox_enqueue(
            tenant=customer.tenant,
            kind=KIND_OUTBOX[kind],
            payload={"nas_request_id": request.pk, "customer_id": customer.pk},
        )
        requests.append(request)
    return requests


def record_no_session(customer, *, kind: str, reason: str) -> NasRequest:
    """A request that found nothing to act on (shown, never sent)."""
    return NasRequest.objects.create(
        tenant_id=customer.tenant_id,
        customer=customer,
        kind=kind,
        reason=reason[:200],
        status=NasRequestStatus.NO_SESSION,
        detail=_("The customer has no open session."),
        finished_at=timezone.now(),
    )


# --- delivering (outbox handlers) -------------------------------------------------------------


def _session_of(request: NasRequest):
    return (
        RadAcct.objects.filter(
            tenant_id=request.tenant_id,
            nasipaddress=request.nas_address,
            acctsessionid=request.acct_session_id,
            acctstoptime__isnull=True,
        )
        .filter(username=request.attributes.get("User-Name", ""))
        .order_by("-acctstarttime", "-radacctid")
        .first()
    )


def _current_rate_limit(request: NasRequest) -> str | None:
    """The speed to send: the customer's speed *now*, so a retried CoA never restores an
    older speed over a newer one; the queued one when the customer has no speed any more."""
    from netbill.customers.models import Customer

    customer = (
        Customer.objects.select_related(
            "package__pppoe_profile__pool_v4",
            "package__pppoe_profile__pool_v6",
            "package__fup_pool",
        )
        .filter(pk=request.customer_id)
        .first()
    )
    rate = rate_limit_of(desired_rows(customer)[1]) if customer is not None else None
    return rate or request.attributes.get(RATE_LIMIT)


def deliver(message) -> None:
    """Outbox handler of ``radius.disconnect`` / ``radius.coa``: send one request."""
    request = (
        NasRequest.objects.select_for_update()
        .filter(pk=message.payload.get("nas_request_id"))
        .first()
    )
    if request is None or request.status in SETTLED:
        return  # the customer is gone, or an earlier attempt already settled it
    session = _session_of(request)
    if session is None:
        request.status = NasRequestStatus.NO_SESSION
        request.detail = _("The session ended before the request was sent.")
        request.finished_at = timezone.now()
        request.save(update_fields=["status", "detail", "finished_at"])
        return
    attributes = _identity(session)
    if request.kind == NasRequestKind.COA:
        rate = _current_rate_limit(request)
        if rate:
            attributes[RATE_LIMIT] = rate
    router = router_for_address(request.tenant_id, request.nas_address)
    if router is None or not router.is_active or not router.radius_secret:
        raise NasRequestFailed(
            NasRequestStatus.ERROR,
            _("No active router with a RADIUS secret answers for NAS %(ip)s.")
            % {"ip": request.nas_address},
            attributes,
        )
    answer = coa.send(
        request.kind,
        address=router.address,
        port=router.coa_port,
        secret=router.radius_secret,
        attributes=list(attributes.items()),
    )
    where = f"{router.name} ({router.address}:{router.coa_port})"
    if answer.status == coa.ACK:
        _finish(
            request, NasRequestStatus.ACK, _("Acknowledged by %(r)s.") % {"r": where}, attributes
        )
        return
    if answer.status == coa.NAK and request.kind == NasRequestKind.COA:
        # Routers that cannot change a live session's speed refuse the CoA: disconnecting
        # makes the customer log in again with the new speed.
        _finish(
            request,
            NasRequestStatus.NAK,
            _("%(r)s refused the change (%(cause)s); disconnecting instead.")
            % {"r": where, "cause": answer.error_cause or _("no cause given")},
            attributes,
        )
        queue_requests(
            request.customer,
            kind=NasRequestKind.DISCONNECT,
            reason=_("The router refused the speed change"),
            sessions=[session],
        )
        return
    if answer.status == coa.NAK:
        detail = _("%(r)s refused the request (%(cause)s).") % {
            "r": where,
            "cause": answer.error_cause or _("no cause given"),
        }
    elif answer.status == coa.TIMEOUT:
        detail = _("No answer from %(r)s.") % {"r": where}
    else:
        detail = _("Not sent to %(r)s: %(why)s") % {"r": where, "why": answer.detail}
    raise NasRequestFailed(answer.status, detail, attributes)


def _finish(request: NasRequest, status: str, detail: str, attributes: dict) -> None:
    request.status = status
    request.detail = detail[:300]
    request.attributes = attributes
    request.attempts += 1
    request.finished_at = timezone.now()
    request.save(update_fields=["status", "detail", "attributes", "attempts", "finished_at"])


def record_failure(message, exc: Exception, *, dead: bool) -> None:
    """Outbox failure hook: write the failed attempt on the request (the last one final)."""
    with transaction.atomic():
        request = (
            NasRequest.objects.select_for_update()
            .filter(pk=message.payload.get("nas_request_id"))
            .first()
        )
        if request is None or request.status in SETTLED:
            return
        if isinstance(exc, NasRequestFailed):
            request.status, detail = exc.status, exc.detail
            if exc.attributes:
                request.attributes = exc.attributes
        else:
            request.status, detail = NasRequestStatus.ERROR, f"{type(exc).__name__}: {exc}"
        request.attempts += 1
        if dead:
            request.finished_at = timezone.now()
            detail = _("Gave up after %(n)s attempts. %(detail)s") % {
                "n": request.attempts,
                "detail": detail,
            }
        else:
            request.finished_at = None
        request.detail = detail[:300]
        request.save(update_fields=["status", "detail", "attributes", "attempts", "finished_at"])
