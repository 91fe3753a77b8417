"""What a billing run (and the dunning sweep) reads, in bulk: customer value rows (no model
instances in the hot path), the tenant's catalog once, reseller chains without a query per
customer, and balances — wallets, reseller positions, operator prices — one query per chunk.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from netbill.accounts.models import User
from netbill.catalog.models import BillingProfile, MasterPackage, OperatorPackage, VatProfile
from netbill.core.choices import RESELLER_ROLES, Role
from netbill.core.money import ZERO
from netbill.customers.choices import CUSTOMER_TYPE_RULES
from netbill.ledger import chart
from netbill.ledger.models import JournalLine

ROW_FIELDS = (
    "pk",
    "owner_id",
    "package_id",
    "billing_profile_id",
    "vat_profile_id",
    "custom_price",
    "customer_type",
    "username",
    "name",
    "mobile",
)


class Row:
    """The customer columns a run needs (value rows: no model instances in the hot path)."""

    __slots__ = ROW_FIELDS

    def __init__(self, values):
        for name, value in zip(ROW_FIELDS, values, strict=True):
            setattr(self, name, value)

    @property
    def connection_type(self) -> str:
        return CUSTOMER_TYPE_RULES[self.customer_type][0]


class Catalog:
    """The tenant's packages, billing profiles and VAT rates (small tables, read once)."""

    def __init__(self, tenant):
        self.packages = {
            pk: (name, price, validity)
            for pk, name, price, validity in MasterPackage.objects.filter(
                tenant=tenant
            ).values_list("pk", "name", "price", "validity_days")
        }
        self.profiles = {
            pk: (billing_type, due_day)
            for pk, billing_type, due_day in BillingProfile.objects.filter(
                tenant=tenant
            ).values_list("pk", "billing_type", "due_day")
        }
        self.vat = {
            pk: (rate if active else ZERO)
            for pk, rate, active in VatProfile.objects.filter(tenant=tenant).values_list(
                "pk", "rate", "is_active"
            )
        }

    def rate(self, row) -> Decimal:
        return self.vat.get(row.vat_profile_id, ZERO) if row.vat_profile_id else ZERO


class Resellers:
    """The tenant's reseller accounts (and group admins, the top of every chain) with their
    parents linked, so chains and upstream books need no further query."""

    def __init__(self, tenant_id: int):
        qs = User.objects.filter(tenant_id=tenant_id, role__in=(*RESELLER_ROLES, Role.GROUP_ADMIN))
        self.users = {u.pk: u for u in qs}
        self._link()

    def _link(self) -> None:
        for user in self.users.values():
            parent = self.users.get(user.parent_id)
            if parent is not None:
                user.parent = parent

    def lock(self, ids) -> None:
        """Lock these accounts (by id: the fixed order) and use their fresh rows."""
        if ids:
            locked = User.objects.select_for_update().filter(pk__in=ids).order_by("pk")
            self.users.update({u.pk: u for u in locked})
            self._link()

    def is_reseller(self, user_id) -> bool:
        user = self.users.get(user_id)
        return user is not None and user.role in RESELLER_ROLES

    def chain(self, owner_id: int) -> list:
        chain = []
        node = self.users.get(owner_id)
        while node is not None and node.role in RESELLER_ROLES:
            chain.append(node)
            node = self.users.get(node.parent_id)
        return chain

    def chain_ids(self, owner_ids) -> set[int]:
        return {r.pk for owner in owner_ids for r in self.chain(owner)}

    def upstream(self, reseller) -> int | None:
        return reseller.parent_id if self.is_reseller(reseller.parent_id) else None


def positions_of(resellers: Resellers, reseller_ids) -> dict[int, Decimal]:
    """What each reseller owes its parent now (one query)."""
    if not reseller_ids:
        return {}
    rows = (
        JournalLine.objects.filter(
            reseller_id__in=list(reseller_ids), account__code=chart.RESELLER_ACCOUNTS
        )
        .values_list("reseller_id", "book_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    positions = dict.fromkeys(reseller_ids, ZERO)
    for reseller_id, book_id, total in rows:
        if book_id == resellers.upstream(resellers.users[reseller_id]):
            positions[reseller_id] += total
    return positions


def wallets_of(customer_ids) -> dict[int, Decimal]:
    """Wallet balance of each customer that has one (one query)."""
    rows = (
        JournalLine.objects.filter(
            customer_id__in=customer_ids, account__code=chart.CUSTOMER_WALLET
        )
        .values_list("customer_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {cid: -total for cid, total in rows if total}


def op_prices_of(reseller_ids, package_ids) -> dict:
    """(reseller id, package id) → (reseller price, customer price)."""
    if not reseller_ids:
        return {}
    rows = OperatorPackage.objects.filter(
        operator_id__in=reseller_ids, master_package_id__in=package_ids
    ).values_list("operator_id", "master_package_id", "reseller_price", "customer_price")
    return {(op, pkg): (rp, cp) for op, pkg, rp, cp in rows}


def base_price(row, catalog: Catalog, resellers: Resellers, op_prices: dict) -> Decimal:
    """``customers.services.customer_price`` from prefetched rows."""
    if row.custom_price is not None:
        return row.custom_price
    if resellers.is_reseller(row.owner_id):
        prices = op_prices.get((row.owner_id, row.package_id))
        if prices is not None:
            return prices[1]
    return catalog.packages[row.package_id][1]


def load_rows(qs, ids, *, lock: bool) -> list[Row]:
    qs = qs.filter(pk__in=ids)
    if lock:
        qs = qs.select_for_update(of=("self",))
    return [Row(values) for values in qs.order_by("pk").values_list(*ROW_FIELDS)]
