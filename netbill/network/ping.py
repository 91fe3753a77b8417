"""Ping test from the server to a customer, a router or a typed address (``ping-test``).

The address is always validated as an IP address and handed to the system ``ping``
(iputils) as one item of an argument list — no shell, so nothing typed by a user can become
a command.  The outcome (sent, received, round-trip times and the raw output) is kept as a
:class:`~netbill.network.models.PingResult` the panel and the API show.

Who may ping what: a customer in the caller's scope; a router when the caller also sees
routers (``view-routers`` or ``manage-routers``); a typed address — anything for the
tenant-wide roles (group admin, NOC), and for a reseller (and its managers) only an address
one of its own customers holds (static IP or open session).
"""

from __future__ import annotations

import ipaddress
import re
import shutil
import socket
import subprocess
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from netbill.core import permissions as P
from netbill.core.audit import audit_record
from netbill.core.permissions import require
from netbill.core.scope import in_scope, visible_owner_ids
from netbill.network.models import PingResult

OUTPUT_LIMIT = 4000
SUMMARY_RE = re.compile(r"(\d+) packets transmitted, (\d+) (?:packets )?received")
RTT_RE = re.compile(r"(?:rtt|round-trip) min/avg/max(?:/\w+)? = ([\d.]+)/([\d.]+)/([\d.]+)")


@dataclass
class PingOutcome:
    address: str
    sent: int = 0
    received: int = 0
    rtt_min_ms: float | None = None
    rtt_avg_ms: float | None = None
    rtt_max_ms: float | None = None
    output: str = ""


def parse_output(text: str) -> tuple[int, int, float | None, float | None, float | None]:
    """(sent, received, rtt min, avg, max) from iputils' (or busybox's) summary lines."""
    sent = received = 0
    summary = SUMMARY_RE.search(text)
    if summary:
        sent, received = int(summary.group(1)), int(summary.group(2))
    rtt = RTT_RE.search(text)
    if rtt and received:
        low, avg, high = (float(x) for x in rtt.groups())
        return sent, received, low, avg, high
    return sent, received, None, None, None


def ping_binary() -> str:
    binary = getattr(settings, "PING_BINARY", "") or shutil.which("ping")
    if not binary:
        raise ValidationError(
            _("The ping program is not installed on the server (Debian package iputils-ping).")
        )
    return binary


def run_ping(address: str, *, count: int, deadline: int) -> PingOutcome:
    """Ping ``address`` (an IP address, checked again here) and parse the summary."""
    ip = ipaddress.ip_address(address)
    args = [
        ping_binary(),
        "-n",  # numbers only: no reverse lookups
        f"-{ip.version}",
        "-c",
        str(count),
        "-i",
        "0.2",
        "-W",
        "1",
        "-w",
        str(deadline),
        str(ip),
    ]
    try:
        done = subprocess.run(  # noqa: S603 - an argument list; the address is a parsed IP
            args, capture_output=True, text=True, timeout=deadline + 5, check=False
        )
        output = (done.stdout or "") + (done.stderr or "")
    except subprocess.TimeoutExpired as exc:
        output = _as_text(exc.stdout) + _as_text(exc.stderr)
        output += "\n" + _("No summary within %(s)s seconds.") % {"s": deadline + 5}
    except OSError as exc:
        raise ValidationError(_("The ping program could not run: %(e)s") % {"e": exc}) from exc
    sent, received, low, avg, high = parse_output(output)
    return PingOutcome(str(ip), sent, received, low, avg, high, output.strip()[:OUTPUT_LIMIT])


def _as_text(value) -> str:
    if value is None:
        return ""
    return value.decode(errors="replace") if isinstance(value, bytes) else value


