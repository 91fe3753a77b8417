"""API of IP pools and PPPoE profiles (``manage-ip-pools``); writes call
:mod:`netbill.network.services`, the upload :mod:`netbill.network.upload`."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from netbill.core import permissions as P
from netbill.core.api.fields import ScopedPrimaryKeyRelatedField
from netbill.core.api.viewsets import (
    CreateMixin,
    DestroyMixin,
    ListRetrieveMixin,
    ScopedViewSet,
    UpdateMixin,
)
from netbill.network import services, upload
from netbill.network.models import IpPool, IpVersion, PoolKind, PppoeProfile
from netbill.network.selectors import pool_usage, profile_list

KEYS = dict.fromkeys(
    ("list", "retrieve", "create", "partial_update", "destroy", "upload"), P.MANAGE_IP_POOLS
)


class IpPoolSerializer(serializers.ModelSerializer):
    size = serializers.SerializerMethodField(help_text="Addresses in the pool.")
    used = serializers.SerializerMethodField(
        help_text="Addresses in use: open sessions' framed IPs and customers' static IPs."
    )
    is_protected = serializers.BooleanField(read_only=True)

    class Meta:
        model = IpPool
        fields = [
            "id",
            "name",
            "version",
            "ranges",
            "kind",
            "address_list",
            "description",
            "size",
            "used",
            "is_protected",
            "created_at",
        ]
        read_only_fields = fields

    def get_size(self, obj) -> int:
        return int(obj.size)

    def get_used(self, obj) -> int:
        usage = self.context.get("usage")
        if usage is None or obj.pk not in usage:
            usage = pool_usage(obj.tenant_id, [obj])
        return usage.get(obj.pk, 0)


class IpPoolInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=64)
    version = serializers.ChoiceField(choices=IpVersion.choices, default=IpVersion.V4)
    ranges = serializers.CharField(
        help_text="CIDR blocks, first-last ranges or addresses, comma separated."
    )
    kind = serializers.ChoiceField(
        choices=PoolKind.choices,
        default=PoolKind.CUSTOMER,
        help_text="customer or vpn (the ISP's one suspended pool exists already).",
    )
    address_list = serializers.CharField(max_length=64, required=False, allow_blank=True)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)


class IpPoolUpdateSerializer(IpPoolInputSerializer):
    name = serializers.CharField(max_length=64, required=False)
    version = serializers.ChoiceField(choices=IpVersion.choices, required=False)
    ranges = serializers.CharField(required=False)
    kind = serializers.ChoiceField(choices=PoolKind.choices, required=False)


class IpPoolViewSet(ListRetrieveMixin, CreateMixin, UpdateMixin, DestroyMixin, ScopedViewSet):
    """IPv4 and IPv6 address pools, with their size and addresses in use.  The suspended
    pool is protected: it cannot be renamed or deleted."""

    queryset = IpPool.objects.order_by("version", "name", "id")
    serializer_class = IpPoolSerializer
    input_serializers = {"create": IpPoolInputSerializer, "partial_update": IpPoolUpdateSerializer}
    permission_keys = KEYS

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        context = {
            **self.get_serializer_context(),
            "usage": pool_usage(request.user.tenant_id, page),
        }
        data = IpPoolSerializer(page, many=True, context=context).data
        return self.get_paginated_response(data)

    def perform_create(self, data):
        return services.pool_create(actor=self.request.user, **data)

    def perform_update(self, obj, data):
        return services.pool_update(actor=self.request.user, pool=obj, **data)

    def perform_destroy(self, obj):
        services.pool_delete(actor=self.request.user, pool=obj)


def _pool_field(version: int, **kwargs):
    return ScopedPrimaryKeyRelatedField(
        queryset=IpPool.objects.filter(version=version),
        required=False,
        allow_null=True,
        **kwargs,
    )


class PppoeProfileSerializer(serializers.ModelSerializer):
    pool_v4 = _pool_field(4, help_text="An IPv4 pool for customers.")
    pool_v6 = _pool_field(6, help_text="An IPv6 pool for customers.")
    packages = serializers.SerializerMethodField(help_text="Master packages using the profile.")

    class Meta:
        model = PppoeProfile
        fields = [
            "id",
            "name",
            "local_address",
            "pool_v4",
            "pool_v6",
            "rate_limit",
            "dns_server",
            "only_one",
            "description",
            "packages",
            "created_at",
        ]
        read_only_fields = ["id", "packages", "created_at"]

    def get_packages(self, obj) -> list[int]:
        return [p.pk for p in obj.packages.all()]


class PppoeProfileUpdateSerializer(PppoeProfileSerializer):
    class Meta(PppoeProfileSerializer.Meta):
        extra_kwargs = {"name": {"required": False}}


class ProfileUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="Excel (.xlsx) or CSV with a title row.")


class ProfileUploadResultSerializer(serializers.Serializer):
    created = PppoeProfileSerializer(many=True)


class PppoeProfileViewSet(ListRetrieveMixin, CreateMixin, UpdateMixin, DestroyMixin, ScopedViewSet):
    """PPP profiles: rate limit, IPv4/IPv6 pools, DNS; linked to master packages."""

    queryset = PppoeProfile.objects.select_related("pool_v4", "pool_v6").order_by("name", "id")
    serializer_class = PppoeProfileSerializer
    input_serializers = {
        "create": PppoeProfileSerializer,
        "partial_update": PppoeProfileUpdateSerializer,
        "upload": ProfileUploadSerializer,
    }
    permission_keys = KEYS

    def get_queryset(self):
        return profile_list(self.request.user)

    def perform_create(self, data):
        return services.profile_create(actor=self.request.user, **data)

    def perform_update(self, obj, data):
        return services.profile_update(actor=self.request.user, profile=obj, **data)

    def perform_destroy(self, obj):
        services.profile_delete(actor=self.request.user, profile=obj)

    @extend_schema(request=ProfileUploadSerializer, responses=ProfileUploadResultSerializer)
    @action(detail=False, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def upload(self, request):
        """Create every profile of a spreadsheet, or none (400 lists each row and column)."""
        data = self.parse()
        created = upload.profiles_upload(actor=request.user, upload=data["file"])
        ids = [p.pk for p in created]
        rows = profile_list(request.user).filter(pk__in=ids)
        body = ProfileUploadResultSerializer(
            {"created": list(rows)}, context=self.get_serializer_context()
        ).data
        return Response(body, status=status.HTTP_201_CREATED)
