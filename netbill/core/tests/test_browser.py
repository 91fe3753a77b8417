"""A person's path through the panel in a real browser (Debian's Chromium via Playwright):
log in with two-factor, create a customer, suspend it, see the new status, log out."""

import pyotp
import pytest
from playwright.sync_api import expect

from netbill.accounts.security import totp_begin_enrol, totp_confirm
from netbill.core.testing import PASSWORD, fund_resellers, make_world
from netbill.customers.models import Customer


@pytest.mark.django_db(transaction=True)
def test_operator_logs_in_with_2fa_creates_and_suspends_a_customer(live_server, page, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    world = make_world()
    fund_resellers(world)
    operator = world.operator
    operator.set_password(PASSWORD)
    operator.save()
    secret = totp_begin_enrol(user=operator)
    totp_confirm(user=operator, code=pyotp.TOTP(secret).now())

    # log in: password, then the code from the authenticator app
    page.goto(f"{live_server.url}/")
    page.fill("input[name=email]", operator.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=login-form] button[type=submit]")
    expect(page.locator("[data-testid='2fa-form']")).to_be_visible()
    page.fill("input[name=code]", pyotp.TOTP(secret).now())
    page.click("[data-testid='2fa-form'] button[type=submit]")
    expect(page.locator("[data-testid=whoami]")).to_contain_text(operator.name)

    # create a customer from the menu
    page.click("[data-menu='customers:create']")
    page.select_option("select[name=customer_type]", "pppoe_monthly")
    page.fill("input[name=name]", "Browser Customer")
    page.fill("input[name=mobile]", "01911000000")
    page.select_option("select[name=package]", label="Home 10M")
    page.select_option("select[name=billing_profile]", label="Monthly 1st")
    page.fill("input[name=username]", "browser1")
    page.click("form button[type=submit]")
    expect(page.locator("[data-testid=customer-name]")).to_have_text("Browser Customer")
    expect(page.locator("[data-testid=customer-status]")).to_have_text("Active")

    # suspend it with a reason
    suspend = page.locator("[data-status-action=suspended]")
    suspend.locator("input[name=reason]").fill("Unpaid bill")
    suspend.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=customer-status]")).to_have_text("Suspended")
    customer = Customer.objects.get(username="browser1")
    assert customer.status == "suspended"
    assert customer.status_changes.first().reason == "Unpaid bill"

    # log out: back at the login page, and the panel is closed
    page.click("[data-testid=logout]")
    expect(page.locator("[data-testid=login-form]")).to_be_visible()
    page.goto(f"{live_server.url}/customers/")
    expect(page.locator("[data-testid=login-form]")).to_be_visible()
