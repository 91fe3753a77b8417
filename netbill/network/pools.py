"""IP pool ranges: parsing, sizes, overlap and membership (IPv4 and IPv6).

A pool's ``ranges`` is a comma (or newline) separated list of CIDR blocks
(``10.10.0.0/22``, ``2001:db8:100::/40``) or ``first-last`` ranges
(``192.168.88.10-192.168.88.254``), the form RouterOS's ``/ip pool`` takes.
"""

from __future__ import annotations

import ipaddress
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

Interval = tuple[int, int]  # first and last address as integers, inclusive


def _split(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,\n;]+", text or "") if part.strip()]


def parse_ranges(text: str, version: int) -> list[Interval]:
    """The ranges of ``text`` as sorted intervals; ValidationError naming the bad part."""
    parts = _split(text)
    if not parts:
        raise ValidationError({"ranges": [_("Give at least one range or CIDR block.")]})
    out: list[Interval] = []
    for part in parts:
        try:
            if "/" in part:
                net = ipaddress.ip_network(part, strict=False)
                if net.version != version:
                    raise ValueError
                out.append((int(net.network_address), int(net.broadcast_address)))
            elif "-" in part:
                first_text, last_text = (x.strip() for x in part.split("-", 1))
                first = ipaddress.ip_address(first_text)
                last = ipaddress.ip_address(last_text)
                if first.version != version or last.version != version:
                    raise ValueError
                if int(last) < int(first):
                    raise ValidationError(
                        {
                            "ranges": [
                                _("%(range)s: the last address comes before the first.")
                                % {"range": part}
                            ]
                        }
                    )
                out.append((int(first), int(last)))
            else:
                addr = ipaddress.ip_address(part)
                if addr.version != version:
                    raise ValueError
                out.append((int(addr), int(addr)))
        except ValueError as exc:
            raise ValidationError(
                {
                    "ranges": [
                        _("%(range)s is not an IPv%(v)s range or CIDR block.")
                        % {"range": part, "v": version}
                    ]
                }
            ) from exc
    out.sort()
    for (_a_first, a_last), (b_first, _b_last) in zip(out, out[1:], strict=False):
        if b_first <= a_last:
            raise ValidationError({"ranges": [_("The ranges of this pool overlap each other.")]})
    return out


def size(intervals: list[Interval]) -> int:
    return sum(last - first + 1 for first, last in intervals)


def overlaps(a: list[Interval], b: list[Interval]) -> bool:
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


def routeros_ranges(intervals: list[Interval], version: int) -> str:
    """The ``ranges`` value for ``/ip pool`` (first-last, comma separated)."""
    make = ipaddress.IPv4Address if version == 4 else ipaddress.IPv6Address
    return ",".join(f"{make(first)}-{make(last)}" for first, last in intervals)
