"""Customer, zone and custom-field serializers: parse input shape, render output.

Related objects are chosen by id among the rows the caller may see, so another tenant's
package (or zone, owner …) is a 400 naming the field.  The services do the real checks.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from netbill.accounts.models import User
from netbill.catalog.models import MONEY, BillingProfile, MasterPackage, VatProfile
from netbill.core import permissions as P
from netbill.core.api.fields import ScopedPrimaryKeyRelatedField, request_user
from netbill.core.choices import Role
from netbill.customers.choices import CustomerStatus, CustomerType
from netbill.customers.models import Customer, CustomField, Zone
from netbill.customers.selectors import owner_choices
from netbill.customers.services import BULK_ACTIONS, customer_price

NEW_CUSTOMER_STATUSES = [
    (s.value, s.label)
    for s in (CustomerStatus.ACTIVE, CustomerStatus.SUSPENDED, CustomerStatus.DISABLED)
]


def sees_money(user) -> bool:
    """Prices and RADIUS passwords go to those who may see customer details, never the NOC."""
    return (
        user is not None
        and getattr(user, "role", None) != Role.NOC
        and P.may(user, P.VIEW_CUSTOMER_DETAILS)
    )


class ZoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Zone
        fields = ["id", "name", "description"]
        read_only_fields = ["id"]


class CustomFieldSerializer(serializers.ModelSerializer):
    choices = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="The options of a dropdown field."
    )

    class Meta:
        model = CustomField
        fields = ["id", "name", "key", "field_type", "choices", "mandatory", "position"]
        read_only_fields = ["id"]


def money_field(**kwargs):
    return serializers.DecimalField(**MONEY, **kwargs)


class CustomerSerializer(serializers.ModelSerializer):
    """A customer as the API shows it.  ``price``, ``custom_price`` and ``password`` are null
    for callers who may not see customer details (and always for the NOC)."""

    connection_type = serializers.CharField(read_only=True)
    owner_name = serializers.CharField(source="owner.name", read_only=True)
    package_name = serializers.CharField(source="package.name", read_only=True)
    billing_profile_name = serializers.CharField(source="billing_profile.name", read_only=True)
    zone_name = serializers.CharField(source="zone.name", read_only=True, allow_null=True)
    price = serializers.SerializerMethodField(
        help_text="What the customer pays per validity period before VAT and discounts."
    )
    custom_price = money_field(read_only=True, allow_null=True)
    password = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = Customer
        fields = [
            "id",
            "username",
            "password",
            "name",
            "mobile",
            "email",
            "address",
            "national_id",
            "customer_type",
            "connection_type",
            "status",
            "owner",
            "owner_name",
            "package",
            "package_name",
            "billing_profile",
            "billing_profile_name",
            "vat_profile",
            "zone",
            "zone_name",
            "static_ip",
            "mac_address",
            "mac_binding",
            "simultaneous_use",
            "price",
            "custom_price",
            "expires_at",
            "suspend_date",
            "custom_fields",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(money_field(allow_null=True))
    def get_price(self, obj) -> Decimal | None:
        if not self._sees_money():
            return None
        price = getattr(obj, "list_price", None)
        if price is None:
            price = customer_price(obj)
        return serializers.DecimalField(**MONEY).to_representation(price)

    def _sees_money(self) -> bool:
        cache = self.context.setdefault("_netbill_sees_money", {})
        if "value" not in cache:
            cache["value"] = sees_money(request_user(self.context))
        return cache["value"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self._sees_money():
            data["custom_price"] = None
            data["password"] = None
        return data


def _package_field(**kwargs):
    return ScopedPrimaryKeyRelatedField(queryset=MasterPackage.objects.all(), **kwargs)


def _billing_profile_field(**kwargs):
    return ScopedPrimaryKeyRelatedField(queryset=BillingProfile.objects.all(), **kwargs)


def _zone_field(**kwargs):
    return ScopedPrimaryKeyRelatedField(queryset=Zone.objects.all(), allow_null=True, **kwargs)


def _vat_field(**kwargs):
    return ScopedPrimaryKeyRelatedField(
        queryset=VatProfile.objects.all(), allow_null=True, **kwargs
    )


class _CustomerFieldsMixin(serializers.Serializer):
    """Fields a customer's create and edit share (all optional here)."""

    email = serializers.EmailField(required=False, allow_blank=True)
    address = serializers.CharField(required=False, allow_blank=True)
    national_id = serializers.CharField(max_length=40, required=False, allow_blank=True)
    static_ip = serializers.IPAddressField(required=False, allow_null=True)
    mac_address = serializers.CharField(max_length=17, required=False, allow_blank=True)
    mac_binding = serializers.BooleanField(
        required=False, help_text="Accept logins only from mac_address (Calling-Station-Id)."
    )
    simultaneous_use = serializers.IntegerField(
        required=False, min_value=1, max_value=100, help_text="Sessions allowed at once."
    )
    custom_price = money_field(required=False, allow_null=True)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)
    suspend_date = serializers.DateField(required=False, allow_null=True)
    zone = _zone_field(required=False)
    vat_profile = _vat_field(required=False)
    custom_fields = serializers.DictField(
        required=False, help_text="Values of the ISP's custom fields by key."
    )


