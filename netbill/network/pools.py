"""IP pool ranges: parsing, sizes, overlap and membership (IPv4 and IPv6).

A pool's ``ranges`` is a comma (or newline, or semicolon) separated list of CIDR blocks
(``10.10.0.0/22``, ``2001:db8:100::/40``), ``first-last`` ranges
(``192.168.88.10-192.168.88.254``) or single addresses — the forms RouterOS's
``/ip pool`` takes.  Everything here is pure: no database, so it is cheap to test and reuse
(pool services, utilisation, VPN address allocation, the router push).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

Interval = tuple[int, int]  # first and last address as integers, inclusive
MAX_BITS = {4: 32, 6: 128}


@dataclass(frozen=True)
class Part:
    """One written part of a pool: its interval and, for a CIDR block, its prefix length."""

    text: str
    first: int
    last: int
    prefixlen: int | None = None

    @property
    def interval(self) -> Interval:
        return (self.first, self.last)


def _split(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,\n;]+", text or "") if part.strip()]


def _error(message: str) -> ValidationError:
    return ValidationError({"ranges": [message]})


def _address(text: str, version: int):
    addr = ipaddress.ip_address(text.strip())
    if addr.version != version:
        raise ValueError(text)
    return addr


def parse_parts(text: str, version: int) -> list[Part]:
    """The parts of ``text`` in address order; ValidationError (on ``ranges``) naming the bad
    part, or the two parts that overlap each other."""
    if version not in MAX_BITS:
        raise _error(_("Choose IPv4 or IPv6."))
    written = _split(text)
    if not written:
        raise _error(_("Give at least one range or CIDR block."))
    parts: list[Part] = []
    for part in written:
        try:
            if "/" in part:
                net = ipaddress.ip_network(part, strict=False)
                if net.version != version:
                    raise ValueError(part)
                parts.append(
                    Part(
                        part,
                        int(net.network_address),
                        int(net.broadcast_address),
                        net.prefixlen,
                    )
                )
            elif "-" in part:
                first_text, last_text = part.split("-", 1)
                first, last = _address(first_text, version), _address(last_text, version)
                if int(last) < int(first):
                    raise _error(
                        _("%(range)s: the last address comes before the first.") % {"range": part}
                    )
                parts.append(Part(part, int(first), int(last)))
            else:
                addr = _address(part, version)
                parts.append(Part(part, int(addr), int(addr)))
        except ValueError as exc:
            raise _error(
                _("%(range)s is not an IPv%(v)s range or CIDR block.")
                % {"range": part, "v": version}
            ) from exc
    parts.sort(key=lambda p: (p.first, p.last))
    for a, b in zip(parts, parts[1:], strict=False):
        if b.first <= a.last:
            raise _error(
                _("%(a)s and %(b)s overlap each other.") % {"a": a.text, "b": b.text},
            )
    return parts


def parse_ranges(text: str, version: int) -> list[Interval]:
    """The ranges of ``text`` as sorted intervals; ValidationError naming the bad part."""
    return [p.interval for p in parse_parts(text, version)]


def normalise(text: str, version: int) -> str:
    """``ranges`` as stored: the parts in address order, ``, ``-separated, CIDR blocks in
    their canonical form (``10.0.0.7/24`` → ``10.0.0.0/24``)."""
    out = []
    for part in parse_parts(text, version):
        if part.prefixlen is not None:
            out.append(str(ipaddress.ip_network(part.text, strict=False)))
        elif part.first == part.last:
            out.append(to_text(part.first, version))
        else:
            out.append(f"{to_text(part.first, version)}-{to_text(part.last, version)}")
    return ", ".join(out)


def size(intervals: Iterable[Interval]) -> int:
    return sum(last - first + 1 for first, last in intervals)


def overlaps(a: list[Interval], b: list[Interval]) -> bool:
    """Do two sorted interval lists share an address?"""
    i = j = 0
    while i < len(a) and j < len(b):
        if a[i][1] < b[j][0]:
            i += 1
        elif b[j][1] < a[i][0]:
            j += 1
        else:
            return True
    return False


def contains(intervals: list[Interval], address: str) -> bool:
    value = int(ipaddress.ip_address(address))
    return any(first <= value <= last for first, last in intervals)


def version_of(address: str) -> int:
    return ipaddress.ip_address(address).version


def to_text(value: int, version: int) -> str:
    return str(ipaddress.IPv4Address(value) if version == 4 else ipaddress.IPv6Address(value))


def bounds(intervals: list[Interval], version: int) -> list[tuple[str, str]]:
    """The intervals as (first, last) address strings, for SQL comparisons."""
    return [(to_text(first, version), to_text(last, version)) for first, last in intervals]


def networks(intervals: list[Interval], version: int) -> list:
    """The smallest list of CIDR networks covering exactly ``intervals``."""
    make = ipaddress.IPv4Address if version == 4 else ipaddress.IPv6Address
    out = []
    for first, last in intervals:
        out.extend(ipaddress.summarize_address_range(make(first), make(last)))
    return out


def host_addresses(parts: list[Part], version: int, skip: set[int] = frozenset()):
    """Addresses a host may take, in order: a CIDR block's network and broadcast addresses
    are left out (IPv4 blocks larger than /31), and so is every address in ``skip``."""
    for part in parts:
        first, last = part.first, part.last
        if version == 4 and part.prefixlen is not None and part.prefixlen <= 30:
            first, last = first + 1, last - 1
        value = first
        while value <= last:
            if value not in skip:
                yield value
            value += 1


def routeros_ranges(intervals: list[Interval], version: int) -> str:
    """The ``ranges`` value for ``/ip pool`` (first-last, comma separated)."""
    make = ipaddress.IPv4Address if version == 4 else ipaddress.IPv6Address
    return ",".join(f"{make(first)}-{make(last)}" for first, last in intervals)
