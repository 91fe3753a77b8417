"""Test helpers shared by every app's tests: a tenant world with one account per role,
factories, and the "nothing changed" assertion."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import models

from netbill.core.choices import AccountType, Role
from netbill.core.permissions import ROLE_DEFAULTS

PASSWORD = "correct-horse-battery"


def make_tenant(name: str = "Alpha Net"):
    from netbill.network.services import ensure_suspended_pool
    from netbill.tenancy.models import Tenant

    slug = name.lower().replace(" ", "-")
    tenant = Tenant.objects.create(name=name, slug=slug)
    ensure_suspended_pool(tenant)
    return tenant


def make_user(tenant, role: str, *, parent=None, email: str | None = None, keys=None, **extra):
    """A staff account holding its role's default keys (or ``keys``)."""
    from netbill.accounts.models import User

    n = User.objects.count() + 1
    user = User(
        tenant=tenant,
        role=role,
        parent=parent,
        name=extra.pop("name", f"{role} {n}"),
        email=email or f"{role}{n}@{tenant.slug if tenant else 'platform'}.test",
        granted_keys=sorted(ROLE_DEFAULTS[role] if keys is None else keys),
        account_type=AccountType.PREPAID if role in (Role.OPERATOR, Role.SUB_OPERATOR) else "",
        **extra,
    )
    user.set_password(PASSWORD)
    user.save()
    return user


def make_platform_admin():
    from netbill.accounts.models import User

    return User.objects.create_superuser("platform@netbill.test", PASSWORD)


@dataclass
class World:
    """One ISP with an account of every role and a small catalog.

    ``operator`` has ``sub_operator`` under it; ``op_manager`` is the operator's manager,
    ``admin_manager`` the group admin's.  Managers hold only the keys given to them.
    """

    tenant: object
    admin: object
    operator: object
    operator2: object
    sub_operator: object
    op_manager: object
    admin_manager: object
    noc: object
    sales: object
    package: object
    package2: object
    monthly: object
    daily: object
    vat: object
    zone: object


def make_world(name: str = "Alpha Net") -> World:
    from netbill.catalog.models import BillingProfile, MasterPackage, OperatorPackage, VatProfile
    from netbill.customers.models import Zone

    tenant = make_tenant(name)
    admin = make_user(tenant, Role.GROUP_ADMIN)
    operator = make_user(tenant, Role.OPERATOR, parent=admin)
    operator2 = make_user(tenant, Role.OPERATOR, parent=admin)
    sub_operator = make_user(tenant, Role.SUB_OPERATOR, parent=operator)
    op_manager = make_user(tenant, Role.MANAGER, parent=operator)
    admin_manager = make_user(tenant, Role.MANAGER, parent=admin)
    noc = make_user(tenant, Role.NOC, parent=admin)
    sales = make_user(tenant, Role.SALES_MANAGER, parent=admin)
    package = MasterPackage.objects.create(
        tenant=tenant,
        name="Home 10M",
        download_kbps=10240,
        upload_kbps=10240,
        price=Decimal("800.00"),
        validity_days=30,
    )
    package2 = MasterPackage.objects.create(
        tenant=tenant,
        name="Home 20M",
        download_kbps=20480,
        upload_kbps=20480,
        price=Decimal("1200.00"),
        validity_days=30,
    )
    monthly = BillingProfile.objects.create(
        tenant=tenant, name="Monthly 1st", billing_type="monthly", due_day=1, grace_days=5
    )
    daily = BillingProfile.objects.create(
        tenant=tenant, name="Daily", billing_type="daily", due_day=1
    )
    vat = VatProfile.objects.create(tenant=tenant, name="VAT 5", rate=Decimal("5.00"))
    zone = Zone.objects.create(tenant=tenant, name="North")
    for reseller in (operator, operator2, sub_operator):
        for pkg in (package, package2):
            OperatorPackage.objects.create(
                tenant=tenant,
                operator=reseller,
                master_package=pkg,
                reseller_price=pkg.price - 200,
                customer_price=pkg.price,
            )
        monthly.resellers.add(reseller)
        daily.resellers.add(reseller)
    return World(
        tenant,
        admin,
        operator,
        operator2,
        sub_operator,
        op_manager,
        admin_manager,
        noc,
        sales,
        package,
        package2,
        monthly,
        daily,
        vat,
        zone,
    )


_customer_seq = [0]


def make_customer(world: World, owner=None, **extra):
    """A customer created directly (no service), for tests that need data, not behaviour."""
    from netbill.customers.models import Customer

    _customer_seq[0] += 1
    n = _customer_seq[0]
    values = {
        "tenant": world.tenant,
        "owner": owner or world.operator,
        "name": f"Customer {n}",
        "mobile": f"0171100{n:04d}",
        "customer_type": "pppoe_monthly",
        "package": world.package,
        "billing_profile": world.monthly,
        "username": f"user{n}",
        "password": "secret12",
        "zone": world.zone,
    }
    values.update(extra)
    return Customer.objects.create(**values)


def db_state(*querysets) -> list:
    """Rows of every model touched, for "nothing changed" assertions after a refusal."""
    state = []
    for qs in querysets:
        if isinstance(qs, type) and issubclass(qs, models.Model):
            qs = qs._default_manager.all()
        state.append(sorted(qs.values_list(), key=repr))
    return state


def fund_resellers(world: World, amount: str = "100000") -> None:
    """Give the world's prepaid resellers a balance, so their customers' first bills
    (charged to them at creation) go through."""
    from netbill.ledger.resellers import reseller_add_balance

    for reseller in (world.operator, world.operator2):
        reseller_add_balance(actor=world.admin, reseller=reseller, amount=amount, note="test funds")
    reseller_add_balance(
        actor=world.operator, reseller=world.sub_operator, amount=amount, note="test funds"
    )
