"""Panel pages of IP pools and PPPoE profiles: list with utilisation, create, edit, delete,
the protected pool, scope and query budget."""

import pytest
from django.urls import reverse
from django.utils import timezone

from netbill.accounts.models import User
from netbill.catalog.services import master_package_update
from netbill.core.testing import make_customer
from netbill.network import services
from netbill.network.models import IpPool, PoolKind, PppoeProfile
from netbill.radius.models import RadAcct

pytestmark = pytest.mark.django_db


def noc_with_pools(world):
    world.noc.granted_keys = [*world.noc.granted_keys, "manage-ip-pools"]
    world.noc.save()
    return User.objects.get(pk=world.noc.pk)


def open_session(world, customer, n, ip):
    RadAcct.objects.create(
        tenant_id=world.tenant.pk,
        customer=customer,
        acctsessionid=f"s{n}",
        acctuniqueid=f"u{n}",
        username=customer.username,
        nasipaddress="192.0.2.10",
        acctstarttime=timezone.now(),
        framedipaddress=ip,
    )


def test_pool_list_shows_size_use_and_utilisation(client, world):
    pool = services.pool_create(actor=world.admin, name="Home-A", version=4, ranges="10.20.0.0/30")
    customer = make_customer(world)
    open_session(world, customer, 1, "10.20.0.1")
    open_session(world, customer, 2, "10.20.0.2")
    client.force_login(world.admin)

    response = client.get(reverse("network:pool_list"))

    assert response.status_code == 200
    rows = {row["pool"].name: row for row in response.context["rows"]}
    assert (rows["Home-A"]["size"], rows["Home-A"]["used"], rows["Home-A"]["percent"]) == (
        4,
        2,
        50.0,
    )
    assert rows["netbill-suspended"]["used"] == 0
    body = response.content.decode()
    assert f'data-pool="{pool.pk}"' in body
    assert "protected" in body
    # the suspended pool has no delete button
    suspended = IpPool.objects.get(tenant=world.tenant, kind=PoolKind.SUSPENDED)
    assert reverse("network:pool_delete", args=[suspended.pk]) not in body
    assert reverse("network:pool_delete", args=[pool.pk]) in body


def test_pool_list_query_count_does_not_grow_with_pools(client, world, django_assert_num_queries):
    client.force_login(world.admin)
    client.get(reverse("network:pool_list"))  # warm the session and the user
    for i in range(5):
        services.pool_create(
            actor=world.admin, name=f"P{i}", version=4, ranges=f"10.{60 + i}.0.0/24"
        )
    services.pool_create(actor=world.admin, name="v6", version=6, ranges="2001:db8::/48")
    with django_assert_num_queries(6):
        # session, user, count, page, usage (one query for every pool), IPv6 prefixes
        response = client.get(reverse("network:pool_list"))
    assert len(response.context["rows"]) == 7


def test_noc_with_the_key_creates_edits_and_deletes_a_pool(client, world):
    client.force_login(noc_with_pools(world))
    response = client.post(
        reverse("network:pool_create"),
        {"name": "Home-A", "version": "4", "ranges": "10.20.0.0/24", "kind": "customer"},
    )
    assert response.status_code == 302
    pool = IpPool.objects.get(name="Home-A")
    response = client.post(
        reverse("network:pool_edit", args=[pool.pk]),
        {"name": "Home-A", "version": "4", "ranges": "10.20.0.0/23", "kind": "customer"},
    )
    assert response.status_code == 302
    pool.refresh_from_db()
    assert int(pool.size) == 512
    assert client.get(reverse("network:pool_delete", args=[pool.pk])).status_code == 200
    response = client.post(reverse("network:pool_delete", args=[pool.pk]))
    assert response.status_code == 302
    assert not IpPool.objects.filter(pk=pool.pk).exists()


