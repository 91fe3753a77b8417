"""Staff account and API token serializers: parse input shape, render output."""

from __future__ import annotations

from rest_framework import serializers

from netbill.accounts.models import ApiToken, User
from netbill.core.api.fields import ScopedPrimaryKeyRelatedField
from netbill.core.choices import AccountType, Role
from netbill.core.permissions import ALL_KEYS, SECTIONS

PARENT_ROLES = (Role.GROUP_ADMIN, Role.OPERATOR, Role.SUB_OPERATOR)
KEY_CHOICES = sorted(ALL_KEYS)


class StaffSerializer(serializers.ModelSerializer):
    parent_name = serializers.CharField(source="parent.name", read_only=True, allow_null=True)

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "name",
            "mobile",
            "role",
            "parent",
            "parent_name",
            "company_name",
            "account_type",
            "credit_limit",
            "is_active",
            "granted_keys",
            "disabled_sections",
            "totp_enabled",
            "date_joined",
        ]
        read_only_fields = fields


class StaffCreateSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=[r for r in Role.choices if r[0] != Role.GROUP_ADMIN])
    email = serializers.EmailField()
    name = serializers.CharField(max_length=120)
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    mobile = serializers.CharField(max_length=20, required=False, allow_blank=True)
    parent = ScopedPrimaryKeyRelatedField(
        queryset=User.objects.filter(role__in=PARENT_ROLES),
        required=False,
        allow_null=True,
        help_text="The account it belongs under (default: you).",
    )
    company_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    account_type = serializers.ChoiceField(
        choices=AccountType.choices, required=False, allow_blank=True
    )
    credit_limit = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    keys = serializers.ListField(
        child=serializers.ChoiceField(choices=KEY_CHOICES),
        required=False,
        help_text="Default: the role's default keys.",
    )


class StaffUpdateSerializer(serializers.Serializer):
    email = serializers.EmailField(required=False)
    name = serializers.CharField(max_length=120, required=False)
    mobile = serializers.CharField(max_length=20, required=False, allow_blank=True)
    company_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    account_type = serializers.ChoiceField(
        choices=AccountType.choices, required=False, allow_blank=True
    )
    credit_limit = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    is_active = serializers.BooleanField(required=False)


class StaffKeysSerializer(serializers.Serializer):
    keys = serializers.ListField(
        child=serializers.ChoiceField(choices=KEY_CHOICES),
        allow_empty=True,
        help_text="The full list of keys the account holds afterwards.",
    )


class StaffSectionsSerializer(serializers.Serializer):
    disabled_sections = serializers.ListField(
        child=serializers.ChoiceField(choices=sorted(SECTIONS)),
        allow_empty=True,
        help_text="The panel sections switched off afterwards.",
    )


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at"]
        read_only_fields = ["id", "prefix", "created_at", "last_used_at"]


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    key = serializers.CharField(read_only=True, help_text="Shown this once: only a hash is kept.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "key"]
        read_only_fields = fields
