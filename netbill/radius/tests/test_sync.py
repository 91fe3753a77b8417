"""RADIUS rows follow the customer through the customer services (same transaction),
the billing run keeps Expiration in line, and reconcile repairs drift."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from netbill.core.models import ActivityLog
from netbill.core.testing import PASSWORD, fund_resellers, make_world
from netbill.customers import services as cs
from netbill.network.models import IpPool, PppoeProfile
from netbill.radius.models import RadCheck, RadReply
from netbill.radius.sync import reconcile, refresh_expiration

pytestmark = pytest.mark.django_db


def rows(customer):
    check = list(
        RadCheck.objects.filter(customer_id=customer.pk)
        .order_by("id")
        .values_list("attribute", "op", "value")
    )
    reply = list(
        RadReply.objects.filter(customer_id=customer.pk)
        .order_by("id")
        .values_list("attribute", "op", "value")
    )
    return check, reply


@pytest.fixture
def world():
    w = make_world()
    fund_resellers(w)
    return w


def create(world, **extra):
    values = {
        "actor": world.admin,
        "customer_type": "pppoe_monthly",
        "name": "Karim",
        "mobile": "01711000001",
        "package": world.package,
        "billing_profile": world.monthly,
        "username": "karim",
        "password": "pw123456",
    }
    values.update(extra)
    return cs.customer_create(**values)


def test_created_customer_gets_password_limit_and_rate(world):
    customer = create(world)
    check, reply = rows(customer)
    assert check == [("Cleartext-Password", ":=", "pw123456"), ("Simultaneous-Use", ":=", "1")]
    assert reply == [("Mikrotik-Rate-Limit", ":=", "10240k/10240k")]
    assert set(
        RadCheck.objects.filter(customer_id=customer.pk).values_list("username", "tenant_id")
    ) == {("karim", world.tenant.pk)}


def test_pool_static_ip_mac_binding_and_sessions(world):
    pool = IpPool.objects.create(tenant=world.tenant, name="home-pool", ranges="10.10.0.0/22")
    profile = PppoeProfile.objects.create(tenant=world.tenant, name="home", pool_v4=pool)
    world.package2.pppoe_profile = profile
    world.package2.save()
    pooled = create(world, package=world.package2, username="pooled")
    assert ("Framed-Pool", ":=", "home-pool") in rows(pooled)[1]
    static = create(
        world,
        customer_type="static_monthly",
        username="static1",
        static_ip="172.16.5.9",
        mac_address="aa-bb-cc-dd-ee-ff",
        mac_binding=True,
        simultaneous_use=2,
        package=world.package2,
    )
    check, reply = rows(static)
    assert ("Calling-Station-Id", "==", "AA:BB:CC:DD:EE:FF") in check
    assert ("Simultaneous-Use", ":=", "2") in check
    assert ("Framed-IP-Address", ":=", "172.16.5.9") in reply
    assert not any(a == "Framed-Pool" for a, _o, _v in reply)


def test_status_changes_rewrite_the_rows(world):
    customer = create(world)
    cs.customer_set_status(
        actor=world.admin, customer=customer, status="suspended", reason="unpaid"
    )
    check, reply = rows(customer)
    assert ("Cleartext-Password", ":=", "pw123456") in check
    assert ("Framed-Pool", ":=", "netbill-suspended") in reply
    assert ("Mikrotik-Address-List", ":=", "netbill-suspended") in reply

    cs.customer_set_status(actor=world.admin, customer=customer, status="disabled", reason="left")
    check, reply = rows(customer)
    assert check == [("Auth-Type", ":=", "Reject")]
    assert reply[0][0] == "Reply-Message" and "disabled" in reply[0][2]

    cs.customer_set_status(actor=world.admin, customer=customer, status="active")
    assert rows(customer)[1] == [("Mikrotik-Rate-Limit", ":=", "10240k/10240k")]


def test_fup_status_uses_the_fup_speed_and_pool(world):
    fup_pool = IpPool.objects.create(tenant=world.tenant, name="fup-pool", ranges="10.20.0.0/24")
    world.package.fup_limit_gb = 50
    world.package.fup_download_kbps = 2000
    world.package.fup_upload_kbps = 1000
    world.package.fup_pool = fup_pool
    world.package.save()
    customer = create(world)
    cs.customer_set_status(actor=None, customer=customer, status="fup", system=True)
    assert rows(customer)[1] == [
        ("Mikrotik-Rate-Limit", ":=", "1M/2M"),
        ("Framed-Pool", ":=", "fup-pool"),
    ]


def test_package_change_and_password_edit(world):
    customer = create(world)
    cs.customer_change_package(actor=world.admin, customer=customer, package=world.package2)
    assert rows(customer)[1] == [("Mikrotik-Rate-Limit", ":=", "20480k/20480k")]
    cs.customer_update(actor=world.admin, customer=customer, password="newpass99")
    assert rows(customer)[0][0] == ("Cleartext-Password", ":=", "newpass99")


def test_a_refused_change_leaves_the_rows(world):
    customer = create(world)
    before = rows(customer)
    with pytest.raises(ValidationError):
        cs.customer_update(
            actor=world.admin, customer=customer, password="x" * 10, static_ip="nope"
        )
    assert rows(customer) == before


def test_delete_rejects_and_username_can_be_reused(world):
    old = create(world)
    cs.customer_delete(actor=world.admin, customer=old, password=PASSWORD)
    check, reply = rows(old)
    assert check == [("Auth-Type", ":=", "Reject")]
    assert "closed" in reply[0][2]
    new = create(world, name="New Karim", password="fresh1234")
    assert rows(old) == ([], [])
    assert rows(new)[0][0] == ("Cleartext-Password", ":=", "fresh1234")
    assert RadCheck.objects.filter(tenant_id=world.tenant.pk, username="karim").count() == 2
    # Reconcile agrees: nothing to repair, the deleted one keeps no rows.
    assert reconcile(world.tenant.pk).repaired == []


def test_other_connection_type_has_no_login(world):
    customer = create(world, customer_type="other", username="meter1")
    assert rows(customer) == ([], [])


def test_expiration_follows_validity(world):
    monthly = create(world, username="monthly1")
    assert "Expiration" not in {a for a, _o, _v in rows(monthly)[0]}
    customer = create(world, customer_type="hotspot", billing_profile=world.daily)
    check = {a: v for a, _o, v in rows(customer)[0]}
    customer.refresh_from_db()
    assert check["Expiration"] == str(int(customer.expires_at.timestamp()))
    later = customer.expires_at + datetime.timedelta(days=3)
    type(customer).objects.filter(pk=customer.pk).update(expires_at=later)
    refresh_expiration([customer.pk])
    check = {a: v for a, _o, v in rows(customer)[0]}
    assert check["Expiration"] == str(int(later.timestamp()))


def test_reconcile_repairs_drift_and_reports_it(world):
    a = create(world, username="alpha")
    b = create(world, username="bravo", mobile="01711000002")
    RadCheck.objects.filter(customer_id=a.pk, attribute="Cleartext-Password").update(value="hacked")
    RadReply.objects.filter(customer_id=b.pk).delete()
    RadCheck.objects.create(
        tenant_id=world.tenant.pk,
        customer_id=999999,
        username="ghost",
        attribute="Cleartext-Password",
        op=":=",
        value="x",
    )
    out = StringIO()
    call_command("radius_reconcile", "--tenant", world.tenant.slug, "--dry-run", stdout=out)
    assert "would repair 2" in out.getvalue()
    assert RadCheck.objects.filter(customer_id=a.pk, value="hacked").exists()

    out = StringIO()
    call_command("radius_reconcile", "--tenant", world.tenant.slug, stdout=out)
    text = out.getvalue()
    assert "repaired 2" in text and "alpha" in text and "bravo" in text and "removed 1" in text
    assert rows(a)[0][0] == ("Cleartext-Password", ":=", "pw123456")
    assert rows(b)[1] == [("Mikrotik-Rate-Limit", ":=", "10240k/10240k")]
    assert not RadCheck.objects.filter(username="ghost").exists()
    log = ActivityLog.objects.get(action="radius.reconcile")
    assert sorted(log.after["repaired"]) == ["alpha", "bravo"]
    # A second run finds nothing.
    assert reconcile(world.tenant.pk).as_dict()["repaired"] == []


def test_package_speed_change_resyncs_its_customers(world):
    from netbill.catalog.services import master_package_update
    from netbill.core.outbox import outbox_drain

    customer = create(world)
    master_package_update(actor=world.admin, package=world.package, download_kbps=30000)
    outbox_drain()
    assert rows(customer)[1] == [("Mikrotik-Rate-Limit", ":=", "10240k/30M")]


def test_suspended_pool_is_there_for_every_isp(world):
    pool = IpPool.objects.get(tenant=world.tenant, kind="suspended")
    assert pool.name == "netbill-suspended" and pool.is_protected
