"""``manage.py seed_demo`` builds the demo ISP through the services, prints working logins
and never duplicates it."""

import io
import re
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from netbill.accounts.models import User
from netbill.accounts.security import login_check_password
from netbill.catalog.models import BillingProfile, MasterPackage, OperatorPackage, VatProfile
from netbill.core import permissions as P
from netbill.core.choices import AccountType, Role
from netbill.core.management.commands.seed_demo import DEMO_LOGINS, DEMO_PASSWORD, DEMO_SLUG
from netbill.core.models import ActivityLog, OutboxMessage
from netbill.core.permissions import effective_keys
from netbill.core.testing import db_state
from netbill.customers.models import Customer, CustomerStatusChange, CustomField, Zone
from netbill.tenancy.models import Tenant

pytestmark = pytest.mark.django_db

CUSTOMERS = 40


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", customers=CUSTOMERS, stdout=out, **options)
    return out.getvalue()


def account(key: str) -> User:
    email = next(login.email for login in DEMO_LOGINS if login.key == key)
    return User.objects.get(email=email)


def test_seed_demo_creates_exactly_one_account_per_demo_role():
    seed()

    tenant = Tenant.objects.get(slug=DEMO_SLUG)
    assert (tenant.name, tenant.currency, tenant.timezone) == ("Demo ISP", "BDT", "Asia/Dhaka")
    roles = Counter(User.objects.filter(tenant=tenant).values_list("role", flat=True))
    assert roles == {
        Role.GROUP_ADMIN: 1,
        Role.OPERATOR: 2,
        Role.SUB_OPERATOR: 1,
        Role.MANAGER: 2,
        Role.NOC: 1,
        Role.SALES_MANAGER: 1,
    }
    platform = User.objects.filter(is_platform_admin=True)
    assert list(platform.values_list("email", "tenant")) == [("platform@netbill.local", None)]
    assert account("admin").email == "admin@netbill.local"


def test_seed_demo_builds_the_staff_hierarchy_with_reseller_money_settings():
    seed()

    admin, op1, op2 = account("admin"), account("operator_prepaid"), account("operator_postpaid")
    sub = account("sub_operator")
    assert (op1.name, op1.parent, op1.account_type, op1.credit_limit) == (
        "Dhaka North Net",
        admin,
        AccountType.PREPAID,
        Decimal("0.00"),
    )
    assert (op2.name, op2.parent, op2.account_type, op2.credit_limit) == (
        "Chattogram Link",
        admin,
        AccountType.POSTPAID,
        Decimal("50000.00"),
    )
    assert (sub.role, sub.parent) == (Role.SUB_OPERATOR, op1)
    assert account("admin_manager").parent == admin
    assert account("operator_manager").parent == op1
    assert account("noc").parent == admin
    assert account("sales").parent == admin


def test_seed_demo_managers_hold_different_keys():
    seed()

    admin_manager, op_manager = account("admin_manager"), account("operator_manager")
    defaults = P.ROLE_DEFAULTS[Role.MANAGER]
    assert effective_keys(admin_manager) == defaults | {
        P.VIEW_CUSTOMER_DETAILS,
        P.RECEIVE_PAYMENT,
        P.CREATE_CUSTOMER,
    }
    assert effective_keys(op_manager) == defaults | {
        P.VIEW_CUSTOMER_DETAILS,
        P.SUSPEND_CUSTOMER,
        P.ACTIVATE_CUSTOMER,
    }


def test_every_printed_login_authenticates_with_the_printed_password():
    output = seed()

    printed = re.findall(r"^(?:.*?)\s(\S+@netbill\.local)\s+(\S+)", output, flags=re.M)
    assert sorted(printed) == sorted((login.email, DEMO_PASSWORD) for login in DEMO_LOGINS)
    assert "http://127.0.0.1:8000/" in output
    for email, password in printed:
        user = login_check_password(email=email, password=password, ip=None, user_agent="test")
        assert user.email == email


def test_seed_demo_prints_the_port_from_the_environment(monkeypatch):
    monkeypatch.setenv("PORT", "8123")

    output = seed()

    assert "http://127.0.0.1:8123/" in output


def test_seed_demo_builds_the_catalog_and_customer_setup():
    seed()

    tenant = Tenant.objects.get(slug=DEMO_SLUG)
    packages = MasterPackage.objects.filter(tenant=tenant).order_by("price")
    assert list(packages.values_list("name", "download_kbps", "price", "fup_limit_gb")) == [
        ("Home 5M", 5120, Decimal("500.00"), None),
        ("Home 10M", 10240, Decimal("800.00"), None),
        ("Home 20M", 20480, Decimal("1200.00"), None),
        ("Power 40M FUP", 40960, Decimal("2000.00"), 500),
        ("Business 100M", 102400, Decimal("3000.00"), None),
    ]
    assigned = Counter(
        OperatorPackage.objects.filter(tenant=tenant).values_list("operator__email", flat=True)
    )
    assert assigned == {
        "dhakanorth@netbill.local": 5,
        "chattogram@netbill.local": 4,
        "mirpur@netbill.local": 4,
    }
    home10 = OperatorPackage.objects.get(
        operator=account("operator_prepaid"), master_package__name="Home 10M"
    )
    assert (home10.reseller_price, home10.customer_price) == (Decimal("560.00"), Decimal("800.00"))
    profiles = BillingProfile.objects.filter(tenant=tenant).order_by("name")
    assert list(profiles.values_list("name", "billing_type", "due_day")) == [
        ("Daily prepaid", "daily", 1),
        ("Monthly 15th", "monthly", 15),
        ("Monthly 1st", "monthly", 1),
    ]
    for profile in profiles:
        assert {r.email for r in profile.resellers.all()} == {
            "dhakanorth@netbill.local",
            "chattogram@netbill.local",
            "mirpur@netbill.local",
        }
    assert list(VatProfile.objects.filter(tenant=tenant).values_list("name", "rate")) == [
        ("VAT 5%", Decimal("5.00"))
    ]
    assert sorted(Zone.objects.filter(tenant=tenant).values_list("name", flat=True)) == [
        "Agrabad",
        "Gulshan",
        "Mirpur",
    ]
    fields = CustomField.objects.filter(tenant=tenant)
    assert list(fields.values_list("key", "field_type", "choices")) == [
        ("building", "text", []),
        ("connection_medium", "dropdown", ["Fiber", "UTP cable", "Wireless"]),
    ]


