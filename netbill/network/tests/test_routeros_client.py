"""The RouterOS client against the fake router: login methods, RouterOS 6 vs 7, and the
message a user reads for each way a router can fail."""

from __future__ import annotations

import socket

import pytest

from netbill.network.fake_routeros import FakeRouterOS
from netbill.network.routeros import ErrorCode, RouterOSClient, RouterOSError, RouterOSTrap, Version
from netbill.network.tests.routers_fixtures import closed_port


def client(fake, password="pw", **kwargs):
    kwargs.setdefault("timeout", 5)
    return RouterOSClient("127.0.0.1", "admin", password, port=fake.port, **kwargs)


@pytest.mark.parametrize(
    ("version", "method"),
    [("7.16", "plain"), ("6.49.10", "plain"), ("6.43", "plain"), ("6.42.12", "challenge")],
)
def test_login_uses_the_method_the_router_speaks(version, method):
    with FakeRouterOS(version=version, password="pw") as fake, client(fake) as ros:
        assert ros.identity() == "MikroTik"
        assert fake.logins == [method]


@pytest.mark.parametrize("version", ["7.16", "6.42.12"])
def test_wrong_password_says_the_credentials_were_refused(version):
    with (
        FakeRouterOS(version=version, password="pw") as fake,
        pytest.raises(RouterOSError) as caught,
    ):
        client(fake, password="wrong").connect()
    assert caught.value.code == ErrorCode.AUTH
    assert "refused the API user name or password" in caught.value.message
    assert fake.logins == []


def test_a_trap_names_the_command_and_the_routers_message_and_the_session_goes_on():
    with FakeRouterOS(password="pw") as fake, client(fake) as ros:
        fake.fail("/ppp/secret/print", "not enough permissions (9)", category=4)
        with pytest.raises(RouterOSTrap) as caught:
            ros.print("/ppp/secret")
        assert caught.value.message == (
            "The router refused /ppp/secret/print: not enough permissions (9)"
        )
        assert caught.value.category == 4
        assert ros.identity() == "MikroTik"


def test_connection_refused_tells_to_enable_the_api_service():
    port = closed_port()
    with pytest.raises(RouterOSError) as caught:
        RouterOSClient("127.0.0.1", "admin", "pw", port=port).connect()
    assert caught.value.code == ErrorCode.REFUSED
    assert caught.value.message == (
        f"127.0.0.1:{port} refused the connection: the API service is disabled or listens on "
        "another port. On the router run /ip service enable api and check its port."
    )


def test_connection_refused_on_tls_names_api_ssl():
    with pytest.raises(RouterOSError) as caught:
        RouterOSClient("127.0.0.1", "admin", "pw", port=closed_port(), tls=True).connect()
    assert "/ip service enable api-ssl" in caught.value.message


def test_a_port_that_never_answers_is_a_timeout():
    with (
        FakeRouterOS(password="pw", silent=True) as fake,
        pytest.raises(RouterOSError) as caught,
    ):
        client(fake, timeout=0.3).connect()
    assert caught.value.code == ErrorCode.TIMEOUT
    assert "stopped answering during login (0.3 seconds)" in caught.value.message


def test_connect_timeout_says_the_router_is_unreachable():
    # A listening socket whose backlog is full never completes new handshakes.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    fillers = []
    try:
        for _ in range(8):
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex(listener.getsockname())
            fillers.append(s)
        port = listener.getsockname()[1]
        with pytest.raises(RouterOSError) as caught:
            RouterOSClient("127.0.0.1", "admin", "pw", port=port, timeout=0.3).connect()
    finally:
        for s in fillers:
            s.close()
        listener.close()
    assert caught.value.code == ErrorCode.TIMEOUT
    assert caught.value.message == (
        f"No answer from 127.0.0.1:{port} within 0.3 seconds: the router is unreachable, "
        "the address is wrong, or a firewall drops the API port."
    )


def test_tls_login_with_an_anonymous_cipher():
    with FakeRouterOS(password="pw", tls=True) as fake, client(fake, tls=True) as ros:
        assert ros.identity() == "MikroTik"
        assert ros._api.protocol.transport.sock.cipher()[0].startswith("AECDH")


def test_tls_against_the_plain_api_port_is_a_tls_error():
    with FakeRouterOS(password="pw") as fake, pytest.raises(RouterOSError) as caught:
        client(fake, tls=True).connect()
    assert caught.value.code == ErrorCode.TLS
    assert "Check that api-ssl is enabled on that port" in caught.value.message


def test_plain_api_against_the_tls_port_says_to_check_the_tls_setting():
    with FakeRouterOS(password="pw", tls=True) as fake, pytest.raises(RouterOSError) as caught:
        client(fake).connect()
    assert caught.value.code == ErrorCode.CLOSED
    assert "Check that the TLS setting matches the port" in caught.value.message


@pytest.mark.parametrize(
    ("text", "parts", "pool_used"),
    [
        ("6.49.10 (long-term)", (6, 49, 10), False),
        ("7.14.3 (stable)", (7, 14, 3), False),
        ("7.15 (stable)", (7, 15, 0), True),
        ("7.16 (stable)", (7, 16, 0), True),
    ],
)
def test_version_parsing_and_what_each_version_has(text, parts, pool_used):
    version = Version.parse(text)
    assert (version.major, version.minor, version.patch) == parts
    assert version.has_pool_used is pool_used
    assert str(version) == text


def test_pool_used_is_read_only_where_the_menu_exists():
    with FakeRouterOS(version="7.16", password="pw") as fake, client(fake) as ros:
        fake.add_item("/ip/pool/used", pool="home", address="10.0.0.5", owner="ppp")
        assert ros.version.text == "7.16 (stable)"
        assert ros.pool_used() == [
            {".id": "*6", "pool": "home", "address": "10.0.0.5", "owner": "ppp"}
        ]
    with FakeRouterOS(version="6.49.10", password="pw") as fake, client(fake) as ros:
        assert ros.pool_used() is None
        with pytest.raises(RouterOSTrap) as caught:
            ros.print("/ip/pool/used")
        assert caught.value.trap_message == "no such command prefix"


def test_values_come_back_exactly_as_the_router_holds_them():
    with FakeRouterOS(password="pw") as fake, client(fake) as ros:
        ros.add("/ppp/secret", name="1234", password="0042", disabled="yes")
        row = ros.print("/ppp/secret", where={"name": "1234"})[0]
    assert (row["name"], row["password"], row["disabled"]) == ("1234", "0042", "true")


def test_a_fatal_reply_ends_the_session_with_its_reason():
    with FakeRouterOS(password="pw") as fake, client(fake) as ros:
        with pytest.raises(RouterOSError) as caught:
            ros.run("/quit")
        assert caught.value.code == ErrorCode.CLOSED
        assert caught.value.message == (
            "The router ended the API session: session terminated on request"
        )
        assert ros._api is None
