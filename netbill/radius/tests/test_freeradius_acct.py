"""Accounting-Requests to a real FreeRADIUS running netbill's configuration: sessions in
``radacct`` with their ISP, customer and byte counts (gigawords included)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pyrad import packet

from netbill.core.testing import fund_resellers, make_world
from netbill.customers.services import customer_create
from netbill.radius.models import RadAcct

T0 = 1_795_000_000  # Event-Timestamp of the Start (a NAS clock, seconds since 1970)
GIB4 = 1 << 32


def at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


@pytest.fixture
def alpha(radius):
    world = make_world("Alpha Net")
    fund_resellers(world)
    radius.nas(world.tenant, "127.0.0.1")
    return world


def create(world, username="alice", package=None):
    return customer_create(
        actor=world.operator,
        customer_type="pppoe_monthly",
        name=f"Customer {username}",
        mobile="01711000001",
        package=package or world.package,
        billing_profile=world.monthly,
        username=username,
        password="pw-1234",
    )


def start(radius, username, session, *, source="127.0.0.1", when=T0, **extra):
    return radius.acct(
        username,
        "Start",
        source=source,
        Acct_Session_Id=session,
        Event_Timestamp=when,
        **extra,
    )


def session_row(session: str) -> dict:
    return RadAcct.objects.values(
        "tenant_id",
        "customer_id",
        "username",
        "nasipaddress",
        "acctsessionid",
        "acctstarttime",
        "acctupdatetime",
        "acctstoptime",
        "acctsessiontime",
        "acctinputoctets",
        "acctoutputoctets",
        "framedipaddress",
        "callingstationid",
        "nasporttype",
        "acctterminatecause",
    ).get(acctsessionid=session)


def test_start_interim_stop_with_gigaword_counters_record_the_session(radius, alpha):
    customer = create(alpha)

    reply = start(
        radius,
        "alice",
        "81a0001",
        Framed_IP_Address="10.20.0.9",
        Calling_Station_Id="AA:BB:CC:00:11:22",
        NAS_Port_Type="Ethernet",
    )
    assert reply.code == packet.AccountingResponse
    opened = session_row("81a0001")
    radius.acct(
        "alice",
        "Interim-Update",
        Acct_Session_Id="81a0001",
        Event_Timestamp=T0 + 300,
        Acct_Session_Time=300,
        Acct_Input_Octets=1_000,
        Acct_Input_Gigawords=1,
        Acct_Output_Octets=2_000,
        Acct_Output_Gigawords=3,
    )
    interim = session_row("81a0001")
    radius.acct(
        "alice",
        "Stop",
        Acct_Session_Id="81a0001",
        Event_Timestamp=T0 + 600,
        Acct_Session_Time=600,
        Acct_Input_Octets=5,
        Acct_Input_Gigawords=2,
        Acct_Output_Octets=7,
        Acct_Output_Gigawords=5,
        Acct_Terminate_Cause="User-Request",
    )
    closed = session_row("81a0001")

    assert opened == {
        "tenant_id": alpha.tenant.pk,
        "customer_id": customer.pk,
        "username": "alice",
        "nasipaddress": "127.0.0.1",
        "acctsessionid": "81a0001",
        "acctstarttime": at(T0),
        "acctupdatetime": at(T0),
        "acctstoptime": None,
        "acctsessiontime": 0,
        "acctinputoctets": 0,
        "acctoutputoctets": 0,
        "framedipaddress": "10.20.0.9",
        "callingstationid": "AA:BB:CC:00:11:22",
        "nasporttype": "Ethernet",
        "acctterminatecause": None,
    }
    assert interim == {
        **opened,
        "acctupdatetime": at(T0 + 300),
        "acctsessiontime": 300,
        "acctinputoctets": GIB4 + 1_000,
        "acctoutputoctets": 3 * GIB4 + 2_000,
    }
    assert closed == {
        **opened,
        "acctupdatetime": at(T0 + 600),
        "acctstoptime": at(T0 + 600),
        "acctsessiontime": 600,
        "acctinputoctets": 2 * GIB4 + 5,
        "acctoutputoctets": 5 * GIB4 + 7,
        "acctterminatecause": "User-Request",
    }
    assert RadAcct.objects.count() == 1
    assert list(RadAcct.objects.open()) == []


def test_retransmitted_start_keeps_one_session(radius, alpha):
    create(alpha)

    start(radius, "alice", "s-1")
    start(radius, "alice", "s-1")

    assert RadAcct.objects.filter(acctsessionid="s-1").count() == 1


def test_interim_update_without_a_start_opens_the_session(radius, alpha):
    customer = create(alpha)

    radius.acct(
        "alice",
        "Interim-Update",
        Acct_Session_Id="lost-start",
        Event_Timestamp=T0 + 900,
        Acct_Session_Time=900,
        Acct_Input_Octets=10,
        Acct_Input_Gigawords=4,
        Acct_Output_Octets=20,
        Framed_IP_Address="10.20.0.10",
    )

    row = session_row("lost-start")
    assert (row["tenant_id"], row["customer_id"]) == (alpha.tenant.pk, customer.pk)
    assert (row["acctstarttime"], row["acctupdatetime"], row["acctstoptime"]) == (
        at(T0),
        at(T0 + 900),
        None,
    )
    assert (row["acctinputoctets"], row["acctoutputoctets"]) == (4 * GIB4 + 10, 20)


def test_stop_without_a_start_records_the_whole_session(radius, alpha):
    customer = create(alpha)

    radius.acct(
        "alice",
        "Stop",
        Acct_Session_Id="only-stop",
        Event_Timestamp=T0 + 60,
        Acct_Session_Time=60,
        Acct_Input_Octets=1,
        Acct_Output_Octets=2,
        Acct_Terminate_Cause="Lost-Carrier",
    )

    row = session_row("only-stop")
    assert row["customer_id"] == customer.pk
    assert (row["acctstarttime"], row["acctstoptime"], row["acctterminatecause"]) == (
        at(T0),
        at(T0 + 60),
        "Lost-Carrier",
    )


def test_accounting_on_closes_only_that_nas_sessions(radius, alpha):
    create(alpha, "alice")
    create(alpha, "bob")
    radius.nas(alpha.tenant, "127.0.0.3", name="Second router")
    start(radius, "alice", "on-a")
    start(radius, "bob", "on-b", source="127.0.0.3")

    reply = radius.acct("", "Accounting-On", Event_Timestamp=T0 + 120)

    assert reply.code == packet.AccountingResponse
    closed = session_row("on-a")
    assert (closed["acctstoptime"], closed["acctsessiontime"], closed["acctterminatecause"]) == (
        at(T0 + 120),
        120,
        "NAS-Reboot",
    )
    assert session_row("on-b")["acctstoptime"] is None


def test_accounting_off_closes_that_nas_sessions(radius, alpha):
    create(alpha)
    start(radius, "alice", "off-a")

    radius.acct("", "Accounting-Off", Event_Timestamp=T0 + 5, Acct_Terminate_Cause="Admin-Reset")

    row = session_row("off-a")
    assert (row["acctstoptime"], row["acctterminatecause"]) == (at(T0 + 5), "Admin-Reset")


def test_sessions_from_another_isps_nas_belong_to_that_isps_customer(radius, alpha):
    create(alpha)
    beta = make_world("Beta Net")
    fund_resellers(beta)
    radius.nas(beta.tenant, "127.0.0.2")
    beta_alice = create(beta)

    start(radius, "alice", "beta-1", source="127.0.0.2")
    radius.acct("", "Accounting-On", Event_Timestamp=T0 + 1)  # alpha's NAS reboots

    row = session_row("beta-1")
    assert (row["tenant_id"], row["customer_id"], row["nasipaddress"]) == (
        beta.tenant.pk,
        beta_alice.pk,
        "127.0.0.2",
    )
    assert row["acctstoptime"] is None


def test_update_of_a_closed_session_is_answered_and_does_not_reopen_it(radius, alpha):
    create(alpha)
    start(radius, "alice", "late-1")
    radius.acct("alice", "Stop", Acct_Session_Id="late-1", Event_Timestamp=T0 + 60)

    reply = radius.acct(
        "alice",
        "Interim-Update",
        Acct_Session_Id="late-1",
        Event_Timestamp=T0 + 30,
        Acct_Input_Octets=99,
    )

    assert reply.code == packet.AccountingResponse
    row = session_row("late-1")
    assert (row["acctstoptime"], row["acctinputoctets"]) == (at(T0 + 60), 0)
