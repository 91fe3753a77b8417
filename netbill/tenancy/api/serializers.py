"""Tenant (ISP) serializers: parse input shape, render output; the services decide."""

from __future__ import annotations

from rest_framework import serializers

from netbill.tenancy.models import TIMEZONE_CHOICES, Tenant


class TenantSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tenant
        fields = [
            "id",
            "name",
            "slug",
            "logo",
            "address",
            "phone",
            "email",
            "currency",
            "timezone",
            "invoice_footer",
            "is_active",
            "created_at",
        ]
        read_only_fields = fields


class TenantCreateSerializer(serializers.Serializer):
    """A new ISP and its first group admin."""

    name = serializers.CharField(max_length=120)
    slug = serializers.SlugField(max_length=60, required=False, allow_blank=True)
    admin_email = serializers.EmailField()
    admin_name = serializers.CharField(max_length=120)
    admin_password = serializers.CharField(write_only=True, style={"input_type": "password"})
    address = serializers.CharField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    currency = serializers.CharField(max_length=3, required=False)
    timezone = serializers.ChoiceField(choices=TIMEZONE_CHOICES, required=False)
    invoice_footer = serializers.CharField(required=False, allow_blank=True)


class CompanySerializer(serializers.ModelSerializer):
    """The group admin's own company settings."""

    class Meta:
        model = Tenant
        fields = [
            "id",
            "name",
            "slug",
            "logo",
            "address",
            "phone",
            "email",
            "currency",
            "timezone",
            "invoice_footer",
        ]
        read_only_fields = ["id", "slug"]
