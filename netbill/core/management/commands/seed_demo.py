"""``manage.py seed_demo``: build the demo ISP through the real service functions.

Everything a user would otherwise click together (tenant, staff hierarchy, catalog, zones,
custom fields, customers and their status changes) is created by the same services the
panel and the API call, so the demo data carries its activity log, status history and
outbox rows (welcome SMS) exactly as real data would.  The data is deterministic
(``random.Random(42)``): two runs build the same ISP.

Running it again while the demo ISP exists only prints the logins; ``--reset`` deletes the
demo ISP first and builds it afresh.
"""

from __future__ import annotations

import datetime
import os
import random
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.password_validation import validate_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from netbill.accounts.models import User
from netbill.accounts.services import staff_create
from netbill.catalog.choices import BillingType
from netbill.catalog.models import OperatorPackage
from netbill.catalog.services import (
    billing_profile_create,
    master_package_create,
    operator_package_assign,
    vat_profile_create,
)
from netbill.core import permissions as P
from netbill.core.choices import AccountType, OutboxStatus, Role
from netbill.core.models import OutboxMessage
from netbill.core.permissions import ROLE_DEFAULTS
from netbill.customers.choices import CustomerStatus, CustomerType, CustomFieldType
from netbill.customers.models import Customer
from netbill.customers.services import customer_create, customer_set_status
from netbill.customers.setup import custom_field_create, zone_create
from netbill.ledger.resellers import (
    ResellerRefused,
    reseller_add_balance,
    reseller_cash_received,
)
from netbill.ledger.selectors import reseller_position
from netbill.tenancy.models import Tenant
from netbill.tenancy.services import tenant_create

DEMO_SLUG = "demo-isp"
DEMO_NAME = "Demo ISP"
# One password for every demo account; it passes the configured validators.
DEMO_PASSWORD = "demo-pass-2026"
DEFAULT_CUSTOMERS = 300
SEED = 42


@dataclass(frozen=True)
class DemoLogin:
    key: str
    role: str
    label: str
    email: str
    note: str = ""


# Every account the demo creates, in the order the final block prints them.
DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin(
        "platform",
        "platform_admin",
        "Platform admin",
        "platform@netbill.local",
        "creates ISPs (tenants)",
    ),
    DemoLogin("admin", Role.GROUP_ADMIN, "Group admin", "admin@netbill.local", "Demo ISP"),
    DemoLogin(
        "operator_prepaid",
        Role.OPERATOR,
        "Operator (prepaid)",
        "dhakanorth@netbill.local",
        "Dhaka North Net",
    ),
    DemoLogin(
        "operator_postpaid",
        Role.OPERATOR,
        "Operator (postpaid)",
        "chattogram@netbill.local",
        "Chattogram Link, credit limit 50,000 BDT",
    ),
    DemoLogin(
        "sub_operator",
        Role.SUB_OPERATOR,
        "Sub-operator",
        "mirpur@netbill.local",
        "Mirpur Air, under Dhaka North Net",
    ),
    DemoLogin(
        "admin_manager",
        Role.MANAGER,
        "Manager",
        "manager@netbill.local",
        "group admin's: view customers, receive payment, create customer",
    ),
    DemoLogin(
        "operator_manager",
        Role.MANAGER,
        "Manager",
        "dhakanorth.manager@netbill.local",
        "Dhaka North Net's: view customers, suspend, activate",
    ),
    DemoLogin("noc", Role.NOC, "NOC user", "noc@netbill.local", "network only, no money"),
    DemoLogin(
        "sales",
        Role.SALES_MANAGER,
        "Sales manager",
        "sales@netbill.local",
        "operators list and sales notes",
    ),
)

ADMIN_MANAGER_KEYS = {P.VIEW_CUSTOMER_DETAILS, P.RECEIVE_PAYMENT, P.CREATE_CUSTOMER}
OPERATOR_MANAGER_KEYS = {P.VIEW_CUSTOMER_DETAILS, P.SUSPEND_CUSTOMER, P.ACTIVATE_CUSTOMER}

