"""Pool ranges: CIDR blocks, first-last ranges and single addresses, IPv4 and IPv6."""

import pytest
from django.core.exceptions import ValidationError

from netbill.network import pools


def ranges_error(text, version):
    with pytest.raises(ValidationError) as exc:
        pools.parse_ranges(text, version)
    return " ".join(exc.value.message_dict["ranges"])


def test_ipv4_cidr_range_and_single_address_are_parsed_in_address_order():
    intervals = pools.parse_ranges("10.0.1.0/30, 10.0.0.10-10.0.0.20\n10.0.2.7; 10.0.3.5/24", 4)
    assert [pools.bounds([i], 4)[0] for i in intervals] == [
        ("10.0.0.10", "10.0.0.20"),
        ("10.0.1.0", "10.0.1.3"),
        ("10.0.2.7", "10.0.2.7"),
        ("10.0.3.0", "10.0.3.255"),
    ]
    assert pools.size(intervals) == 11 + 4 + 1 + 256


def test_ipv6_cidr_and_range_are_parsed():
    intervals = pools.parse_ranges("2001:db8:100::/40, 2001:db8:200::1-2001:db8:200::ff", 6)
    assert pools.size(intervals) == 2**88 + 255
    assert pools.contains(intervals, "2001:db8:1ff:ffff::1") is True
    assert pools.contains(intervals, "2001:db8:fff::1") is False
    assert pools.contains(intervals, "2001:db8:1aa::1") is True
    assert pools.contains(intervals, "2001:db8:200::100") is False


def test_normalised_text_is_canonical_and_sorted():
    text = "10.0.3.5/24,10.0.0.10 - 10.0.0.20 ,10.0.2.7"
    assert pools.normalise(text, 4) == "10.0.0.10-10.0.0.20, 10.0.2.7, 10.0.3.0/24"
    assert pools.normalise("2001:DB8::/32", 6) == "2001:db8::/32"


@pytest.mark.parametrize(
    ("text", "version", "message"),
    [
        ("", 4, "at least one range"),
        ("10.0.0.0/33", 4, "10.0.0.0/33 is not an IPv4 range"),
        ("10.0.0.300", 4, "10.0.0.300 is not an IPv4 range"),
        ("2001:db8::/32", 4, "2001:db8::/32 is not an IPv4 range"),
        ("10.0.0.0/24", 6, "10.0.0.0/24 is not an IPv6 range"),
        ("10.0.0.20-10.0.0.10", 4, "the last address comes before the first"),
        ("10.0.0.1-2001:db8::1", 4, "is not an IPv4 range"),
        ("10.0.0.0/24, 10.0.0.128-10.0.1.5", 4, "overlap each other"),
        ("10.0.0.0/24", 5, "Choose IPv4 or IPv6"),
    ],
)
def test_bad_ranges_are_refused_naming_the_part(text, version, message):
    assert message in ranges_error(text, version)


def test_overlap_between_two_interval_lists():
    a = pools.parse_ranges("10.0.0.0/24, 10.0.2.0/24", 4)
    assert pools.overlaps(a, pools.parse_ranges("10.0.1.0/24", 4)) is False
    assert pools.overlaps(a, pools.parse_ranges("10.0.2.255-10.0.3.10", 4)) is True
    assert pools.overlaps(a, pools.parse_ranges("9.0.0.0/8", 4)) is False


def test_networks_cover_a_range_exactly():
    intervals = pools.parse_ranges("10.0.0.0-10.0.0.5", 4)
    assert [str(n) for n in pools.networks(intervals, 4)] == ["10.0.0.0/30", "10.0.0.4/31"]


def test_host_addresses_skip_network_broadcast_and_taken():
    parts = pools.parse_parts("10.9.0.0/30, 10.9.1.5-10.9.1.6", 4)
    taken = {pools.parse_ranges("10.9.0.1", 4)[0][0]}
    hosts = [pools.to_text(v, 4) for v in pools.host_addresses(parts, 4, taken)]
    assert hosts == ["10.9.0.2", "10.9.1.5", "10.9.1.6"]


def test_routeros_ranges_are_first_last_pairs():
    intervals = pools.parse_ranges("10.0.0.0/30, 10.0.1.9", 4)
    assert pools.routeros_ranges(intervals, 4) == "10.0.0.0-10.0.0.3,10.0.1.9-10.0.1.9"
