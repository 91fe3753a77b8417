"""A fake NAS for tests and the benchmark: a real RADIUS server (pyrad) on 127.0.0.1 that
receives Disconnect-Request and CoA-Request the way a MikroTik router does.

It runs in a thread on an ephemeral UDP port, checks each request's authenticator against
its secret (a request signed with another secret is dropped, unanswered, as a router does),
records every request it received, and answers:

- ``Disconnect-ACK`` / ``CoA-ACK`` for a session it knows (by ``Acct-Session-Id``, and
  ``User-Name`` when the session was registered with one); a disconnected session is
  forgotten, as the router ends it;
- ``Disconnect-NAK`` / ``CoA-NAK`` with ``Error-Cause = Session-Context-Not-Found`` for any
  other session;
- ``CoA-NAK`` with ``Error-Cause = Unsupported-Service`` for every CoA when ``coa_supported``
  is off (a router that cannot change a live session);
- nothing at all in ``silent`` mode (the client times out).

Usage::

    with FakeNas(secret="s3cret") as nas:
        nas.add_session("81a00001", username="alice")
        ... send to ("127.0.0.1", nas.port) ...
        nas.received[0].attributes["User-Name"] == ["alice"]
"""

from __future__ import annotations

import logging
import select
import threading
from dataclasses import dataclass, field

from pyrad import packet
from pyrad.server import RemoteHost, Server

from netbill.radius.coa import dictionary

ERROR_CAUSE_NOT_FOUND = "Session-Context-Not-Found"
ERROR_CAUSE_UNSUPPORTED = "Unsupported-Service"

# pyrad logs every dropped packet; a test that sends a wrong secret on purpose needs no noise.
logging.getLogger("pyrad").setLevel(logging.ERROR)


@dataclass
class Received:
    """One request as the NAS saw it."""

    code: int
    attributes: dict[str, list]
    authentic: bool  # the Request Authenticator matched the NAS's secret
    answered: int | None = None  # the reply code sent, None when dropped
    source: tuple = field(default=())

    @property
    def is_disconnect(self) -> bool:
        return self.code == packet.DisconnectRequest

    @property
    def is_coa(self) -> bool:
        return self.code == packet.CoARequest

    def first(self, name: str):
        values = self.attributes.get(name) or [None]
        return values[0]


class _Server(Server):
    def __init__(self, nas: FakeNas, address: str, port: int):
        super().__init__(
            addresses=[],
            coaport=port,
            # pyrad's key for "any client" (not a bind address): one secret for all senders.
            hosts={"0.0.0.0": RemoteHost(address, nas.secret.encode(), "netbill")},  # noqa: S104
            dict=dictionary(),
            auth_enabled=False,
            acct_enabled=False,
            coa_enabled=True,
            # Verified in the handlers instead, so a badly signed request is recorded too.
            enable_pkt_verify=False,
        )
        self.nas = nas
        self.BindToAddress(address)

    def HandleCoaPacket(self, pkt):
        self.nas._handle(self, pkt)

    def HandleDisconnectPacket(self, pkt):
        self.nas._handle(self, pkt)


class FakeNas:
    """A NAS receiving dynamic authorization requests on ``(address, port)``."""

    def __init__(
        self,
        secret: str,
        *,
        address: str = "127.0.0.1",
        port: int = 0,
        silent: bool = False,
        coa_supported: bool = True,
        accept_any: bool = False,
    ):
        self.secret = secret
        self.address = address
        self.silent = silent
        self.coa_supported = coa_supported
        # ACK every session, known or not (a benchmark sends for sessions it never registered).
        self.accept_any = accept_any
        self.received: list[Received] = []
        self._sessions: dict[str, str | None] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._server: _Server | None = None
        self.port = 0

    # -- sessions

    def add_session(self, acct_session_id: str, *, username: str | None = None) -> None:
        with self._lock:
            self._sessions[acct_session_id] = username

    def has_session(self, acct_session_id: str) -> bool:
        with self._lock:
            return acct_session_id in self._sessions

    def requests(self, code: int | None = None) -> list[Received]:
        with self._lock:
            return [r for r in self.received if code is None or r.code == code]

    # -- life cycle

    def start(self) -> FakeNas:
        self._server = _Server(self, self.address, self.port)
        sock = self._server.coafds[0]
        self.port = sock.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, name="fake-nas", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._server is not None:
            for sock in self._server.coafds:
                sock.close()

    def __enter__(self) -> FakeNas:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _serve(self) -> None:
        server = self._server
        poll = select.poll()
        sockets = {sock.fileno(): sock for sock in server.coafds}
        for fileno in sockets:
            poll.register(fileno, select.POLLIN)
        # Server.Run() never returns; this loop is the same, with a way out.
        while not self._stop.is_set():
            for fileno, _event in poll.poll(50):
                try:
                    server._ProcessInput(sockets[fileno])
                except Exception:  # noqa: BLE001, S112 - a broken packet never stops the NAS
                    continue

    # -- answering

    def _handle(self, server: _Server, pkt) -> None:
        authentic = pkt.VerifyCoARequest()
        # pyrad's keys() names the attributes (iterating gives the raw codes).
        attributes = {name: list(pkt[name]) for name in pkt.keys()}  # noqa: SIM118
        record = Received(
            code=pkt.code, attributes=attributes, authentic=authentic, source=pkt.source
        )
        with self._lock:
            self.received.append(record)
        if not authentic or self.silent:
            return  # dropped: the client sees no answer
        reply = server.CreateReplyPacket(pkt)
        session_id = (attributes.get("Acct-Session-Id") or [None])[0]
        username = (attributes.get("User-Name") or [None])[0]
        with self._lock:
            known = self.accept_any or (
                session_id in self._sessions and self._sessions[session_id] in (None, username)
            )
            if pkt.code == packet.CoARequest and not self.coa_supported:
                reply.code = packet.CoANAK
                reply.AddAttribute("Error-Cause", ERROR_CAUSE_UNSUPPORTED)
            elif not known:
                reply.code = (
                    packet.DisconnectNAK if pkt.code == packet.DisconnectRequest else packet.CoANAK
                )
                reply.AddAttribute("Error-Cause", ERROR_CAUSE_NOT_FOUND)
            elif pkt.code == packet.DisconnectRequest:
                self._sessions.pop(session_id, None)
            record.answered = reply.code
        server.SendReplyPacket(pkt.fd, reply)


def main(argv: list[str] | None = None) -> None:
    """Run a fake NAS in the foreground (benchmarks, trying CoA by hand)::

    python -m netbill.radius.fake_nas --secret s3cret --port 3799 --accept-any
    """
    import argparse
    import time

    parser = argparse.ArgumentParser(description="A fake NAS answering Disconnect / CoA.")
    parser.add_argument("--secret", required=True)
    parser.add_argument("--address", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: an ephemeral port")
    parser.add_argument("--silent", action="store_true", help="never answer")
    parser.add_argument("--accept-any", action="store_true", help="ACK every session, known or not")
    args = parser.parse_args(argv)
    nas = FakeNas(
        args.secret,
        address=args.address,
        port=args.port,
        silent=args.silent,
        accept_any=args.accept_any,
    ).start()
    print(f"fake NAS listening on {nas.address}:{nas.port}", flush=True)
    try:
        while True:
            time.sleep(5)
            print(f"{len(nas.received)} requests received", flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        nas.stop()


if __name__ == "__main__":
    main()
