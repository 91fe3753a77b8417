"""A fake MikroTik router: a threaded TCP server on 127.0.0.1 speaking the RouterOS API
wire protocol, with in-memory menus.  The tests, the demo and the benchmarks talk to it
exactly as they would to a router, through :mod:`netbill.network.routeros`.

Written from the protocol description (``docs/network.md`` → Routers, and the MikroTik API
manual): a word is its length (1–5 bytes, see :func:`encode_length`) and its bytes; a
sentence is words ended by an empty word; the first word of a request is the command, the
first word of a reply is ``!re`` (one item), ``!done`` (last, may carry ``=ret=``),
``!trap`` (error, followed by ``!done``), ``!empty`` (≥ 7.18, no items) or ``!fatal``
(the router closes).  A request's ``.tag=X`` is echoed on every reply sentence.

Menus: ``/system/resource``, ``/system/identity``, ``/ppp/secret``, ``/ppp/profile``,
``/ppp/active``, ``/ip/pool``, ``/ip/pool/used`` (7.15+), ``/interface``, ``/log``; commands
``print`` (``=.proplist=``, ``=count-only=``, queries ``?name=v`` / ``?=name=v`` / ``?name`` /
``?-name`` / ``?<name=v`` / ``?>name=v`` / ``?#|&!.``), ``add`` (``!done =ret=*N``), ``set``,
``remove``.  Unknown parameters, missing required ones, duplicate names and a profile
pointing at a pool that does not exist are refused with ``!trap`` like a router does.

Run one for the demo::

    python -m netbill.network.fake_routeros --port 8728 --user admin --password admin --demo
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import ipaddress
import secrets
import socket
import socketserver
import ssl
import threading
from collections.abc import Callable

# --- the wire format ---------------------------------------------------------------------------


class ProtocolViolation(Exception):
    """The peer sent bytes that are not the RouterOS API."""


def encode_length(length: int) -> bytes:
    """A word's length prefix: 1 byte below 0x80, then 2, 3, 4 bytes with the top bits
    marking the size (10, 110, 1110), and 0xF0 + 4 bytes beyond 0x10000000."""
    if length < 0:
        raise ValueError("negative length")
    if length < 0x80:
        return bytes((length,))
    if length < 0x4000:
        return (0x8000 | length).to_bytes(2, "big")
    if length < 0x200000:
        return (0xC00000 | length).to_bytes(3, "big")
    if length < 0x10000000:
        return (0xE0000000 | length).to_bytes(4, "big")
    if length < 0x100000000:
        return b"\xf0" + length.to_bytes(4, "big")
    raise ValueError("a word cannot be longer than 4 GiB")


def decode_length(read: Callable[[int], bytes]) -> int:
    """Read a length prefix with ``read(n)``; control bytes (≥ 0xF8) are a violation."""
    first = read(1)[0]
    if first < 0x80:
        return first
    if first < 0xC0:
        return ((first & 0x3F) << 8) | read(1)[0]
    if first < 0xE0:
        return ((first & 0x1F) << 16) | int.from_bytes(read(2), "big")
    if first < 0xF0:
        return ((first & 0x0F) << 24) | int.from_bytes(read(3), "big")
    if first == 0xF0:
        return int.from_bytes(read(4), "big")
    raise ProtocolViolation(f"control byte {first:#x}")


def encode_word(word: str | bytes) -> bytes:
    data = word.encode("utf-8") if isinstance(word, str) else word
    return encode_length(len(data)) + data


def encode_sentence(words) -> bytes:
    return b"".join(encode_word(w) for w in words) + b"\x00"


def read_sentence(read: Callable[[int], bytes], max_word: int = 16 * 1024 * 1024) -> list[str]:
    """One sentence (the words before the empty word)."""
    words = []
    while True:
        length = decode_length(read)
        if length == 0:
            return words
        if length > max_word:
            raise ProtocolViolation(f"word of {length} bytes")
        words.append(read(length).decode("utf-8", errors="replace"))


# --- the menus ---------------------------------------------------------------------------------

BOOL_FIELDS = {"disabled", "running", "dynamic", "default", "radius", "invalid"}


class Menu:
    """What one menu path holds and accepts."""

    def __init__(
        self,
        path: str,
        fields: tuple[str, ...],
        *,
        commands: tuple[str, ...] = ("print", "add", "set", "remove"),
        key: str | None = "name",
        required: tuple[str, ...] = ("name",),
        defaults: dict | None = None,
        single: bool = False,
        noun: str = "item",
        min_version: tuple[int, int] = (0, 0),
    ):
        self.path = path
        self.fields = fields
        self.commands = commands
        self.key = key
        self.required = required
        self.defaults = defaults or {}
        self.single = single
        self.noun = noun
        self.min_version = min_version


MENUS = {
    m.path: m
    for m in (
        Menu(
            "/system/resource",
            (
                "uptime",
                "version",
                "build-time",
                "free-memory",
                "total-memory",
                "cpu",
                "cpu-count",
                "cpu-frequency",
                "cpu-load",
                "free-hdd-space",
                "total-hdd-space",
                "architecture-name",
                "board-name",
                "platform",
            ),
            commands=("print",),
            key=None,
            single=True,
        ),
        Menu("/system/identity", ("name",), commands=("print", "set"), key=None, single=True),
        Menu(
            "/ppp/secret",
            (
                "name",
                "password",
                "profile",
                "service",
                "local-address",
                "remote-address",
                "caller-id",
                "routes",
                "limit-bytes-in",
                "limit-bytes-out",
                "disabled",
                "comment",
            ),
            defaults={"profile": "default", "service": "any", "disabled": "false"},
            noun="secret",
        ),
        Menu(
            "/ppp/profile",
            (
                "name",
                "local-address",
                "remote-address",
                "rate-limit",
                "dns-server",
                "only-one",
                "address-list",
                "session-timeout",
                "idle-timeout",
                "parent-queue",
                "on-up",
                "on-down",
                "use-encryption",
                "change-tcp-mss",
                "default",
                "comment",
            ),
            defaults={"only-one": "default", "use-encryption": "default", "default": "false"},
            noun="profile",
        ),
        Menu(
            "/ppp/active",
            (
                "name",
                "service",
                "caller-id",
                "address",
                "uptime",
                "encoding",
                "session-id",
                "radius",
            ),
            commands=("print", "remove"),
            key=None,
        ),
        Menu(
            "/ip/pool",
            ("name", "ranges", "next-pool", "comment"),
            required=("name", "ranges"),
            noun="pool",
        ),
        Menu(
            "/ip/pool/used",
            ("pool", "address", "owner", "info"),
            commands=("print",),
            key=None,
            min_version=(7, 15),
        ),
        Menu(
            "/interface",
            (
                "name",
                "type",
                "mtu",
                "actual-mtu",
                "mac-address",
                "running",
                "disabled",
                "rx-byte",
                "tx-byte",
                "rx-packet",
                "tx-packet",
                "comment",
            ),
            commands=("print", "set"),
        ),
        Menu("/log", ("time", "topics", "message"), commands=("print",), key=None),
    )
}


def _bool(value: str) -> str:
    return "true" if value in ("yes", "true") else "false"


def _parse_version(text: str) -> tuple[int, int, int]:
    parts = (text.split(" ")[0].split(".") + ["0", "0"])[:3]
    try:
        return int(parts[0]), int(parts[1]), int(parts[2])
    except ValueError:
        return 0, 0, 0


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _valid_ranges(value: str) -> bool:
    for part in value.split(","):
        part = part.strip()
        try:
            if "/" in part:
                ipaddress.ip_network(part, strict=False)
            elif "-" in part:
                first, last = part.split("-", 1)
                if int(ipaddress.ip_address(last)) < int(ipaddress.ip_address(first)):
                    return False
            else:
                ipaddress.ip_address(part)
        except ValueError:
            return False
    return bool(value.strip())


class Trap(Exception):
    def __init__(self, message: str, category: int | None = None):
        super().__init__(message)
        self.message = message
        self.category = category


# --- the server --------------------------------------------------------------------------------


class FakeRouterOS:
    """A fake router.  ``with FakeRouterOS(version="7.16") as router: router.port``.

    ``version`` below 6.43 logs in with the challenge (MD5) method only.  Tests change the
    menus through :meth:`add_item` / :meth:`items`, make a command answer ``!trap`` with
    :meth:`fail`, and read what was sent in :attr:`commands`.
    """

    def __init__(
        self,
        *,
        version: str = "7.16",
        username: str = "admin",
        password: str = "secret",  # noqa: S107 (a fake router)
        host: str = "127.0.0.1",
        port: int = 0,
        tls: bool = False,
        silent: bool = False,
        seed: bool = True,
    ):
        self.version = version
        self.version_tuple = _parse_version(version)
        self.username = username
        self.password = password
        self.host = host
        self.requested_port = port
        self.tls = tls
        # Accept connections and read, never answer (a firewall or a wrong service).
        self.silent = silent
        self.lock = threading.RLock()
        self.menus: dict[str, list[dict[str, str]]] = {path: [] for path in MENUS}
        self.traps: dict[str, Trap] = {}
        self.commands: list[tuple[str, list[str]]] = []
        self.logins: list[str] = []  # "plain" / "challenge" per successful login
        self._next_id = 1
        self._port = port
        self._server: socketserver.ThreadingTCPServer | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        if seed:
            self.seed()

    # --- lifecycle

    @property
    def legacy_login(self) -> bool:
        return self.version_tuple[:2] < (6, 43)

    @property
    def port(self) -> int:
        return self._port

    @property
    def address(self) -> tuple[str, int]:
        return self.host, self.port

    def start(self) -> FakeRouterOS:
        fake = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                fake._serve(self.request, self.client_address)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server((self.host, self.requested_port), Handler)
        self._port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        with self.lock:
            for conn in list(self._connections):
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                conn.close()
            self._connections.clear()
        self._server = None

    def __enter__(self) -> FakeRouterOS:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # --- what tests set and read

    def new_id(self) -> str:
        with self.lock:
            value = self._next_id
            self._next_id += 1
        return f"*{value:X}"

    def add_item(self, path: str, fields: dict | None = None, **kwargs) -> dict[str, str]:
        """Put an item straight into a menu (``remote_address=`` → ``remote-address``)."""
        values = {**(fields or {}), **{k.replace("_", "-"): v for k, v in kwargs.items()}}
        menu = MENUS[path]
        with self.lock:
            item = {".id": self.new_id()} if not menu.single else {}
            item.update(menu.defaults)
            item.update({k: self._store(k, v) for k, v in values.items()})
            if menu.single:
                self.menus[path] = [item]
            else:
                self.menus[path].append(item)
        return item

    def items(self, path: str) -> list[dict[str, str]]:
        with self.lock:
            return copy.deepcopy(self.menus[path])

    def find(self, path: str, name: str) -> dict[str, str] | None:
        return next((i for i in self.items(path) if i.get("name") == name), None)

    def set_resource(self, **kwargs) -> None:
        with self.lock:
            self.menus["/system/resource"][0].update(
                {k.replace("_", "-"): str(v) for k, v in kwargs.items()}
            )

    def fail(self, command: str, message: str, category: int | None = None) -> None:
        """Answer ``command`` (e.g. ``/ppp/secret/print``) with ``!trap`` from now on."""
        self.traps[command] = Trap(message, category)

    def clear_failures(self) -> None:
        self.traps.clear()

    def log(self, message: str, topics: str = "system,info") -> None:
        with self.lock:
            count = len(self.menus["/log"])
            self.add_item(
                "/log",
                time=f"12:{count // 60 % 60:02d}:{count % 60:02d}",
                topics=topics,
                message=message,
            )

    @staticmethod
    def _store(key: str, value) -> str:
        if isinstance(value, bool):
            value = "true" if value else "false"
        value = "" if value is None else str(value)
        return _bool(value) if key in BOOL_FIELDS else value

    def seed(self) -> None:
        """What a fresh router has: resource, identity, interfaces, default profiles, a log."""
        major = self.version_tuple[0]
        channel = "long-term" if major < 7 else "stable"
        self.add_item(
            "/system/resource",
            {
                "uptime": "1w2d3h4m5s",
                "version": f"{self.version} ({channel})",
                "build-time": "2024-09-20 13:00:27",
                "free-memory": "805306368",
                "total-memory": "1073741824",
                "cpu": "ARM64" if major >= 7 else "tilegx",
                "cpu-count": "4",
                "cpu-frequency": "1400",
                "cpu-load": "7",
                "free-hdd-space": "100663296",
                "total-hdd-space": "134217728",
                "architecture-name": "arm64" if major >= 7 else "tile",
                "board-name": "CCR2004-1G-12S+2XS" if major >= 7 else "CCR1036-8G-2S+",
                "platform": "MikroTik",
            },
        )
        self.add_item("/system/identity", name="MikroTik")
        for name, kind, rx, tx in (
            ("ether1", "ether", "123456789012", "98765432109"),
            ("ether2", "ether", "5555555555", "4444444444"),
            ("bridge-pppoe", "bridge", "0", "0"),
        ):
            self.add_item(
                "/interface",
                name=name,
                type=kind,
                mtu="1500",
                running=True,
                disabled=False,
                rx_byte=rx,
                tx_byte=tx,
            )
        with self.lock:
            # RouterOS's built-in profiles keep their fixed ids.
            self.menus["/ppp/profile"] = [
                {".id": "*0", "name": "default", "only-one": "default", "default": "true"},
                {
                    ".id": "*FFFFFFFE",
                    "name": "default-encryption",
                    "only-one": "default",
                    "use-encryption": "yes",
                    "default": "true",
                },
            ]
        self.log("router rebooted")

    def seed_demo(self) -> None:
        """A few pools, profiles, secrets and sessions, for the demo and the benchmarks."""
        self.add_item("/ip/pool", name="pool-home", ranges="10.10.0.2-10.10.3.254")
        self.add_item(
            "/ppp/profile",
            name="home-10M",
            remote_address="pool-home",
            local_address="10.10.0.1",
            rate_limit="10M/10M",
            only_one="yes",
        )
        self.add_item(
            "/ppp/profile",
            name="home-20M",
            remote_address="pool-home",
            local_address="10.10.0.1",
            rate_limit="20M/20M",
            only_one="yes",
        )
        for n in range(1, 13):
            profile = "home-10M" if n % 3 else "home-20M"
            self.add_item(
                "/ppp/secret",
                name=f"mt-user{n:02d}",
                password=f"pw{n:04d}",
                profile=profile,
                service="pppoe",
                comment=f"Imported User {n} 01711{n:06d}",
                caller_id=f"AA:BB:CC:00:00:{n:02X}" if n % 4 == 0 else "",
            )
        for n in range(1, 5):
            self.add_item(
                "/ppp/active",
                name=f"mt-user{n:02d}",
                service="pppoe",
                address=f"10.10.0.{n + 10}",
                caller_id=f"AA:BB:CC:00:00:{n:02X}",
                uptime=f"{n}h{n}m",
                radius=False,
            )
            self.add_item(
                "/ip/pool/used",
                pool="pool-home",
                address=f"10.10.0.{n + 10}",
                owner=f"mt-user{n:02d}",
                info="ppp",
            )

    # --- one connection

    def _serve(self, raw: socket.socket, client_address) -> None:
        with self.lock:
            self._connections.add(raw)
        sock = raw
        try:
            if self.tls:
                sock = self._tls_wrap(raw)
                if sock is None:
                    return
            elif sock.recv(1, socket.MSG_PEEK) == b"\x16":
                return  # a TLS ClientHello on the plain API port: nothing to say
            reader = sock.makefile("rb")

            def read(n: int) -> bytes:
                data = reader.read(n)
                if data is None or len(data) < n:
                    raise EOFError
                return data

            session = {"logged_in": False, "challenge": None, "peer": client_address[0]}
            while True:
                try:
                    words = read_sentence(read)
                except (EOFError, OSError, ProtocolViolation, ssl.SSLError):
                    return
                if not words:
                    continue  # empty sentences are ignored
                if self.silent:
                    continue
                replies, close = self._answer(words, session)
                try:
                    sock.sendall(b"".join(encode_sentence(r) for r in replies))
                except OSError:
                    return
                if close:
                    return
        finally:
            with self.lock:
                self._connections.discard(raw)
            for one in (sock, raw):
                try:
                    if one is not None:
                        one.close()
                except OSError:
                    pass

    def _tls_wrap(self, sock: socket.socket):
        # RouterOS without a certificate offers only anonymous key exchange; AECDH needs no
        # DH parameters, and the client offers it next to ADH.
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        ctx.set_ciphers("AECDH:@SECLEVEL=0")
        try:
            return ctx.wrap_socket(sock, server_side=True)
        except (ssl.SSLError, OSError):
            sock.close()
            return None

    def _answer(self, words: list[str], session: dict) -> tuple[list[list[str]], bool]:
        command, args = words[0], words[1:]
        attrs: dict[str, str] = {}
        queries: list[str] = []
        tag = None
        for word in args:
            if word.startswith("="):
                key, _sep, value = word[1:].partition("=")
                attrs[key] = value
            elif word.startswith("?"):
                queries.append(word)
            elif word.startswith(".tag="):
                tag = word[5:]
        with self.lock:
            self.commands.append((command, list(args)))

        def tagged(sentences):
            if tag is None:
                return sentences
            return [[*s, f".tag={tag}"] for s in sentences]

        if command == "/quit":
            return [["!fatal", "session terminated on request"]], True
        try:
            if command == "/login":
                return tagged(self._login(attrs, session)), False
            if not session["logged_in"]:
                raise Trap("not logged in")
            if command in self.traps:
                raise self.traps[command]
            if command == "/cancel":
                return tagged([["!done"]]), False
            rows, done = self._run(command, attrs, queries)
        except Trap as trap:
            sentence = ["!trap"]
            if trap.category is not None:
                sentence.append(f"=category={trap.category}")
            sentence.append(f"=message={trap.message}")
            return tagged([sentence, ["!done"]]), False
        replies = [["!re", *(f"={k}={v}" for k, v in row.items())] for row in rows]
        if not rows and self.version_tuple[:2] >= (7, 18) and command.endswith("/print"):
            replies.append(["!empty"])
        replies.append(["!done", *(f"={k}={v}" for k, v in done.items())])
        return tagged(replies), False

    def _login(self, attrs: dict, session: dict) -> list[list[str]]:
        name = attrs.get("name")
        if "response" in attrs:
            challenge = session.get("challenge")
            expected = None
            if challenge is not None:
                digest = hashlib.md5(
                    b"\x00" + self.password.encode() + bytes.fromhex(challenge),
                    usedforsecurity=False,
                ).hexdigest()
                expected = "00" + digest
            if name == self.username and attrs["response"] == expected:
                session["logged_in"] = True
                self.logins.append("challenge")
                self.log(
                    f"user {name} logged in from {session['peer']} via api", "system,info,account"
                )
                return [["!done"]]
            raise Trap("cannot log in")
        if self.legacy_login or "password" not in attrs:
            # Before 6.43 every /login answers with a challenge (the password is ignored).
            session["challenge"] = secrets.token_hex(16)
            return [["!done", f"=ret={session['challenge']}"]]
        if name == self.username and attrs["password"] == self.password:
            session["logged_in"] = True
            self.logins.append("plain")
            self.log(f"user {name} logged in from {session['peer']} via api", "system,info,account")
            return [["!done"]]
        self.log(
            f"login failure for user {name} from {session['peer']} via api", "system,error,critical"
        )
        raise Trap("invalid user name or password (6)")

    def _run(self, command: str, attrs: dict, queries: list[str]):
        path, _slash, verb = command.rpartition("/")
        menu = MENUS.get(path)
        if menu is None or self.version_tuple[:2] < menu.min_version:
            raise Trap("no such command prefix", 0)
        if verb not in menu.commands:
            raise Trap("no such command", 0)
        with self.lock:
            items = self.menus[path]
            if verb == "print":
                return self._print(menu, items, attrs, queries)
            if verb == "add":
                return [], {"ret": self._add(menu, items, attrs)}
            if verb == "set":
                self._set(menu, items, attrs)
                return [], {}
            if verb == "remove":
                ids = attrs.get(".id", attrs.get("numbers", ""))
                targets = [self._resolve(menu, items, one) for one in ids.split(",") if one]
                if not targets:
                    raise Trap("missing value(s) of argument(s) .id")
                for item in targets:
                    items.remove(item)
                return [], {}
        raise Trap("no such command", 0)

    def _print(self, menu: Menu, items, attrs: dict, queries: list[str]):
        unknown = set(attrs) - {".proplist", "count-only", "detail", "without-paging", "stats"}
        if unknown:
            raise Trap(f"unknown parameter {sorted(unknown)[0]}")
        selected = [i for i in items if _matches(i, queries)]
        if "count-only" in attrs:
            return [], {"ret": str(len(selected))}
        proplist = [p for p in attrs.get(".proplist", "").split(",") if p]
        rows = []
        for item in selected:
            if proplist:
                rows.append({k: item[k] for k in proplist if k in item})
            else:
                rows.append(dict(item))
        return rows, {}

    def _check_values(self, menu: Menu, values: dict, items, current: dict | None) -> None:
        for key in values:
            if key not in menu.fields:
                raise Trap(f"unknown parameter {key}")
        if menu.path == "/ip/pool" and "ranges" in values and not _valid_ranges(values["ranges"]):
            raise Trap("invalid value for argument ranges", 1)
        if menu.path == "/ppp/profile":
            for key in ("remote-address", "local-address"):
                value = values.get(key)
                if not value or _is_address(value):
                    continue
                pools = {p["name"] for p in self.menus["/ip/pool"]}
                if value not in pools:
                    raise Trap(f"input does not match any value of {key}", 1)
        if menu.key and menu.key in values:
            clash = [i for i in items if i.get(menu.key) == values[menu.key] and i is not current]
            if clash:
                raise Trap(f"failure: {menu.noun} with the same name already exists")

    def _add(self, menu: Menu, items, attrs: dict) -> str:
        missing = [f for f in menu.required if not attrs.get(f)]
        if missing:
            raise Trap(f"missing value(s) of argument(s) {','.join(missing)}")
        self._check_values(menu, attrs, items, None)
        item = {".id": self.new_id(), **menu.defaults}
        item.update({k: self._store(k, v) for k, v in attrs.items()})
        items.append(item)
        return item[".id"]

    def _set(self, menu: Menu, items, attrs: dict) -> None:
        values = dict(attrs)
        if menu.single:
            target = items[0]
        else:
            ident = values.pop(".id", None) or values.pop("numbers", None)
            if not ident:
                raise Trap("missing value(s) of argument(s) .id")
            target = self._resolve(menu, items, ident)
        self._check_values(menu, values, items, target)
        target.update({k: self._store(k, v) for k, v in values.items()})

    @staticmethod
    def _resolve(menu: Menu, items, ident: str) -> dict:
        for item in items:
            if item.get(".id") == ident or (menu.key and item.get(menu.key) == ident):
                return item
        raise Trap("no such item", 0)


def _matches(item: dict, queries: list[str]) -> bool:
    """Evaluate print queries on a stack: each test pushes a result; ``?#`` operators
    combine them (``!`` not, ``&`` and, ``|`` or, ``.`` duplicate); all that remain must hold."""
    stack: list[bool] = []
    for word in queries:
        body = word[1:]
        if body.startswith("#"):
            for op in body[1:]:
                if op == "!" and stack:
                    stack.append(not stack.pop())
                elif op in "&|" and len(stack) >= 2:
                    right, left = stack.pop(), stack.pop()
                    stack.append(left and right if op == "&" else left or right)
                elif op == "." and stack:
                    stack.append(stack[-1])
            continue
        if body.startswith("="):
            body = body[1:]
        if body[:1] in ("<", ">"):
            op, (key, _sep, value) = body[0], body[1:].partition("=")
            have = item.get(key)
            if have is None:
                stack.append(False)
                continue
            try:
                left, right = int(have), int(value)
            except ValueError:
                left, right = have, value
            stack.append(left < right if op == "<" else left > right)
        elif body.startswith("-"):
            stack.append(body[1:] not in item)
        elif "=" in body:
            key, _sep, value = body.partition("=")
            have = item.get(key)
            if key in BOOL_FIELDS and have is not None:
                value = _bool(value)
            stack.append(have == value)
        else:
            stack.append(body in item)
    return all(stack)


def main(argv=None) -> None:
    import argparse
    import time

    parser = argparse.ArgumentParser(description="A fake MikroTik RouterOS API server.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8728)
    parser.add_argument("--version", default="7.16")
    parser.add_argument("--user", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--demo", action="store_true", help="add pools, profiles and secrets")
    args = parser.parse_args(argv)
    router = FakeRouterOS(
        version=args.version,
        username=args.user,
        password=args.password,
        host=args.host,
        port=args.port,
    )
    if args.demo:
        router.seed_demo()
    router.start()
    print(f"fake RouterOS {args.version} on {router.host}:{router.port}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        router.stop()


if __name__ == "__main__":
    main()
