"""The chart of accounts every book has (created on first use, per tenant and book).

A *book* is one set of double-entry accounts: the ISP's own (``book=None``, the group
admin's) or a reseller's.  A customer's money is in its owner's book; what a reseller owes
(or has deposited with) the account above it is in that parent's book, on the
"Reseller accounts" control account with the reseller as party.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountType(models.TextChoices):
    ASSET = "asset", _("Asset")
    LIABILITY = "liability", _("Liability")
    EQUITY = "equity", _("Equity")
    INCOME = "income", _("Income")
    EXPENSE = "expense", _("Expense")


CASH = "1000"  # party: the collecting staff account
BANK = "1100"
GATEWAY_CLEARING = "1200"  # party: none; memo names the gateway
CUSTOMER_RECEIVABLE = "1300"  # party: customer
RESELLER_ACCOUNTS = "1400"  # party: reseller (positive: it owes; negative: prepaid deposit)
CARD_DISTRIBUTORS = "1500"  # party: card distributor
CUSTOMER_WALLET = "2000"  # party: customer (credit balance = advance / prepaid wallet)
VAT_PAYABLE = "2200"
REVENUE_PPPOE = "4100"
REVENUE_HOTSPOT = "4200"
REVENUE_STATIC = "4300"
REVENUE_OTHER = "4400"
WHOLESALE_REVENUE = "4500"  # the reseller price charged to resellers
DISCOUNTS = "4900"  # contra-income
EXPENSES = "5000"  # expenses, by category (the line's expense category)
CARD_COMMISSION = "5100"

CHART: dict[str, tuple[str, str]] = {
    CASH: (_("Cash in hand"), AccountType.ASSET),
    BANK: (_("Bank"), AccountType.ASSET),
    GATEWAY_CLEARING: (_("Payment gateway clearing"), AccountType.ASSET),
    CUSTOMER_RECEIVABLE: (_("Customer receivables"), AccountType.ASSET),
    RESELLER_ACCOUNTS: (_("Reseller accounts"), AccountType.ASSET),
    CARD_DISTRIBUTORS: (_("Recharge card distributors"), AccountType.ASSET),
    CUSTOMER_WALLET: (_("Customer advances (wallets)"), AccountType.LIABILITY),
    VAT_PAYABLE: (_("VAT payable"), AccountType.LIABILITY),
    REVENUE_PPPOE: (_("Revenue: PPPoE"), AccountType.INCOME),
    REVENUE_HOTSPOT: (_("Revenue: Hotspot"), AccountType.INCOME),
    REVENUE_STATIC: (_("Revenue: Static IP"), AccountType.INCOME),
    REVENUE_OTHER: (_("Revenue: Other"), AccountType.INCOME),
    WHOLESALE_REVENUE: (_("Revenue: resellers"), AccountType.INCOME),
    DISCOUNTS: (_("Discounts"), AccountType.INCOME),
    EXPENSES: (_("Expenses"), AccountType.EXPENSE),
    CARD_COMMISSION: (_("Recharge card commission"), AccountType.EXPENSE),
}

REVENUE_BY_CONNECTION = {
    "pppoe": REVENUE_PPPOE,
    "hotspot": REVENUE_HOTSPOT,
    "static": REVENUE_STATIC,
    "other": REVENUE_OTHER,
}