# name, speed (Mbps), price (BDT), FUP (limit GB, speed after it in Mbps) or None
PACKAGES = (
    ("Home 5M", 5, "500.00", None),
    ("Home 10M", 10, "800.00", None),
    ("Home 20M", 20, "1200.00", None),
    ("Power 40M FUP", 40, "2000.00", (500, 10)),
    ("Business 100M", 100, "3000.00", None),
)
FUP_PACKAGE = "Power 40M FUP"
# reseller -> (package names, reseller price as a share of the package price)
RESELLER_PACKAGES = {
    "operator_prepaid": (
        ("Home 5M", "Home 10M", "Home 20M", "Power 40M FUP", "Business 100M"),
        Decimal("0.70"),
    ),
    "operator_postpaid": (
        ("Home 10M", "Home 20M", "Power 40M FUP", "Business 100M"),
        Decimal("0.75"),
    ),
    # passed on by Dhaka North Net, at its own price to the sub-operator
    "sub_operator": (("Home 5M", "Home 10M", "Home 20M", "Power 40M FUP"), Decimal("0.80")),
}
ZONES = (
    ("Gulshan", "Gulshan 1 and 2, Banani"),
    ("Mirpur", "Mirpur 1-14, Pallabi"),
    ("Agrabad", "Agrabad and the port area, Chattogram"),
)
OWNER_ZONES = {
    "admin": ("Gulshan", "Mirpur", "Agrabad"),
    "operator_prepaid": ("Gulshan", "Mirpur"),
    "operator_postpaid": ("Agrabad",),
    "sub_operator": ("Mirpur",),
}
USERNAME_PREFIX = {
    "admin": "isp",
    "operator_prepaid": "dn",
    "operator_postpaid": "ctg",
    "sub_operator": "mir",
}
OWNER_SHARES = {"admin": 25, "operator_prepaid": 35, "operator_postpaid": 25, "sub_operator": 15}
TYPE_SHARES = {
    CustomerType.PPPOE_MONTHLY: 55,
    CustomerType.PPPOE_DAILY: 15,
    CustomerType.HOTSPOT: 10,
    CustomerType.STATIC_MONTHLY: 10,
    CustomerType.OTHER: 10,
}
STATUS_SHARES = {
    CustomerStatus.ACTIVE: 84,
    CustomerStatus.SUSPENDED: 7,
    CustomerStatus.DISABLED: 5,
    CustomerStatus.FUP: 4,
}
STATUS_REASONS = {
    CustomerStatus.SUSPENDED: "Bill unpaid after the grace days",
    CustomerStatus.DISABLED: "Connection closed at the customer's request",
    CustomerStatus.FUP: "Monthly FUP limit reached",
}
FIRST_NAMES = (
    "Rahim",
    "Karim",
    "Abdul",
    "Fatema",
    "Nusrat",
    "Tanvir",
    "Sabbir",
    "Mitu",
    "Rashed",
    "Shirin",
    "Arif",
    "Jannat",
    "Imran",
    "Farhana",
    "Mahmud",
    "Sumaiya",
    "Habib",
    "Rumana",
    "Sohel",
    "Ayesha",
    "Kamal",
    "Nasrin",
    "Jahid",
    "Tania",
)
LAST_NAMES = (
    "Hossain",
    "Rahman",
    "Ahmed",
    "Islam",
    "Chowdhury",
    "Khan",
    "Akter",
    "Uddin",
    "Sarkar",
    "Begum",
    "Das",
    "Miah",
    "Talukder",
    "Bhuiyan",
)
BUILDINGS = (
    "Rose Villa",
    "Lake View",
    "Green Tower",
    "Sky Heights",
    "Nur Manzil",
    "Bay Breeze",
    "Shanti Niloy",
)
MEDIUMS = ("Fiber", "UTP cable", "Wireless")


