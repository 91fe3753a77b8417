"""Router services against the fake router: add/edit/delete with the RADIUS client row,
Test Connection, live status, log, Import PPP secrets, push profiles and pools, and the
differences between RouterOS 6 and 7."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from netbill.core import permissions as P
from netbill.core.models import ActivityLog
from netbill.core.testing import db_state, fund_resellers, make_customer, make_world
from netbill.customers.models import Customer
from netbill.network import routers as services
from netbill.network.models import IpPool, Router
from netbill.network.routeros import RouterOSError
from netbill.network.tests.routers_fixtures import (  # noqa: F401 (fixtures)
    API_PASSWORD,
    RADIUS_SECRET,
    fixture_fake_router,
    fixture_fake_router6,
    fixture_router,
    fixture_router6,
    make_router,
)
from netbill.radius.models import Nas, RadCheck, RadReply

pytestmark = pytest.mark.django_db


def _grant(user, key):
    from netbill.accounts.models import User

    user.granted_keys = sorted({*user.granted_keys, key})
    user.save()
    return User.objects.get(pk=user.pk)


# --- add, edit, delete -------------------------------------------------------------------------


def test_create_encrypts_the_secrets_and_registers_the_radius_client(world):
    router = make_router(world, None, name="Core", host="103.15.20.1")
    router.refresh_from_db()
    assert router.api_password == API_PASSWORD
    assert router.radius_secret == RADIUS_SECRET
    assert API_PASSWORD not in router.api_password_enc
    assert RADIUS_SECRET not in router.radius_secret_enc
    nas = Nas.objects.get(router=router)
    assert (nas.nasname, nas.secret, nas.tenant_id, nas.description) == (
        "103.15.20.1",
        RADIUS_SECRET,
        world.tenant.pk,
        "Core",
    )
    log = ActivityLog.objects.get(action="router.create")
    assert log.after["api_password"] == "set"
    assert log.after["radius_secret"] == "set"
    assert "api_password_enc" not in log.after
    assert router.api_password_enc not in str(log.after)


def test_edit_with_a_blank_password_keeps_it_and_a_new_address_moves_the_radius_client(world):
    router = make_router(world, None, host="103.15.20.1")
    services.router_update(
        actor=world.admin, router=router, host="103.15.20.9", api_password="", radius_secret=""
    )
    router.refresh_from_db()
    assert router.api_password == API_PASSWORD
    assert router.radius_secret == RADIUS_SECRET
    assert list(Nas.objects.filter(router=router).values_list("nasname", flat=True)) == [
        "103.15.20.9"
    ]
    services.router_update(actor=world.admin, router=router, radius_secret="new-secret-99")
    assert Nas.objects.get(router=router).secret == "new-secret-99"
    log = ActivityLog.objects.filter(action="router.update").order_by("pk").last()
    assert log.after == {"radius_secret": "changed"}


def test_an_inactive_router_is_no_radius_client(world):
    router = make_router(world, None, host="103.15.20.1")
    services.router_update(actor=world.admin, router=router, is_active=False)
    assert not Nas.objects.filter(router=router).exists()
    services.router_update(actor=world.admin, router=router, is_active=True)
    assert Nas.objects.filter(router=router, nasname="103.15.20.1").exists()


def test_an_address_another_isp_registered_is_a_field_error_and_nothing_is_saved(world):
    other = make_world("Beta Net")
    make_router(other, None, host="103.15.20.1")
    before = db_state(Router, Nas, ActivityLog)
    with pytest.raises(ValidationError) as caught:
        make_router(world, None, name="Mine", host="103.15.20.1")
    assert list(caught.value.message_dict) == ["host"]
    assert "already registered as a RADIUS client" in caught.value.message_dict["host"][0]
    assert "Beta" not in caught.value.message_dict["host"][0]
    assert db_state(Router, Nas, ActivityLog) == before


def test_two_routers_of_one_isp_cannot_share_an_address(world):
    make_router(world, None, name="Core", host="103.15.20.1")
    with pytest.raises(ValidationError) as caught:
        make_router(world, None, name="Edge", host="103.15.20.1")
    assert caught.value.message_dict == {"host": ["The router “Core” already has this address."]}


def test_bad_input_names_the_fields(world):
    with pytest.raises(ValidationError) as caught:
        services.router_create(
            actor=world.admin,
            name="",
            host="router.example",
            api_port=70000,
            api_username="admin",
        )
    assert set(caught.value.message_dict) == {
        "name",
        "host",
        "api_port",
        "api_password",
        "radius_secret",
    }
    assert not Router.objects.exists()


def test_tls_defaults_to_the_api_ssl_port(world):
    router = services.router_create(
        actor=world.admin,
        name="TLS",
        host="103.15.20.2",
        api_tls=True,
        api_username="u",
        api_password="p",
        radius_secret="s",
    )
    assert (router.api_port, router.coa_port) == (8729, 3799)


def test_delete_removes_the_radius_client(world):
    router = make_router(world, None, host="103.15.20.1")
    services.router_delete(actor=world.admin, router=router)
    assert not Router.objects.exists()
    assert not Nas.objects.exists()
    assert ActivityLog.objects.filter(action="router.delete").count() == 1


def test_noc_manages_routers_only_with_the_key(world):
    values = {
        "name": "X",
        "host": "103.15.20.1",
        "api_username": "a",
        "api_password": "b",
        "radius_secret": "c",
    }
    with pytest.raises(PermissionDenied):
        services.router_create(actor=world.noc, **values)
    noc = _grant(world.noc, P.MANAGE_ROUTERS)
    router = services.router_create(actor=noc, **values)
    assert router.tenant_id == world.tenant.pk


# --- Test Connection ---------------------------------------------------------------------------


def test_test_connection_records_version_board_and_status(world, router, fake_router):
    result = services.router_test_connection(actor=world.noc, router=router)
    assert result.ok
    assert result.message == ("Connected to MikroTik (RouterOS 7.16 (stable), CCR2004-1G-12S+2XS).")
    router.refresh_from_db()
    assert (router.status, router.ros_version, router.board_name, router.last_error) == (
        "online",
        "7.16 (stable)",
        "CCR2004-1G-12S+2XS",
        "",
    )
    assert router.last_checked_at is not None
    log = ActivityLog.objects.get(action="router.test")
    assert log.actor_id == world.noc.pk
    assert log.after["status"] == "online"


def test_test_connection_with_a_wrong_password_says_so(world, router, fake_router):
    fake_router.password = "changed-on-the-router"
    result = services.router_test_connection(actor=world.admin, router=router)
    assert not result.ok
    assert result.code == "auth"
    assert result.message.startswith(
        "The router refused the API user name or password (invalid user name or password (6))."
    )
    router.refresh_from_db()
    assert (router.status, router.last_error) == ("error", result.message)


def test_test_connection_reports_a_trap(world, router, fake_router):
    fake_router.fail("/system/resource/print", "not enough permissions (9)")
    result = services.router_test_connection(actor=world.admin, router=router)
    assert not result.ok
    assert result.message == (
        "The router refused /system/resource/print: not enough permissions (9)"
    )


def test_test_connection_to_a_disabled_api_says_how_to_enable_it(world):
    router = make_router(world, None)
    result = services.router_test_connection(actor=world.admin, router=router)
    assert result.code == "refused"
    assert "On the router run /ip service enable api" in result.message
    router.refresh_from_db()
    assert router.status == "error"


def test_test_connection_needs_view_routers_and_the_isps_router(world, router):
    other = make_world("Beta Net")
    from django.http import Http404

    with pytest.raises(Http404):
        services.router_test_connection(actor=other.admin, router=router)
    with pytest.raises(PermissionDenied):
        services.router_test_connection(actor=world.operator, router=router)


# --- live status and log -----------------------------------------------------------------------


def _sessions(fake):
    fake.add_item("/ip/pool", name="pool-home", ranges="10.10.0.2-10.10.0.101")
    for n, address in enumerate(("10.10.0.5", "10.10.0.6", "172.16.0.9"), start=1):
        fake.add_item("/ppp/active", name=f"u{n}", service="pppoe", address=address)
    fake.add_item("/ip/pool/used", pool="pool-home", address="10.10.0.5", owner="u1")


def test_live_status_reads_resource_sessions_interfaces_pools_and_log(world, router, fake_router):
    _sessions(fake_router)
    fake_router.set_resource(cpu_load=23, uptime="3d4h5m", free_memory=268435456)
    live = services.router_status(actor=world.noc, router=router)
    assert (live.identity, str(live.version), live.board_name, live.uptime) == (
        "MikroTik",
        "7.16 (stable)",
        "CCR2004-1G-12S+2XS",
        "3d4h5m",
    )
    assert (live.cpu_load, live.total_memory, live.used_memory, live.memory_percent) == (
        23,
        1073741824,
        805306368,
        75,
    )
    assert live.active_sessions == 3
    assert [(i.name, i.running, i.rx_byte, i.tx_byte) for i in live.interfaces] == [
        ("ether1", True, 123456789012, 98765432109),
        ("ether2", True, 5555555555, 4444444444),
        ("bridge-pppoe", True, 0, 0),
    ]
    # RouterOS 7.16 says itself which addresses are used
    assert [(p.name, p.size, p.used) for p in live.pools] == [("pool-home", 100, 1)]
    assert live.pool_usage_source == "router"
    assert live.log[0]["message"] == "user netbill logged in from 127.0.0.1 via api"
    assert live.log[-1]["message"] == "router rebooted"
    router.refresh_from_db()
    assert router.status == "online"


def test_on_routeros_6_pool_usage_is_counted_from_sessions(world, router6, fake_router6):
    _sessions(fake_router6)
    live = services.router_status(actor=world.admin, router=router6)
    assert str(live.version) == "6.49.10 (long-term)"
    assert [(p.name, p.size, p.used) for p in live.pools] == [("pool-home", 100, 2)]
    assert live.pool_usage_source == "sessions"
    assert not any(cmd == "/ip/pool/used/print" for cmd, _w in fake_router6.commands)


def test_live_status_of_an_unreachable_router_raises_and_records_the_error(world):
    router = make_router(world, None)
    with pytest.raises(RouterOSError) as caught:
        services.router_status(actor=world.admin, router=router)
    router.refresh_from_db()
    assert (router.status, router.last_error) == ("error", caught.value.message)


def test_router_log_is_newest_first(world, router, fake_router):
    for n in range(5):
        fake_router.log(f"event {n}")
    entries = services.router_log(actor=world.admin, router=router, limit=3)
    assert [e["message"] for e in entries] == [
        "user netbill logged in from 127.0.0.1 via api",
        "event 4",
        "event 3",
    ]


# --- Import PPP secrets ------------------------------------------------------------------------


def _secrets(fake):
    fake.add_item("/ppp/profile", name="home-10M", rate_limit="10M/10M")
    fake.add_item("/ppp/profile", name="biz", rate_limit="50M/50M")
    fake.add_item(
        "/ppp/secret",
        name="rahim",
        password="r-1234",
        profile="home-10M",
        service="pppoe",
        comment="Rahim Uddin 01711000001",
        caller_id="aa-bb-cc-00-11-22",
    )
    fake.add_item(
        "/ppp/secret",
        name="karim",
        password="k-5678",
        profile="biz",
        remote_address="100.64.0.10",
        comment="Karim Traders, 01811 000 002",
        disabled=True,
    )
    fake.add_item("/ppp/secret", name="nomobile", password="n-1", profile="home-10M")
    fake.add_item("/ppp/secret", name="vpn-site", password="v", profile="default", service="l2tp")
    fake.add_item("/ppp/secret", name="guest", password="g", profile="default")


def test_import_preview_lists_secrets_profiles_and_existing_usernames(world, router, fake_router):
    _secrets(fake_router)
    make_customer(world, username="Guest")
    preview = services.router_import_preview(actor=world.admin, router=router)
    by_name = {s.username: s for s in preview.secrets}
    assert list(by_name) == ["rahim", "karim", "nomobile", "vpn-site", "guest"]
    rahim = by_name["rahim"]
    assert (rahim.name, rahim.mobile, rahim.mac_address, rahim.static_ip) == (
        "Rahim Uddin",
        "01711000001",
        "AA:BB:CC:00:11:22",
        "",
    )
    karim = by_name["karim"]
    assert (karim.name, karim.mobile, karim.static_ip, karim.disabled) == (
        "Karim Traders",
        "01811000002",
        "100.64.0.10",
        True,
    )
    assert by_name["guest"].exists
    assert by_name["vpn-site"].skip_reason == "a l2tp (VPN) secret, not a PPPoE subscriber"
    assert preview.profiles == {"biz": 1, "home-10M": 2}
    assert (preview.new_count, preview.existing_count) == (3, 1)


def test_import_creates_customers_through_the_customer_service(world, router, fake_router):
    _secrets(fake_router)
    fund_resellers(world)
    result = services.router_import_secrets(
        actor=world.admin,
        router=router,
        package_map={"home-10M": world.package, "biz": world.package2},
        billing_profile=world.monthly,
        customer_type="pppoe_monthly",
        owner=world.operator,
        zone=world.zone,
        default_mobile="",
    )
    assert [u for u, _pk in result.created] == ["rahim", "karim"]
    assert result.skipped == [
        ("vpn-site", "a l2tp (VPN) secret, not a PPPoE subscriber"),
        ("guest", "PPP profile “default” is not mapped to a package"),
    ]
    assert [u for u, _e in result.failed] == ["nomobile"]
    assert list(result.failed[0][1]) == ["mobile"]

    rahim = Customer.objects.get(username="rahim")
    assert (
        rahim.name,
        rahim.mobile,
        rahim.password,
        rahim.mac_address,
        rahim.package_id,
        rahim.owner_id,
        rahim.status,
    ) == (
        "Rahim Uddin",
        "01711000001",
        "r-1234",
        "AA:BB:CC:00:11:22",
        world.package.pk,
        world.operator.pk,
        "active",
    )
    karim = Customer.objects.get(username="karim")
    assert (karim.static_ip, karim.status, karim.package_id) == (
        "100.64.0.10",
        "disabled",
        world.package2.pk,
    )
    # through the service: RADIUS rows, status history, audit
    assert RadCheck.objects.filter(
        username="rahim", attribute="Cleartext-Password", value="r-1234"
    ).exists()
    assert RadCheck.objects.filter(username="karim", attribute="Auth-Type", value="Reject").exists()
    assert RadReply.objects.filter(
        username="rahim", attribute="Mikrotik-Rate-Limit", value="10240k/10240k"
    ).exists()
    assert ActivityLog.objects.filter(action="customer.create").count() == 2
    assert not Customer.objects.filter(username="nomobile").exists()
    audit = ActivityLog.objects.get(action="router.import_secrets")
    assert (audit.after["created"], audit.after["failed"]) == (2, 1)


def test_running_the_import_again_imports_nothing_twice(world, router, fake_router):
    _secrets(fake_router)
    options = {
        "package_map": {"home-10M": world.package, "biz": world.package2, "default": None},
        "billing_profile": world.monthly,
        "default_mobile": "01900000000",
    }
    first = services.router_import_secrets(actor=world.admin, router=router, **options)
    assert [u for u, _pk in first.created] == ["rahim", "karim", "nomobile"]
    second = services.router_import_secrets(actor=world.admin, router=router, **options)
    assert second.created == []
    assert [u for u, why in second.skipped if why == "already a customer in netbill"] == [
        "rahim",
        "karim",
        "nomobile",
    ]
    assert Customer.objects.filter(tenant=world.tenant).count() == 3
    assert Customer.objects.get(username="nomobile").mobile == "01900000000"


def test_a_refused_row_is_reported_and_leaves_nothing_behind(world, router, fake_router):
    fake_router.add_item("/ppp/secret", name="good", password="g1", comment="Good 01711000009")
    fake_router.add_item("/ppp/secret", name="bad user!", password="b1", comment="Bad 01711000008")
    fake_router.add_item(
        "/ppp/secret",
        name="taken-ip",
        password="t",
        remote_address="10.9.9.9",
        comment="Ip 01711000007",
    )
    make_customer(world, username="holder", static_ip="10.9.9.9")
    before = Customer.objects.count()
    result = services.router_import_secrets(
        actor=world.admin,
        router=router,
        package_map={"default": world.package},
        billing_profile=world.monthly,
    )
    assert [u for u, _pk in result.created] == ["good"]
    failed = dict(result.failed)
    assert list(failed) == ["bad user!", "taken-ip"]
    assert list(failed["bad user!"]) == ["username"]
    assert failed["taken-ip"] == {
        "static_ip": ["10.9.9.9 is already assigned to another customer."]
    }
    assert Customer.objects.count() == before + 1
    assert not RadCheck.objects.filter(username__in=["bad user!", "taken-ip"]).exists()


def test_import_options_are_checked_before_touching_anything(world, router, fake_router):
    _secrets(fake_router)
    with pytest.raises(ValidationError) as caught:
        services.router_import_secrets(
            actor=world.admin,
            router=router,
            package_map={"home-10M": None},
            billing_profile=None,
            customer_type="nonsense",
        )
    assert set(caught.value.message_dict) == {"package_map", "billing_profile", "customer_type"}
    assert not Customer.objects.exists()


def test_import_needs_create_customer_as_well(world, router, fake_router):
    noc = _grant(world.noc, P.MANAGE_ROUTERS)
    with pytest.raises(PermissionDenied):
        services.router_import_secrets(
            actor=noc,
            router=router,
            package_map={"default": world.package},
            billing_profile=world.monthly,
        )


# --- push profiles and pools -------------------------------------------------------------------


def _netbill_network(world):
    from netbill.network.services import pool_create, profile_create

    home = pool_create(actor=world.admin, name="pool-home", ranges="10.10.0.0/24")
    pool_create(actor=world.admin, name="pool-v6", version=6, ranges="2001:db8:100::/48")
    profile_create(
        actor=world.admin,
        name="home-10M",
        local_address="10.10.0.1",
        pool_v4=home,
        rate_limit="10M/10M",
        dns_server="8.8.8.8, 1.1.1.1",
        only_one=True,
    )
    profile_create(actor=world.admin, name="plain", only_one=False)


def test_push_adds_missing_pools_and_profiles(world, router, fake_router):
    _netbill_network(world)
    changes = services.router_push(actor=world.admin, router=router)
    assert [(c.kind, c.name, c.action) for c in changes] == [
        ("pool", "netbill-suspended", "added"),
        ("pool", "pool-home", "added"),
        ("profile", "home-10M", "added"),
        ("profile", "plain", "added"),
    ]
    assert fake_router.find("/ip/pool", "pool-home")["ranges"] == "10.10.0.0-10.10.0.255"
    assert fake_router.find("/ip/pool", "netbill-suspended")["ranges"] == "10.254.0.0-10.254.3.255"
    assert fake_router.find("/ip/pool", "pool-v6") is None
    profile = fake_router.find("/ppp/profile", "home-10M")
    assert {
        k: profile[k]
        for k in ("local-address", "remote-address", "rate-limit", "dns-server", "only-one")
    } == {
        "local-address": "10.10.0.1",
        "remote-address": "pool-home",
        "rate-limit": "10M/10M",
        "dns-server": "8.8.8.8,1.1.1.1",
        "only-one": "yes",
    }
    assert fake_router.find("/ppp/profile", "plain")["only-one"] == "no"
    audit = ActivityLog.objects.get(action="router.push")
    assert len(audit.after["changes"]) == 4


def test_push_sets_only_what_differs_and_reports_it(world, router, fake_router):
    _netbill_network(world)
    fake_router.add_item("/ip/pool", name="netbill-suspended", ranges="10.254.0.0-10.254.3.255")
    fake_router.add_item("/ip/pool", name="pool-home", ranges="10.10.0.0-10.10.0.255")
    fake_router.add_item(
        "/ppp/profile",
        name="home-10M",
        local_address="10.10.0.1",
        remote_address="pool-home",
        rate_limit="5M/5M",
        dns_server="8.8.8.8,1.1.1.1",
        only_one="yes",
        comment="keep me",
    )
    fake_router.add_item("/ppp/profile", name="plain", only_one="no")
    changes = services.router_push(actor=world.admin, router=router)
    assert [(c.name, c.action, c.fields) for c in changes] == [
        ("netbill-suspended", "unchanged", {}),
        ("pool-home", "unchanged", {}),
        ("home-10M", "updated", {"rate-limit": ("5M/5M", "10M/10M")}),
        ("plain", "unchanged", {}),
    ]
    profile = fake_router.find("/ppp/profile", "home-10M")
    assert (profile["rate-limit"], profile["comment"]) == ("10M/10M", "keep me")
    # and once equal, a second push changes nothing
    again = services.router_push(actor=world.admin, router=router)
    assert {c.action for c in again} == {"unchanged"}


def test_the_first_push_corrects_a_pool_with_other_ranges(world, router, fake_router):
    _netbill_network(world)
    fake_router.add_item("/ip/pool", name="pool-home", ranges="10.10.0.10-10.10.0.20")
    changes = {c.name: c for c in services.router_push(actor=world.admin, router=router)}
    assert changes["pool-home"].action == "updated"
    assert changes["pool-home"].fields == {
        "ranges": ("10.10.0.10-10.10.0.20", "10.10.0.0-10.10.0.255")
    }
    assert fake_router.find("/ip/pool", "pool-home")["ranges"] == "10.10.0.0-10.10.0.255"


def test_a_refused_item_is_reported_and_the_rest_is_pushed(world, router, fake_router):
    _netbill_network(world)
    fake_router.fail("/ip/pool/add", "not enough permissions (9)")
    changes = services.router_push(actor=world.admin, router=router)
    assert [(c.name, c.action, c.error) for c in changes] == [
        ("netbill-suspended", "failed", "not enough permissions (9)"),
        ("pool-home", "failed", "not enough permissions (9)"),
        # the router refuses a profile naming a pool it does not have
        ("home-10M", "failed", "input does not match any value of remote-address"),
        ("plain", "added", ""),
    ]


def test_push_works_the_same_on_routeros_6(world, router6, fake_router6):
    _netbill_network(world)
    changes = services.router_push(actor=world.admin, router=router6)
    assert [c.action for c in changes] == ["added"] * 4
    assert fake_router6.find("/ppp/profile", "home-10M")["remote-address"] == "pool-home"
    assert fake_router6.logins == ["plain"]


def test_push_needs_manage_routers(world, router, fake_router):
    with pytest.raises(PermissionDenied):
        services.router_push(actor=world.noc, router=router)
    assert IpPool.objects.filter(tenant=world.tenant).count() == 1
    assert fake_router.find("/ip/pool", "netbill-suspended") is None


@pytest.mark.parametrize(
    ("comment", "mobile", "name"),
    [
        ("Rahim Uddin 01711000001", "01711000001", "Rahim Uddin"),
        ("Imported User 1 01711000001", "01711000001", "Imported User 1"),
        ("Karim Traders, 01811 000 002", "01811000002", "Karim Traders"),
        ("+8801711000001 Rahim", "+8801711000001", "Rahim"),
        ("Road 12, House 5 - 01711-000001", "01711000001", "Road 12, House 5"),
        ("Flat 3B", "", "Flat 3B"),
        ("", "", ""),
    ],
)
def test_name_and_mobile_are_read_from_the_secrets_comment(comment, mobile, name):
    assert services._mobile_and_name(comment) == (mobile, name)
