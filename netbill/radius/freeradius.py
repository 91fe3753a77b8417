"""Render netbill's FreeRADIUS configuration (``deploy/freeradius/``) for one database.

The tree under ``deploy/freeradius`` is plain FreeRADIUS 3.2 configuration with a few
``@@TOKENS@@``; :func:`render_config` fills them in and writes a directory that
``freeradius -d DIR`` runs from.  Used by the ``freeradius_config`` management command
(deployment), the test harness (:mod:`netbill.radius.testing`) and the benchmark.

The database password is written to a ``pgpass`` file (mode 0600) beside the
configuration and referred to by ``passfile=``, so it never appears in the configuration
files or in ``freeradius -X`` output.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "deploy" / "freeradius"
MARKER = ".netbill-freeradius"
PGPASS = "pgpass"
TOKEN = re.compile(r"@@([A-Z_]+)@@")
# Values written into the libpq connection string and the config unquoted: plain names,
# addresses and socket paths only (no spaces, quotes, backslashes or `$`).
SAFE_VALUE = re.compile(r"^[A-Za-z0-9_.\-/:@]+$")
SAFE_NAME = re.compile(r"^[A-Za-z0-9_\-]+$")


class ConfigError(ValueError):
    """The settings cannot be turned into a FreeRADIUS configuration (says which)."""


@dataclass(frozen=True)
class StaticClient:
    """A RADIUS client written to ``clients.conf`` (tests only; deployments use ``nas``)."""

    name: str
    address: str
    secret: str


def connection_string(database: dict, passfile: Path | None) -> str:
    """libpq connection string for a Django ``DATABASES`` entry (password via passfile)."""
    engine = database.get("ENGINE", "")
    if "postgresql" not in engine:
        raise ConfigError(
            f"FreeRADIUS needs netbill's PostgreSQL database; the database engine is {engine!r}."
        )
    parts = []
    options = database.get("OPTIONS") or {}
    for key, value in (
        ("host", database.get("HOST")),
        ("port", database.get("PORT")),
        ("dbname", database.get("NAME")),
        ("user", database.get("USER")),
        ("sslmode", options.get("sslmode")),
    ):
        if value in (None, ""):
            continue
        value = str(value)
        if not SAFE_VALUE.match(value):
            raise ConfigError(
                f"The database {key} {value!r} has characters FreeRADIUS's configuration "
                "cannot carry; use letters, digits and . _ - / : @ only."
            )
        parts.append(f"{key}={value}")
    if passfile is not None:
        parts.append(f"passfile={passfile}")
    return " ".join(parts)


def _pgpass_line(password: str) -> str:
    escaped = password.replace("\\", "\\\\").replace(":", "\\:")
    return f"*:*:*:*:{escaped}\n"


def _listen(address: str) -> str:
    if address == "*":
        return "ipaddr = *"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError as exc:
        raise ConfigError(f"The listen address {address!r} is not an IP address or *.") from exc
    return f"ipv6addr = {ip}" if ip.version == 6 else f"ipaddr = {ip}"


def _port(name: str, value: int) -> int:
    if not isinstance(value, int) or not 0 < value < 65536:
        raise ConfigError(f"The {name} {value!r} is not a UDP port (1-65535).")
    return value


def _clients(clients) -> str:
    blocks = []
    for client in clients:
        if not SAFE_NAME.match(client.name):
            raise ConfigError(f"The client name {client.name!r} is not a plain name.")
        ip = ipaddress.ip_address(client.address)
        key = "ipv6addr" if ip.version == 6 else "ipaddr"
        secret = client.secret.replace("\\", "\\\\").replace('"', '\\"')
        if "$" in secret or not secret.isprintable():
            raise ConfigError(f"The secret of client {client.name} has characters not allowed.")
        blocks.append(f'client {client.name} {{\n\t{key} = {ip}\n\tsecret = "{secret}"\n}}')
    return "\n".join(blocks)


def _owned_entries() -> list[str]:
    return sorted(p.name for p in TEMPLATE_DIR.iterdir()) + [PGPASS, MARKER]


def _prepare(target: Path) -> None:
    """Make ``target`` ready to receive the tree: refuse a directory that is not ours (so an
    operator's /etc/freeradius is never overwritten), clear our previous rendering."""
    if target.exists() and any(target.iterdir()):
        if not (target / MARKER).exists():
            raise ConfigError(
                f"{target} is not empty and was not written by netbill; choose another directory."
            )
        for name in _owned_entries():
            path = target / name
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            elif path.exists() or path.is_symlink():
                path.unlink()
    target.mkdir(parents=True, exist_ok=True)


def render_config(
    target: Path | str,
    *,
    database: dict,
    auth_port: int = 1812,
    acct_port: int = 1813,
    listen_address: str = "127.0.0.1",
    logdir: Path | str | None = None,
    rundir: Path | str | None = None,
    user: str | None = None,
    group: str | None = None,
    clients=(),
    sql_pool_start: int = 5,
    sql_pool_max: int = 32,
) -> Path:
    """Write the FreeRADIUS configuration for ``database`` (a Django ``DATABASES`` entry) to
    ``target``; returns the directory.  ``logdir``/``rundir`` default to ``log``/``run``
    inside it; ``user``/``group`` make the daemon drop root (omitted by default)."""
    target = Path(target).resolve()
    _port("auth port", auth_port)
    _port("accounting port", acct_port)
    if auth_port == acct_port:
        raise ConfigError("The auth and accounting ports must differ.")
    for name, value in (("user", user), ("group", group)):
        if value is not None and not SAFE_NAME.match(value):
            raise ConfigError(f"The {name} {value!r} is not a plain system name.")
    logdir = Path(logdir).resolve() if logdir else target / "log"
    rundir = Path(rundir).resolve() if rundir else target / "run"
    password = database.get("PASSWORD") or ""
    passfile = target / PGPASS if password else None
    security = []
    if user:
        security.append(f"\tuser = {user}")
    if group:
        security.append(f"\tgroup = {group}")
    values = {
        "CONFDIR": str(target),
        "LOGDIR": str(logdir),
        "RUNDIR": str(rundir),
        "SECURITY_USER": "\n".join(security),
        "CLIENTS": _clients(clients),
        "RADIUS_DB": connection_string(database, passfile),
        "SQL_POOL_START": str(int(sql_pool_start)),
        "SQL_POOL_MAX": str(max(int(sql_pool_max), int(sql_pool_start), 1)),
        "LISTEN": _listen(listen_address),
        "AUTH_PORT": str(auth_port),
        "ACCT_PORT": str(acct_port),
    }
    for path in (str(target), str(logdir), str(rundir)):
        if not SAFE_VALUE.match(path):
            raise ConfigError(f"The path {path!r} has characters FreeRADIUS's config cannot carry.")
    _prepare(target)
    old_umask = os.umask(0o027)
    try:
        for source in sorted(TEMPLATE_DIR.rglob("*")):
            relative = source.relative_to(TEMPLATE_DIR)
            dest = target / relative
            if source.is_dir():
                dest.mkdir(parents=True, exist_ok=True)
                continue
            text = _fill(source.read_text(), values, relative)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(text)
            dest.chmod(0o640)
        logdir.mkdir(parents=True, exist_ok=True)
        rundir.mkdir(parents=True, exist_ok=True)
        if passfile is not None:
            fd = os.open(passfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(_pgpass_line(password))
            passfile.chmod(0o600)
        (target / MARKER).write_text("Written by netbill (manage.py freeradius_config).\n")
    finally:
        os.umask(old_umask)
    return target


def _fill(text: str, values: dict, where: Path) -> str:
    def value(match) -> str:
        name = match.group(1)
        if name not in values:
            raise ConfigError(f"Unknown token @@{name}@@ in {where}.")
        return values[name]

    return TOKEN.sub(value, text)


def freeradius_binary() -> str:
    return os.environ.get("FREERADIUS_BIN") or shutil.which("freeradius") or "/usr/sbin/freeradius"


def check_config(directory: Path | str) -> tuple[bool, str]:
    """Run ``freeradius -C`` on a rendered directory (it also connects to the database and
    reads the clients); returns (passed, output)."""
    result = subprocess.run(  # noqa: S603 - an argument list, no shell
        [freeradius_binary(), "-C", "-d", str(directory), "-l", "stdout"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return result.returncode == 0, (result.stdout + result.stderr).strip()
