"""Panel pages of VPN accounts and the ping test, including the customer page's button."""

import html

import pytest
from django.urls import reverse

from netbill.accounts.models import User
from netbill.core.testing import make_customer
from netbill.network.models import PingResult, VpnAccount
from netbill.network.tests.helpers import configure_vpn, make_router, make_vpn_pool
from netbill.network.vpn import private_key

pytestmark = pytest.mark.django_db


def test_vpn_account_is_created_and_its_configuration_shown(client, world, settings):
    configure_vpn(settings)
    make_vpn_pool(world)
    router = make_router(world)
    client.force_login(world.admin)
    form = client.get(reverse("network:vpn_create")).context["form"]
    assert list(form.fields["router"].queryset) == [router]

    response = client.post(reverse("network:vpn_create"), {"router": router.pk})

    account = VpnAccount.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("network:vpn_detail", args=[account.pk])
    page = html.unescape(client.get(response["Location"]).content.decode())
    assert "AllowedIPs = 10.255.0.2/32" in page
    assert f'private-key="{private_key(account)}"' in page
    assert "/ip/address/add address=10.255.0.2/24 interface=netbill-vpn" in page
    listing = client.get(reverse("network:vpn_list")).content.decode()
    assert f'data-vpn="{account.pk}"' in listing
    # a router with an account is no longer offered
    form = client.get(reverse("network:vpn_create")).context["form"]
    assert list(form.fields["router"].queryset) == []


def test_vpn_create_page_says_what_is_missing(client, world, settings):
    settings.VPN_SERVER_PUBLIC_KEY = ""
    router = make_router(world)
    client.force_login(world.admin)
    page = client.get(reverse("network:vpn_create")).content.decode()
    assert "The VPN server is not configured" in page
    response = client.post(reverse("network:vpn_create"), {"router": router.pk})
    assert response.status_code == 400
    assert "The VPN server is not configured" in response.content.decode()
    configure_vpn(settings)
    response = client.post(reverse("network:vpn_create"), {"router": router.pk})
    assert response.context["form"].errors["router"] == [
        "Add an IP pool “used for” VPN tunnels first: tunnel addresses come from it."
    ]
    assert not VpnAccount.objects.exists()


def test_vpn_switch_off_and_delete_in_the_panel(client, world, settings):
    configure_vpn(settings)
    make_vpn_pool(world)
    router = make_router(world, host="198.51.100.10")
    client.force_login(world.admin)
    client.post(reverse("network:vpn_create"), {"router": router.pk})
    account = VpnAccount.objects.get()
    client.post(reverse("network:vpn_toggle", args=[account.pk]))
    account.refresh_from_db()
    assert account.is_active is False
    page = client.get(reverse("network:vpn_detail", args=[account.pk])).content.decode()
    assert "Off: netbill reaches the router at 198.51.100.10." in page
    assert client.get(reverse("network:vpn_delete", args=[account.pk])).status_code == 200
    response = client.post(reverse("network:vpn_delete", args=[account.pk]))
    assert response["Location"] == reverse("network:vpn_list")
    assert not VpnAccount.objects.exists()


def test_vpn_pages_need_manage_routers(client, world, settings):
    configure_vpn(settings)
    make_vpn_pool(world)
    router = make_router(world)
    client.force_login(world.noc)
    assert client.get(reverse("network:vpn_list")).status_code == 403
    assert client.post(reverse("network:vpn_create"), {"router": router.pk}).status_code == 403
    assert not VpnAccount.objects.exists()
    world.noc.granted_keys = [*world.noc.granted_keys, "manage-routers"]
    world.noc.save()
    assert client.post(reverse("network:vpn_create"), {"router": router.pk}).status_code == 302


def test_ping_page_pings_an_address_and_shows_the_result(client, world):
    client.force_login(world.admin)
    assert client.get(reverse("network:ping")).status_code == 200
    response = client.post(reverse("network:ping"), {"address": "127.0.0.1"})
    result = PingResult.objects.get()
    assert response["Location"] == reverse("network:ping_result", args=[result.pk])
    page = client.get(response["Location"]).content.decode()
    assert "4 of 4 received" in page
    assert "4 packets transmitted, 4 received" in page
    listing = client.get(reverse("network:ping")).content.decode()
    assert f'data-ping="{result.pk}"' in listing


def test_ping_page_form_errors(client, world):
    make_customer(world, owner=world.operator2, username="notmine", static_ip="127.0.0.11")
    client.force_login(world.operator)
    response = client.post(reverse("network:ping"), {"address": "127.0.0.1 && reboot"})
    assert response.context["form"].errors == {"address": ["Enter a valid IPv4 or IPv6 address."]}
    response = client.post(reverse("network:ping"), {"customer": "notmine"})
    assert response.context["form"].errors == {
        "customer": ["None of your customers has this username."]
    }
    response = client.post(reverse("network:ping"), {})
    assert response.context["form"].non_field_errors() == [
        "Give one address, one customer or one router to ping."
    ]
    # an operator has no router field
    assert "router" not in response.context["form"].fields
    assert not PingResult.objects.exists()


def test_operator_pings_a_customer_by_username(client, world):
    customer = make_customer(world, owner=world.operator, username="mine", static_ip="127.0.0.12")
    client.force_login(world.operator)
    response = client.post(reverse("network:ping"), {"customer": "MINE"})
    assert response.status_code == 302
    assert PingResult.objects.get().customer == customer


def test_customer_page_has_a_ping_button_that_pings_it(client, world):
    customer = make_customer(world, owner=world.operator, static_ip="127.0.0.13")
    client.force_login(world.operator)
    page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert reverse("network:ping_customer", args=[customer.pk]) in page
    response = client.post(reverse("network:ping_customer", args=[customer.pk]))
    result = PingResult.objects.get()
    assert (result.customer, result.target, result.received) == (customer, "127.0.0.13", 4)
    assert response["Location"] == reverse("network:ping_result", args=[result.pk])
    # the NOC troubleshoots connections: it has the button too (a tool, not an action)
    client.force_login(world.noc)
    page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert 'data-tool="ping"' in page


def test_ping_button_without_an_address_explains_on_the_customer_page(client, world):
    customer = make_customer(world, owner=world.operator, username="offline1")
    client.force_login(world.operator)
    response = client.post(reverse("network:ping_customer", args=[customer.pk]), follow=True)
    assert "offline1 has no static IP and no open session: nothing to ping." in (
        response.content.decode()
    )


def test_without_ping_test_there_is_no_button_and_403(client, world):
    customer = make_customer(world, owner=world.operator, static_ip="127.0.0.14")
    manager = world.op_manager
    manager.granted_keys = ["view-customer-details"]
    manager.save()
    client.force_login(User.objects.get(pk=manager.pk))
    page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert reverse("network:ping_customer", args=[customer.pk]) not in page
    assert client.post(reverse("network:ping_customer", args=[customer.pk])).status_code == 403
    assert client.get(reverse("network:ping")).status_code == 403
    assert not PingResult.objects.exists()


def test_another_resellers_customer_and_results_are_404(client, world):
    theirs = make_customer(world, owner=world.operator2, static_ip="127.0.0.15")
    client.force_login(world.admin)
    client.post(reverse("network:ping_customer", args=[theirs.pk]))
    result = PingResult.objects.get()
    client.force_login(world.operator)
    assert client.post(reverse("network:ping_customer", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("network:ping_result", args=[result.pk])).status_code == 404
    assert PingResult.objects.count() == 1
