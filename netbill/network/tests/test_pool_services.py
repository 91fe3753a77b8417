"""IP pool and PPPoE profile services: validation, overlap, the protected suspended pool,
static IPs, utilisation and the RADIUS rows that follow a rename."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from netbill.catalog.services import master_package_update
from netbill.core.models import ActivityLog, OutboxMessage
from netbill.core.outbox import outbox_drain
from netbill.core.testing import db_state, make_customer
from netbill.customers.models import Customer
from netbill.network import pools, services
from netbill.network.models import IpPool, PoolKind, PppoeProfile
from netbill.network.selectors import _used_addresses_python, pool_usage
from netbill.radius.models import RadAcct, RadReply
from netbill.radius.sync import sync_customer

pytestmark = pytest.mark.django_db


def errors_of(fn, **kwargs):
    with pytest.raises(ValidationError) as exc:
        fn(**kwargs)
    return exc.value.message_dict


def test_pool_is_created_with_its_size_normalised_ranges_and_audit(world):
    pool = services.pool_create(
        actor=world.admin, name="Home-A", version=4, ranges="10.20.0.0/24,10.20.1.1-10.20.1.10"
    )
    pool.refresh_from_db()
    assert (pool.ranges, int(pool.size), pool.kind) == (
        "10.20.0.0/24, 10.20.1.1-10.20.1.10",
        266,
        PoolKind.CUSTOMER,
    )
    log = ActivityLog.objects.get(action="ip_pool.create")
    assert log.after["name"] == "Home-A"


def test_ipv6_pool_is_created(world):
    pool = services.pool_create(
        actor=world.admin, name="v6-home", version=6, ranges="2001:db8::/48"
    )
    assert int(pool.size) == 2**80


def test_overlapping_pool_is_refused_naming_the_other_pool_and_nothing_is_saved(world):
    services.pool_create(actor=world.admin, name="Home-A", version=4, ranges="10.20.0.0/23")
    before = db_state(IpPool)
    errors = errors_of(
        services.pool_create,
        actor=world.admin,
        name="Home-B",
        version=4,
        ranges="10.20.1.200-10.20.2.10",
    )
    assert errors == {"ranges": ["These addresses overlap the pool “Home-A”."]}
    # the suspended pool (10.254.0.0/22) is a pool like any other for overlaps
    errors = errors_of(
        services.pool_create, actor=world.admin, name="Home-C", version=4, ranges="10.254.3.0/24"
    )
    assert errors == {"ranges": ["These addresses overlap the pool “netbill-suspended”."]}
    assert db_state(IpPool) == before


def test_same_ranges_in_another_isp_or_ip_version_do_not_overlap(world, other_world):
    services.pool_create(actor=world.admin, name="Home-A", version=4, ranges="10.20.0.0/23")
    services.pool_create(actor=other_world.admin, name="Home-A", version=4, ranges="10.20.0.0/23")
    services.pool_create(actor=world.admin, name="Home-6", version=6, ranges="::ffff:0:0/96")
    assert IpPool.objects.filter(name="Home-A").count() == 2


def test_bad_pool_fields_are_named(world):
    errors = errors_of(
        services.pool_create, actor=world.admin, name="bad,name", version=4, ranges="10.0.0.0/40"
    )
    assert set(errors) == {"name", "ranges"}
    errors = errors_of(
        services.pool_create,
        actor=world.admin,
        name="vpn",
        version=6,
        ranges="fd00::/64",
        kind="vpn",
    )
    assert errors == {"version": ["The VPN tunnels pool is IPv4."]}
    errors = errors_of(
        services.pool_create,
        actor=world.admin,
        name="netbill-suspended",
        version=4,
        ranges="1.1.1.1",
    )
    assert "already exists" in errors["name"][0]


def test_a_second_suspended_pool_is_refused(world):
    errors = errors_of(
        services.pool_create,
        actor=world.admin,
        name="s2",
        version=4,
        ranges="1.1.1.1",
        kind="suspended",
    )
    assert errors == {"kind": ["The ISP already has its suspended pool."]}


def test_suspended_pool_cannot_be_renamed_or_repurposed_or_deleted(world):
    pool = IpPool.objects.get(tenant=world.tenant, kind=PoolKind.SUSPENDED)
    before = db_state(IpPool)
    assert errors_of(services.pool_update, actor=world.admin, pool=pool, name="other") == {
        "name": ["The suspended pool cannot be renamed."]
    }
    assert errors_of(services.pool_update, actor=world.admin, pool=pool, kind="customer") == {
        "kind": ["The suspended pool stays the suspended pool."]
    }
    assert errors_of(services.pool_delete, actor=world.admin, pool=pool) == {
        "pool": ["The suspended pool cannot be deleted."]
    }
    assert db_state(IpPool) == before
    # its ranges may still change
    services.pool_update(actor=world.admin, pool=pool, ranges="10.250.0.0/24")
    pool.refresh_from_db()
    assert (pool.name, pool.ranges, int(pool.size)) == ("netbill-suspended", "10.250.0.0/24", 256)


def test_pool_may_not_contain_a_customers_static_ip(world):
    make_customer(world, username="fixed1", customer_type="static_monthly", static_ip="10.30.0.77")
    errors = errors_of(
        services.pool_create, actor=world.admin, name="Home-A", version=4, ranges="10.30.0.0/24"
    )
    assert errors == {"ranges": ["10.30.0.77 is the static IP of customer fixed1."]}
    # a deleted customer's address is free again; an IPv6 static IP is no IPv4 clash
    services.pool_create(actor=world.admin, name="Home-A", version=4, ranges="10.30.1.0/24")
    pool = IpPool.objects.get(name="Home-A")
    errors = errors_of(services.pool_update, actor=world.admin, pool=pool, ranges="10.30.0.0/23")
    assert "10.30.0.77" in errors["ranges"][0]


def test_static_ip_conflict_names_the_pool(world):
    services.pool_create(actor=world.admin, name="Home-A", version=4, ranges="10.20.0.0/24")
    services.pool_create(actor=world.admin, name="Home-6", version=6, ranges="2001:db8::/48")
    assert services.static_ip_conflict(world.tenant.pk, "10.20.0.9") == "Home-A"
    assert services.static_ip_conflict(world.tenant.pk, "10.254.0.9") == "netbill-suspended"
    assert services.static_ip_conflict(world.tenant.pk, "2001:db8::5") == "Home-6"
    assert services.static_ip_conflict(world.tenant.pk, "10.21.0.9") is None


def test_pool_without_the_key_is_refused_and_another_tenants_pool_is_404(world, other_world):
    with pytest.raises(PermissionDenied):
        services.pool_create(actor=world.noc, name="x", version=4, ranges="1.1.1.1")
    foreign = IpPool.objects.get(tenant=other_world.tenant, kind=PoolKind.SUSPENDED)
    with pytest.raises(Http404):
        services.pool_update(actor=world.admin, pool=foreign, ranges="10.1.0.0/24")


def test_noc_granted_the_key_manages_pools(world):
    world.noc.granted_keys = [*world.noc.granted_keys, "manage-ip-pools"]
    world.noc.save()
    pool = services.pool_create(actor=world.noc, name="Noc-Pool", version=4, ranges="10.40.0.0/24")
    services.pool_delete(actor=world.noc, pool=pool)
    assert not IpPool.objects.filter(name="Noc-Pool").exists()
    assert ActivityLog.objects.filter(action="ip_pool.delete", object_id=str(pool.pk)).exists()


def _profile(world, **extra):
    pool = services.pool_create(actor=world.admin, name="Home-A", version=4, ranges="10.20.0.0/24")
    data = {"name": "Home", "pool_v4": pool, "rate_limit": "5M/10M"}
    data.update(extra)
    return services.profile_create(actor=world.admin, **data)


def test_pool_used_by_a_profile_or_package_cannot_be_deleted_or_change_version(world):
    profile = _profile(world)
    pool = profile.pool_v4
    assert errors_of(services.pool_delete, actor=world.admin, pool=pool) == {
        "pool": ["This pool is used by a PPPoE profile or a package."]
    }
    errors = errors_of(
        services.pool_update, actor=world.admin, pool=pool, version=6, ranges="2001:db8::/64"
    )
    assert list(errors) == ["version"]
    assert errors_of(services.pool_update, actor=world.admin, pool=pool, kind="vpn") == {
        "kind": ["PPPoE profiles or packages use this pool for customers."]
    }
    assert IpPool.objects.get(pk=pool.pk).version == 4


def test_profile_fields_are_checked(world):
    v6 = services.pool_create(actor=world.admin, name="v6", version=6, ranges="2001:db8::/48")
    suspended = IpPool.objects.get(tenant=world.tenant, kind=PoolKind.SUSPENDED)
    errors = errors_of(
        services.profile_create,
        actor=world.admin,
        name="Bad",
        pool_v4=v6,
        pool_v6=suspended,
        rate_limit="fast",
        dns_server="8.8.8.8, dns.google",
    )
    assert errors == {
        "pool_v4": ["Choose an IPv4 pool."],
        "pool_v6": ["Choose an IPv6 pool."],
        "rate_limit": ["fast is not a MikroTik rate limit (e.g. 5M/10M or 512k/2M 1M/4M)."],
        "dns_server": ["dns.google is not an IP address."],
    }
    assert not PppoeProfile.objects.exists()


@pytest.mark.parametrize(
    "rate", ["5M/10M", "512k/2M", "10M", "2M/4M 4M/8M 1M/2M 16/16 8 1M/2M", "1.5M/3M"]
)
def test_mikrotik_rate_limits_are_accepted(world, rate):
    profile = services.profile_create(actor=world.admin, name=f"P {rate}"[:60], rate_limit=rate)
    assert profile.rate_limit == rate


def test_profile_dns_servers_are_stored_comma_separated(world):
    profile = _profile(world, dns_server=" 8.8.8.8  1.1.1.1 ", local_address="10.0.0.1")
    profile.refresh_from_db()
    assert (profile.dns_server, profile.local_address) == ("8.8.8.8,1.1.1.1", "10.0.0.1")


def test_profile_used_by_a_package_cannot_be_deleted(world):
    profile = _profile(world)
    master_package_update(actor=world.admin, package=world.package, pppoe_profile=profile)
    errors = errors_of(services.profile_delete, actor=world.admin, profile=profile)
    assert errors == {"profile": ["Packages use this profile; move them to another first."]}
    assert PppoeProfile.objects.filter(pk=profile.pk).exists()


def test_profile_pool_change_and_pool_rename_rewrite_customers_framed_pool(world):
    profile = _profile(world)
    master_package_update(actor=world.admin, package=world.package, pppoe_profile=profile)
    outbox_drain()
    customer = Customer.objects.get(pk=make_customer(world, username="pooled").pk)
    sync_customer(customer)

    def framed_pool():
        return RadReply.objects.get(customer=customer, attribute="Framed-Pool").value

    assert framed_pool() == "Home-A"
    # when the pool is renamed
    services.pool_update(actor=world.admin, pool=profile.pool_v4, name="Home-Renamed")
    assert OutboxMessage.objects.filter(kind="radius.resync").exists()
    outbox_drain()
    # then the customer's RADIUS reply follows
    assert framed_pool() == "Home-Renamed"
    # when the profile moves to another pool
    other = services.pool_create(actor=world.admin, name="Home-B", version=4, ranges="10.21.0.0/24")
    services.profile_update(actor=world.admin, profile=profile, pool_v4=other)
    outbox_drain()
    assert framed_pool() == "Home-B"


def test_utilisation_counts_open_sessions_and_static_ips_once(world, other_world):
    pool = services.pool_create(actor=world.admin, name="Home-A", version=4, ranges="10.20.0.0/24")
    v6 = services.pool_create(actor=world.admin, name="v6", version=6, ranges="2001:db8::/48")
    statics = services.pool_create(
        actor=world.admin, name="Other", version=4, ranges="10.50.0.0/24"
    )
    online = make_customer(world, username="online1")
    now = timezone.now()

    def session(n, ip=None, stopped=False, tenant=world.tenant, v6addr=None, prefix=None):
        RadAcct.objects.create(
            tenant_id=tenant.pk,
            customer=online,
            acctsessionid=f"s{n}",
            acctuniqueid=f"u{n}",
            username="online1",
            nasipaddress="192.0.2.10",
            acctstarttime=now,
            acctstoptime=now if stopped else None,
            framedipaddress=ip,
            framedipv6address=v6addr,
            framedipv6prefix=prefix,
        )

    session(1, "10.20.0.5")
    session(2, "10.20.0.6")
    session(3, "10.20.0.7", stopped=True)  # closed: not in use
    session(4, "10.20.0.8", tenant=other_world.tenant)  # another ISP's session
    session(5, "10.99.0.1")  # outside every pool
    session(6, "10.20.0.5")  # the same address twice counts once
    session(7, v6addr="2001:db8::10", prefix="2001:db8:0:1::/64")
    session(8, prefix="not a prefix")
    # a static-IP customer outside the pools (static IPs are refused inside pools by the
    # customer service; rows written directly show they would still be counted)
    make_customer(world, username="fixed", customer_type="static_monthly", static_ip="10.50.0.3")
    IpPool.objects.filter(pk=statics.pk).update(ranges="10.50.0.0/24")

    usage = pool_usage(world.tenant.pk, [pool, v6, statics])

    assert usage == {pool.pk: 2, v6.pk: 2, statics.pk: 1}
    # the SQLite demo's Python count agrees with PostgreSQL's (addresses only)
    intervals = [(p.version, pools.parse_ranges(p.ranges, p.version)) for p in (pool, v6, statics)]
    assert _used_addresses_python(world.tenant.pk, intervals) == [2, 1, 1]
