from django.db import models
from django.utils.translation import gettext_lazy as _

from netbill.catalog.choices import BillingType


class ConnectionType(models.TextChoices):
    PPPOE = "pppoe", _("PPPoE")
    HOTSPOT = "hotspot", _("Hotspot")
    STATIC = "static", _("Static IP")
    OTHER = "other", _("Other")


class CustomerType(models.TextChoices):
    """The five customer types of the product (connection type + billing type)."""

    PPPOE_MONTHLY = "pppoe_monthly", _("PPPoE + monthly billing")
    PPPOE_DAILY = "pppoe_daily", _("PPPoE + daily billing")
    HOTSPOT = "hotspot", _("Hotspot")
    STATIC_MONTHLY = "static_monthly", _("Static IP + monthly billing")
    OTHER = "other", _("Other")


# customer type -> (connection type, billing types its billing profile may have)
CUSTOMER_TYPE_RULES = {
    CustomerType.PPPOE_MONTHLY: (ConnectionType.PPPOE, {BillingType.MONTHLY, BillingType.FREE}),
    CustomerType.PPPOE_DAILY: (ConnectionType.PPPOE, {BillingType.DAILY}),
    CustomerType.HOTSPOT: (ConnectionType.HOTSPOT, {BillingType.DAILY, BillingType.FREE}),
    CustomerType.STATIC_MONTHLY: (ConnectionType.STATIC, {BillingType.MONTHLY, BillingType.FREE}),
    CustomerType.OTHER: (
        ConnectionType.OTHER,
        {BillingType.MONTHLY, BillingType.DAILY, BillingType.FREE},
    ),
}


class CustomerStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    DISABLED = "disabled", _("Disabled")
    FUP = "fup", _("FUP")


class CustomFieldType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DROPDOWN = "dropdown", _("Dropdown")
    DATE = "date", _("Date")
