from django.db import models
from django.utils.translation import gettext_lazy as _


class BillKind(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    DAILY = "daily", _("Daily")
    HOTSPOT = "hotspot", _("Hotspot package")
    MANUAL = "manual", _("Manual")


class BillStatus(models.TextChoices):
    UNPAID = "unpaid", _("Unpaid")
    PARTIAL = "partial", _("Partially paid")
    PAID = "paid", _("Paid")
    VOID = "void", _("Void")


class BillLineKind(models.TextChoices):
    PACKAGE = "package", _("Package")
    VAT = "vat", _("VAT")
    DISCOUNT = "discount", _("Discount")
    OTHER = "other", _("Other")


class RunKind(models.TextChoices):
    BILLING = "billing", _("Billing run")
    DUNNING = "dunning", _("Dunning sweep")
