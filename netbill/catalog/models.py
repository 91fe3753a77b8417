"""Catalog: master packages, operator packages, billing profiles, VAT profiles.

Only the group admin creates them; resellers see and use what is assigned to them.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from netbill.catalog.choices import BillingType
from netbill.core.choices import RESELLER_ROLES, Role
from netbill.core.models import TenantOwned

MONEY = {"max_digits": 14, "decimal_places": 2}


def _reseller_of(user):
    """The reseller account whose catalog ``user`` works with (None: the group admin's)."""
    node = user
    while node is not None and node.role == Role.MANAGER:
        node = node.parent
    if node is not None and node.role in RESELLER_ROLES:
        return node
    return None


class MasterPackage(TenantOwned):
    """An Internet package defined by the group admin: speed, price, validity, FUP."""

    name = models.CharField(_("name"), max_length=80)
    download_kbps = models.PositiveIntegerField(
        _("download speed (kbps)"), validators=[MinValueValidator(1)]
    )
    upload_kbps = models.PositiveIntegerField(
        _("upload speed (kbps)"), validators=[MinValueValidator(1)]
    )
    price = models.DecimalField(_("price"), validators=[MinValueValidator(Decimal("0"))], **MONEY)
    validity_days = models.PositiveIntegerField(
        _("validity (days)"), default=30, validators=[MinValueValidator(1)]
    )
    fup_limit_gb = models.PositiveIntegerField(_("FUP limit (GB)"), null=True, blank=True)
    fup_download_kbps = models.PositiveIntegerField(
        _("FUP download speed (kbps)"), null=True, blank=True
    )
    fup_upload_kbps = models.PositiveIntegerField(
        _("FUP upload speed (kbps)"), null=True, blank=True
    )
    fup_pool = models.ForeignKey(
        "network.IpPool",
        verbose_name=_("FUP pool"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Optional: customers in FUP get addresses from this pool."),
    )
    pppoe_profile = models.ForeignKey(
        "network.PppoeProfile",
        verbose_name=_("PPPoE profile"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="packages",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="masterpackage_unique_name"),
        ]
        verbose_name = _("master package")

    def __str__(self):
        return self.name

    @property
    def speed_label(self) -> str:
        return f"{_kbps(self.download_kbps)}/{_kbps(self.upload_kbps)}"

    @classmethod
    def scope_filter(cls, qs, user):
        """Resellers (and their managers) see only the packages assigned to them."""
        reseller = _reseller_of(user)
        if reseller is None:
            return qs
        return qs.filter(operator_packages__operator=reseller, operator_packages__is_active=True)

    def clean(self):
        super().clean()
        from django.core.exceptions import ValidationError

        if self.fup_limit_gb and not (self.fup_download_kbps and self.fup_upload_kbps):
            raise ValidationError(
                {"fup_download_kbps": _("Give the FUP speeds for a package with a FUP limit.")}
            )


def _kbps(value: int) -> str:
    if value % 1024 == 0:
        return f"{value // 1024}M"
    return f"{value}k"


class OperatorPackage(TenantOwned):
    """A master package assigned to a reseller, with the price the reseller pays the
    group admin and the price its customers pay."""

    master_package = models.ForeignKey(
        MasterPackage,
        on_delete=models.PROTECT,
        related_name="operator_packages",
        verbose_name=_("master package"),
    )
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="operator_packages",
        verbose_name=_("reseller"),
    )
    reseller_price = models.DecimalField(
        _("reseller price"), validators=[MinValueValidator(Decimal("0"))], **MONEY
    )
    customer_price = models.DecimalField(
        _("customer price"), validators=[MinValueValidator(Decimal("0"))], **MONEY
    )
    is_active = models.BooleanField(_("active"), default=True)

    scope_owner_field = "operator"

    class Meta:
        ordering = ["master_package__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["operator", "master_package"], name="operatorpackage_unique_assignment"
            ),
        ]
        verbose_name = _("operator package")

    def __str__(self):
        return f"{self.master_package} → {self.operator.name}"

    def clean(self):
        super().clean()
        from django.core.exceptions import ValidationError

        if self.operator_id and self.operator.role not in RESELLER_ROLES:
            raise ValidationError(
                {"operator": _("Packages are assigned to operators and sub-operators.")}
            )


class BillingProfile(TenantOwned):
    """How and when a customer is billed: type, due day, grace days, automation."""

    name = models.CharField(_("name"), max_length=80)
    billing_type = models.CharField(
        _("billing type"), max_length=10, choices=BillingType.choices, default=BillingType.MONTHLY
    )
    due_day = models.PositiveSmallIntegerField(
        _("due day of month"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text=_("In months shorter than this, the bill falls due on the month's last day."),
    )
    grace_days = models.PositiveSmallIntegerField(_("grace days"), default=0)
    auto_billing = models.BooleanField(_("auto-billing"), default=True)
    auto_suspend = models.BooleanField(_("auto-suspend"), default=True)
    resellers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="billing_profiles",
        verbose_name=_("assigned resellers"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="billingprofile_unique_name"),
        ]
        verbose_name = _("billing profile")

    def __str__(self):
        return self.name

    @classmethod
    def scope_filter(cls, qs, user):
        reseller = _reseller_of(user)
        if reseller is None:
            return qs
        return qs.filter(resellers=reseller)


class VatProfile(TenantOwned):
    """A VAT rate applied to bills."""

    name = models.CharField(_("name"), max_length=80)
    rate = models.DecimalField(
        _("rate (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="vatprofile_unique_name"),
        ]
        verbose_name = _("VAT profile")

    def __str__(self):
        return f"{self.name} ({self.rate}%)"
