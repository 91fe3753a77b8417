"""Live changes on the NAS: a fake NAS (a real RADIUS server on 127.0.0.1) receives the
Disconnect-Request / CoA-Request that customer changes cause, signed with the router's secret;
the outcome (ACK, NAK, no answer) is retried by the outbox and shown on the customer."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from pyrad import packet
from rest_framework.test import APIClient

from netbill.core.choices import OutboxStatus
from netbill.core.models import ActivityLog, OutboxMessage
from netbill.core.outbox import outbox_drain, outbox_retry
from netbill.core.testing import PASSWORD, fund_resellers
from netbill.customers import services as customers
from netbill.radius.fake_nas import FakeNas
from netbill.radius.models import NasRequest, RadAcct
from netbill.radius.services import session_disconnect
from netbill.radius.tests.coa_helpers import (
    SECRET,
    drain,
    make_router,
    open_session,
    radius_messages,
)

IDENTITY = ("User-Name", "Acct-Session-Id", "Framed-IP-Address")


@pytest.fixture(autouse=True)
def quick_coa(settings):
    settings.RADIUS_COA_TIMEOUT = 0.2
    settings.RADIUS_COA_RETRIES = 2
    settings.OUTBOX_MAX_ATTEMPTS = 3


@pytest.fixture
def nas():
    with FakeNas(secret=SECRET) as fake:
        yield fake


_n = [0]


def new_customer(world, *, actor=None, **extra):
    """A PPPoE customer created through the customer service (RADIUS rows written)."""
    _n[0] += 1
    return customers.customer_create(
        actor=actor or world.operator,
        customer_type="pppoe_monthly",
        name=f"Live Customer {_n[0]}",
        mobile=f"0181200{_n[0]:04d}",
        package=world.package,
        billing_profile=world.monthly,
        username=f"live{_n[0]}",
        password="pw-live-1",
        **extra,
    )


@pytest.fixture
def online(world, nas):
    """An operator's customer with one open session on the router ``nas`` plays."""
    fund_resellers(world)
    make_router(world, nas)
    customer = new_customer(world)
    session = open_session(customer, nas)
    return customer, session


def only(nas, code):
    received = nas.requests(code)
    assert len(received) == 1, nas.received
    return received[0]


# --- what each change sends -------------------------------------------------------------------


def test_suspending_sends_a_disconnect_with_the_session_identity_signed_with_the_router_secret(
    world, nas, online
):
    customer, session = online

    customers.customer_set_status(
        actor=world.operator, customer=customer, status="suspended", reason="unpaid"
    )
    # queued in the suspension's transaction, sent by the outbox
    request = NasRequest.objects.get(customer=customer)
    assert (request.kind, request.status, request.attempts) == ("disconnect", "pending", 0)
    assert nas.received == []
    drain()

    sent = only(nas, packet.DisconnectRequest)
    assert sent.authentic  # the fake NAS checked the Request Authenticator with its secret
    assert {k: sent.attributes[k] for k in IDENTITY} == {
        "User-Name": [customer.username],
        "Acct-Session-Id": [session.acctsessionid],
        "Framed-IP-Address": ["10.20.0.5"],
    }
    assert set(sent.attributes) == set(IDENTITY)
    assert sent.answered == packet.DisconnectACK
    request.refresh_from_db()
    assert (request.status, request.attempts, request.reason) == ("ack", 1, "Customer suspended")
    assert request.finished_at is not None
    assert (request.nas_address, request.acct_session_id, request.framed_ip) == (
        "127.0.0.1",
        session.acctsessionid,
        "10.20.0.5",
    )
    assert not nas.has_session(session.acctsessionid)


