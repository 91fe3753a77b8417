"""``make bench``: server time and query counts of the main pages at 100,000 customers.

Runs against PostgreSQL only, in its own database ``netbill_bench`` (created on first use
next to the database ``DATABASE_URL`` names; the role needs CREATEDB), seeded once with
100,000 customers (see ``benchmarks/seed.py``) and reused on later runs.

Every page is requested with Django's test client as a logged-in user (no network, no
web server: "server time" is the full Django request/response cycle), 3 warm-ups then 30
timed requests; the SQL statements are counted with ``CaptureQueriesContext`` so the
``DEBUG`` setting makes no difference.  Prints a table and writes every figure to
``benchmarks/results.json`` as ``{"name", "value", "unit", "target", "met"}``.  A missed
target is reported (``MISSED``), not an error: the exit code is 0 unless the benchmark
itself cannot run.

Options: ``--reseed`` drops and rebuilds the bench database; ``-n N`` timed requests;
``--only SUITE`` (customer, payment, billing, network) runs one suite.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results.json"
BENCH_DB = "netbill_bench"
DEFAULT_URL = "postgres://netbill:netbill@127.0.0.1:5432/netbill"
WARMUPS = 3
P95_TARGET_MS = 150.0

sys.path.insert(0, str(ROOT))


# --- database --------------------------------------------------------------------------


def bench_database_url(base_url: str) -> str:
    parts = urlsplit(base_url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit(f"bench: DATABASE_URL must point at PostgreSQL (got {parts.scheme or base_url!r})")
    return urlunsplit(parts._replace(path=f"/{BENCH_DB}"))


def _admin_connection(base_url: str):
    import psycopg

    parts = urlsplit(base_url)
    return psycopg.connect(urlunsplit(parts._replace(scheme="postgresql")), autocommit=True)


def create_database(base_url: str, *, drop: bool = False) -> bool:
    """Create ``netbill_bench`` when missing (dropping it first with ``drop``); True if created."""
    from psycopg import sql

    with _admin_connection(base_url) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone()
        if exists and drop:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(BENCH_DB)))
            exists = None
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(BENCH_DB)))
            return True
    return False


# --- measuring -------------------------------------------------------------------------


class Unavailable(Exception):
    """The page is not there (yet): skipped with a printed line."""


@dataclass
class Timing:
    name: str
    times_ms: list[float]
    queries: list[int]

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.times_ms)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


@dataclass
class Report:
    records: list[dict] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, name: str, value, unit: str, target: str, met: bool) -> None:
        if isinstance(value, float):
            value = round(value, 1)
        self.records.append(
            {"name": name, "value": value, "unit": unit, "target": target, "met": bool(met)}
        )

    def missed(self) -> list[dict]:
        return [r for r in self.records if not r["met"]]


def request(client, url: str):
    """One GET; raises :class:`Unavailable` unless it answers 200."""
    response = client.get(url)
    if response.status_code != 200:
        raise Unavailable(f"HTTP {response.status_code}")
    return response


def measure(client, name: str, url: str, n: int) -> Timing:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARMUPS):
        request(client, url)
    times, queries = [], []
    for _ in range(n):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            request(client, url)
            elapsed = time.perf_counter() - started
        times.append(elapsed * 1000)
        queries.append(len(ctx.captured_queries))
    return Timing(name, times, queries)


def count_queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    request(client, url)  # warm (session, caches) so only the page's own queries differ
    with CaptureQueriesContext(connection) as ctx:
        request(client, url)
    return len(ctx.captured_queries)


def url_or_none(name: str, *args) -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def path_exists(path: str) -> bool:
    from django.urls import Resolver404, resolve

    try:
        resolve(path)
    except Resolver404:
        return False
    return True


# --- the benchmarks --------------------------------------------------------------------


def customer_benchmarks(report: Report, n: int) -> None:
    """Customer list (search + filters, first page), profile, dashboard, API list; each as
    the group admin and as an operator with ~20,000 customers."""
    from django.test import Client

    from benchmarks.seed import ADMIN_EMAIL, OPERATOR_EMAIL, SEARCH_TERM, bench_tenant
    from netbill.accounts.models import User
    from netbill.customers.models import Customer, Zone

    tenant = bench_tenant()
    admin = User.objects.get(email=ADMIN_EMAIL)
    operator = User.objects.get(email=OPERATOR_EMAIL)
    zone = Zone.objects.filter(tenant=tenant).order_by("name").first()
    # One active customer of the operator in that zone: the same filters, found by username,
    # give a one-row page to compare the query count of a full page with.
    single = (
        Customer.objects.filter(tenant=tenant, owner=operator, zone=zone, status="active")
        .order_by("-id")
        .first()
    )
    # Profiles of a customer both accounts may see (the operator's own).
    own = Customer.objects.filter(tenant=tenant, owner=operator).order_by("id")
    customer = own.filter(customer_type="pppoe_monthly").first()
    other_customer = own.filter(customer_type="static_monthly").first()

    list_url = url_or_none("customers:list")
    detail_url = url_or_none("customers:detail", customer.pk)
    other_detail_url = url_or_none("customers:detail", other_customer.pk)
    dashboard_url = url_or_none("core:dashboard")
    api_path = "/api/v1/customers/"
    api_ok = path_exists(api_path)

    def list_query(**params) -> str:
        return f"{list_url}?{urlencode(params)}"

    def api_query(**params) -> str:
        return f"{api_path}?{urlencode(params)}"

    def api_page_size_check(client, queries):
        small = count_queries(client, api_query(q=SEARCH_TERM, status="active", page_size=10))
        large = count_queries(client, api_query(q=SEARCH_TERM, status="active", page_size=100))
        return (
            "independent of page size",
            small == large,
            f"page_size 10: {small}, page_size 100: {large}",
        )

    def list_rows_check(client, queries):
        # The panel list has a fixed page size: compare a full page with a one-row page.
        one = count_queries(client, list_query(q=single.username, status="active", zone=zone.pk))
        return ("independent of page size", one == queries, f"50 rows: {queries}, 1 row: {one}")

    def profile_check(client, queries):
        other = count_queries(client, other_detail_url)
        return (
            "independent of the customer",
            other == queries,
            f"pppoe customer: {queries}, static IP customer: {other}",
        )

    def steady_check(client, queries):
        return ("same on every request", True, "")

    pages = [
        (
            "customer_list",
            list_url and list_query(q=SEARCH_TERM, status="active", zone=zone.pk),
            list_rows_check,
        ),
        # Beyond the list: looking one customer up by username, the daily case.
        ("customer_search_one", list_url and list_query(q=single.username), steady_check),
        ("customer_profile", detail_url, profile_check),
        ("dashboard", dashboard_url, steady_check),
        # The API's search parameter is ``q`` (the same selector as the panel list).
        (
            "api_customer_list",
            api_ok and api_query(q=SEARCH_TERM, status="active"),
            api_page_size_check,
        ),
    ]
    clients = {}
    for role, user in (("admin", admin), ("operator", operator)):
        client = Client()
        client.force_login(user)
        clients[role] = client

    for page, url, check in pages:
        for role, client in clients.items():
            name = f"{page}.{role}"
            try:
                if not url:
                    raise Unavailable("no such URL yet")
                timing = measure(client, name, url, n)
                queries = max(timing.queries)
                query_target, query_met, detail = check(client, queries)
            except Unavailable as exc:
                report.notes.append(f"{name}: not available ({exc})")
                print(f"  {name:<28} not available ({exc}){f' at {url}' if url else ''}")
                continue
            except Exception as exc:  # noqa: BLE001 - a broken page is reported, not fatal
                report.notes.append(f"{name}: ERROR {type(exc).__name__}: {exc}")
                print(f"  {name:<28} ERROR {type(exc).__name__}: {exc}")
                continue
            target = f"<= {P95_TARGET_MS:g}"
            report.add(
                f"{name}.median_ms", timing.median, "ms", target, timing.median <= P95_TARGET_MS
            )
            report.add(f"{name}.p95_ms", timing.p95, "ms", target, timing.p95 <= P95_TARGET_MS)
            report.add(f"{name}.queries", queries, "queries", query_target, query_met)
            report.rows.append(
                (
                    name,
                    timing.median,
                    timing.p95,
                    queries,
                    min(timing.queries) == queries,
                    query_target,
                    query_met,
                    detail,
                )
            )
            print(f"  {name:<28} {timing.median:.1f} ms median")


SUITES = [customer_benchmarks]


def payment_benchmarks(report: Report, n: int) -> None:
    """The payment path: payments/second from 8 concurrent clients, each a thread with its
    own connection paying other customers' bills through ``payment_record``; the run's rows
    are removed afterwards (see ``benchmarks/payments.py``)."""
    from benchmarks.payments import run_payment_bench

    try:
        run_payment_bench(report, clients=1)  # the same path without contention, to compare
        run_payment_bench(report)
    except Exception as exc:  # noqa: BLE001 - a broken suite is reported, not fatal
        report.notes.append(f"payments: ERROR {type(exc).__name__}: {exc}")
        print(f"  payments                     ERROR {type(exc).__name__}: {exc}")


SUITES.append(payment_benchmarks)


def billing_benchmarks(report: Report, n: int) -> None:
    """The monthly billing run over the 100,000 seeded customers (bills + ledger entries),
    as bills/second and as a ratio to a raw SQL ``INSERT … SELECT`` of the same bill rows,
    and the dunning sweep; everything rolled back (see ``benchmarks/billing_bench.py``)."""
    from benchmarks.billing_bench import billing_benchmarks as run_billing_bench

    try:
        run_billing_bench(report, n)
    except Exception as exc:  # noqa: BLE001 - a broken suite is reported, not fatal
        report.notes.append(f"billing: ERROR {type(exc).__name__}: {exc}")
        print(f"  billing                      ERROR {type(exc).__name__}: {exc}")


SUITES.append(billing_benchmarks)


def network_benchmarks(report: Report, n: int) -> None:
    """Sessions pages over 1,000,000 ``radacct`` rows and suspending 10,000 customers at once
    (see ``benchmarks/network_bench.py``)."""
    from benchmarks.network_bench import network_benchmarks as run_network_bench

    try:
        run_network_bench(report, n)
    except Exception as exc:  # noqa: BLE001 - a broken suite is reported, not fatal
        report.notes.append(f"network: ERROR {type(exc).__name__}: {exc}")
        print(f"  network                      ERROR {type(exc).__name__}: {exc}")


SUITES.append(network_benchmarks)


# --- output ----------------------------------------------------------------------------


def print_table(report: Report) -> None:
    print()
    header = f"{'name':<28} {'median ms':>10} {'p95 ms':>8} {'queries':>8}  query check"
    print(header)
    print("-" * (len(header) + 40))
    for name, median, p95, queries, steady, target, met, detail in report.rows:
        flag = "" if p95 <= P95_TARGET_MS else f"   MISSED p95 <= {P95_TARGET_MS:g} ms"
        check = f"{target}: {'ok' if met else 'MISSED'}" + (f" ({detail})" if detail else "")
        if not steady:
            check += " [count varied between requests]"
        print(f"{name:<28} {median:>10.1f} {p95:>8.1f} {queries:>8}  {check}{flag}")
    for note in report.notes:
        print(f"{note}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=30, help="timed requests per page (default 30)")
    parser.add_argument("--reseed", action="store_true", help="drop and rebuild the bench database")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        help="run only this suite (customer, payment, billing, network); repeatable",
    )
    args = parser.parse_args(argv)

    base_url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    bench_url = bench_database_url(base_url)
    if create_database(base_url, drop=args.reseed):
        print(f"bench: created database {BENCH_DB}")
    os.environ["DATABASE_URL"] = bench_url
    # Production-like defaults; side effects are only recorded, never sent.
    os.environ.setdefault("DEBUG", "0")
    os.environ["OUTBOX_DRAIN_ON_COMMIT"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netbill.settings")
    warnings.filterwarnings("ignore", message="No directory at")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    from benchmarks import seed

    print(
        f"bench: database {settings.DATABASES['default']['NAME']} "
        f"on {settings.DATABASES['default']['HOST']}, DEBUG={settings.DEBUG}"
    )
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    report = Report()
    count = seed.customer_count()
    if count != seed.TOTAL:
        if seed.bench_tenant() is not None:
            print(f"bench: the bench ISP has {count:,} customers, not {seed.TOTAL:,}: rebuilding")
            connections.close_all()
            create_database(base_url, drop=True)
            call_command("migrate", interactive=False, verbosity=0)
        print(f"bench: seeding {seed.TOTAL:,} customers (bulk insert, bypassing the services)")
        seconds = seed.seed()
        print(f"bench: seeded in {seconds:.1f} s")
        report.add("seed.seconds", seconds, "s", "<= 60", seconds <= 60)
    else:
        print(f"bench: {count:,} customers already seeded; reusing them (--reseed rebuilds)")
    report.add(
        "seed.customers",
        seed.customer_count(),
        "customers",
        f"== {seed.TOTAL}",
        seed.customer_count() == seed.TOTAL,
    )

    # Fresh planner statistics, as autovacuum keeps them on a live database (a bulk seed or
    # a just-created index has none yet).
    with connections["default"].cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"bench: measuring ({WARMUPS} warm-ups + {args.n} requests per page)")
    for suite in SUITES:
        if args.only and suite.__name__.removesuffix("_benchmarks") not in args.only:
            continue
        suite(report, args.n)
    print_table(report)

    RESULTS.write_text(json.dumps(report.records, indent=2) + "\n")
    missed = report.missed()
    print()
    if missed:
        print("MISSED targets:")
        for record in missed:
            print(
                f"  MISSED {record['name']} = {record['value']} {record['unit']} "
                f"(target {record['target']})"
            )
    else:
        print("All targets met.")
    print(
        f"bench: {len(report.records)} figures written to {RESULTS.relative_to(ROOT)} "
        f"({time.perf_counter() - started:.0f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
