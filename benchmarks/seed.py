"""Seed the benchmark ISP: 100,000 customers in the ``netbill_bench`` database.

The small structure (tenant, staff, catalog, zones, custom field) goes through the real
services.  The customers are written with ``bulk_create`` in batches of 5,000, and their
"created" status rows and activity-log rows with one ``INSERT … SELECT`` each, **bypassing
the services on purpose**: ``customer_create`` costs ~15 queries per customer, which would
make seeding take many minutes.  Seeding only sets the stage; what the benchmark measures — the panel pages and
the API — are the real views, reading through the same selectors and scope as production.

Deterministic (``random.Random(7)``) and done in one transaction, so the database holds
either the whole bench ISP or none of it.
"""

from __future__ import annotations

import datetime
import random
import time
from contextlib import contextmanager
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

# The same Bangladeshi names as the demo ISP (the search term below relies on them).
from netbill.core.management.commands.seed_demo import FIRST_NAMES, LAST_NAMES

BENCH_SLUG = "bench-isp"
PASSWORD = "bench-pass-2026"
BATCH = 5_000
TOTAL = 100_000
SEED = 7

ADMIN_EMAIL = "admin@bench.local"
OPERATOR_EMAIL = "op1@bench.local"  # the measured operator: 16,000 own + 4,000 of its sub
# owner key -> customers; op1 sees its own and sub1's (20,000)
OWNER_COUNTS = {
    "admin": 20_000,
    "op1": 16_000,
    "sub1": 4_000,
    "op2": 20_000,
    "op3": 20_000,
    "op4": 20_000,
}
# status -> share (per mille)
STATUS_SHARES = (("active", 850), ("suspended", 70), ("disabled", 50), ("fup", 30))
TYPE_SHARES = (
    ("pppoe_monthly", 600),
    ("pppoe_daily", 150),
    ("hotspot", 100),
    ("static_monthly", 80),
    ("other", 70),
)
ZONE_COUNT = 20
# The search term the list benchmarks use: a common name fragment (Rahim, Rahman, Ibrahim…).
SEARCH_TERM = "rah"


def bench_tenant():
    from netbill.tenancy.models import Tenant

    return Tenant.objects.filter(slug=BENCH_SLUG).first()


def customer_count() -> int:
    from netbill.customers.models import Customer

    tenant = bench_tenant()
    if tenant is None:
        return 0
    return Customer.objects.filter(tenant=tenant).count()


def _pick(rng: random.Random, shares) -> str:
    roll = rng.randrange(1000)
    for value, share in shares:
        if roll < share:
            return value
        roll -= share
    return shares[0][0]


def seed(*, total: int = TOTAL, log=print) -> float:
    """Build the bench ISP; returns the seconds it took."""
    started = time.perf_counter()

    def timed_log(message: str) -> None:
        log(f"{message} ({time.perf_counter() - started:.1f} s)")

    with transaction.atomic():
        accounts, packages, profiles, zones = _structure()
        timed_log("  structure (tenant, staff, catalog, zones) created through the services")
        _customers(total, accounts, packages, profiles, zones, timed_log)
    with connection.cursor() as cursor:
        # Fresh planner statistics, as autovacuum would have them on a live system.
        cursor.execute("ANALYZE")
    timed_log("  committed and analysed")
    return time.perf_counter() - started


def _structure():
    from netbill.accounts.models import User
    from netbill.accounts.services import staff_create
    from netbill.catalog.services import (
        billing_profile_create,
        master_package_create,
        operator_package_assign,
    )
    from netbill.core.choices import AccountType, Role
    from netbill.customers.setup import custom_field_create, zone_create
    from netbill.tenancy.services import tenant_create

    platform = User.objects.filter(email="platform@bench.local").first()
    if platform is None:
        platform = User.objects.create_superuser("platform@bench.local", PASSWORD)
    _tenant, admin = tenant_create(
        actor=platform,
        name="Bench ISP",
        slug=BENCH_SLUG,
        admin_email=ADMIN_EMAIL,
        admin_name="Bench Admin",
        admin_password=PASSWORD,
    )
    accounts = {"admin": admin}
    for n in range(1, 5):
        accounts[f"op{n}"] = staff_create(
            actor=admin,
            role=Role.OPERATOR,
            email=f"op{n}@bench.local",
            name=f"Operator {n}",
            password=PASSWORD,
            account_type=AccountType.PREPAID if n % 2 else AccountType.POSTPAID,
            credit_limit=Decimal("0") if n % 2 else Decimal("100000"),
        )
    accounts["sub1"] = staff_create(
        actor=accounts["op1"],
        role=Role.SUB_OPERATOR,
        email="sub1@bench.local",
        name="Sub-operator 1",
        password=PASSWORD,
    )
    packages = []
    for mbps, price in (
        (5, 500),
        (10, 800),
        (15, 1000),
        (20, 1200),
        (30, 1500),
        (40, 2000),
        (60, 2500),
        (100, 3000),
    ):
        packages.append(
            master_package_create(
                actor=admin,
                name=f"Home {mbps}M",
                download_kbps=mbps * 1024,
                upload_kbps=mbps * 1024,
                price=Decimal(price),
                validity_days=30,
            )
        )
    resellers = [accounts[k] for k in ("op1", "op2", "op3", "op4", "sub1")]
    for reseller in resellers:
        for package in packages:
            operator_package_assign(
                actor=admin,
                operator=reseller,
                master_package=package,
                reseller_price=package.price * Decimal("0.7"),
            )
    profiles = {
        "monthly": billing_profile_create(
            actor=admin,
            name="Monthly 1st",
            billing_type="monthly",
            due_day=1,
            grace_days=5,
            resellers=resellers,
        ),
        "daily": billing_profile_create(
            actor=admin, name="Daily prepaid", billing_type="daily", due_day=1, resellers=resellers
        ),
    }
    zones = [zone_create(actor=admin, name=f"Zone {n:02d}") for n in range(1, ZONE_COUNT + 1)]
    custom_field_create(actor=admin, name="Building", key="building", field_type="text")
    return accounts, packages, profiles, zones