@pytest.mark.parametrize("how", ["disable", "delete"])
def test_disabling_or_deleting_disconnects_the_session(world, nas, online, how):
    customer, session = online
    if how == "disable":
        customers.customer_set_status(actor=world.operator, customer=customer, status="disabled")
    else:
        customers.customer_delete(actor=world.operator, customer=customer, password=PASSWORD)
    drain()

    sent = only(nas, packet.DisconnectRequest)
    assert sent.first("Acct-Session-Id") == session.acctsessionid
    assert NasRequest.objects.get(customer=customer).status == "ack"


def test_package_change_sends_a_coa_with_the_new_rate_limit(world, nas, online):
    customer, session = online

    customers.customer_change_package(
        actor=world.operator, customer=customer, package=world.package2
    )
    drain()

    sent = only(nas, packet.CoARequest)
    assert sent.authentic
    assert sent.attributes == {
        "User-Name": [customer.username],
        "Acct-Session-Id": [session.acctsessionid],
        "Framed-IP-Address": ["10.20.0.5"],
        "Mikrotik-Rate-Limit": ["20480k/20480k"],
    }
    assert nas.requests(packet.DisconnectRequest) == []
    request = NasRequest.objects.get(customer=customer)
    assert (request.kind, request.status, request.rate_limit) == ("coa", "ack", "20480k/20480k")
    assert request.reason == "Package changed"


def test_entering_and_leaving_fup_send_coas_with_the_fup_then_the_package_speed(world, nas):
    world.package.fup_limit_gb = 100
    world.package.fup_download_kbps = 2000
    world.package.fup_upload_kbps = 1000
    world.package.save()
    fund_resellers(world)
    make_router(world, nas)
    customer = new_customer(world)
    open_session(customer, nas)

    customers.customer_set_status(actor=None, customer=customer, status="fup", system=True)
    drain()
    customers.customer_set_status(actor=None, customer=customer, status="active", system=True)
    drain()

    assert [r.first("Mikrotik-Rate-Limit") for r in nas.requests(packet.CoARequest)] == [
        "1M/2M",
        "10240k/10240k",
    ]
    assert nas.requests(packet.DisconnectRequest) == []
    assert list(
        NasRequest.objects.filter(customer=customer)
        .order_by("id")
        .values_list("reason", "status", "attributes__Mikrotik-Rate-Limit")
    ) == [
        ("Fair usage limit reached", "ack", "1M/2M"),
        ("Fair usage reset", "ack", "10240k/10240k"),
    ]


def test_reactivating_a_suspended_customer_disconnects_it_out_of_the_suspended_pool(
    world, nas, online
):
    customer, session = online
    customers.customer_set_status(actor=world.operator, customer=customer, status="suspended")
    drain()
    # it logs in again inside the suspended pool
    nas.add_session(session.acctsessionid, username=customer.username)

    customers.customer_set_status(actor=world.operator, customer=customer, status="active")
    drain()

    assert len(nas.requests(packet.DisconnectRequest)) == 2
    latest = NasRequest.objects.filter(customer=customer).first()
    assert (latest.kind, latest.status) == ("disconnect", "ack")
    assert latest.reason.startswith("Customer reactivated")


def test_a_new_static_ip_disconnects_but_a_new_name_or_password_sends_nothing(world, nas, online):
    customer, _session = online

    customers.customer_update(actor=world.operator, customer=customer, name="Renamed")
    customers.customer_update(actor=world.operator, customer=customer, password="new-pass-2")
    assert not NasRequest.objects.filter(customer=customer).exists()

    customers.customer_update(actor=world.operator, customer=customer, static_ip="10.30.0.9")
    drain()
    assert len(nas.requests(packet.DisconnectRequest)) == 1
    assert nas.requests(packet.CoARequest) == []


