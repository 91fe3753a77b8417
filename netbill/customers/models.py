"""Subscribers, their zones, custom fields and status history."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from netbill.catalog.models import MONEY
from netbill.core.models import TenantOwned
from netbill.core.scope import ScopedQuerySet
from netbill.customers.choices import (
    CUSTOMER_TYPE_RULES,
    CustomerStatus,
    CustomerType,
    CustomFieldType,
)

USERNAME_VALIDATOR = RegexValidator(
    r"^[A-Za-z0-9._@-]{2,64}$",
    _("2–64 letters, digits, dots, dashes, underscores or @."),
)
MOBILE_VALIDATOR = RegexValidator(r"^\+?[0-9]{6,15}$", _("Enter a mobile number of 6–15 digits."))


class Zone(TenantOwned):
    """A geographic or logical group of customers (e.g. "North District")."""

    name = models.CharField(_("name"), max_length=80)
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="zone_unique_name")]
        verbose_name = _("zone")

    def __str__(self):
        return self.name


class CustomField(TenantOwned):
    """An extra customer attribute defined by the group admin."""

    name = models.CharField(_("name"), max_length=80)
    key = models.SlugField(_("key"), max_length=40)
    field_type = models.CharField(
        _("type"), max_length=10, choices=CustomFieldType.choices, default=CustomFieldType.TEXT
    )
    choices = models.JSONField(_("dropdown choices"), default=list, blank=True)
    mandatory = models.BooleanField(_("mandatory"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "key"], name="customfield_unique_key")
        ]
        verbose_name = _("custom field")

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        from django.core.exceptions import ValidationError

        valid = self.choices and all(isinstance(c, str) and c.strip() for c in self.choices)
        if self.field_type == CustomFieldType.DROPDOWN and not valid:
            raise ValidationError({"choices": _("A dropdown needs at least one choice.")})


class CustomerQuerySet(ScopedQuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)

    def deleted(self):
        return self.filter(deleted_at__isnull=False)


class Customer(TenantOwned):
    """A subscriber: who, where, what they buy, how they connect, and their status."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="customers",
        verbose_name=_("owner"),
    )
    zone = models.ForeignKey(
        Zone,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customers",
        verbose_name=_("zone"),
    )
    name = models.CharField(_("name"), max_length=120)
    mobile = models.CharField(_("mobile"), max_length=20, validators=[MOBILE_VALIDATOR])
    email = models.EmailField(_("email"), blank=True)
    address = models.TextField(_("address"), blank=True)
    national_id = models.CharField(_("national ID"), max_length=40, blank=True)
    customer_type = models.CharField(
        _("customer type"), max_length=20, choices=CustomerType.choices
    )
    package = models.ForeignKey(
        "catalog.MasterPackage",
        on_delete=models.PROTECT,
        related_name="customers",
        verbose_name=_("package"),
    )
    billing_profile = models.ForeignKey(
        "catalog.BillingProfile",
        on_delete=models.PROTECT,
        related_name="customers",
        verbose_name=_("billing profile"),
    )
    vat_profile = models.ForeignKey(
        "catalog.VatProfile",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
        verbose_name=_("VAT profile"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=CustomerStatus.choices, default=CustomerStatus.ACTIVE
    )
    username = models.CharField(_("username"), max_length=64, validators=[USERNAME_VALIDATOR])
    # Cleartext because RADIUS needs it for CHAP/MS-CHAP (it becomes Cleartext-Password).
    password = models.CharField(_("password"), max_length=64)
    static_ip = models.GenericIPAddressField(_("static IP"), null=True, blank=True)
    mac_address = models.CharField(_("MAC address"), max_length=17, blank=True)
    mac_binding = models.BooleanField(
        _("bind to MAC"),
        default=False,
        help_text=_("Accept logins only from this MAC address (Calling-Station-Id)."),
    )
    simultaneous_use = models.PositiveSmallIntegerField(
        _("simultaneous sessions"), default=1, validators=[MinValueValidator(1)]
    )
    custom_price = models.DecimalField(
        _("custom price"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        **MONEY,
    )
    expires_at = models.DateTimeField(_("expiry"), null=True, blank=True)
    suspend_date = models.DateField(_("suspend date"), null=True, blank=True)
    custom_fields = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = models.Manager.from_queryset(CustomerQuerySet)()

    scope_owner_field = "owner"

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "username"],
                condition=models.Q(deleted_at__isnull=True),
                name="customer_unique_username_per_tenant",
            ),
            models.UniqueConstraint(
                fields=["tenant", "static_ip"],
                condition=models.Q(deleted_at__isnull=True, static_ip__isnull=False),
                name="customer_unique_static_ip_per_tenant",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "status"]),
            models.Index(fields=["tenant", "owner", "status"]),
            models.Index(fields=["tenant", "mobile"]),
            models.Index(fields=["tenant", "name"]),
            models.Index(fields=["tenant", "-created_at"]),
        ]
        verbose_name = _("customer")

    def __str__(self):
        return f"{self.name} ({self.username})"

    @property
    def connection_type(self) -> str:
        return CUSTOMER_TYPE_RULES[self.customer_type][0]

    @property
    def billing_type(self) -> str:
        return self.billing_profile.billing_type

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class CustomerStatusChange(TenantOwned):
    """One status transition of a customer, with who and why."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=12, choices=CustomerStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=CustomerStatus.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_owner_field = "customer__owner"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("status change")

    def __str__(self):
        return f"{self.customer_id}: {self.from_status} → {self.to_status}"
