"""A thin RouterOS API client on ``librouteros``: connect, log in, run commands, and turn
every failure into one :class:`RouterOSError` whose message tells the ISP what to do.

librouteros carries the wire protocol (word lengths, sentences), the socket and the TLS
wrapping.  Replies are read here rather than through ``Api.__call__`` because librouteros
casts values ("1234" → 1234, "yes" → True): a PPP password or a user name must come back
exactly as the router holds it.

Login: RouterOS ≥ 6.43 takes the password in clear (inside the API session) and answers
``!done``; older versions ignore it and answer ``!done =ret=<challenge>``, which is then
answered with ``00`` + md5(0x00 + password + challenge).  So one ``/login`` tells which
method the router speaks.

TLS (api-ssl, port 8729): a router without a certificate only offers anonymous
Diffie-Hellman, so the context allows the anonymous suites and does not verify a
certificate (there is none to verify).
"""

from __future__ import annotations

import contextlib
import errno
import re
import socket
import ssl
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from librouteros import connect as ros_connect
from librouteros.exceptions import (
    ConnectionClosed,
    FatalError,
    LibRouterosError,
    MultiTrapError,
    ProtocolError,
    TrapError,
)
from librouteros.login import encode_password

DEFAULT_PORT = 8728
DEFAULT_TLS_PORT = 8729
# Anonymous suites first (a router without a certificate), then the usual ones (a router
# with one).  SECLEVEL=0: OpenSSL 3 refuses anonymous suites at its default level.
TLS_CIPHERS = "ADH:AECDH:HIGH:@SECLEVEL=0"


class ErrorCode:
    UNREACHABLE = "unreachable"
    TIMEOUT = "timeout"
    REFUSED = "refused"
    AUTH = "auth"
    TRAP = "trap"
    TLS = "tls"
    CLOSED = "closed"
    PROTOCOL = "protocol"


class RouterOSError(Exception):
    """A router could not be reached or refused a command; ``message`` is for the user."""

    def __init__(self, code: str, message: str, *, detail: str = ""):
        super().__init__(message)
        self.code = code
        self.message = message
        self.detail = detail

    def __str__(self) -> str:
        return self.message


class RouterOSTrap(RouterOSError):
    """The router answered a command with ``!trap`` (the command ran and was refused)."""

    def __init__(self, command: str, message: str, category: int | None = None):
        self.command = command
        self.trap_message = message
        self.category = category
        super().__init__(
            ErrorCode.TRAP,
            _("The router refused %(cmd)s: %(msg)s") % {"cmd": command, "msg": message},
        )


@dataclass(frozen=True)
class Version:
    """A RouterOS version (``7.16.1 (stable)`` → 7, 16, 1)."""

    major: int
    minor: int
    patch: int = 0
    text: str = ""

    @classmethod
    def parse(cls, text: str) -> Version:
        match = re.match(r"\s*(\d+)\.(\d+)(?:\.(\d+))?", text or "")
        if not match:
            return cls(0, 0, 0, text or "")
        major, minor, patch = match.groups()
        return cls(int(major), int(minor), int(patch or 0), (text or "").strip())

    def at_least(self, major: int, minor: int = 0) -> bool:
        return (self.major, self.minor) >= (major, minor)

    @property
    def has_pool_used(self) -> bool:
        """``/ip/pool/used`` answers only from RouterOS 7.15."""
        return self.at_least(7, 15)

    @property
    def has_wireguard(self) -> bool:
        return self.major >= 7

    def __str__(self) -> str:
        return self.text or f"{self.major}.{self.minor}.{self.patch}"


def default_timeout() -> float:
    return float(getattr(settings, "ROUTEROS_TIMEOUT", 5))


def tls_context() -> ssl.SSLContext:
    """api-ssl without a certificate on the router: anonymous DH, nothing to verify."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_ciphers(TLS_CIPHERS)
    return ctx


def _login(api, username: str, password: str) -> None:
    """``/login`` with the password; a pre-6.43 router answers with a challenge instead."""
    reply, _rows = _exchange(api, "/login", (f"=name={username}", f"=password={password}"))
    challenge = reply.get("ret")
    if challenge:
        response = encode_password(challenge, password)
        _exchange(api, "/login", (f"=name={username}", f"=response={response}"))


def _parse_attrs(words) -> dict[str, str]:
    attrs: dict[str, str] = {}
    for word in words:
        if word.startswith("="):
            key, _sep, value = word[1:].partition("=")
            attrs[key] = value
        elif word.startswith(".tag="):
            attrs[".tag"] = word[5:]
    return attrs


def _exchange(api, command: str, words) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Send one sentence and read until ``!done``: (the ``!done`` attributes, the ``!re`` rows).

    A ``!trap`` is read through to its ``!done`` (the session stays usable), then raised.
    """
    api.protocol.writeSentence(command, *words)
    rows: list[dict[str, str]] = []
    traps: list[dict[str, str]] = []
    while True:
        reply_word, reply_words = api.protocol.readSentence()
        attrs = _parse_attrs(reply_words)
        if reply_word == "!re":
            rows.append(attrs)
        elif reply_word == "!trap":
            traps.append(attrs)
        elif reply_word == "!done":
            break
        # "!empty" (RouterOS ≥ 7.18, no rows) and anything unknown: nothing to keep.
    if traps:
        first = traps[0]
        category = first.get("category")
        raise TrapError(
            message=first.get("message", ""),
            category=int(category) if category and category.isdigit() else None,
        )
    return attrs, rows


