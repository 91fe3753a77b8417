"""Dynamic authorization (RFC 5176): Disconnect-Request and CoA-Request to a NAS, with pyrad.

This module only speaks the protocol: it builds one request from a list of attributes, sends
it to a router's CoA port signed with the router's RADIUS secret, and says what came back —
ACK, NAK (with the Error-Cause) or nothing (timeout).  Which session, which router and what
to do with the outcome is :mod:`netbill.radius.live`'s business.

A session is identified the way MikroTik matches it: ``User-Name``, ``Acct-Session-Id`` and
``Framed-IP-Address`` from its ``radacct`` row.  Nothing here runs a shell command: the
address is checked to be an IP address and the packet goes out through a UDP socket.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from pyrad import packet
from pyrad.client import Client, Timeout

ACK = "ack"
NAK = "nak"
TIMEOUT = "timeout"
ERROR = "error"  # not sent: the address or port cannot be used

DISCONNECT = "disconnect"
COA = "coa"

_CODES = {DISCONNECT: packet.DisconnectRequest, COA: packet.CoARequest}
_ACKS = {packet.DisconnectACK, packet.CoAACK}
_NAKS = {packet.DisconnectNAK, packet.CoANAK}


@lru_cache(maxsize=1)
def dictionary():
    """netbill's RADIUS dictionary, parsed once per process."""
    from netbill.radius.dictionary import load

    return load()


@dataclass(frozen=True)
class Answer:
    """What the NAS said: ``status`` is ack / nak / timeout (or error: not sent)."""

    status: str
    error_cause: str = ""  # the Error-Cause of a NAK, by name when the dictionary knows it
    detail: str = ""


def session_attributes(session) -> list[tuple[str, str]]:
    """The attributes that identify an accounting session (a ``RadAcct`` row) to its NAS."""
    attrs = [("User-Name", session.username or ""), ("Acct-Session-Id", session.acctsessionid)]
    if session.framedipaddress:
        attrs.append(("Framed-IP-Address", str(session.framedipaddress)))
    return attrs


def build_request(kind: str, *, secret: str, attributes: list[tuple[str, str]]):
    """A Disconnect-Request or CoA-Request (pyrad ``CoAPacket``) carrying ``attributes``."""
    if kind not in _CODES:
        raise ValueError(f"unknown request kind {kind!r}")
    pkt = packet.CoAPacket(code=_CODES[kind], secret=secret.encode(), dict=dictionary())
    for name, value in attributes:
        pkt.AddAttribute(name, value)
    return pkt


def send(
    kind: str,
    *,
    address: str,
    port: int,
    secret: str,
    attributes: list[tuple[str, str]],
    timeout: float | None = None,
    retries: int | None = None,
) -> Answer:
    """Send one request and wait for its answer.

    pyrad resends the same packet ``RADIUS_COA_RETRIES`` times in all, waiting
    ``RADIUS_COA_TIMEOUT`` seconds after each; replies not signed with ``secret`` for this
    request are ignored, so a router with another secret looks like no answer at all.
    """
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return Answer(ERROR, detail=f"{address!r} is not an IP address")
    if not 0 < int(port) < 65536:
        return Answer(ERROR, detail=f"CoA port {port} is out of range")
    client = Client(
        server=address,
        coaport=int(port),
        secret=secret.encode(),
        dict=dictionary(),
        retries=settings.RADIUS_COA_RETRIES if retries is None else retries,
        timeout=settings.RADIUS_COA_TIMEOUT if timeout is None else timeout,
    )
    try:
        if settings.RADIUS_COA_SOURCE_ADDRESS:
            # Routers accept dynamic authorization only from their RADIUS server's address.
            client.bind((settings.RADIUS_COA_SOURCE_ADDRESS, 0))
        request = build_request(kind, secret=secret, attributes=attributes)
        try:
            reply = client.SendPacket(request)
        except Timeout:
            return Answer(TIMEOUT, detail=f"no answer from {address}:{port}")
        except OSError as exc:
            return Answer(TIMEOUT, detail=f"{address}:{port}: {exc.strerror or exc}")
    finally:
        # pyrad keeps the UDP socket open on the client; close it now, not at garbage collection.
        client._CloseSocket()
    if reply.code in _ACKS:
        return Answer(ACK)
    if reply.code in _NAKS:
        cause = reply.get("Error-Cause") or []
        cause_name = str(cause[0]) if cause else ""
        return Answer(NAK, error_cause=cause_name, detail=cause_name)
    return Answer(NAK, detail=f"unexpected reply code {reply.code}")