def _spread(rng: random.Random, shares: dict, total: int) -> list:
    """``total`` items split by ``shares`` (each at least once when total allows), shuffled."""
    keys = list(shares)
    counts = dict.fromkeys(keys, 0)
    if total >= len(keys):
        counts = dict.fromkeys(keys, 1)
    weight = sum(shares.values())
    remaining = total - sum(counts.values())
    extra = {k: remaining * shares[k] // weight for k in keys}
    for k in keys:
        counts[k] += extra[k]
    leftover = total - sum(counts.values())
    for k in sorted(keys, key=lambda k: -shares[k])[:leftover]:
        counts[k] += 1
    items = [k for k in keys for _ in range(counts[k])]
    rng.shuffle(items)
    return items


class Command(BaseCommand):
    help = "Build the demo ISP through the services and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--customers",
            type=int,
            default=DEFAULT_CUSTOMERS,
            help=f"how many customers to create (default {DEFAULT_CUSTOMERS})",
        )
        parser.add_argument(
            "--reset", action="store_true", help="delete the demo ISP first, then build it again"
        )

    def handle(self, *args, customers: int, reset: bool, **options):
        if customers < 0:
            raise CommandError("--customers must be 0 or more.")
        validate_password(DEMO_PASSWORD)
        tenant = Tenant.objects.filter(slug=DEMO_SLUG).first()
        if tenant is not None and not reset:
            self.stdout.write(
                f"The demo ISP “{tenant.name}” already exists; nothing to do "
                "(use --reset to build it again)."
            )
            self._print_logins()
            return
        if tenant is not None:
            self._delete(tenant)
            self.stdout.write("Deleted the previous demo ISP.")
        started = timezone.now()
        # Thousands of welcome-SMS rows would each queue a drain task on commit; the
        # scheduled drain (every 15 s) delivers them instead.
        with override_settings(OUTBOX_DRAIN_ON_COMMIT=False), transaction.atomic():
            summary = DemoBuilder(customers=customers).build()
        seconds = (timezone.now() - started).total_seconds()
        self.stdout.write(self.style.SUCCESS(f"Demo ISP built in {seconds:.1f} s."))
        for line in summary:
            self.stdout.write(f"  {line}")
        self._print_logins()

    def _delete(self, tenant: Tenant) -> None:
        """Remove the demo ISP (money first, then customers: they are protected).

        The ledger is append-only; on PostgreSQL its guard triggers are switched off for
        this one transaction (the tables' owner may), as removing a whole demo ISP is the
        one case where posted rows go.
        """
        from django.db import connection

        from netbill.billing.models import Bill, BillingRun, BillLine
        from netbill.ledger.models import (
            Account,
            Expense,
            ExpenseCategory,
            JournalEntry,
            JournalLine,
        )
        from netbill.payments.models import (
            CardDistributor,
            OnlineTransaction,
            Payment,
            PaymentAllocation,
            RechargeCard,
            RechargeCardBatch,
        )

        guarded = ("ledger_journalline", "ledger_journalentry")
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    # Deferred foreign-key checks are pending trigger events: run them now.
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    for table in guarded:
                        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            for model in (
                PaymentAllocation,
                RechargeCard,
                OnlineTransaction,
                RechargeCardBatch,
                CardDistributor,
                Payment,
                BillLine,
                Bill,
                BillingRun,
                Expense,
                ExpenseCategory,
                JournalLine,
            ):
                model.objects.filter(tenant=tenant).delete()
            JournalEntry.objects.filter(tenant=tenant, reverses__isnull=False).delete()
            JournalEntry.objects.filter(tenant=tenant).delete()
            Account.objects.filter(tenant=tenant).delete()
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    for table in guarded:
                        cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            from netbill.radius.models import RadAcct, RadCheck, RadPostAuth, RadReply

            for model in (RadCheck, RadReply, RadAcct, RadPostAuth):
                model.objects.filter(tenant_id=tenant.pk).delete()
            Customer.objects.filter(tenant=tenant).delete()
            OperatorPackage.objects.filter(tenant=tenant).delete()
            # Packages protect their PPPoE profile and pools; profiles protect their pools.
            from netbill.catalog.models import MasterPackage
            from netbill.network.models import PppoeProfile

            MasterPackage.objects.filter(tenant=tenant).update(pppoe_profile=None, fup_pool=None)
            PppoeProfile.objects.filter(tenant=tenant).delete()
            User.objects.filter(tenant=tenant).update(parent=None)
            tenant.delete()

    def _print_logins(self) -> None:
        port = os.environ.get("PORT", "").strip() or "8000"
        existing = set(
            User.objects.filter(email__in=[lg.email for lg in DEMO_LOGINS]).values_list(
                "email", flat=True
            )
        )
        rows = [
            (lg.label, lg.email, DEMO_PASSWORD, lg.note)
            for lg in DEMO_LOGINS
            if lg.email in existing
        ]
        header = ("Role", "Email", "Password", "")
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(3)]
        rule = "=" * 100
        lines = ["", rule, f"netbill demo: http://127.0.0.1:{port}/", ""]
        for row in [header, *rows]:
            cells = [f"{cell:<{widths[i]}}" for i, cell in enumerate(row[:3])]
            lines.append("  ".join([*cells, row[3]]).rstrip())
        lines += [rule, ""]
        self.stdout.write("\n".join(lines))


