"""Permission-matrix rows for routers: ``view-routers`` (list, detail with live status, log,
Test Connection, API status) and ``manage-routers`` (add, edit, delete, push, import).

Subject: the NOC user, which holds ``view-routers`` by default and may be granted
``manage-routers``; importing also creates customers, so it is the operator (refused) against
the group admin.  The router is a fake RouterOS on 127.0.0.1, stopped when the test's
context goes away."""

from __future__ import annotations

import weakref

from django.urls import reverse

from netbill.core import permissions as P
from netbill.core.matrix import Action
from netbill.customers.models import Customer
from netbill.network.models import Router
from netbill.network.tests.routers_fixtures import make_router, start_fake


def setup(ctx):
    fake = start_fake("7.16")
    weakref.finalize(ctx, fake.stop)
    fake.add_item("/ppp/secret", name="mx-secret", password="pw1", comment="Matrix 01711000555")
    router = make_router(ctx.world, fake, name="Matrix Router")
    ctx.extra.update({"router": router, "fake_router": fake})


def _router(c) -> Router:
    return Router.objects.get(pk=c.extra["router"].pk)


def _url(name):
    return lambda c: reverse(name, args=[c.extra["router"].pk])


def _api(suffix=""):
    return lambda c: f"/api/v1/routers/{c.extra['router'].pk}/{suffix}"


def _online(c):
    return _router(c).status == "online"


def _pushed(c):
    return c.extra["fake_router"].find("/ip/pool", "netbill-suspended") is not None


def _gone(c):
    return not Router.objects.filter(pk=c.extra["router"].pk).exists()


def _renamed(c):
    return _router(c).name == "Renamed Router"


def _imported(c):
    return Customer.objects.filter(username="mx-secret").exists()


NEW_ROUTER = {
    "name": "New Router",
    "host": "127.0.0.2",
    "api_port": 8728,
    "api_username": "u",
    "api_password": "p",
    "radius_secret": "s",
    "coa_port": 3799,
    "is_active": "on",
}


def _edit_form(c):
    router = c.extra["router"]
    return {
        "name": "Renamed Router",
        "host": router.host,
        "api_port": router.api_port,
        "api_username": router.api_username,
        "coa_port": router.coa_port,
        "is_active": "on",
    }


def _import_form(c):
    return {
        "map:default": c.world.package.pk,
        "customer_type": "pppoe_monthly",
        "billing_profile": c.world.monthly.pk,
    }


def _import_api(c):
    return {
        "package_map": [{"profile": "default", "package": c.world.package.pk}],
        "billing_profile": c.world.monthly.pk,
    }


ACTIONS = [
    # --- view-routers
    Action(
        P.VIEW_ROUTERS,
        "routers",
        "panel",
        "get",
        lambda c: reverse("network:routers"),
        subject="noc",
    ),
    Action(
        P.VIEW_ROUTERS,
        "router live status",
        "panel",
        "get",
        _url("network:router_detail"),
        subject="noc",
    ),
    Action(P.VIEW_ROUTERS, "router log", "panel", "get", _url("network:router_log"), subject="noc"),
    Action(
        P.VIEW_ROUTERS,
        "test connection",
        "panel",
        "post",
        _url("network:router_test"),
        effect=_online,
        subject="noc",
    ),
    Action(P.VIEW_ROUTERS, "routers", "api", "get", lambda c: "/api/v1/routers/", subject="noc"),
    Action(P.VIEW_ROUTERS, "router", "api", "get", _api(), subject="noc"),
    Action(P.VIEW_ROUTERS, "router status", "api", "get", _api("status/"), subject="noc"),
    Action(P.VIEW_ROUTERS, "router log", "api", "get", _api("log/"), subject="noc"),
    Action(
        P.VIEW_ROUTERS,
        "test connection",
        "api",
        "post",
        _api("test/"),
        effect=_online,
        subject="noc",
    ),
    # --- manage-routers
    Action(
        P.MANAGE_ROUTERS,
        "add router",
        "panel",
        "post",
        lambda c: reverse("network:router_create"),
        lambda c: NEW_ROUTER,
        lambda c: Router.objects.filter(name="New Router").exists(),
        subject="noc",
    ),
    Action(
        P.MANAGE_ROUTERS,
        "add router",
        "api",
        "post",
        lambda c: "/api/v1/routers/",
        lambda c: {k: v for k, v in NEW_ROUTER.items() if k != "is_active"},
        lambda c: Router.objects.filter(name="New Router").exists(),
        subject="noc",
    ),
    Action(
        P.MANAGE_ROUTERS,
        "edit router",
        "panel",
        "post",
        _url("network:router_edit"),
        _edit_form,
        _renamed,
        subject="noc",
    ),
    Action(
        P.MANAGE_ROUTERS,
        "edit router",
        "api",
        "patch",
        _api(),
        lambda c: {"name": "Renamed Router"},
        _renamed,
        subject="noc",
    ),
    Action(
        P.MANAGE_ROUTERS,
        "delete router",
        "panel",
        "post",
        _url("network:router_delete"),
        effect=_gone,
        subject="noc",
    ),
    Action(P.MANAGE_ROUTERS, "delete router", "api", "delete", _api(), effect=_gone, subject="noc"),
    Action(
        P.MANAGE_ROUTERS,
        "push profiles and pools",
        "panel",
        "post",
        _url("network:router_push"),
        effect=_pushed,
        subject="noc",
    ),
    Action(
        P.MANAGE_ROUTERS,
        "push profiles and pools",
        "api",
        "post",
        _api("push/"),
        effect=_pushed,
        subject="noc",
    ),
    Action(
        P.MANAGE_ROUTERS,
        "import preview",
        "panel",
        "get",
        _url("network:router_import"),
        subject="admin_only",
    ),
    Action(
        P.MANAGE_ROUTERS,
        "import PPP secrets",
        "panel",
        "post",
        _url("network:router_import"),
        _import_form,
        _imported,
        subject="admin_only",
    ),
    Action(
        P.MANAGE_ROUTERS, "import preview", "api", "get", _api("ppp-secrets/"), subject="admin_only"
    ),
    Action(
        P.MANAGE_ROUTERS,
        "import PPP secrets",
        "api",
        "post",
        _api("import-secrets/"),
        _import_api,
        _imported,
        subject="admin_only",
    ),
]
