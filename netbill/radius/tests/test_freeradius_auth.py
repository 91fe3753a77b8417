"""Access-Requests to a real FreeRADIUS running netbill's configuration (deploy/freeradius)
against the test database, for customers made through the customer services."""

from __future__ import annotations

import shutil
import subprocess
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from pyrad import packet

from netbill.catalog.services import master_package_update
from netbill.core.testing import PASSWORD, fund_resellers, make_world
from netbill.customers.services import (
    customer_change_package,
    customer_create,
    customer_delete,
    customer_set_status,
    customer_update,
)
from netbill.network.services import pool_create, profile_create
from netbill.radius.models import RadPostAuth
from netbill.radius.testing import reply_attributes

ACCEPT = packet.AccessAccept
REJECT = packet.AccessReject


@pytest.fixture
def alpha(radius):
    world = make_world("Alpha Net")
    fund_resellers(world)
    radius.nas(world.tenant, "127.0.0.1")
    return world


def create(world, username="alice", password="pw-alice-1", **extra):
    customer = customer_create(
        actor=world.operator,
        customer_type=extra.pop("customer_type", "pppoe_monthly"),
        name=f"Customer {username}",
        mobile="01711000001",
        package=extra.pop("package", world.package),
        billing_profile=extra.pop("billing_profile", world.monthly),
        username=username,
        password=password,
        **extra,
    )
    customer.refresh_from_db()  # the first bill set its expiry
    return customer


def auth(radius, username, password, **kwargs):
    """(reply code, reply attributes by name)."""
    reply = radius.auth(username, password, **kwargs)
    return reply.code, reply_attributes(reply)


def accept(radius, customer, password):
    """Expect an Access-Accept with no Session-Timeout (a PPPoE customer's billing, not an
    Expiration, ends its service: docs/network.md); return its attributes."""
    code, attrs = auth(radius, customer.username, password)
    assert code == ACCEPT, attrs
    assert "Session-Timeout" not in attrs
    return attrs


def hotspot(world, **extra):
    return create(world, customer_type="hotspot", billing_profile=world.daily, **extra)


def accept_with_timeout(radius, customer, password):
    """Expect an Access-Accept whose Session-Timeout is the time left before the customer's
    expiry (FreeRADIUS's expiration module caps the session); return the other attributes."""
    high = int(customer.expires_at.timestamp()) - int(time.time())
    code, attrs = auth(radius, customer.username, password)
    low = int(customer.expires_at.timestamp()) - int(time.time())
    assert code == ACCEPT, attrs
    timeout = attrs.pop("Session-Timeout")
    assert len(timeout) == 1 and low <= timeout[0] <= high
    return attrs


def test_new_customer_gets_accept_with_the_package_rate_limit_and_no_session_limit(radius, alpha):
    customer = create(alpha)
    assert customer.expires_at is not None  # billed: the expiry is billing's, not RADIUS's

    attrs = accept(radius, customer, "pw-alice-1")

    assert attrs == {"Mikrotik-Rate-Limit": ["10240k/10240k"]}


def test_package_with_a_pppoe_profile_pool_gives_framed_pool(radius, alpha):
    pool = pool_create(
        actor=alpha.admin, name="home-pool", version=4, ranges="10.20.0.2-10.20.0.250"
    )
    profile = profile_create(actor=alpha.admin, name="home", pool_v4=pool)
    master_package_update(actor=alpha.admin, package=alpha.package, pppoe_profile=profile)
    customer = create(alpha)

    attrs = accept(radius, customer, "pw-alice-1")

    assert attrs == {"Mikrotik-Rate-Limit": ["10240k/10240k"], "Framed-Pool": ["home-pool"]}


def test_static_ip_customer_gets_framed_ip_address_and_no_pool(radius, alpha):
    pool = pool_create(
        actor=alpha.admin, name="home-pool", version=4, ranges="10.20.0.2-10.20.0.250"
    )
    profile = profile_create(actor=alpha.admin, name="home", pool_v4=pool)
    master_package_update(actor=alpha.admin, package=alpha.package, pppoe_profile=profile)
    customer = create(alpha, customer_type="static_monthly", static_ip="100.64.1.7")

    attrs = accept(radius, customer, "pw-alice-1")

    assert attrs == {
        "Mikrotik-Rate-Limit": ["10240k/10240k"],
        "Framed-IP-Address": ["100.64.1.7"],
    }


def test_chap_login_as_a_pppoe_nas_sends_it_is_accepted_and_wrong_chap_rejected(radius, alpha):
    create(alpha)

    assert radius.auth_chap("alice", "pw-alice-1").code == ACCEPT
    assert radius.auth_chap("alice", "pw-alice-2").code == REJECT


def test_wrong_password_is_rejected_without_the_customer_attributes(radius, alpha):
    create(alpha)

    code, attrs = auth(radius, "alice", "not-the-password")

    assert (code, attrs) == (REJECT, {})