class DemoBuilder:
    """Creates the demo ISP through the services; call inside one transaction."""

    def __init__(self, *, customers: int):
        self.customer_count = customers
        self.rng = random.Random(SEED)
        self.accounts: dict[str, User] = {}
        self.packages = {}
        self.profiles = {}
        self.zones = {}

    def build(self) -> list[str]:
        self._staff()
        self._catalog()
        self._setup()
        self._fund()
        self._network()
        summary = self._customers()
        return summary + self._sessions()

    def _fund(self) -> None:
        """The prepaid resellers buy balance before they activate customers."""
        admin = self.accounts["admin"]
        reseller_add_balance(
            actor=admin,
            reseller=self.accounts["operator_prepaid"],
            amount="300000",
            note="Demo: bKash transfer",
        )
        reseller_add_balance(
            actor=self.accounts["operator_prepaid"],
            reseller=self.accounts["sub_operator"],
            amount="80000",
            note="Demo: cash",
        )

    def _create(self, **kwargs):
        """customer_create; a postpaid reseller at its credit limit settles and retries."""
        try:
            with transaction.atomic():
                return customer_create(**kwargs)
        except ResellerRefused:
            owner = kwargs["owner"]
            owed = reseller_position(owner)
            if owner.account_type != "postpaid" or owed <= 0:
                raise
            reseller_cash_received(
                actor=self.accounts["admin"],
                reseller=owner,
                amount=owed,
                note="Demo: monthly settlement",
            )
            return customer_create(**kwargs)

    # --- staff ---------------------------------------------------------------------

    def _staff(self) -> None:
        emails = {login.key: login.email for login in DEMO_LOGINS}
        platform = User.objects.filter(email=emails["platform"]).first()
        if platform is None:
            platform = User.objects.create_superuser(
                emails["platform"], DEMO_PASSWORD, name="Platform admin"
            )
        elif not platform.is_platform_admin:
            raise CommandError(f"{platform.email} exists and is not a platform administrator.")
        _tenant, admin = tenant_create(
            actor=platform,
            name=DEMO_NAME,
            slug=DEMO_SLUG,
            admin_email=emails["admin"],
            admin_name="Demo Admin",
            admin_password=DEMO_PASSWORD,
            currency="BDT",
            timezone="Asia/Dhaka",
            phone="+8809610001234",
            email="billing@demo-isp.example",
            address="House 12, Road 7, Gulshan 1, Dhaka 1212",
            invoice_footer="Thank you for staying connected with Demo ISP.",
        )
        self.accounts["platform"] = platform
        self.accounts["admin"] = admin
        op1 = staff_create(
            actor=admin,
            role=Role.OPERATOR,
            email=emails["operator_prepaid"],
            name="Dhaka North Net",
            password=DEMO_PASSWORD,
            mobile="01711000001",
            company_name="Dhaka North Net",
            account_type=AccountType.PREPAID,
        )
        op2 = staff_create(
            actor=admin,
            role=Role.OPERATOR,
            email=emails["operator_postpaid"],
            name="Chattogram Link",
            password=DEMO_PASSWORD,
            mobile="01811000002",
            company_name="Chattogram Link",
            account_type=AccountType.POSTPAID,
            credit_limit=Decimal("50000.00"),
        )
        # The operator creates its own sub-operator and manager, as it would in its panel.
        sub = staff_create(
            actor=op1,
            role=Role.SUB_OPERATOR,
            email=emails["sub_operator"],
            name="Mirpur Air",
            password=DEMO_PASSWORD,
            mobile="01911000003",
            company_name="Mirpur Air",
            account_type=AccountType.PREPAID,
        )
        admin_manager = staff_create(
            actor=admin,
            role=Role.MANAGER,
            email=emails["admin_manager"],
            name="Nasima Akter",
            password=DEMO_PASSWORD,
            mobile="01611000004",
            keys=sorted(ROLE_DEFAULTS[Role.MANAGER] | ADMIN_MANAGER_KEYS),
        )
        op_manager = staff_create(
            actor=op1,
            role=Role.MANAGER,
            email=emails["operator_manager"],
            name="Rafiq Islam",
            password=DEMO_PASSWORD,
            mobile="01511000005",
            keys=sorted(ROLE_DEFAULTS[Role.MANAGER] | OPERATOR_MANAGER_KEYS),
        )
        noc = staff_create(
            actor=admin,
            role=Role.NOC,
            email=emails["noc"],
            name="NOC Desk",
            password=DEMO_PASSWORD,
            mobile="01311000006",
        )
        sales = staff_create(
            actor=admin,
            role=Role.SALES_MANAGER,
            email=emails["sales"],
            name="Sharmin Sultana",
            password=DEMO_PASSWORD,
            mobile="01411000007",
        )
        self.accounts.update(
            operator_prepaid=op1,
            operator_postpaid=op2,
            sub_operator=sub,
            admin_manager=admin_manager,
            operator_manager=op_manager,
            noc=noc,
            sales=sales,
        )

    # --- catalog -------------------------------------------------------------------

    def _catalog(self) -> None:
        admin = self.accounts["admin"]
        for name, mbps, price, fup in PACKAGES:
            data = {
                "name": name,
                "download_kbps": mbps * 1024,
                "upload_kbps": mbps * 1024,
                "price": Decimal(price),
                "validity_days": 30,
            }
            if fup is not None:
                limit_gb, fup_mbps = fup
                data.update(
                    fup_limit_gb=limit_gb,
                    fup_download_kbps=fup_mbps * 1024,
                    fup_upload_kbps=fup_mbps * 1024,
                )
            self.packages[name] = master_package_create(actor=admin, **data)
        for key, (names, share) in RESELLER_PACKAGES.items():
            reseller = self.accounts[key]
            # the sub-operator's packages are passed on by its operator
            actor = self.accounts["operator_prepaid"] if key == "sub_operator" else admin
            for name in names:
                package = self.packages[name]
                operator_package_assign(
                    actor=actor,
                    operator=reseller,
                    master_package=package,
                    reseller_price=(package.price * share).quantize(Decimal("0.01")),
                    customer_price=package.price,
                )
        resellers = [
            self.accounts[k] for k in ("operator_prepaid", "operator_postpaid", "sub_operator")
        ]
        self.profiles["monthly_1"] = billing_profile_create(
            actor=admin,
            name="Monthly 1st",
            billing_type=BillingType.MONTHLY,
            due_day=1,
            grace_days=5,
            resellers=resellers,
        )
        self.profiles["monthly_15"] = billing_profile_create(
            actor=admin,
            name="Monthly 15th",
            billing_type=BillingType.MONTHLY,
            due_day=15,
            grace_days=3,
            resellers=resellers,
        )
        self.profiles["daily"] = billing_profile_create(
            actor=admin,
            name="Daily prepaid",
            billing_type=BillingType.DAILY,
            due_day=1,
            grace_days=0,
            resellers=resellers,
        )
        self.vat = vat_profile_create(actor=admin, name="VAT 5%", rate=Decimal("5.00"))

    def _setup(self) -> None:
        admin = self.accounts["admin"]
        for name, description in ZONES:
            self.zones[name] = zone_create(actor=admin, name=name, description=description)
        custom_field_create(
            actor=admin,
            name="Building",
            key="building",
            field_type=CustomFieldType.TEXT,
            position=1,
        )
        custom_field_create(
            actor=admin,
            name="Connection medium",
            key="connection_medium",
            field_type=CustomFieldType.DROPDOWN,
            choices=list(MEDIUMS),
            position=2,
        )

    # --- network ---------------------------------------------------------------------

    def _network(self) -> None:
        """A customer pool, a VPN pool and a PPPoE profile every package uses."""
        from netbill.catalog.services import master_package_update
        from netbill.network.services import pool_create, profile_create

        admin = self.accounts["admin"]
        home = pool_create(actor=admin, name="home-pool", ranges="10.10.0.0/18")
        pool_create(actor=admin, name="home-v6", version=6, ranges="2001:db8:100::/40")
        pool_create(actor=admin, name="vpn-tunnels", kind="vpn", ranges="10.200.0.0/24")
        profile = profile_create(
            actor=admin, name="pppoe-default", local_address="10.10.63.254", pool_v4=home
        )
        for package in self.packages.values():
            master_package_update(actor=admin, package=package, pppoe_profile=profile)
        # The router `make demo` runs beside the web app: a fake RouterOS API on loopback
        # (netbill/network/fake_routeros.py), so Test Connection, status, import and push
        # work in the demo.  It is also the NAS of the seeded sessions.
        from netbill.network.routers import router_create

        router_create(
            actor=admin,
            name="Core router",
            host="127.0.0.1",
            api_port=int(os.environ.get("DEMO_ROUTER_PORT", "18728")),
            api_username="admin",
            api_password="admin",
            radius_secret="demo-radius-secret",
            description="Demo: the fake RouterOS API that make demo starts",
        )

    def _sessions(self) -> list[str]:
        """Accounting as FreeRADIUS would have written it: most active customers online,
        a few days of closed sessions, usage per day (FUP customers over their limit)."""
        from netbill.radius.models import RadAcct, UsageDaily

        rng = self.rng
        tenant = self.accounts["admin"].tenant
        now = timezone.now()
        today = timezone.localdate(now, ZoneInfo(tenant.timezone))
        rows, usage = [], []
        seq = 0
        alive = Customer.objects.filter(tenant=tenant).exclude(customer_type="other")
        for customer in alive.select_related("package").order_by("pk"):
            for back in range(3):
                day = today - datetime.timedelta(days=back)
                per_day = rng.randint(1, 12) * 1024**3
                if customer.status == CustomerStatus.FUP:
                    per_day = (customer.package.fup_limit_gb or 0) * 1024**3
                usage.append(
                    UsageDaily(
                        tenant=tenant,
                        customer=customer,
                        day=day,
                        output_octets=per_day * 9 // 10,
                        input_octets=per_day // 10,
                    )
                )
            online = customer.status in ("active", "fup") and rng.random() < 0.75
            for closed in (True, online):
                seq += 1
                start = now - datetime.timedelta(hours=rng.randint(1, 60))
                stop = start + datetime.timedelta(minutes=rng.randint(5, 300)) if closed else None
                rows.append(
                    RadAcct(
                        tenant_id=tenant.pk,
                        customer_id=customer.pk,
                        username=customer.username,
                        acctsessionid=f"{seq:08X}",
                        acctuniqueid=f"demo-{tenant.pk}-{seq}",
                        nasipaddress="127.0.0.1",
                        nasporttype="Ethernet",
                        acctstarttime=start,
                        acctupdatetime=stop or now - datetime.timedelta(minutes=rng.randint(0, 4)),
                        acctstoptime=stop,
                        acctsessiontime=int(((stop or now) - start).total_seconds()),
                        acctinputoctets=rng.randint(10, 900) * 1024**2,
                        acctoutputoctets=rng.randint(100, 9000) * 1024**2,
                        callingstationid=customer.mac_address
                        or ":".join(f"{rng.randrange(256):02X}" for _ in range(6)),
                        framedipaddress=str(customer.static_ip)
                        if customer.static_ip
                        else f"10.10.{seq // 250 % 63}.{seq % 250 + 1}",
                        acctterminatecause="User-Request" if stop else None,
                    )
                )
        RadAcct.objects.bulk_create(rows, batch_size=1000)
        UsageDaily.objects.bulk_create(usage, batch_size=1000)
        online_count = sum(1 for r in rows if r.acctstoptime is None)
        return [f"{online_count} customers online, {len(rows)} accounting sessions"]

    # --- customers -----------------------------------------------------------------

    def _customers(self) -> list[str]:
        rng = self.rng
        n = self.customer_count
        owners = _spread(rng, OWNER_SHARES, n)
        types = _spread(rng, TYPE_SHARES, n)
        statuses = _spread(rng, STATUS_SHARES, n)
        assignable = {key: list(names) for key, (names, _share) in RESELLER_PACKAGES.items()}
        assignable["admin"] = [name for name, *_rest in PACKAGES]
        tz = ZoneInfo(self.accounts["admin"].tenant.timezone)
        today = timezone.now().astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
        static_seq = 0
        for i in range(n):
            owner_key, ctype, status = owners[i], types[i], statuses[i]
            owner = self.accounts[owner_key]
            # a share of the group admin's customers is entered by its manager
            actor = owner
            if owner_key == "admin" and rng.random() < 0.3:
                actor = self.accounts["admin_manager"]
            package_name = (
                FUP_PACKAGE if status == CustomerStatus.FUP else rng.choice(assignable[owner_key])
            )
            daily = ctype in (CustomerType.PPPOE_DAILY, CustomerType.HOTSPOT) or (
                ctype == CustomerType.OTHER and rng.random() < 0.5
            )
            if daily:
                profile = self.profiles["daily"]
                expires = today + datetime.timedelta(days=rng.randint(1, 30))
            else:
                profile = self.profiles[rng.choice(("monthly_1", "monthly_1", "monthly_15"))]
                expires = today + datetime.timedelta(days=rng.randint(1, 31))
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            zone = self.zones[rng.choice(OWNER_ZONES[owner_key])]
            extra = {
                "address": f"House {rng.randint(1, 120)}, Road {rng.randint(1, 30)}, {zone.name}",
                "expires_at": expires,
            }
            if ctype == CustomerType.STATIC_MONTHLY:
                static_seq += 1
                extra["static_ip"] = f"10.50.{static_seq // 254}.{static_seq % 254 + 1}"
            if ctype in (CustomerType.STATIC_MONTHLY, CustomerType.HOTSPOT):
                extra["mac_address"] = ":".join(f"{rng.randrange(256):02X}" for _ in range(6))
            if rng.random() < 0.05:
                extra["custom_price"] = (
                    self.packages[package_name].price * Decimal("0.90")
                ).quantize(Decimal("1"))
            if rng.random() < 0.6:
                extra["email"] = f"{first.lower()}.{last.lower()}{i + 1}@mail.example"
            custom = {}
            if rng.random() < 0.7:
                custom["building"] = rng.choice(BUILDINGS)
                custom["connection_medium"] = rng.choice(MEDIUMS)
            customer = self._create(
                actor=actor,
                owner=owner,
                customer_type=ctype,
                name=f"{first} {last}",
                mobile="01" + rng.choice("3456789") + f"{rng.randrange(10**8):08d}",
                package=self.packages[package_name],
                billing_profile=profile,
                username=f"{USERNAME_PREFIX[owner_key]}{i + 1:04d}",
                password="".join(rng.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(8)),
                zone=zone,
                vat_profile=self.vat
                if (ctype == CustomerType.STATIC_MONTHLY or rng.random() < 0.2)
                else None,
                custom_fields=custom,
                **extra,
            )
            if status != CustomerStatus.ACTIVE:
                # FUP is set by the usage job, never by a person: a system change.
                system = status == CustomerStatus.FUP
                customer_set_status(
                    actor=None if system else owner,
                    customer=customer,
                    status=status,
                    reason=STATUS_REASONS[status],
                    system=system,
                )
        by_status = Counter(statuses)
        by_type = Counter(types)
        by_owner = Counter(owners)
        tenant = self.accounts["admin"].tenant
        queued = OutboxMessage.objects.filter(tenant=tenant, status=OutboxStatus.PENDING).count()
        return [
            f"{n} customers: " + ", ".join(f"{by_status[s]} {s}" for s in STATUS_SHARES),
            "by type: " + ", ".join(f"{by_type[t]} {t}" for t in TYPE_SHARES),
            "by owner: "
            + ", ".join(f"{by_owner[k]} {self.accounts[k].name}" for k in OWNER_SHARES),
            f"{queued} SMS queued in the outbox (the worker delivers them by logging)",
        ]