def test_pool_form_errors_are_shown_under_their_fields(client, world):
    services.pool_create(actor=world.admin, name="Home-A", version=4, ranges="10.20.0.0/24")
    client.force_login(world.admin)
    response = client.post(
        reverse("network:pool_create"),
        {"name": "Home-B", "version": "4", "ranges": "10.20.0.128/25", "kind": "customer"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "ranges": ["These addresses overlap the pool “Home-A”."]
    }
    assert 'data-error-for="ranges"' in response.content.decode()
    assert not IpPool.objects.filter(name="Home-B").exists()


def test_suspended_pool_form_keeps_name_and_kind_and_refuses_delete(client, world):
    pool = IpPool.objects.get(tenant=world.tenant, kind=PoolKind.SUSPENDED)
    client.force_login(world.admin)
    form = client.get(reverse("network:pool_edit", args=[pool.pk])).context["form"]
    assert form.fields["name"].disabled and form.fields["kind"].disabled
    # a tampered post cannot rename it; the ranges change
    response = client.post(
        reverse("network:pool_edit", args=[pool.pk]),
        {"name": "hacked", "version": "4", "ranges": "10.250.0.0/24", "kind": "customer"},
    )
    assert response.status_code == 302
    pool.refresh_from_db()
    assert (pool.name, pool.kind, pool.ranges) == (
        "netbill-suspended",
        "suspended",
        "10.250.0.0/24",
    )
    response = client.post(reverse("network:pool_delete", args=[pool.pk]))
    assert response.status_code == 400
    assert "The suspended pool cannot be deleted." in response.content.decode()
    assert IpPool.objects.filter(pk=pool.pk).exists()


def test_operator_without_the_key_gets_403_and_another_tenants_pool_is_404(
    client, world, other_world
):
    client.force_login(world.operator)
    assert client.get(reverse("network:pool_list")).status_code == 403
    response = client.post(
        reverse("network:pool_create"),
        {"name": "X", "version": "4", "ranges": "10.1.0.0/24", "kind": "customer"},
    )
    assert response.status_code == 403
    assert not IpPool.objects.filter(name="X").exists()
    foreign = IpPool.objects.get(tenant=other_world.tenant)
    client.force_login(world.admin)
    for name in ("network:pool_edit", "network:pool_delete"):
        assert client.get(reverse(name, args=[foreign.pk])).status_code == 404
        assert client.post(reverse(name, args=[foreign.pk])).status_code == 404
    assert IpPool.objects.filter(pk=foreign.pk, name="netbill-suspended").exists()


def test_profile_list_shows_pools_and_linked_packages(client, world):
    pool = services.pool_create(actor=world.admin, name="Home-A", version=4, ranges="10.20.0.0/24")
    profile = services.profile_create(
        actor=world.admin, name="Home", pool_v4=pool, rate_limit="5M/10M"
    )
    master_package_update(actor=world.admin, package=world.package, pppoe_profile=profile)
    master_package_update(actor=world.admin, package=world.package2, pppoe_profile=profile)
    client.force_login(world.admin)
    response = client.get(reverse("network:profile_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Home-A" in body and "5M/10M" in body
    row = body.split(f'data-profile="{profile.pk}"')[1].split("</tr>")[0]
    assert "Home 10M" in row and "Home 20M" in row


def test_profile_is_created_edited_and_deleted_in_the_panel(client, world):
    pool = services.pool_create(actor=world.admin, name="Home-A", version=4, ranges="10.20.0.0/24")
    client.force_login(world.admin)
    form = client.get(reverse("network:profile_create")).context["form"]
    assert list(form.fields["pool_v4"].queryset) == [pool]
    response = client.post(
        reverse("network:profile_create"),
        {
            "name": "Home",
            "local_address": "10.20.0.1",
            "pool_v4": pool.pk,
            "rate_limit": "5M/10M",
            "dns_server": "8.8.8.8",
            "only_one": "on",
        },
    )
    assert response.status_code == 302
    profile = PppoeProfile.objects.get(name="Home")
    assert (profile.pool_v4, profile.only_one) == (pool, True)
    response = client.post(
        reverse("network:profile_edit", args=[profile.pk]),
        {"name": "Home", "rate_limit": "bad rate"},
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["rate_limit"]
    response = client.post(reverse("network:profile_delete", args=[profile.pk]))
    assert response.status_code == 302
    assert not PppoeProfile.objects.exists()


def test_profile_form_offers_no_other_tenants_pools(client, world, other_world):
    foreign = services.pool_create(
        actor=other_world.admin, name="Foreign", version=4, ranges="10.20.0.0/24"
    )
    client.force_login(world.admin)
    response = client.post(reverse("network:profile_create"), {"name": "P", "pool_v4": foreign.pk})
    assert response.status_code == 400
    assert "pool_v4" in response.context["form"].errors
    assert not PppoeProfile.objects.filter(name="P").exists()


def test_menu_shows_network_items_by_key(client, world):
    client.force_login(world.admin)
    body = client.get(reverse("core:dashboard")).content.decode()
    for name in ("network:pool_list", "network:profile_list", "network:vpn_list", "network:ping"):
        assert f'data-menu="{name}"' in body
    client.force_login(world.noc)
    body = client.get(reverse("core:dashboard")).content.decode()
    assert 'data-menu="network:ping"' in body
    assert 'data-menu="network:pool_list"' not in body
    assert 'data-menu="network:vpn_list"' not in body
    client.force_login(noc_with_pools(world))
    body = client.get(reverse("core:dashboard")).content.decode()
    assert 'data-menu="network:pool_list"' in body
