"""Permission keys, panel sections and role defaults — the one module that names them.

A key is a plain string (the product's own names, e.g. ``receive-payment``).  Every
guarded action asks :func:`may` / :func:`require`; the menu asks :func:`may` too, so a
missing key both hides the item and answers 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from netbill.core.choices import Role

# --- customers
VIEW_CUSTOMER_DETAILS = "view-customer-details"
CREATE_CUSTOMER = "create-customer"
EDIT_CUSTOMER = "edit-customer"
ACTIVATE_CUSTOMER = "activate-customer"
SUSPEND_CUSTOMER = "suspend-customer"
DISABLE_CUSTOMER = "disable-customer"
DELETE_CUSTOMER = "delete-customer"  # a "special permission": also asks for the password
CHANGE_CUSTOMER_PACKAGE = "change-customer-package"
EDIT_SUSPEND_DATE = "edit-suspend-date"
BULK_UPDATE_CUSTOMERS = "bulk-update-customers"
# --- bills
VIEW_BILLS = "view-bills"
PRINT_INVOICE = "print-invoice"
GENERATE_BILLS = "generate-bills"
EDIT_BILLS = "edit-bills"
DELETE_BILLS = "delete-bills"
DISCOUNT_ON_BILLS = "discount-on-bills"
# --- payments
RECEIVE_PAYMENT = "receive-payment"
VIEW_PAYMENTS = "view-payments"
EDIT_CUSTOMER_PAYMENT = "edit-customer-payment"
DELETE_CUSTOMER_PAYMENT = "delete-customer-payment"
VERIFY_PAYMENTS = "verify-payments"
# --- billing runs and recharge cards
RUN_BILLING = "run-billing"
MANAGE_RECHARGE_CARDS = "manage-recharge-cards"
# --- accounts, expenses, reports
EXPENSE_MANAGEMENT = "expense-management"
VIEW_ACCOUNTS = "view-accounts"
# --- packages and company
EDIT_PACKAGE_PRICE = "edit-package-price"
EDIT_COMPANY = "editCompany"
MANAGE_CATALOG = "manage-catalog"
MANAGE_ZONES = "manage-zones"
MANAGE_CUSTOM_FIELDS = "manage-custom-fields"
# --- dashboard and monitoring
DASHBOARD = "dashboard"
DASHBOARD_CUSTOMER_WIDGETS = "dashboard-customer-widgets"
DASHBOARD_FINANCIAL_WIDGETS = "dashboard-financial-widgets"
ONLINE_CUSTOMERS = "online-customers"
OFFLINE_CUSTOMERS = "offline-customers"
SEARCH_CUSTOMERS = "search-customers"
DISCONNECT_CUSTOMER = "disconnect-customer"
# --- network (NOC)
VIEW_ROUTERS = "view-routers"
MANAGE_ROUTERS = "manage-routers"
MANAGE_IP_POOLS = "manage-ip-pools"
PING_TEST = "ping-test"
# --- logs and staff
VIEW_ACTIVITY_LOG = "view-activity-log"
VIEW_AUTH_LOG = "view-auth-log"
MANAGE_STAFF = "manage-staff"
VIEW_OUTBOX = "view-outbox"
# --- sales manager
VIEW_OPERATORS = "view-operators"
SALES_NOTES = "sales-notes"
SEND_SMS = "send-sms"

KEY_LABELS: dict[str, str] = {
    VIEW_CUSTOMER_DETAILS: _("View customer details"),
    CREATE_CUSTOMER: _("Create customers"),
    EDIT_CUSTOMER: _("Edit customers"),
    ACTIVATE_CUSTOMER: _("Activate customers"),
    SUSPEND_CUSTOMER: _("Suspend customers"),
    DISABLE_CUSTOMER: _("Disable customers"),
    DELETE_CUSTOMER: _("Delete customers (asks for password)"),
    CHANGE_CUSTOMER_PACKAGE: _("Change customer package"),
    EDIT_SUSPEND_DATE: _("Edit suspend date"),
    BULK_UPDATE_CUSTOMERS: _("Bulk update customers"),
    VIEW_BILLS: _("View bills"),
    PRINT_INVOICE: _("Print invoices"),
    GENERATE_BILLS: _("Generate bills"),
    EDIT_BILLS: _("Edit bills"),
    DELETE_BILLS: _("Delete bills"),
    DISCOUNT_ON_BILLS: _("Discount on bills"),
    RECEIVE_PAYMENT: _("Receive payments"),
    VIEW_PAYMENTS: _("View payments"),
    EDIT_CUSTOMER_PAYMENT: _("Edit customer payments"),
    DELETE_CUSTOMER_PAYMENT: _("Delete customer payments"),
    VERIFY_PAYMENTS: _("Verify online payments"),
    EXPENSE_MANAGEMENT: _("Expense management"),
    RUN_BILLING: _("Billing runs and dunning"),
    MANAGE_RECHARGE_CARDS: _("Recharge cards and distributors"),
    VIEW_ACCOUNTS: _("Accounts and reports"),
    EDIT_PACKAGE_PRICE: _("Edit package customer price"),
    EDIT_COMPANY: _("Edit company settings"),
    MANAGE_CATALOG: _("Manage packages and billing profiles"),
    MANAGE_ZONES: _("Manage zones"),
    MANAGE_CUSTOM_FIELDS: _("Manage custom fields"),
    DASHBOARD: _("Dashboard"),
    DASHBOARD_CUSTOMER_WIDGETS: _("Dashboard: customer counts"),
    DASHBOARD_FINANCIAL_WIDGETS: _("Dashboard: financial widgets"),
    ONLINE_CUSTOMERS: _("Online customers"),
    OFFLINE_CUSTOMERS: _("Offline customers"),
    SEARCH_CUSTOMERS: _("Search customers"),
    DISCONNECT_CUSTOMER: _("Disconnect customer sessions"),
    VIEW_ROUTERS: _("View routers"),
    MANAGE_ROUTERS: _("Manage routers"),
    MANAGE_IP_POOLS: _("Manage IP pools and PPPoE profiles"),
    PING_TEST: _("Ping test"),
    VIEW_ACTIVITY_LOG: _("Activity log"),
    VIEW_AUTH_LOG: _("Authentication log"),
    MANAGE_STAFF: _("Manage staff accounts"),
    VIEW_OUTBOX: _("Outbox (side effects)"),
    VIEW_OPERATORS: _("View operators"),
    SALES_NOTES: _("Sales notes"),
    SEND_SMS: _("Send SMS"),
}
ALL_KEYS: frozenset[str] = frozenset(KEY_LABELS)

# Keys that touch money: never granted to a NOC user.
MONEY_KEYS = frozenset(
    {
        VIEW_BILLS,
        PRINT_INVOICE,
        GENERATE_BILLS,
        EDIT_BILLS,
        DELETE_BILLS,
        DISCOUNT_ON_BILLS,
        RECEIVE_PAYMENT,
        VIEW_PAYMENTS,
        EDIT_CUSTOMER_PAYMENT,
        DELETE_CUSTOMER_PAYMENT,
        VERIFY_PAYMENTS,
        EXPENSE_MANAGEMENT,
        VIEW_ACCOUNTS,
        EDIT_PACKAGE_PRICE,
        DASHBOARD_FINANCIAL_WIDGETS,
        RUN_BILLING,
        MANAGE_RECHARGE_CARDS,
    }
)
NETWORK_KEYS = frozenset(
    {
        VIEW_ROUTERS,
        MANAGE_ROUTERS,
        MANAGE_IP_POOLS,
        PING_TEST,
        DISCONNECT_CUSTOMER,
        ONLINE_CUSTOMERS,
        OFFLINE_CUSTOMERS,
        SEARCH_CUSTOMERS,
    }
)
# Keys only the tenant's group admin ever holds.
GROUP_ADMIN_ONLY = frozenset(
    {
        EDIT_COMPANY,
        MANAGE_CATALOG,
        MANAGE_ZONES,
        MANAGE_CUSTOM_FIELDS,
        VIEW_OUTBOX,
        MANAGE_ROUTERS,
        MANAGE_IP_POOLS,
        RUN_BILLING,
    }
)

# Panel sections ("special permissions") the group admin switches on and off for an
# operator or sub-operator.  A switched-off section removes every key in it, for the
# reseller and for the managers under it.
SECTIONS: dict[str, tuple[str, frozenset[str]]] = {
    "customers": (
        _("Customers"),
        frozenset(
            {
                VIEW_CUSTOMER_DETAILS,
                CREATE_CUSTOMER,
                EDIT_CUSTOMER,
                ACTIVATE_CUSTOMER,
                SUSPEND_CUSTOMER,
                DISABLE_CUSTOMER,
                DELETE_CUSTOMER,
                CHANGE_CUSTOMER_PACKAGE,
                EDIT_SUSPEND_DATE,
                BULK_UPDATE_CUSTOMERS,
                SEARCH_CUSTOMERS,
            }
        ),
    ),
    "bills": (
        _("Bills"),
        frozenset(
            {
                VIEW_BILLS,
                PRINT_INVOICE,
                GENERATE_BILLS,
                EDIT_BILLS,
                DELETE_BILLS,
                DISCOUNT_ON_BILLS,
            }
        ),
    ),
    "payments": (
        _("Payments"),
        frozenset(
            {
                RECEIVE_PAYMENT,
                VIEW_PAYMENTS,
                EDIT_CUSTOMER_PAYMENT,
                DELETE_CUSTOMER_PAYMENT,
                VERIFY_PAYMENTS,
            }
        ),
    ),
    "accounts": (
        _("Accounts and reports"),
        frozenset({VIEW_ACCOUNTS, DASHBOARD_FINANCIAL_WIDGETS}),
    ),
    "expenses": (_("Expenses"), frozenset({EXPENSE_MANAGEMENT})),
    "cards": (_("Recharge cards"), frozenset({MANAGE_RECHARGE_CARDS})),
    "online": (
        _("Online / offline customers"),
        frozenset(
            {
                ONLINE_CUSTOMERS,
                OFFLINE_CUSTOMERS,
                DISCONNECT_CUSTOMER,
            }
        ),
    ),
    "staff": (_("Sub-operators and managers"), frozenset({MANAGE_STAFF})),
    "logs": (_("Activity and authentication logs"), frozenset({VIEW_ACTIVITY_LOG, VIEW_AUTH_LOG})),
}

_RESELLER_DEFAULTS = frozenset(
    {
        VIEW_CUSTOMER_DETAILS,
        CREATE_CUSTOMER,
        EDIT_CUSTOMER,
        ACTIVATE_CUSTOMER,
        SUSPEND_CUSTOMER,
        DISABLE_CUSTOMER,
        DELETE_CUSTOMER,
        CHANGE_CUSTOMER_PACKAGE,
        EDIT_SUSPEND_DATE,
        BULK_UPDATE_CUSTOMERS,
        SEARCH_CUSTOMERS,
        VIEW_BILLS,
        PRINT_INVOICE,
        GENERATE_BILLS,
        EDIT_BILLS,
        DELETE_BILLS,
        DISCOUNT_ON_BILLS,
        RECEIVE_PAYMENT,
        VIEW_PAYMENTS,
        EDIT_CUSTOMER_PAYMENT,
        DELETE_CUSTOMER_PAYMENT,
        VERIFY_PAYMENTS,
        EXPENSE_MANAGEMENT,
        VIEW_ACCOUNTS,
        DASHBOARD,
        DASHBOARD_CUSTOMER_WIDGETS,
        DASHBOARD_FINANCIAL_WIDGETS,
        ONLINE_CUSTOMERS,
        OFFLINE_CUSTOMERS,
        DISCONNECT_CUSTOMER,
        VIEW_ACTIVITY_LOG,
        VIEW_AUTH_LOG,
        MANAGE_STAFF,
        PING_TEST,
        SEND_SMS,
        MANAGE_RECHARGE_CARDS,
    }
)

# What each role holds when created.  Managers start with almost nothing: every action a
# manager performs is explicitly enabled by its parent (manager FAQ).
ROLE_DEFAULTS: dict[str, frozenset[str]] = {
    Role.GROUP_ADMIN: ALL_KEYS,
    Role.OPERATOR: _RESELLER_DEFAULTS,
    Role.SUB_OPERATOR: _RESELLER_DEFAULTS,
    Role.MANAGER: frozenset({DASHBOARD, VIEW_ACTIVITY_LOG, VIEW_AUTH_LOG}),
    Role.NOC: frozenset(
        {
            DASHBOARD,
            DASHBOARD_CUSTOMER_WIDGETS,
            SEARCH_CUSTOMERS,
            ONLINE_CUSTOMERS,
            OFFLINE_CUSTOMERS,
            DISCONNECT_CUSTOMER,
            VIEW_ROUTERS,
            PING_TEST,
        }
    ),
    Role.SALES_MANAGER: frozenset({VIEW_OPERATORS, SALES_NOTES, SEND_SMS}),
}

# Keys a parent may grant to an account of each role (it must also hold the key itself).
GRANTABLE: dict[str, frozenset[str]] = {
    Role.GROUP_ADMIN: frozenset(),
    Role.OPERATOR: _RESELLER_DEFAULTS | {EDIT_PACKAGE_PRICE},
    Role.SUB_OPERATOR: _RESELLER_DEFAULTS | {EDIT_PACKAGE_PRICE},
    Role.MANAGER: (_RESELLER_DEFAULTS - {MANAGE_STAFF}) | {EDIT_PACKAGE_PRICE},
    Role.NOC: NETWORK_KEYS
    | {DASHBOARD, DASHBOARD_CUSTOMER_WIDGETS, MANAGE_ROUTERS, MANAGE_IP_POOLS},
    Role.SALES_MANAGER: frozenset({VIEW_OPERATORS, SALES_NOTES, SEND_SMS}),
}
assert not (GRANTABLE[Role.NOC] & MONEY_KEYS), "a NOC user never touches money"

# Who may create whom (group-admin FAQ role table; sub-operators create managers only).
CREATABLE_ROLES: dict[str, tuple[str, ...]] = {
    Role.GROUP_ADMIN: (
        Role.OPERATOR,
        Role.SUB_OPERATOR,
        Role.MANAGER,
        Role.NOC,
        Role.SALES_MANAGER,
    ),
    Role.OPERATOR: (Role.SUB_OPERATOR, Role.MANAGER),
    Role.SUB_OPERATOR: (Role.MANAGER,),
    Role.MANAGER: (),
    Role.NOC: (),
    Role.SALES_MANAGER: (),
}


def section_of(key: str) -> str | None:
    for name, (_label, keys) in SECTIONS.items():
        if key in keys:
            return name
    return None


def _reseller_chain(user) -> list:
    """The reseller accounts whose switched-off sections bind ``user``."""
    chain = []
    node = user
    while node is not None and node.role != Role.GROUP_ADMIN:
        if node.role in (Role.OPERATOR, Role.SUB_OPERATOR):
            chain.append(node)
        node = node.parent
    return chain


def effective_keys(user) -> frozenset[str]:
    """Every key ``user`` holds now (cached on the instance for the request)."""
    cached = getattr(user, "_netbill_keys", None)
    if cached is not None:
        return cached
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.tenant_id is None:
        keys = frozenset()
    elif user.role == Role.GROUP_ADMIN:
        keys = ALL_KEYS
    else:
        keys = frozenset(user.granted_keys or ()) & GRANTABLE.get(user.role, frozenset())
        for reseller in _reseller_chain(user):
            for section in reseller.disabled_sections or ():
                keys = keys - SECTIONS.get(section, ("", frozenset()))[1]
        if user.role == Role.MANAGER and user.parent is not None:
            # A manager never holds more than its parent: revoking a key from an operator
            # takes it from the operator's managers too.
            keys = keys & effective_keys(user.parent)
    user._netbill_keys = keys
    return keys


def may(user, key: str, obj=None) -> bool:
    """May ``user`` do ``key`` (to ``obj``, when given)?  The one answer for panel and API."""
    if key not in effective_keys(user):
        return False
    if obj is not None:
        from netbill.core.scope import in_scope

        return in_scope(user, obj)
    return True


def require(user, key: str, obj=None) -> None:
    """Raise ``PermissionDenied`` unless :func:`may`.  Scope misses raise ``Http404``."""
    if key not in effective_keys(user):
        raise PermissionDenied(_("You do not have the “%(key)s” permission.") % {"key": key})
    if obj is not None:
        from django.http import Http404

        from netbill.core.scope import in_scope

        if not in_scope(user, obj):
            raise Http404(_("No such object."))
