"""Ping test: the real ``ping`` against 127.0.0.1 and an address that does not answer;
targets are customers in scope, routers, or typed IP addresses — never a shell string."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from netbill.accounts.models import User
from netbill.core.models import ActivityLog
from netbill.core.testing import make_customer
from netbill.network import ping
from netbill.network.models import PingResult
from netbill.network.tests.helpers import make_router
from netbill.radius.models import RadAcct

pytestmark = pytest.mark.django_db

# TEST-NET-2 (RFC 5737): documentation addresses, never routed anywhere.
SILENT = "198.51.100.1"


def errors_of(**kwargs):
    with pytest.raises(ValidationError) as exc:
        ping.ping_run(**kwargs)
    return exc.value


def test_pinging_loopback_gets_every_reply_with_round_trip_times(world):
    result = ping.ping_run(actor=world.admin, address="127.0.0.1", count=3)

    result.refresh_from_db()
    assert (result.target, result.sent, result.received) == ("127.0.0.1", 3, 3)
    assert result.rtt_min_ms <= result.rtt_avg_ms <= result.rtt_max_ms
    assert "3 packets transmitted, 3 received" in result.output
    assert result.actor == world.admin
    log = ActivityLog.objects.get(action="ping.run")
    assert log.after == {"target": "127.0.0.1", "sent": 3, "received": 3}


def test_pinging_ipv6_loopback(world):
    result = ping.ping_run(actor=world.admin, address="::1", count=2)
    assert (result.target, result.received) == ("::1", 2)


def test_an_address_that_does_not_answer_gets_zero_replies(world):
    result = ping.ping_run(actor=world.admin, address=SILENT, count=2, deadline=1)

    assert result.received == 0
    assert result.rtt_avg_ms is None
    assert SILENT in result.output


@pytest.mark.parametrize(
    "typed",
    ["127.0.0.1; touch /tmp/x", "$(reboot)", "-f 127.0.0.1", "localhost", "", "1.2.3"],
)
def test_anything_but_an_ip_address_is_refused_before_running(world, typed):
    error = errors_of(actor=world.admin, address=typed)
    if typed:
        assert error.message_dict == {"address": ["Enter a valid IPv4 or IPv6 address."]}
    else:
        assert error.messages == ["Give one address, one customer or one router to ping."]
    assert not PingResult.objects.exists()


@pytest.mark.parametrize("typed", ["224.0.0.1", "0.0.0.0", "255.255.255.255", "::"])
def test_broadcast_multicast_and_unspecified_addresses_are_refused(world, typed):
    error = errors_of(actor=world.admin, address=typed)
    assert error.message_dict["address"][0].endswith("cannot be pinged.")


def test_output_of_iputils_and_busybox_is_parsed():
    iputils = (
        "--- 10.0.0.1 ping statistics ---\n"
        "4 packets transmitted, 3 received, 25% packet loss, time 3004ms\n"
        "rtt min/avg/max/mdev = 0.402/0.710/1.123/0.301 ms\n"
    )
    assert ping.parse_output(iputils) == (4, 3, 0.402, 0.71, 1.123)
    busybox = (
        "4 packets transmitted, 4 packets received, 0% packet loss\n"
        "round-trip min/avg/max = 0.1/0.2/0.3 ms\n"
    )
    assert ping.parse_output(busybox) == (4, 4, 0.1, 0.2, 0.3)
    unreachable = "connect: Network is unreachable\n"
    assert ping.parse_output(unreachable) == (0, 0, None, None, None)


def test_customer_is_pinged_at_its_static_ip_or_its_open_session(world):
    fixed = make_customer(world, customer_type="static_monthly", static_ip="127.0.0.3")
    result = ping.ping_run(actor=world.operator, customer=fixed, count=1)
    assert (result.target, result.customer, result.received) == ("127.0.0.3", fixed, 1)

    online = make_customer(world, username="online1")
    error = errors_of(actor=world.operator, customer=online)
    assert error.message_dict == {
        "customer": ["online1 has no static IP and no open session: nothing to ping."]
    }
    RadAcct.objects.create(
        tenant_id=world.tenant.pk,
        customer=online,
        acctsessionid="s1",
        acctuniqueid="u1",
        username="online1",
        nasipaddress="192.0.2.10",
        acctstarttime=timezone.now(),
        framedipaddress="127.0.0.4",
    )
    result = ping.ping_run(actor=world.operator, customer=online, count=1)
    assert (result.target, result.received) == ("127.0.0.4", 1)


def test_operator_pings_only_its_own_customers(world):
    mine = make_customer(world, owner=world.operator, static_ip="127.0.0.5")
    theirs = make_customer(world, owner=world.operator2, static_ip="127.0.0.6")
    with pytest.raises(Http404):
        ping.ping_run(actor=world.operator, customer=theirs)
    # a typed address must belong to one of its own customers
    error = errors_of(actor=world.operator, address="127.0.0.6")
    assert error.message_dict == {
        "address": ["You can ping only the addresses of your own customers."]
    }
    error = errors_of(actor=world.operator, address="127.0.0.1")
    assert "address" in error.message_dict
    result = ping.ping_run(actor=world.operator, address="127.0.0.5", count=1)
    assert result.customer == mine
    assert PingResult.objects.count() == 1
    # and sees only its own customers' results
    ping.ping_run(actor=world.admin, address="127.0.0.1", count=1)
    ping.ping_run(actor=world.admin, customer=theirs, count=1)
    assert list(PingResult.objects.visible_to(world.operator)) == [result]
    assert PingResult.objects.visible_to(world.admin).count() == 3
    assert PingResult.objects.visible_to(world.noc).count() == 3


def test_without_ping_test_nothing_is_pinged(world):
    world.op_manager.granted_keys = ["dashboard"]
    world.op_manager.save()
    with pytest.raises(PermissionDenied):
        ping.ping_run(actor=world.op_manager, address="127.0.0.1")
    assert not PingResult.objects.exists()


def test_router_is_pinged_by_those_who_see_routers(world, other_world):
    router = make_router(world, host="127.0.0.7")
    result = ping.ping_run(actor=world.noc, router=router, count=1)
    assert (result.target, result.router, result.received) == ("127.0.0.7", router, 1)
    with pytest.raises(PermissionDenied):
        ping.ping_run(actor=world.operator, router=router)
    foreign = make_router(other_world, host="127.0.0.8")
    with pytest.raises(Http404):
        ping.ping_run(actor=world.noc, router=foreign)
    by_name = make_router(world, name="Named", host="localhost")
    result = ping.ping_run(actor=User.objects.get(pk=world.admin.pk), router=by_name, count=1)
    assert result.target in ("127.0.0.1", "::1")


def test_missing_ping_program_is_a_clear_error(world, settings, tmp_path):
    settings.PING_BINARY = str(tmp_path / "no-such-ping")
    error = errors_of(actor=world.admin, address="127.0.0.1")
    assert error.messages[0].startswith("The ping program could not run")
