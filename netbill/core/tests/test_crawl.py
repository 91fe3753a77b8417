"""Cross-scope crawl: every panel URL and API endpoint, requested by every role of tenant A
(and by resellers of A about each other), naming objects of tenant B / another reseller,
answers 404 (or 403 before any lookup) and never shows their data or changes them."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from netbill.accounts.models import ApiToken, AuthLog, SalesNote
from netbill.core.audit import audit_record
from netbill.core.choices import OutboxStatus
from netbill.core.models import OutboxMessage
from netbill.core.permissions import GRANTABLE
from netbill.core.testing import db_state, make_customer, make_world
from netbill.customers.models import CustomField

FOREIGN_BASE = 900_000
FOREIGN_PKS = (FOREIGN_BASE + 1, FOREIGN_BASE + 2, FOREIGN_BASE + 3)
MARKER = "Zeta-Foreign"
SKIP_NAMES = {"accounts:logout", "accounts:get_access_end", "api-schema", "api-docs"}
ALLOWED = {403, 404, 405}


def _patterns(resolver: URLResolver, prefix: str = "", namespace: str | None = None):
    for entry in resolver.url_patterns:
        regex = prefix + entry.pattern.regex.pattern.lstrip("^").rstrip("$")
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if entry.namespace and namespace:
                ns = f"{namespace}:{entry.namespace}"
            yield from _patterns(entry, regex, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield name, sorted(re.compile(regex).groupindex)


def all_url_patterns():
    seen = {}
    for name, kwargs in _patterns(get_resolver()):
        if name in SKIP_NAMES or "format" in kwargs or name.startswith("django_"):
            continue
        seen.setdefault(name, kwargs)
    return seen


def _app_modules(name: str = "crawl"):
    """Every ``netbill/<app>/tests/crawl*.py`` module (an app may split its rows)."""
    import importlib
    import pkgutil

    import netbill

    modules = []
    for app in pkgutil.iter_modules(netbill.__path__):
        try:
            tests = importlib.import_module(f"netbill.{app.name}.tests")
        except ModuleNotFoundError as exc:
            if exc.name != f"netbill.{app.name}.tests":
                raise
            continue
        for info in sorted(pkgutil.iter_modules(tests.__path__), key=lambda i: i.name):
            if info.name.startswith(name):
                modules.append(importlib.import_module(f"{tests.__name__}.{info.name}"))
    return modules


def _bump_sequences():
    """Make every row tenant B creates get ids from 900001, so any id names a B object."""
    with connection.cursor() as cursor:
        for model in apps.get_models():
            if not model.__module__.startswith("netbill."):
                continue
            table = model._meta.db_table
            pk = model._meta.pk
            if not pk.get_internal_type().endswith("AutoField"):
                continue
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk.column])
            seq = cursor.fetchone()[0]
            if seq:
                cursor.execute("SELECT setval(%s, %s, false)", [seq, FOREIGN_BASE + 1])


@pytest.fixture
def crawl_world(db):
    home = make_world("Alpha Net")
    _bump_sequences()
    foreign = make_world(f"{MARKER} Net")
    customers = [
        make_customer(foreign, owner=o, name=f"{MARKER} Customer {i}")
        for i, o in enumerate((foreign.operator, foreign.admin, foreign.sub_operator))
    ]
    CustomField.objects.create(tenant=foreign.tenant, name=f"{MARKER} Field", key="zeta")
    OutboxMessage.objects.create(
        tenant=foreign.tenant,
        kind="notify.sms",
        status=OutboxStatus.DEAD,
        payload={"text": MARKER},
        next_attempt_at="2020-01-01T00:00:00Z",
    )
    audit_record(
        actor=foreign.admin,
        action="customer.update",
        obj=customers[0],
        owner=foreign.operator,
        after={"name": MARKER},
    )
    ApiToken.objects.create(
        user=foreign.admin, name=f"{MARKER} token", prefix="nb_zeta", key_hash="0" * 64
    )
    AuthLog.objects.create(
        tenant=foreign.tenant,
        user=foreign.admin,
        email=f"{MARKER}@x.test",
        event="login",
        success=True,
    )
    SalesNote.objects.create(
        tenant=foreign.tenant, operator=foreign.operator, author=foreign.sales, text=MARKER
    )
    # Apps add their own objects of tenant B in ``netbill/<app>/tests/crawl.py``
    # (``populate(foreign_world, marker)``), so every new detail URL is crawled with them.
    for module in _app_modules("crawl"):
        module.populate(foreign, MARKER)
    # Managers of tenant A hold every key they can be given, so 404s are not 403s by accident.
    for manager in (home.op_manager, home.admin_manager):
        manager.granted_keys = sorted(GRANTABLE["manager"])
        manager.save()
    return home, foreign


def _foreign_state():
    """Every netbill row of tenant B (ids from 900001), except login bookkeeping."""
    from netbill.accounts.models import User

    state = []
    for model in apps.get_models():
        if not model.__module__.startswith("netbill.") or model is AuthLog:
            continue
        qs = model._default_manager.filter(pk__gte=FOREIGN_BASE)
        if model is User:
            qs = qs.values_list("pk", "email", "role", "granted_keys", "is_active")
            state.append(sorted(qs, key=repr))
        else:
            state.extend(db_state(qs))
    return state


def _request(client, method, url, api):
    if method == "get":
        return client.get(url)
    if api:
        return getattr(client, method)(url, {"password": "x"}, format="json")
    return client.post(url, {})


def _body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _methods(url):
    return ("get", "post", "patch", "put", "delete") if url.startswith("/api/") else ("get", "post")


def test_every_url_naming_another_tenants_objects_answers_404(crawl_world):
    home, _foreign = crawl_world
    patterns = {n: k for n, k in all_url_patterns().items() if k}
    assert len(patterns) >= 20, sorted(patterns)
    before = _foreign_state()
    failures = []
    roles = ("admin", "operator", "sub_operator", "op_manager", "admin_manager", "noc", "sales")
    for role in roles:
        user = getattr(home, role)
        panel, api = Client(), APIClient()
        panel.force_login(user)
        api.force_authenticate(user)
        for name, kwargs in patterns.items():
            for pk in FOREIGN_PKS:
                url = reverse(name, kwargs=dict.fromkeys(kwargs, pk))
                client = api if url.startswith("/api/") else panel
                for method in _methods(url):
                    response = _request(client, method, url, url.startswith("/api/"))
                    body = _body(response)
                    if response.status_code not in ALLOWED or MARKER in body:
                        failures.append(f"{role} {method.upper()} {url} -> {response.status_code}")
    assert failures == []
    assert _foreign_state() == before


def test_list_pages_never_show_another_tenants_data(crawl_world):
    home, _foreign = crawl_world
    lists = [n for n, k in all_url_patterns().items() if not k]
    failures = []
    for role in (
        "admin",
        "operator",
        "sub_operator",
        "op_manager",
        "admin_manager",
        "noc",
        "sales",
    ):
        user = getattr(home, role)
        panel, api = Client(), APIClient()
        panel.force_login(user)
        api.force_authenticate(user)
        for name in lists:
            url = reverse(name)
            client = api if url.startswith("/api/") else panel
            response = client.get(url)
            if MARKER in _body(response):
                failures.append(f"{role} GET {url}")
            if response.status_code >= 500:
                failures.append(f"{role} GET {url} -> {response.status_code}")
    assert failures == []


def test_reseller_cannot_reach_another_resellers_customers(crawl_world):
    home, _foreign = crawl_world
    theirs = make_customer(home, owner=home.operator2, name="Other Reseller Customer")
    customer_urls = [
        (n, k)
        for n, k in all_url_patterns().items()
        if k and ("customer" in n or n.startswith("customers:"))
    ]
    assert customer_urls
    failures = []
    for role in ("operator", "sub_operator", "op_manager"):
        panel, api = Client(), APIClient()
        user = getattr(home, role)
        panel.force_login(user)
        api.force_authenticate(user)
        for name, kwargs in customer_urls:
            url = reverse(name, kwargs=dict.fromkeys(kwargs, theirs.pk))
            client = api if url.startswith("/api/") else panel
            for method in _methods(url):
                response = _request(client, method, url, url.startswith("/api/"))
                if response.status_code not in ALLOWED or "Other Reseller Customer" in _body(
                    response
                ):
                    failures.append(f"{role} {method.upper()} {url} -> {response.status_code}")
    theirs.refresh_from_db()
    assert failures == []
    assert (theirs.status, theirs.deleted_at) == ("active", None)