def test_a_router_refusing_the_coa_gets_a_disconnect_instead(world):
    fund_resellers(world)
    with FakeNas(secret=SECRET, coa_supported=False) as nas:
        make_router(world, nas)
        customer = new_customer(world)
        session = open_session(customer, nas)

        customers.customer_change_package(
            actor=world.operator, customer=customer, package=world.package2
        )
        drain()

        coa, disconnect = nas.received
    assert (coa.code, coa.answered) == (packet.CoARequest, packet.CoANAK)
    assert (disconnect.code, disconnect.answered) == (
        packet.DisconnectRequest,
        packet.DisconnectACK,
    )
    assert disconnect.first("Acct-Session-Id") == session.acctsessionid
    fallback, refused = NasRequest.objects.filter(customer=customer)  # newest first
    assert (refused.kind, refused.status, refused.attempts) == ("coa", "nak", 1)
    assert "Unsupported-Service" in refused.detail
    assert (fallback.kind, fallback.status) == ("disconnect", "ack")
    assert fallback.reason == "The router refused the speed change"


# --- failures: retried, then reported ---------------------------------------------------------


def test_a_nak_is_retried_then_reported_on_the_request_and_the_customer_page(world, nas, client):
    fund_resellers(world)
    make_router(world, nas)
    customer = new_customer(world)
    session = open_session(customer, nas, known=False)  # the NAS has no such session
    customers.customer_set_status(actor=world.operator, customer=customer, status="suspended")
    request = NasRequest.objects.get(customer=customer)

    # first attempt: refused, kept for a retry
    outbox_drain()
    request.refresh_from_db()
    assert (request.status, request.attempts, request.retrying) == ("nak", 1, True)
    assert "Session-Context-Not-Found" in request.detail
    message = radius_messages().get()
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 1)

    # the outbox retries with its back-off until the last attempt
    drain()
    request.refresh_from_db()
    message.refresh_from_db()
    assert message.status == OutboxStatus.DEAD
    assert (request.status, request.attempts, request.retrying, request.failed) == (
        "nak",
        3,
        False,
        True,
    )
    assert request.detail.startswith("Gave up after 3 attempts.")
    assert "Session-Context-Not-Found" in request.detail
    assert [r.first("Acct-Session-Id") for r in nas.received] == [session.acctsessionid] * 3

    client.force_login(world.operator)
    body = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert f'data-nas-request="{request.pk}" data-kind="disconnect" data-status="nak"' in body
    assert "data-failed" in body
    assert "Gave up after 3 attempts." in body


def test_no_answer_is_retried_then_reported_as_timeout(world):
    fund_resellers(world)
    with FakeNas(secret=SECRET, silent=True) as nas:
        make_router(world, nas)
        customer = new_customer(world)
        open_session(customer, nas)
        customers.customer_set_status(actor=world.operator, customer=customer, status="disabled")
        drain()
        received = nas.received

    request = NasRequest.objects.get(customer=customer)
    assert (request.status, request.attempts, request.failed) == ("timeout", 3, True)
    assert "No answer from Core (127.0.0.1:" in request.detail
    # 3 outbox attempts, each sent twice by pyrad (RADIUS_COA_RETRIES)
    assert len(received) == 6
    assert all(r.authentic and r.answered is None for r in received)


def test_a_wrong_secret_is_dropped_by_the_nas_and_ends_as_a_timeout(world, nas):
    fund_resellers(world)
    make_router(world, nas, secret="not-the-nas-secret")
    customer = new_customer(world)
    open_session(customer, nas)

    customers.customer_set_status(actor=world.operator, customer=customer, status="suspended")
    drain()

    assert len(nas.received) == 6
    assert all(not r.authentic and r.answered is None for r in nas.received)
    request = NasRequest.objects.get(customer=customer)
    assert (request.status, request.attempts) == ("timeout", 3)


def test_a_dead_request_retried_from_the_outbox_page_is_sent_again(world, nas):
    fund_resellers(world)
    make_router(world, nas)
    customer = new_customer(world)
    session = open_session(customer, nas, known=False)
    customers.customer_set_status(actor=world.operator, customer=customer, status="suspended")
    drain()
    assert NasRequest.objects.get(customer=customer).failed

    # the session shows up on the router; the group admin retries the dead letter
    nas.add_session(session.acctsessionid, username=customer.username)
    outbox_retry(actor=world.admin, message=radius_messages().get())
    drain()

    request = NasRequest.objects.get(customer=customer)
    assert (request.status, request.attempts, request.failed) == ("ack", 4, False)
    assert nas.received[-1].answered == packet.DisconnectACK