def test_unknown_username_is_rejected(radius, alpha):
    create(alpha)

    assert auth(radius, "bob", "pw-alice-1") == (REJECT, {})


def test_suspended_customer_is_accepted_into_the_suspended_pool_with_the_address_list(
    radius, alpha
):
    customer = create(alpha)
    customer_set_status(actor=alpha.operator, customer=customer, status="suspended")

    code, attrs = auth(radius, "alice", "pw-alice-1")

    assert code == ACCEPT
    assert attrs == {
        "Mikrotik-Rate-Limit": ["10240k/10240k"],
        "Framed-Pool": ["netbill-suspended"],
        "Mikrotik-Address-List": ["netbill-suspended"],
    }


def test_disabled_customer_is_rejected_with_the_reply_message(radius, alpha):
    customer = create(alpha)
    customer_set_status(actor=alpha.admin, customer=customer, status="disabled")

    code, attrs = auth(radius, "alice", "pw-alice-1")

    assert code == REJECT
    assert attrs == {"Reply-Message": ["This account is disabled. Please contact your ISP."]}


def test_deleted_customer_is_rejected_with_the_reply_message(radius, alpha):
    customer = create(alpha)
    customer_delete(actor=alpha.admin, customer=customer, password=PASSWORD)

    code, attrs = auth(radius, "alice", "pw-alice-1")

    assert (code, attrs) == (REJECT, {"Reply-Message": ["This account has been closed."]})


def test_package_change_gives_the_new_rate_limit_on_the_next_request(radius, alpha):
    customer = create(alpha)
    assert accept(radius, customer, "pw-alice-1") == {"Mikrotik-Rate-Limit": ["10240k/10240k"]}

    customer = customer_change_package(
        actor=alpha.operator, customer=customer, package=alpha.package2
    )

    assert accept(radius, customer, "pw-alice-1") == {"Mikrotik-Rate-Limit": ["20480k/20480k"]}


def test_password_change_takes_effect_on_the_next_request(radius, alpha):
    customer = create(alpha)

    customer_update(actor=alpha.operator, customer=customer, password="pw-new-2")

    assert auth(radius, "alice", "pw-alice-1")[0] == REJECT
    assert auth(radius, "alice", "pw-new-2")[0] == ACCEPT


def test_expiration_written_as_unix_time_rejects_after_the_expiry(radius, alpha):
    customer = hotspot(alpha)

    customer_update(
        actor=alpha.operator, customer=customer, expires_at=timezone.now() - timedelta(minutes=1)
    )

    assert auth(radius, "alice", "pw-alice-1") == (REJECT, {})


def test_expiration_in_an_hour_caps_the_session_at_that_hour(radius, alpha):
    customer = hotspot(alpha)
    customer = customer_update(
        actor=alpha.operator,
        customer=customer,
        expires_at=timezone.now().replace(microsecond=0) + timedelta(hours=1),
    )

    attrs = accept_with_timeout(radius, customer, "pw-alice-1")

    assert attrs == {"Mikrotik-Rate-Limit": ["10240k/10240k"]}


def test_mac_bound_customer_is_accepted_only_from_its_mac(radius, alpha):
    customer = create(alpha, mac_address="aa-bb-cc-00-11-22")
    customer_update(actor=alpha.operator, customer=customer, mac_binding=True)

    good = auth(radius, "alice", "pw-alice-1", Calling_Station_Id="AA:BB:CC:00:11:22")
    other = auth(radius, "alice", "pw-alice-1", Calling_Station_Id="AA:BB:CC:00:11:23")
    missing = auth(radius, "alice", "pw-alice-1")

    assert good[0] == ACCEPT
    assert other == (REJECT, {})
    assert missing == (REJECT, {})


def test_simultaneous_use_one_refuses_a_second_login_while_a_session_is_open(radius, alpha):
    create(alpha)
    assert auth(radius, "alice", "pw-alice-1")[0] == ACCEPT
    radius.acct("alice", "Start", Acct_Session_Id="s-1", Framed_IP_Address="10.20.0.9")

    second = auth(radius, "alice", "pw-alice-1")
    radius.acct("alice", "Stop", Acct_Session_Id="s-1", Acct_Session_Time=30)
    after_stop = auth(radius, "alice", "pw-alice-1")

    assert second == (
        REJECT,
        {"Reply-Message": ["Already online: this account's session limit is reached."]},
    )
    assert after_stop[0] == ACCEPT


def test_another_isps_nas_cannot_authenticate_this_isps_customer(radius, alpha):
    create(alpha)
    beta = make_world("Beta Net")
    radius.nas(beta.tenant, "127.0.0.2")

    assert auth(radius, "alice", "pw-alice-1", source="127.0.0.2") == (REJECT, {})
    assert auth(radius, "alice", "pw-alice-1", source="127.0.0.1")[0] == ACCEPT


