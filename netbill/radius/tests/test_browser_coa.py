"""In a real browser (Debian's Chromium via Playwright): an operator disconnects an online
customer from its profile and watches the request reach the router (a fake NAS) in the
Network requests tab, which refreshes itself until the router has answered."""

import pytest
from playwright.sync_api import expect

from netbill.core.outbox import outbox_drain
from netbill.core.testing import PASSWORD, fund_resellers, make_world
from netbill.customers.services import customer_create
from netbill.radius.fake_nas import FakeNas
from netbill.radius.tests.coa_helpers import SECRET, make_router, open_session


@pytest.mark.django_db(transaction=True)
def test_operator_disconnects_an_online_customer_and_sees_the_routers_answer(
    live_server, page, settings
):
    settings.RADIUS_COA_TIMEOUT = 0.5
    world = make_world()
    fund_resellers(world)
    customer = customer_create(
        actor=world.operator,
        customer_type="pppoe_monthly",
        name="Online Customer",
        mobile="01911000001",
        package=world.package,
        billing_profile=world.monthly,
        username="online1",
    )
    with FakeNas(secret=SECRET) as nas:
        make_router(world, nas)
        session = open_session(customer, nas)

        page.goto(f"{live_server.url}/")
        page.fill("input[name=email]", world.operator.email)
        page.fill("input[name=password]", PASSWORD)
        page.click("[data-testid=login-form] button[type=submit]")
        page.goto(f"{live_server.url}/customers/{customer.pk}/")

        # Disconnect asks for confirmation, then opens the Network requests tab
        page.on("dialog", lambda dialog: dialog.accept())
        page.click("[data-action=disconnect]")
        row = page.locator("[data-testid=nas-requests] tr[data-kind=disconnect]")
        expect(row).to_be_visible()
        expect(row).to_have_attribute("data-status", "pending")

        # the outbox worker sends it; the tab picks the answer up by itself
        outbox_drain()
        expect(row).to_have_attribute("data-status", "ack", timeout=15_000)
        expect(row).to_contain_text("Acknowledged")
        expect(row).to_contain_text(session.acctsessionid)

    (received,) = nas.received
    assert received.first("Acct-Session-Id") == session.acctsessionid
    assert received.authentic