def test_a_nas_without_a_router_is_reported_as_not_sent(world, nas):
    fund_resellers(world)
    customer = new_customer(world)
    open_session(customer, nas)  # on a NAS netbill has no router for

    customers.customer_set_status(actor=world.operator, customer=customer, status="suspended")
    drain()

    request = NasRequest.objects.get(customer=customer)
    assert (request.status, request.attempts, request.failed) == ("error", 3, True)
    assert "No active router with a RADIUS secret answers for NAS 127.0.0.1." in request.detail
    assert nas.received == []


# --- no session ---------------------------------------------------------------------------------


def test_a_change_rolled_back_by_its_caller_sends_nothing(world, nas, online):
    customer, _session = online

    with pytest.raises(RuntimeError), transaction.atomic():
        customers.customer_set_status(actor=world.operator, customer=customer, status="suspended")
        raise RuntimeError("the caller's transaction fails after the suspension")
    drain()

    assert not NasRequest.objects.exists()
    assert nas.received == []


def test_an_offline_customer_gets_no_request(world, nas):
    fund_resellers(world)
    make_router(world, nas)
    customer = new_customer(world)
    closed = open_session(customer, nas)
    RadAcct.objects.filter(pk=closed.pk).update(acctstoptime=timezone.now())

    customers.customer_set_status(actor=world.operator, customer=customer, status="suspended")

    assert not NasRequest.objects.filter(customer=customer).exists()
    assert not radius_messages().exists()


def test_a_session_that_ends_before_delivery_is_no_session_and_not_retried(world, nas, online):
    customer, session = online
    customers.customer_set_status(actor=world.operator, customer=customer, status="suspended")
    RadAcct.objects.filter(pk=session.pk).update(acctstoptime=timezone.now())

    outbox_drain()

    request = NasRequest.objects.get(customer=customer)
    assert (request.status, request.attempts) == ("no_session", 0)
    assert radius_messages().get().status == OutboxStatus.DONE
    assert nas.received == []


def test_manual_disconnect_without_a_session_records_no_session_and_sends_nothing(world, nas):
    fund_resellers(world)
    make_router(world, nas)
    customer = new_customer(world)

    (request,) = session_disconnect(actor=world.operator, customer=customer)

    assert (request.kind, request.status) == ("disconnect", "no_session")
    assert request.finished_at is not None
    assert not radius_messages().exists()
    assert ActivityLog.objects.filter(action="customer.disconnect", actor=world.operator).exists()


# --- routers and many sessions ----------------------------------------------------------------


def test_each_session_goes_to_its_own_router_with_that_routers_secret(world, nas):
    fund_resellers(world)
    make_router(world, nas)
    with FakeNas(secret="second-secret", address="127.0.0.2") as other:
        make_router(world, other, secret="second-secret", name="Edge")
        customer = new_customer(world)
        first = open_session(customer, nas)
        second = open_session(customer, other, framed_ip="10.99.0.7")

        customers.customer_set_status(actor=world.operator, customer=customer, status="disabled")
        drain()
        at_other = other.received

    assert [(r.first("Acct-Session-Id"), r.authentic) for r in nas.received] == [
        (first.acctsessionid, True)
    ]
    assert [(r.first("Framed-IP-Address"), r.authentic) for r in at_other] == [("10.99.0.7", True)]
    assert sorted(
        NasRequest.objects.filter(customer=customer).values_list("nas_address", "status")
    ) == [("127.0.0.1", "ack"), ("127.0.0.2", "ack")]
    assert second.acctsessionid != first.acctsessionid


