"""Catalog serializers: parse input shape, render output; the catalog services decide."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from netbill.accounts.models import User
from netbill.catalog.models import BillingProfile, MasterPackage, OperatorPackage, VatProfile
from netbill.core.api.fields import ScopedPrimaryKeyRelatedField, request_user
from netbill.core.choices import RESELLER_ROLES
from netbill.core.scope import visible_owner_ids
from netbill.network.models import IpPool, PppoeProfile


def reseller_field(**kwargs):
    """An operator or sub-operator the caller may see, chosen by id."""
    return ScopedPrimaryKeyRelatedField(
        queryset=User.objects.filter(role__in=RESELLER_ROLES), **kwargs
    )


class MasterPackageSerializer(serializers.ModelSerializer):
    speed_label = serializers.CharField(read_only=True)
    pppoe_profile = ScopedPrimaryKeyRelatedField(
        queryset=PppoeProfile.objects.all(),
        required=False,
        allow_null=True,
        help_text="The PPPoE profile whose pools the package's customers get.",
    )
    fup_pool = ScopedPrimaryKeyRelatedField(
        queryset=IpPool.objects.filter(kind="customer", version=4),
        required=False,
        allow_null=True,
        help_text="Optional IPv4 pool for customers while in FUP.",
    )

    class Meta:
        model = MasterPackage
        fields = [
            "id",
            "name",
            "download_kbps",
            "upload_kbps",
            "speed_label",
            "price",
            "validity_days",
            "fup_limit_gb",
            "fup_download_kbps",
            "fup_upload_kbps",
            "fup_pool",
            "pppoe_profile",
            "is_active",
            "created_at",
        ]
        read_only_fields = ["id", "speed_label", "created_at"]


class OperatorPackageSerializer(serializers.ModelSerializer):
    operator_name = serializers.CharField(source="operator.name", read_only=True)
    master_package_name = serializers.CharField(source="master_package.name", read_only=True)

    class Meta:
        model = OperatorPackage
        fields = [
            "id",
            "operator",
            "operator_name",
            "master_package",
            "master_package_name",
            "reseller_price",
            "customer_price",
            "is_active",
        ]
        read_only_fields = fields


class OperatorPackageAssignSerializer(serializers.Serializer):
    operator = reseller_field()
    master_package = ScopedPrimaryKeyRelatedField(queryset=MasterPackage.objects.all())
    reseller_price = serializers.DecimalField(max_digits=14, decimal_places=2)
    customer_price = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text="Default: the master package's price.",
    )
    is_active = serializers.BooleanField(required=False, default=True)


class OperatorPackageUpdateSerializer(serializers.Serializer):
    reseller_price = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    customer_price = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    is_active = serializers.BooleanField(required=False)


class OperatorPackagePriceSerializer(serializers.Serializer):
    customer_price = serializers.DecimalField(max_digits=14, decimal_places=2)


class BillingProfileSerializer(serializers.ModelSerializer):
    resellers = serializers.SerializerMethodField(
        help_text="The assigned operators and sub-operators inside your scope."
    )

    class Meta:
        model = BillingProfile
        fields = [
            "id",
            "name",
            "billing_type",
            "due_day",
            "grace_days",
            "auto_billing",
            "auto_suspend",
            "is_active",
            "resellers",
        ]
        read_only_fields = ["id"]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_resellers(self, obj) -> list[int]:
        user = request_user(self.context)
        owners = visible_owner_ids(user) if user is not None else frozenset()
        ids = sorted(r.pk for r in obj.resellers.all())
        return ids if owners is None else [pk for pk in ids if pk in owners]


class BillingProfileCreateSerializer(BillingProfileSerializer):
    resellers = serializers.ListField(child=reseller_field(), required=False)

    class Meta(BillingProfileSerializer.Meta):
        pass


class BillingProfileUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = BillingProfile
        fields = [
            "name",
            "billing_type",
            "due_day",
            "grace_days",
            "auto_billing",
            "auto_suspend",
            "is_active",
        ]


class BillingProfileResellersSerializer(serializers.Serializer):
    resellers = serializers.ListField(
        child=reseller_field(), allow_empty=True, help_text="The full list of resellers afterwards."
    )


class VatProfileSerializer(serializers.ModelSerializer):
    class Meta:
        model = VatProfile
        fields = ["id", "name", "rate", "is_active"]
        read_only_fields = ["id"]