def test_seed_demo_creates_customers_of_every_type_owner_and_status():
    seed()

    customers = Customer.objects.filter(tenant__slug=DEMO_SLUG)
    assert customers.count() == CUSTOMERS
    assert Counter(customers.values_list("customer_type", flat=True)) == {
        "pppoe_monthly": 21,
        "pppoe_daily": 7,
        "hotspot": 4,
        "static_monthly": 4,
        "other": 4,
    }
    assert Counter(customers.values_list("status", flat=True)) == {
        "active": 32,
        "suspended": 4,
        "disabled": 2,
        "fup": 2,
    }
    assert Counter(customers.values_list("owner__email", flat=True)) == {
        "admin@netbill.local": 10,
        "dhakanorth@netbill.local": 14,
        "chattogram@netbill.local": 10,
        "mirpur@netbill.local": 6,
    }
    static = customers.filter(customer_type="static_monthly")
    ips = list(static.values_list("static_ip", flat=True))
    assert None not in ips
    assert len(set(ips)) == len(ips) == 4
    assert (
        customers.exclude(customer_type="static_monthly").filter(static_ip__isnull=False).count()
        == 0
    )
    assert set(customers.filter(status="fup").values_list("package__name", flat=True)) == {
        "Power 40M FUP"
    }


def test_seed_demo_status_changes_have_history_and_fup_is_a_system_change():
    seed()

    changes = CustomerStatusChange.objects.filter(tenant__slug=DEMO_SLUG).exclude(from_status="")
    assert Counter(changes.values_list("to_status", flat=True)) == {
        "suspended": 4,
        "disabled": 2,
        "fup": 2,
    }
    assert set(changes.filter(to_status="fup").values_list("actor", flat=True)) == {None}
    for change in changes.exclude(to_status="fup").select_related("customer"):
        assert change.actor_id == change.customer.owner_id
    created = CustomerStatusChange.objects.filter(tenant__slug=DEMO_SLUG, from_status="")
    assert created.count() == CUSTOMERS
    assert ActivityLog.objects.filter(tenant__slug=DEMO_SLUG, action="customer.create").count() == (
        CUSTOMERS
    )
    welcome = OutboxMessage.objects.filter(
        tenant__slug=DEMO_SLUG, payload__event="customer.welcome", status="pending"
    )
    assert welcome.count() == CUSTOMERS


def test_operator_sees_only_its_own_and_its_sub_operators_customers():
    seed()

    op1, sub, op2 = (
        account("operator_prepaid"),
        account("sub_operator"),
        account("operator_postpaid"),
    )
    all_customers = Customer.objects.filter(tenant__slug=DEMO_SLUG)
    visible = set(Customer.objects.visible_to(op1).values_list("pk", flat=True))
    own_and_sub = set(all_customers.filter(owner__in=[op1, sub]).values_list("pk", flat=True))
    assert visible == own_and_sub
    assert len(visible) == 20  # 14 of Dhaka North Net + 6 of Mirpur Air
    assert set(Customer.objects.visible_to(sub).values_list("owner", flat=True)) == {sub.pk}
    assert set(Customer.objects.visible_to(op2).values_list("owner", flat=True)) == {op2.pk}
    op_manager = account("operator_manager")
    assert set(Customer.objects.visible_to(op_manager).values_list("pk", flat=True)) == visible
    assert Customer.objects.visible_to(account("admin")).count() == CUSTOMERS
    assert Customer.objects.visible_to(account("sales")).count() == 0


def test_dashboard_of_the_demo_admin_shows_the_seeded_counts(client):
    seed()

    client.force_login(account("admin"))
    response = client.get(reverse("core:dashboard"))

    assert response.status_code == 200
    assert response.context["counts"] == {
        "total": 40,
        "active": 32,
        "suspended": 4,
        "disabled": 2,
        "fup": 2,
    }


def test_second_run_without_reset_changes_nothing_and_prints_the_logins():
    seed()
    tables = (
        Tenant,
        User,
        Customer,
        CustomerStatusChange,
        MasterPackage,
        OperatorPackage,
        BillingProfile,
        Zone,
        CustomField,
        ActivityLog,
        OutboxMessage,
    )
    before = db_state(*tables)

    output = seed()

    assert db_state(*tables) == before
    assert "already exists" in output
    assert "admin@netbill.local" in output
    assert Tenant.objects.filter(slug=DEMO_SLUG).count() == 1


def test_reset_rebuilds_the_same_demo_isp():
    seed()
    first = sorted(Customer.objects.values_list("username", "name", "customer_type", "status"))
    old_tenant = Tenant.objects.get(slug=DEMO_SLUG).pk

    seed(reset=True)

    tenant = Tenant.objects.get(slug=DEMO_SLUG)
    assert tenant.pk != old_tenant
    assert Tenant.objects.count() == 1
    assert User.objects.count() == len(DEMO_LOGINS)
    assert (
        sorted(Customer.objects.values_list("username", "name", "customer_type", "status")) == first
    )