class CustomerCreateSerializer(_CustomerFieldsMixin):
    customer_type = serializers.ChoiceField(choices=CustomerType.choices)
    name = serializers.CharField(max_length=120)
    mobile = serializers.CharField(max_length=20)
    username = serializers.CharField(max_length=64, help_text="The RADIUS username.")
    password = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        help_text="The RADIUS password; generated when not given.",
    )
    package = _package_field()
    billing_profile = _billing_profile_field()
    owner = ScopedPrimaryKeyRelatedField(
        queryset=User.objects.all(),
        scope=owner_choices,
        required=False,
        allow_null=True,
        help_text="The reseller owning it (default: you).",
    )
    status = serializers.ChoiceField(choices=NEW_CUSTOMER_STATUSES, required=False)


class CustomerUpdateSerializer(_CustomerFieldsMixin):
    name = serializers.CharField(max_length=120, required=False)
    mobile = serializers.CharField(max_length=20, required=False)
    password = serializers.CharField(max_length=64, required=False)
    billing_profile = _billing_profile_field(required=False)


class CustomerReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class CustomerChangePackageSerializer(CustomerReasonSerializer):
    package = _package_field()


class CustomerDeleteSerializer(CustomerReasonSerializer):
    password = serializers.CharField(
        help_text="Your own password, to confirm.", style={"input_type": "password"}
    )


class CustomerBulkSerializer(serializers.Serializer):
    """One change to many customers: chosen by ``ids`` or by a list ``filter``."""

    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        allow_empty=False,
        max_length=5000,
    )
    filter = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text="The customer list's parameters (q, status, zone, package, owner, "
        "customer_type).",
    )
    action = serializers.ChoiceField(choices=sorted(BULK_ACTIONS))
    value = serializers.JSONField(
        allow_null=True,
        help_text="package / billing_profile / zone: an id (zone may be null); status: active, "
        "suspended or disabled; custom_fields: an object of values by key.",
    )
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    VALUE_FIELDS = {
        "package": lambda: _package_field(),
        "billing_profile": lambda: _billing_profile_field(),
        "zone": lambda: _zone_field(),
        "status": lambda: serializers.ChoiceField(choices=NEW_CUSTOMER_STATUSES),
        "custom_fields": lambda: serializers.DictField(),
    }

    def validate(self, attrs):
        if not attrs.get("ids") and attrs.get("filter") is None:
            raise serializers.ValidationError({"ids": _("Give the customers' ids or a filter.")})
        field = self.VALUE_FIELDS[attrs["action"]]()
        field.bind("value", self)
        try:
            attrs["value"] = field.run_validation(attrs.get("value"))
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({"value": exc.detail}) from exc
        return attrs


class CustomerBulkFailureSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField(allow_null=True)
    error = serializers.CharField()


class CustomerBulkResultSerializer(serializers.Serializer):
    updated = serializers.ListField(child=serializers.IntegerField())
    failed = CustomerBulkFailureSerializer(many=True)