def _pingable(text: str, field: str):
    try:
        ip = ipaddress.ip_address(str(text).strip())
    except ValueError as exc:
        raise ValidationError({field: [_("Enter a valid IPv4 or IPv6 address.")]}) from exc
    if ip.is_multicast or ip.is_unspecified or str(ip) == "255.255.255.255":
        raise ValidationError({field: [_("%(ip)s cannot be pinged.") % {"ip": ip}]})
    return ip


def customer_address(customer) -> str | None:
    """What to ping for a customer: its static IP, else its newest open session's address."""
    if customer.static_ip:
        return str(customer.static_ip)
    from netbill.radius.models import RadAcct

    session = (
        RadAcct.objects.filter(customer_id=customer.pk, acctstoptime__isnull=True)
        .exclude(framedipaddress__isnull=True, framedipv6address__isnull=True)
        .order_by("-acctstarttime", "-radacctid")
        .values_list("framedipaddress", "framedipv6address")
        .first()
    )
    if session is None:
        return None
    return str(session[0] or session[1])


def _customer_holding(actor, ip) -> object | None:
    """The customer in ``actor``'s scope whose static IP or open session is ``ip``."""
    from django.db.models import Q

    from netbill.customers.models import Customer

    text = str(ip)
    return (
        Customer.objects.visible_to(actor)
        .alive()
        .filter(
            Q(static_ip=text)
            | Q(
                sessions__acctstoptime__isnull=True,
                sessions__framedipaddress=text,
            )
        )
        .select_related("owner")
        .first()
    )


def _router_address(router) -> str:
    address = router.address
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(address, None)
    except (OSError, UnicodeError) as exc:
        raise ValidationError(
            {"router": [_("%(host)s does not resolve to an address.") % {"host": address}]}
        ) from exc
    return infos[0][4][0]


def ping_run(
    *,
    actor,
    customer=None,
    router=None,
    address: str | None = None,
    count: int | None = None,
    deadline: int | None = None,
) -> PingResult:
    """Ping one target from the server and keep the result (``ping-test``)."""
    require(actor, P.PING_TEST)
    if sum(x is not None and x != "" for x in (customer, router, address)) != 1:
        raise ValidationError(_("Give one address, one customer or one router to ping."))
    if customer is not None:
        require(actor, P.PING_TEST, customer)
        found = customer_address(customer)
        if found is None:
            raise ValidationError(
                {
                    "customer": [
                        _("%(user)s has no static IP and no open session: nothing to ping.")
                        % {"user": customer.username}
                    ]
                }
            )
        ip = _pingable(found, "customer")
    elif router is not None:
        if not (P.may(actor, P.VIEW_ROUTERS) or P.may(actor, P.MANAGE_ROUTERS)):
            raise PermissionDenied(_("You do not have the “view-routers” permission."))
        if not in_scope(actor, router):
            from django.http import Http404

            raise Http404(_("No such object."))
        ip = _pingable(_router_address(router), "router")
    else:
        ip = _pingable(address, "address")
        if visible_owner_ids(actor) is not None:
            customer = _customer_holding(actor, ip)
            if customer is None:
                raise ValidationError(
                    {"address": [_("You can ping only the addresses of your own customers.")]}
                )
    outcome = run_ping(
        str(ip),
        count=count or settings.PING_COUNT,
        deadline=deadline or settings.PING_DEADLINE_SECONDS,
    )
    with transaction.atomic():
        result = PingResult.objects.create(
            tenant_id=actor.tenant_id,
            target=outcome.address,
            customer=customer,
            router=router,
            sent=outcome.sent,
            received=outcome.received,
            rtt_min_ms=outcome.rtt_min_ms,
            rtt_avg_ms=outcome.rtt_avg_ms,
            rtt_max_ms=outcome.rtt_max_ms,
            output=outcome.output,
            actor=actor,
        )
        audit_record(
            actor=actor,
            action="ping.run",
            obj=result,
            owner=customer.owner if customer is not None else None,
            after={"target": result.target, "sent": result.sent, "received": result.received},
        )
    return result