def _endpoint(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def translate(exc: BaseException, *, host: str, port: int, tls: bool, timeout: float, stage: str):
    """The :class:`RouterOSError` a user should read for a low-level failure."""
    where = _endpoint(host, port)
    service = "api-ssl" if tls else "api"
    if isinstance(exc, RouterOSError):
        return exc
    if isinstance(exc, TrapError | MultiTrapError):
        message = str(exc)
        if stage == "login":
            return RouterOSError(
                ErrorCode.AUTH,
                _(
                    "The router refused the API user name or password (%(msg)s). Check the "
                    "API user and password, and that the user's group has the “api” policy."
                )
                % {"msg": message},
                detail=message,
            )
        return RouterOSTrap(stage, message, getattr(exc, "category", None))
    if isinstance(exc, FatalError):
        reason = str(exc)
        if stage == "login":
            return RouterOSError(
                ErrorCode.AUTH,
                _("The router ended the session at login: %(reason)s") % {"reason": reason},
                detail=reason,
            )
        return RouterOSError(
            ErrorCode.CLOSED,
            _("The router ended the API session: %(reason)s") % {"reason": reason},
            detail=reason,
        )
    tls_failure = isinstance(exc, ssl.SSLError | ssl.CertificateError) or (
        tls and stage == "connect" and isinstance(exc, ConnectionResetError | ConnectionClosed)
    )
    if tls_failure:
        return RouterOSError(
            ErrorCode.TLS,
            _(
                "The TLS handshake with %(where)s failed (%(reason)s). Check that api-ssl is "
                "enabled on that port (/ip service enable api-ssl), or turn TLS off and use "
                "the plain API port 8728."
            )
            % {"where": where, "reason": getattr(exc, "reason", None) or exc},
            detail=str(exc),
        )
    if isinstance(exc, ConnectionClosed | ConnectionResetError | BrokenPipeError):
        return RouterOSError(
            ErrorCode.CLOSED,
            _(
                "%(where)s closed the connection during %(stage)s. Check that the TLS setting "
                "matches the port (api 8728 plain, api-ssl 8729 TLS) and that the router "
                "allows the API from this server (/ip service set %(service)s address=…)."
            )
            % {"where": where, "stage": stage, "service": service},
        )
    if isinstance(exc, socket.timeout | TimeoutError):
        if stage == "connect":
            return RouterOSError(
                ErrorCode.TIMEOUT,
                _(
                    "No answer from %(where)s within %(s)s seconds: the router is unreachable, "
                    "the address is wrong, or a firewall drops the API port."
                )
                % {"where": where, "s": f"{timeout:g}"},
            )
        return RouterOSError(
            ErrorCode.TIMEOUT,
            _(
                "%(where)s accepted the connection but stopped answering during %(stage)s "
                "(%(s)s seconds). Is this port the RouterOS API (%(service)s)?"
            )
            % {"where": where, "stage": stage, "s": f"{timeout:g}", "service": service},
        )
    if isinstance(exc, ConnectionRefusedError):
        return RouterOSError(
            ErrorCode.REFUSED,
            _(
                "%(where)s refused the connection: the API service is disabled or listens on "
                "another port. On the router run /ip service enable %(service)s and check its "
                "port."
            )
            % {"where": where, "service": service},
        )
    if isinstance(exc, socket.gaierror):
        return RouterOSError(
            ErrorCode.UNREACHABLE,
            _("The router's address %(host)s cannot be resolved.") % {"host": host},
        )
    if isinstance(exc, OSError) and exc.errno in (
        errno.EHOSTUNREACH,
        errno.ENETUNREACH,
        errno.EHOSTDOWN,
        errno.EADDRNOTAVAIL,
    ):
        return RouterOSError(
            ErrorCode.UNREACHABLE,
            _("%(where)s is unreachable from this server (%(reason)s).")
            % {"where": where, "reason": exc.strerror or exc},
        )
    if isinstance(exc, ProtocolError | LibRouterosError | UnicodeError | ValueError | IndexError):
        return RouterOSError(
            ErrorCode.PROTOCOL,
            _(
                "%(where)s answered something that is not the RouterOS API (%(reason)s). "
                "Check the port (API 8728, api-ssl 8729) and the TLS setting."
            )
            % {"where": where, "reason": exc},
        )
    if isinstance(exc, OSError):
        return RouterOSError(
            ErrorCode.UNREACHABLE,
            _("Cannot reach %(where)s: %(reason)s") % {"where": where, "reason": exc},
        )
    raise exc


class RouterOSClient:
    """One API session with a router.  Use as a context manager::

    with RouterOSClient(host, user, password, port=8728) as ros:
        ros.print("/ppp/secret")
    """

    def __init__(
        self,
        host: str,
        username: str,
        password: str,
        *,
        port: int | None = None,
        tls: bool = False,
        timeout: float | None = None,
    ):
        self.host = host
        self.username = username
        self.password = password
        self.tls = tls
        self.port = port or (DEFAULT_TLS_PORT if tls else DEFAULT_PORT)
        self.timeout = default_timeout() if timeout is None else timeout
        self._api = None
        self._version: Version | None = None
        self._resource: dict[str, str] | None = None

    @classmethod
    def for_router(cls, router, *, timeout: float | None = None) -> RouterOSClient:
        return cls(
            router.address,
            router.api_username,
            router.api_password,
            port=router.api_port,
            tls=router.api_tls,
            timeout=timeout,
        )

    # --- session

    def _fail(self, exc: BaseException, stage: str) -> RouterOSError:
        return translate(
            exc,
            host=self.host,
            port=self.port,
            tls=self.tls,
            timeout=self.timeout,
            stage=stage,
        )

    def connect(self) -> RouterOSClient:
        wrapper = None
        if self.tls:
            ctx = tls_context()
            wrapper = lambda sock: ctx.wrap_socket(sock)  # noqa: E731
        stage = "connect"

        def login(api, username, password):
            nonlocal stage
            stage = "login"
            _login(api, username, password)

        try:
            self._api = ros_connect(
                self.host,
                self.username,
                self.password,
                port=self.port,
                timeout=self.timeout,
                encoding="utf-8",
                ssl_wrapper=wrapper,
                login_method=login,
            )
        except Exception as exc:  # every failure becomes a message the user can act on
            raise self._fail(exc, stage) from exc
        return self

    def close(self) -> None:
        if self._api is not None:
            with contextlib.suppress(OSError):
                self._api.close()
            self._api = None

    def __enter__(self) -> RouterOSClient:
        return self.connect()

    def __exit__(self, *exc_info) -> None:
        self.close()

    # --- commands

    def run(self, command: str, *words: str) -> tuple[dict[str, str], list[dict[str, str]]]:
        """Send ``command`` with raw API words; (``!done`` attributes, ``!re`` rows)."""
        if self._api is None:
            self.connect()
        try:
            return _exchange(self._api, command, words)
        except Exception as exc:
            error = self._fail(exc, command)
            if not isinstance(error, RouterOSTrap):
                self.close()
            raise error from exc

    def print(
        self, path: str, *, proplist: list[str] | None = None, where: dict | None = None
    ) -> list[dict[str, str]]:
        """``<path>/print``: every item, optionally only ``proplist`` fields and items whose
        fields equal ``where``."""
        words = []
        if proplist:
            words.append("=.proplist=" + ",".join(proplist))
        for key, value in (where or {}).items():
            words.append(f"?={key}={value}")
        return self.run(f"{path}/print", *words)[1]

    def add(self, path: str, **attrs: str) -> str:
        """``<path>/add``; the new item's ``.id``."""
        done, _rows = self.run(f"{path}/add", *_attr_words(attrs))
        return done.get("ret", "")

    def set(self, path: str, item_id: str, **attrs: str) -> None:
        self.run(f"{path}/set", f"=.id={item_id}", *_attr_words(attrs))

    def remove(self, path: str, *item_ids: str) -> None:
        self.run(f"{path}/remove", "=.id=" + ",".join(item_ids))

    # --- what netbill reads

    def resource(self) -> dict[str, str]:
        if self._resource is None:
            rows = self.print("/system/resource")
            self._resource = rows[0] if rows else {}
            self._version = Version.parse(self._resource.get("version", ""))
        return self._resource

    @property
    def version(self) -> Version:
        if self._version is None:
            self.resource()
        return self._version

    def identity(self) -> str:
        rows = self.print("/system/identity")
        return rows[0].get("name", "") if rows else ""

    def pool_used(self) -> list[dict[str, str]] | None:
        """Addresses handed out per pool (RouterOS ≥ 7.15); None where the menu is missing."""
        if not self.version.has_pool_used:
            return None
        return self.print("/ip/pool/used")

    def log(self, limit: int = 100) -> list[dict[str, str]]:
        """The newest ``limit`` entries of ``/log``, newest first."""
        rows = self.print("/log")
        return list(reversed(rows[-limit:]))


def _attr_words(attrs: dict) -> list[str]:
    words = []
    for key, value in attrs.items():
        if isinstance(value, bool):
            value = "yes" if value else "no"
        words.append(f"={key}={'' if value is None else value}")
    return words