def test_same_username_in_two_isps_each_nas_gets_its_own_isps_customer(radius, alpha):
    create(alpha, password="pw-alpha")
    beta = make_world("Beta Net")
    fund_resellers(beta)
    radius.nas(beta.tenant, "127.0.0.2")
    create(beta, password="pw-beta", package=beta.package2)

    assert auth(radius, "alice", "pw-alpha", source="127.0.0.2")[0] == REJECT
    assert auth(radius, "alice", "pw-beta", source="127.0.0.1")[0] == REJECT
    code, attrs = auth(radius, "alice", "pw-beta", source="127.0.0.2")
    assert code == ACCEPT and attrs["Mikrotik-Rate-Limit"] == ["20480k/20480k"]


def test_a_client_without_a_nas_row_authenticates_nobody(radius, alpha):
    # 127.0.0.3 is a client FreeRADIUS knows (test clients.conf) but no router of any ISP.
    create(alpha)

    assert auth(radius, "alice", "pw-alice-1", source="127.0.0.3") == (REJECT, {})


def test_rejects_are_logged_without_the_password_and_accepts_are_not_logged(radius, alpha):
    create(alpha)

    auth(radius, "alice", "pw-alice-1", Calling_Station_Id="AA:BB:CC:00:11:22")
    auth(radius, "alice", "guess-Secret-42", Calling_Station_Id="AA:BB:CC:00:11:22")
    radius.auth_chap("alice", "guess-Chap-43")

    rows = list(
        RadPostAuth.objects.order_by("id").values(
            "tenant_id", "username", "pass_field", "reply", "callingstationid"
        )
    )
    assert rows == [
        {
            "tenant_id": alpha.tenant.pk,
            "username": "alice",
            "pass_field": None,
            "reply": "Access-Reject",
            "callingstationid": "AA:BB:CC:00:11:22",
        },
        {
            "tenant_id": alpha.tenant.pk,
            "username": "alice",
            "pass_field": None,
            "reply": "Access-Reject",
            "callingstationid": None,
        },
    ]
    stored = " ".join(str(v) for row in RadPostAuth.objects.values_list() for v in row)
    for secret in ("pw-alice-1", "guess-Secret-42", "guess-Chap-43"):
        assert secret not in stored


def test_status_server_is_answered_for_health_checks(radius):
    client = radius.client("127.0.0.1")
    request = client.CreateAuthPacket(code=packet.StatusServer)

    assert client.SendPacket(request).code == ACCEPT


def radclient(radius, attributes: str) -> str:
    """Send an Access-Request with Debian's radclient (it computes MS-CHAP from
    MS-CHAP-Password, as a Windows dialer would send it); returns what it printed."""
    server = radius.server
    result = subprocess.run(  # noqa: S603 - an argument list, no shell
        [
            shutil.which("radclient") or "/usr/bin/radclient",
            "-x",
            "-r",
            "2",
            "-t",
            "2",
            f"{server.address}:{server.auth_port}",
            "auth",
            server.clients["127.0.0.1"],
        ],
        input=attributes,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return result.stdout


def test_ms_chap_login_is_checked_against_the_customer_password(radius, alpha):
    create(alpha)

    good = radclient(radius, "User-Name=alice,MS-CHAP-Password=pw-alice-1")
    bad = radclient(radius, "User-Name=alice,MS-CHAP-Password=pw-alice-2")

    assert "Received Access-Accept" in good
    assert 'Mikrotik-Rate-Limit = "10240k/10240k"' in good
    assert "Received Access-Reject" in bad


def test_simultaneous_use_two_allows_a_second_session_and_refuses_a_third(radius, alpha):
    customer = create(alpha)
    customer_update(actor=alpha.operator, customer=customer, simultaneous_use=2)
    radius.acct("alice", "Start", Acct_Session_Id="s-1")

    second = auth(radius, "alice", "pw-alice-1")
    radius.acct("alice", "Start", Acct_Session_Id="s-2")
    third = auth(radius, "alice", "pw-alice-1")

    assert second[0] == ACCEPT
    # FreeRADIUS adds the limit to the message when it is above one.
    assert third == (
        REJECT,
        {"Reply-Message": ["Already online: this account's session limit is reached. (2)"]},
    )


def test_an_open_session_of_another_isps_same_username_does_not_count(radius, alpha):
    create(alpha)
    beta = make_world("Beta Net")
    fund_resellers(beta)
    radius.nas(beta.tenant, "127.0.0.2")
    create(beta)
    radius.acct("alice", "Start", source="127.0.0.2", Acct_Session_Id="beta-s")

    assert auth(radius, "alice", "pw-alice-1")[0] == ACCEPT
