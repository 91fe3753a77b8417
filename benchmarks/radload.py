"""A RADIUS load generator for the benchmarks: run as its own process so it has its own core.

    python -m benchmarks.radload auth --port 18120 --secret s --users users.txt --count 50000
    python -m benchmarks.radload acct --port 18130 --secret s --users users.txt --count 50000

Packets are built beforehand with pyrad (netbill's dictionary), then sent over one UDP
socket keeping ``--window`` requests in flight; each reply is matched by its identifier and
its round-trip time recorded.  Prints one JSON line: sent, answered (accept / reject /
accounting responses), lost, seconds, rate per second, p50/p99 latency in ms.

``users.txt``: one ``username password`` per line.  For ``acct`` each user gets a session
(``Acct-Session-Id`` = ``bench-<n>``) and the packets are Interim-Updates with growing
counters (a session must have been started first: ``acct --start`` sends Starts).
"""

from __future__ import annotations

import argparse
import json
import select
import socket
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ACCESS_ACCEPT, ACCESS_REJECT, ACCOUNTING_RESPONSE = 2, 3, 5


def _dictionary():
    from pyrad.dictionary import Dictionary

    return Dictionary(str(ROOT / "netbill" / "radius" / "dictionary" / "dictionary"))


def build_auth(users, count: int, secret: bytes, nas_ip: str) -> list[tuple[int, bytes]]:
    from pyrad.packet import AuthPacket

    d = _dictionary()
    out = []
    for n in range(count):
        username, password = users[n % len(users)]
        pkt = AuthPacket(id=n % 256, secret=secret, dict=d)
        pkt["User-Name"] = username
        pkt["User-Password"] = pkt.PwCrypt(password)
        pkt["NAS-IP-Address"] = nas_ip
        pkt["NAS-Port-Type"] = "Ethernet"
        pkt["Service-Type"] = "Framed-User"
        pkt["Calling-Station-Id"] = f"02:00:00:{n % 256:02X}:{n // 256 % 256:02X}:01"
        out.append((n % 256, pkt.RequestPacket()))
    return out


def build_acct(users, count: int, secret: bytes, nas_ip: str, status: str):
    from pyrad.packet import AcctPacket

    d = _dictionary()
    out = []
    for n in range(count):
        u = n % len(users)
        username = users[u][0]
        round_ = n // len(users) + 1
        pkt = AcctPacket(id=n % 256, secret=secret, dict=d)
        pkt["User-Name"] = username
        pkt["Acct-Status-Type"] = status
        pkt["Acct-Session-Id"] = f"bench-{u}"
        pkt["NAS-IP-Address"] = nas_ip
        pkt["NAS-Port-Type"] = "Ethernet"
        pkt["Framed-IP-Address"] = f"100.64.{u // 256 % 256}.{u % 256}"
        pkt["Calling-Station-Id"] = f"02:00:00:{u % 256:02X}:{u // 256 % 256:02X}:01"
        pkt["Acct-Session-Time"] = 300 * round_
        pkt["Acct-Input-Octets"] = (round_ * 1_000_003) % (1 << 32)
        pkt["Acct-Output-Octets"] = (round_ * 9_000_011) % (1 << 32)
        pkt["Acct-Input-Gigawords"] = 0
        pkt["Acct-Output-Gigawords"] = round_ // 400
        out.append((n % 256, pkt.RequestPacket()))
    return out


def blast(packets, host: str, port: int, *, window: int, timeout: float) -> dict:
    """Send every packet keeping ``window`` in flight; identifiers are reused only once
    their previous request has been answered or timed out."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sock.connect((host, port))
    sock.setblocking(False)
    pending: dict[int, float] = {}
    latencies: list[float] = []
    codes: dict[int, int] = {}
    lost = 0
    i = 0
    total = len(packets)
    started = time.perf_counter()
    while i < total or pending:
        now = time.perf_counter()
        while i < total and len(pending) < window:
            ident, raw = packets[i]
            if ident in pending:
                break
            sock.send(raw)
            pending[ident] = time.perf_counter()
            i += 1
        ready, _w, _x = select.select([sock], [], [], 0.05)
        if ready:
            while True:
                try:
                    data = sock.recv(4096)
                except BlockingIOError:
                    break
                if len(data) < 20:
                    continue
                sent_at = pending.pop(data[1], None)
                if sent_at is None:
                    continue
                latencies.append((time.perf_counter() - sent_at) * 1000)
                codes[data[0]] = codes.get(data[0], 0) + 1
        now = time.perf_counter()
        for ident, sent_at in list(pending.items()):
            if now - sent_at > timeout:
                del pending[ident]
                lost += 1
    seconds = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        if not latencies:
            return 0.0
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))], 2)

    answered = len(latencies)
    return {
        "sent": total,
        "answered": answered,
        "accepted": codes.get(ACCESS_ACCEPT, 0),
        "rejected": codes.get(ACCESS_REJECT, 0),
        "accounted": codes.get(ACCOUNTING_RESPONSE, 0),
        "lost": lost,
        "seconds": round(seconds, 3),
        "rate": round(answered / seconds, 1) if seconds else 0.0,
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="RADIUS load generator (netbill benchmarks)")
    parser.add_argument("kind", choices=["auth", "acct"])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--users", required=True, help="file: 'username password' per line")
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--window", type=int, default=64)
    parser.add_argument("--timeout", type=float, default=3.0)
    parser.add_argument("--nas-ip", default="127.0.0.1")
    parser.add_argument("--start", action="store_true", help="acct: send Starts, not Interims")
    args = parser.parse_args(argv)
    users = [
        tuple(line.split(" ", 1))
        for line in Path(args.users).read_text().splitlines()
        if line.strip()
    ]
    secret = args.secret.encode()
    if args.kind == "auth":
        packets = build_auth(users, args.count, secret, args.nas_ip)
    else:
        status = "Start" if args.start else "Interim-Update"
        packets = build_acct(users, args.count, secret, args.nas_ip, status)
    result = blast(packets, args.host, args.port, window=args.window, timeout=args.timeout)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
