"""A real FreeRADIUS for tests and benchmarks, run from netbill's own configuration.

:func:`freeradius_process` runs ``freeradius -f -d DIR`` (any configuration directory, so a
benchmark can also run the stock one) until FreeRADIUS says it is ready, and stops it on
exit.  :func:`netbill_freeradius` renders ``deploy/freeradius`` for a database on free
loopback ports and runs it.  The pytest fixtures (:mod:`netbill.radius.pytest_plugin`,
registered by the root ``conftest.py``) start one server per test session, after the test
database exists, and stop it before the database is dropped.

FreeRADIUS reads its clients once, at start.  The test server is given static clients
(``TEST_NAS``: one secret per loopback address) on top of the ``nas`` table it reads like a
deployment; each test registers the ``nas`` rows it needs (the tenant of a NAS comes from
that table at query time), with ``RadiusKit.nas``.
"""

from __future__ import annotations

import hashlib
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from netbill.radius.freeradius import StaticClient, freeradius_binary, render_config

READY_LINE = "Ready to process requests"
STARTUP_TIMEOUT = 30.0

# Loopback addresses the test clients send from, and the secret FreeRADIUS knows for each.
TEST_NAS = {
    "127.0.0.1": "netbill-test-secret-1",
    "127.0.0.2": "netbill-test-secret-2",
    "127.0.0.3": "netbill-test-secret-3",
}


class FreeRadiusError(RuntimeError):
    """FreeRADIUS did not start; the message ends with its log."""


def free_udp_ports(count: int, address: str = "127.0.0.1") -> list[int]:
    """``count`` distinct UDP ports free on ``address`` right now."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sock.bind((address, 0))
            sockets.append(sock)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@contextmanager
def freeradius_process(config_dir: Path | str, *, log_path: Path | str, debug: bool = False):
    """Run FreeRADIUS in the foreground from ``config_dir`` until the block ends.

    Waits for "Ready to process requests"; raises :class:`FreeRadiusError` (with the end
    of the log) when it exits first.  ``debug`` runs it with ``-X`` (prints every packet and
    query: slow, for diagnosing a failing test).
    """
    config_dir = Path(config_dir)
    log_path = Path(log_path)
    args = [freeradius_binary(), "-f", "-d", str(config_dir), "-l", "stdout"]
    if debug:
        args.append("-X")
    with open(log_path, "ab") as log:
        start = log.tell()
        # An argument list (the binary and the caller's directory), never a shell.
        process = subprocess.Popen(  # noqa: S603
            args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            with open(log_path, "rb") as log:
                log.seek(start)
                if READY_LINE.encode() in log.read():
                    break
            if process.poll() is not None:
                raise FreeRadiusError(
                    f"freeradius exited with {process.returncode}:\n{_tail(log_path)}"
                )
            if time.monotonic() > deadline:
                raise FreeRadiusError(f"freeradius did not get ready:\n{_tail(log_path)}")
            time.sleep(0.02)
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@dataclass
class RadiusServer:
    """A running FreeRADIUS: where it listens and how to talk to it."""

    directory: Path
    address: str
    auth_port: int
    acct_port: int
    log_path: Path
    process: subprocess.Popen
    clients: dict[str, str] = field(default_factory=dict)  # static clients: address -> secret

    def client(self, *, secret: str, source: str = "127.0.0.1", timeout: float = 2, retries=3):
        """A pyrad client sending from ``source`` (a loopback address) with ``secret``."""
        from pyrad.client import Client

        from netbill.radius.dictionary import load

        client = Client(
            server=self.address,
            authport=self.auth_port,
            acctport=self.acct_port,
            secret=secret.encode(),
            dict=load(),
            timeout=timeout,
            retries=retries,
        )
        client.bind((source, 0))
        return client

    def log(self) -> str:
        return _tail(self.log_path, 200)


@contextmanager
def netbill_freeradius(
    database: dict,
    *,
    clients: dict[str, str] | None = None,
    workdir: Path | str | None = None,
    sql_pool: int = 2,
    sql_pool_max: int = 32,
    debug: bool = False,
    attempts: int = 3,
):
    """Render netbill's configuration for ``database`` (a Django ``DATABASES`` entry) on
    free loopback ports, with static ``clients`` (address -> secret), and run it."""
    own_dir = workdir is None
    base = Path(tempfile.mkdtemp(prefix="netbill-freeradius-")) if own_dir else Path(workdir)
    clients = dict(clients or {})
    static = [
        StaticClient(name=f"test{i}", address=address, secret=secret)
        for i, (address, secret) in enumerate(sorted(clients.items()), start=1)
    ]
    try:
        with ExitStack() as stack:
            for attempt in range(attempts):
                auth_port, acct_port = free_udp_ports(2)
                directory = render_config(
                    base / "raddb",
                    database=database,
                    auth_port=auth_port,
                    acct_port=acct_port,
                    clients=static,
                    sql_pool_start=sql_pool,
                    sql_pool_max=max(sql_pool, sql_pool_max),
                )
                log_path = base / "freeradius.log"
                try:
                    process = stack.enter_context(
                        freeradius_process(directory, log_path=log_path, debug=debug)
                    )
                    break
                except FreeRadiusError as exc:
                    # Another process may have taken a port between choosing and binding it.
                    if "Address already in use" not in str(exc) or attempt == attempts - 1:
                        raise
            yield RadiusServer(
                directory=directory,
                address="127.0.0.1",
                auth_port=auth_port,
                acct_port=acct_port,
                log_path=log_path,
                process=process,
                clients=clients,
            )
    finally:
        if own_dir:
            shutil.rmtree(base, ignore_errors=True)


# --------------------------------------------------------------------- packets


def chap_password(password: str, ident: int = 1) -> tuple[bytes, bytes]:
    """(CHAP-Password, CHAP-Challenge) for ``password``, as a PPPoE NAS sends them."""
    challenge = secrets.token_bytes(16)
    digest = hashlib.md5(bytes([ident]) + password.encode() + challenge).digest()  # noqa: S324
    return bytes([ident]) + digest, challenge


def reply_attributes(reply) -> dict[str, list]:
    """The attributes of a reply, by name (values decoded by the dictionary)."""
    # pyrad's Packet.keys() gives attribute names; iterating the packet gives raw codes.
    names = [name for name in reply.keys() if isinstance(name, str)]  # noqa: SIM118
    return {name: list(reply[name]) for name in names}
