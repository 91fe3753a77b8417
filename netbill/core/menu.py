"""The panel's sidebar: an item shows only when the user holds its key."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from netbill.core import permissions as P
from netbill.core.choices import Role

# (label, url name, required key or a callable(user) -> bool)
MENU = [
    (_("Dashboard"), "core:dashboard", P.DASHBOARD),
    (
        _("Customers"),
        "customers:list",
        lambda u: P.may(u, P.VIEW_CUSTOMER_DETAILS) or P.may(u, P.SEARCH_CUSTOMERS),
    ),
    (_("Add customer"), "customers:create", P.CREATE_CUSTOMER),
    (_("Bulk update"), "customers:bulk", P.BULK_UPDATE_CUSTOMERS),
    (_("Deleted customers"), "customers:deleted", P.DELETE_CUSTOMER),
    (_("Customer bills"), "billing:bills", P.VIEW_BILLS),
    (_("Bills summary"), "reports:bills_summary", P.VIEW_BILLS),
    (_("Billing runs"), "billing:runs", P.RUN_BILLING),
    (_("Customer payments"), "payments:payments", P.VIEW_PAYMENTS),
    (_("Verify payments"), "payments:verify", P.VERIFY_PAYMENTS),
    (_("Recharge cards"), "payments:card_batches", P.MANAGE_RECHARGE_CARDS),
    (_("Card distributors"), "payments:distributors", P.MANAGE_RECHARGE_CARDS),
    (_("Reseller accounts"), "ledger:resellers", P.MANAGE_STAFF),
    (
        _("My account"),
        "ledger:my_account",
        lambda u: u.role in (Role.OPERATOR, Role.SUB_OPERATOR) and P.may(u, P.VIEW_ACCOUNTS),
    ),
    (_("Expenses"), "ledger:expenses", P.EXPENSE_MANAGEMENT),
    (_("Accounts and reports"), "reports:index", P.VIEW_ACCOUNTS),
    (_("Online customers"), "radius:online", P.ONLINE_CUSTOMERS),
    (_("Offline customers"), "radius:offline", P.OFFLINE_CUSTOMERS),
    (_("Zones"), "customers:zones", P.MANAGE_ZONES),
    (_("Custom fields"), "customers:custom_fields", P.MANAGE_CUSTOM_FIELDS),
    (_("Master packages"), "catalog:packages", P.MANAGE_CATALOG),
    (
        _("My packages"),
        "catalog:operator_packages",
        lambda u: (
            u.role != Role.GROUP_ADMIN
            and u.role in (Role.OPERATOR, Role.SUB_OPERATOR, Role.MANAGER)
            and P.may(u, P.VIEW_CUSTOMER_DETAILS)
        ),
    ),
    (_("Billing profiles"), "catalog:billing_profiles", P.MANAGE_CATALOG),
    (_("VAT profiles"), "catalog:vat_profiles", P.MANAGE_CATALOG),
    (_("Routers"), "network:routers", P.VIEW_ROUTERS),
    (_("IP pools"), "network:pool_list", P.MANAGE_IP_POOLS),
    (_("PPPoE profiles"), "network:profile_list", P.MANAGE_IP_POOLS),
    (_("VPN accounts"), "network:vpn_list", P.MANAGE_ROUTERS),
    (_("Ping test"), "network:ping", P.PING_TEST),
    (
        _("Staff"),
        "accounts:staff",
        lambda u: P.may(u, P.MANAGE_STAFF) or P.may(u, P.VIEW_OPERATORS),
    ),
    (_("Activity log"), "core:activity", P.VIEW_ACTIVITY_LOG),
    (_("Authentication log"), "accounts:auth_log", P.VIEW_AUTH_LOG),
    (_("Outbox"), "core:outbox", P.VIEW_OUTBOX),
    (_("Company settings"), "tenancy:settings", P.EDIT_COMPANY),
]


def build_menu(user) -> list[dict]:
    items = []
    for label, url_name, rule in MENU:
        allowed = rule(user) if callable(rule) else P.may(user, rule)
        if not allowed:
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "name": url_name})
    return items
