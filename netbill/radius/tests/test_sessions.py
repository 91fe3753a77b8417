"""Online / offline customers, session history, usage per cycle, fair usage and the
stale-session sweep — from ``radacct`` rows as FreeRADIUS writes them."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from netbill.core.testing import make_customer, make_world
from netbill.radius import sessions
from netbill.radius.models import RadAcct, RadReply, UsageDaily
from netbill.radius.sync import sync_customer
from netbill.radius.tasks import radius_usage

pytestmark = pytest.mark.django_db
GB = 1024**3
_ids = itertools.count(1)


def session(customer, *, start=None, stop=None, update=None, down=0, up=0, nas="10.0.0.1", ip=None):
    n = next(_ids)
    start = start or timezone.now() - datetime.timedelta(minutes=30)
    return RadAcct.objects.create(
        tenant_id=customer.tenant_id,
        customer_id=customer.pk,
        username=customer.username,
        acctsessionid=f"8100{n:04d}",
        acctuniqueid=f"uniq-{n}",
        nasipaddress=nas,
        acctstarttime=start,
        acctupdatetime=update or (stop or start),
        acctstoptime=stop,
        acctinputoctets=up,
        acctoutputoctets=down,
        framedipaddress=ip or f"10.10.0.{n % 250 + 1}",
        callingstationid="AA:BB:CC:00:00:01",
    )


def grow(row, *, down=0, up=0, stop=None):
    row.acctoutputoctets += down
    row.acctinputoctets += up
    row.acctupdatetime = timezone.now()
    row.acctstoptime = stop
    row.save()


@pytest.fixture
def world():
    return make_world()


def login(user):
    client = Client()
    client.force_login(user)
    return client


def test_usage_is_counted_once_per_delta_and_survives_long_sessions(world):
    c = make_customer(world)
    row = session(c, down=5 * GB, up=1 * GB)  # over 4 GB: gigawords already folded in
    sessions.collect_usage()
    sessions.collect_usage()  # nothing new: nothing added
    assert sessions.cycle_usage(c, sessions.usage_cycle(c)) == (5 * GB, 1 * GB)
    grow(row, down=2 * GB)
    sessions.collect_usage()
    grow(row, down=1 * GB, stop=timezone.now())
    sessions.collect_usage()
    sessions.collect_usage()
    assert sessions.cycle_usage(c, sessions.usage_cycle(c)) == (8 * GB, 1 * GB)
    # A session that started and ended between two collector runs is counted too.
    session(c, stop=timezone.now(), down=3 * GB)
    sessions.collect_usage()
    assert sessions.cycle_usage(c, sessions.usage_cycle(c))[0] == 11 * GB


def test_usage_before_the_cycle_does_not_count(world):
    c = make_customer(world)  # monthly profile, due day 1
    today = timezone.localdate()
    cycle = sessions.usage_cycle(c, today)
    UsageDaily.objects.create(
        tenant=world.tenant,
        customer=c,
        day=cycle.start - datetime.timedelta(days=1),
        output_octets=7 * GB,
    )
    UsageDaily.objects.create(tenant=world.tenant, customer=c, day=cycle.start, output_octets=GB)
    assert sessions.cycle_usage(c, cycle) == (GB, 0)
    history = sessions.usage_history(c, cycles=2)
    assert history[0]["download"] == GB and history[1]["download"] == 7 * GB


def test_fair_usage_slows_down_then_the_new_cycle_restores(world):
    world.package.fup_limit_gb = 10
    world.package.fup_download_kbps = 1000
    world.package.fup_upload_kbps = 512
    world.package.save()
    c = make_customer(world)
    sync_customer(c)
    light = make_customer(world)
    row = session(c, down=9 * GB)
    session(light, down=GB)
    radius_usage()
    c.refresh_from_db()
    assert c.status == "active"
    grow(row, down=2 * GB)
    result = radius_usage()
    c.refresh_from_db()
    light.refresh_from_db()
    assert c.status == "fup" and light.status == "active"
    assert result["fup"][world.tenant.slug]["entered"] == 1
    assert RadReply.objects.get(customer_id=c.pk, attribute="Mikrotik-Rate-Limit").value == (
        "512k/1M"
    )
    assert c.status_changes.filter(to_status="fup").first().reason.startswith("Fair usage")
    # Next cycle: usage starts from zero, the customer is back at full speed.
    next_cycle = sessions.usage_cycle(c).end + datetime.timedelta(days=1)
    left = sessions.fup_check(world.tenant, today=next_cycle)
    c.refresh_from_db()
    assert c.status == "active" and left.left == [c.username]
    assert RadReply.objects.get(customer_id=c.pk, attribute="Mikrotik-Rate-Limit").value == (
        "10240k/10240k"
    )


def test_stale_sessions_are_closed_at_their_last_update(world):
    c = make_customer(world)
    old = timezone.now() - datetime.timedelta(hours=2)
    stale = session(c, start=old, update=old)
    fresh = session(c, update=timezone.now())
    assert sessions.close_stale_sessions() == 1
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.acctstoptime == old and stale.acctterminatecause == "Stale-Session"
    assert fresh.acctstoptime is None


def test_online_page_is_scoped_and_shows_the_session(world):
    mine = make_customer(world, owner=world.operator, name="Mine Online")
    theirs = make_customer(world, owner=world.operator2, name="Theirs Online")
    session(mine, down=3 * 1024**2, ip="10.10.9.9")
    session(theirs)
    session(make_customer(world, name="Gone"), stop=timezone.now())
    admin_page = login(world.admin).get(reverse("radius:online")).content.decode()
    assert "Mine Online" in admin_page and "Theirs Online" in admin_page
    assert "Gone" not in admin_page
    page = login(world.operator).get(reverse("radius:online")).content.decode()
    assert "Mine Online" in page and "10.10.9.9" in page and "3.0\xa0MB" in page
    assert "Theirs Online" not in page
    noc = login(world.noc).get(reverse("radius:online"), {"q": "10.10.9.9"}).content.decode()
    assert "Mine Online" in noc and "Theirs Online" not in noc
    assert login(world.sales).get(reverse("radius:online")).status_code == 403


def test_offline_page_lists_customers_not_seen_for_days(world):
    online = make_customer(world, name="Online Now")
    recent = make_customer(world, name="Seen Yesterday")
    away = make_customer(world, name="Away Long")
    make_customer(world, name="Never Seen")
    session(online)
    yesterday = timezone.now() - datetime.timedelta(days=1)
    session(recent, start=yesterday, stop=yesterday)
    long_ago = timezone.now() - datetime.timedelta(days=10)
    session(away, start=long_ago, stop=long_ago)
    page = login(world.admin).get(reverse("radius:offline"), {"days": 3}).content.decode()
    assert "Away Long" in page and "Never Seen" in page
    assert "Online Now" not in page and "Seen Yesterday" not in page
    assert long_ago.astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%d") in page


def test_customer_sessions_page_and_scope(world):
    c = make_customer(world, owner=world.operator, name="History Customer")
    session(c, stop=timezone.now(), down=GB)
    session(c)
    UsageDaily.objects.create(
        tenant=world.tenant, customer=c, day=timezone.localdate(), output_octets=2 * GB
    )
    page = login(world.operator).get(reverse("radius:customer", args=[c.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert text.count("data-session=") == 2 and "2.0\xa0GB" in text
    assert login(world.operator2).get(reverse("radius:customer", args=[c.pk])).status_code == 404


def test_sessions_api(world):
    c = make_customer(world, owner=world.operator)
    other = make_customer(world, owner=world.operator2)
    session(c, down=100, up=50)
    session(other)
    session(c, stop=timezone.now())
    api = APIClient()
    api.force_authenticate(world.operator)
    online = api.get("/api/v1/sessions/").json()
    assert [r["customer"] for r in online["results"]] == [c.pk]
    assert online["results"][0]["download_bytes"] == 100
    history = api.get("/api/v1/sessions/", {"customer": c.pk}).json()
    assert len(history["results"]) == 2
    assert api.get("/api/v1/sessions/", {"customer": other.pk}).status_code == 404
    UsageDaily.objects.create(
        tenant=world.tenant, customer=c, day=timezone.localdate(), input_octets=7
    )
    usage = api.get("/api/v1/sessions/usage/", {"customer": c.pk}).json()
    assert usage[0]["upload"] == 7
    api.force_authenticate(world.sales)
    assert api.get("/api/v1/sessions/").status_code == 403