@contextmanager
def _explicit_created_at(model):
    """Let ``bulk_create`` keep the given ``created_at`` (``auto_now_add`` overwrites it)."""
    created_at = model._meta.get_field("created_at")
    created_at.auto_now_add = False
    try:
        yield
    finally:
        created_at.auto_now_add = True


def _customers(total, accounts, packages, profiles, zones, log) -> None:
    from netbill.core.models import ActivityLog
    from netbill.customers.models import Customer, CustomerStatusChange

    rng = random.Random(SEED)
    tenant_id = accounts["admin"].tenant_id
    scale = total / TOTAL
    owners = []
    for key, count in OWNER_COUNTS.items():
        owners += [key] * round(count * scale)
    owners = (owners + ["admin"] * total)[:total]
    rng.shuffle(owners)
    owner_ids = {key: user.pk for key, user in accounts.items()}
    zone_ids = [zone.pk for zone in zones]
    package_ids = [package.pk for package in packages]
    profile_ids = {key: profile.pk for key, profile in profiles.items()}
    now = timezone.now()
    seq = 0
    for start in range(0, total, BATCH):
        batch = []
        for i in range(start, min(start + BATCH, total)):
            seq += 1
            ctype = _pick(rng, TYPE_SHARES)
            daily = ctype in ("pppoe_daily", "hotspot")
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            batch.append(
                Customer(
                    tenant_id=tenant_id,
                    owner_id=owner_ids[owners[i]],
                    zone_id=rng.choice(zone_ids),
                    name=f"{first} {last}",
                    mobile=f"01{rng.choice('3456789')}{rng.randrange(10**8):08d}",
                    customer_type=ctype,
                    package_id=rng.choice(package_ids),
                    billing_profile_id=profile_ids["daily" if daily else "monthly"],
                    status=_pick(rng, STATUS_SHARES),
                    username=f"c{seq:06d}",
                    password=f"{rng.randrange(16**8):08x}",
                    static_ip=f"10.{seq // 65536}.{seq // 256 % 256}.{seq % 256}"
                    if ctype == "static_monthly"
                    else None,
                    expires_at=now + datetime.timedelta(days=rng.randint(-10, 30)),
                    # Spread over three years, so "newest first" pages are realistic.
                    created_at=now - datetime.timedelta(seconds=rng.randrange(3 * 365 * 86400)),
                    custom_fields={"building": f"Block {rng.randint(1, 40)}"},
                )
            )
        with _explicit_created_at(Customer):
            Customer.objects.bulk_create(batch, batch_size=BATCH)
        if (start // BATCH) % 5 == 4 or start + BATCH >= total:
            log(f"  {min(start + BATCH, total):>7,} customers")
    log("  customers inserted")
    table = Customer._meta.db_table
    with connection.cursor() as cursor:
        # Each customer's "created" status row and activity-log row, as customer_create
        # writes them, derived from the customer rows in the database itself.
        cursor.execute(
            f"INSERT INTO {CustomerStatusChange._meta.db_table} "  # noqa: S608
            "(tenant_id, customer_id, from_status, to_status, reason, actor_id, created_at) "
            f"SELECT tenant_id, id, '', status, 'Created', owner_id, created_at FROM {table} "
            "WHERE tenant_id = %s ORDER BY id",
            [tenant_id],
        )
        cursor.execute(
            f"INSERT INTO {ActivityLog._meta.db_table} "  # noqa: S608
            "(tenant_id, actor_id, owner_id, action, object_type, object_id, object_repr, "
            "before, after, created_at) "
            "SELECT tenant_id, owner_id, owner_id, 'customer.create', 'customer', id::text, "
            "name || ' (' || username || ')', '{}'::jsonb, "
            "jsonb_build_object('username', username), created_at "
            f"FROM {table} WHERE tenant_id = %s ORDER BY created_at, id",
            [tenant_id],
        )
    log("  status history and activity log rows written")