def test_editing_a_package_speed_sends_a_coa_to_its_online_customers_only(world, nas):
    from netbill.catalog.services import master_package_update

    fund_resellers(world)
    make_router(world, nas)
    online_customer = new_customer(world)
    offline_customer = new_customer(world)
    open_session(online_customer, nas)

    master_package_update(actor=world.admin, package=world.package, download_kbps=15000)
    drain()

    (sent,) = nas.received
    assert sent.code == packet.CoARequest
    assert sent.first("User-Name") == online_customer.username
    assert sent.first("Mikrotik-Rate-Limit") == "10240k/15M"
    assert not NasRequest.objects.filter(customer=offline_customer).exists()
    assert NasRequest.objects.get(customer=online_customer).reason == (
        "Package or PPPoE profile edited"
    )


# --- manual disconnect: panel and API ---------------------------------------------------------


def test_the_disconnect_button_disconnects_and_the_outcome_shows_on_the_page(
    world, nas, online, client
):
    customer, session = online
    client.force_login(world.operator)
    page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert 'data-action="disconnect"' in page

    response = client.post(reverse("customers:disconnect", args=[customer.pk]))
    assert response.status_code == 302
    assert response.url == reverse("customers:detail", args=[customer.pk]) + "#tab-network"
    pending = client.get(reverse("customers:nas_requests", args=[customer.pk])).content.decode()
    assert 'data-status="pending"' in pending
    assert 'hx-trigger="every 5s"' in pending  # refreshes itself while under way
    drain()

    sent = only(nas, packet.DisconnectRequest)
    assert sent.first("Acct-Session-Id") == session.acctsessionid
    page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert 'data-kind="disconnect" data-status="ack"' in page
    assert f"Disconnected by {world.operator.name}" in page
    assert 'hx-trigger="every 5s"' not in page


def test_api_disconnect_answers_202_with_the_requests_and_lists_them(world, nas, online):
    customer, session = online
    api = APIClient()
    api.force_authenticate(world.operator)

    response = api.post(f"/api/v1/customers/{customer.pk}/disconnect/")
    assert response.status_code == 202, response.content
    assert [(r["kind"], r["status"], r["acct_session_id"]) for r in response.json()] == [
        ("disconnect", "pending", session.acctsessionid)
    ]
    drain()

    listed = api.get(f"/api/v1/customers/{customer.pk}/nas-requests/").json()
    assert listed["count"] == 1
    (row,) = listed["results"]
    assert (row["status"], row["attempts"], row["retrying"]) == ("ack", 1, False)
    assert row["attributes"] == {
        "User-Name": customer.username,
        "Acct-Session-Id": session.acctsessionid,
        "Framed-IP-Address": "10.20.0.5",
    }


def test_an_operator_cannot_disconnect_another_operators_customer(world, nas, online, client):
    customer, _session = online
    api = APIClient()
    api.force_authenticate(world.operator2)
    client.force_login(world.operator2)

    assert api.post(f"/api/v1/customers/{customer.pk}/disconnect/").status_code == 404
    assert api.get(f"/api/v1/customers/{customer.pk}/nas-requests/").status_code == 404
    assert client.post(reverse("customers:disconnect", args=[customer.pk])).status_code == 404
    assert client.get(reverse("customers:nas_requests", args=[customer.pk])).status_code == 404

    assert not NasRequest.objects.exists()
    assert not OutboxMessage.objects.filter(kind="radius.disconnect").exists()


def test_without_disconnect_customer_the_button_is_hidden_and_the_action_refused(
    world, nas, online, client
):
    customer, _session = online
    manager = world.op_manager
    manager.granted_keys = ["view-customer-details"]
    manager.save()
    client.force_login(manager)

    page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert 'data-action="disconnect"' not in page
    assert 'data-testid="nas-requests"' in page  # the requests are still shown
    assert client.post(reverse("customers:disconnect", args=[customer.pk])).status_code == 403
    assert not NasRequest.objects.exists()
