"""Router endpoints: CRUD, Test Connection, live status, log, push profiles and pools, and
Import PPP secrets — the same services and keys as the panel (``view-routers`` to read,
``manage-routers`` to change).  A router that cannot be reached answers 502 with the
message that says what to do."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.response import Response

from netbill.accounts.models import User
from netbill.catalog.models import BillingProfile, MasterPackage
from netbill.core import permissions as P
from netbill.core.api.fields import ScopedPrimaryKeyRelatedField
from netbill.core.api.viewsets import (
    CreateMixin,
    DestroyMixin,
    ListRetrieveMixin,
    ScopedViewSet,
    UpdateMixin,
)
from netbill.customers import selectors as customer_selectors
from netbill.customers.choices import CustomerType
from netbill.customers.models import Zone
from netbill.network import routers as services
from netbill.network.models import Router
from netbill.network.routeros import RouterOSError


class RouterUnavailable(APIException):
    status_code = status.HTTP_502_BAD_GATEWAY
    default_code = "router_unavailable"

    def __init__(self, exc: RouterOSError):
        super().__init__(detail={"detail": exc.message, "code": exc.code})


class RouterSerializer(serializers.ModelSerializer):
    api_password = serializers.SerializerMethodField(help_text="Masked: never shown in full.")
    radius_secret = serializers.SerializerMethodField(help_text="Masked: never shown in full.")
    address = serializers.CharField(read_only=True, help_text="The VPN address when it has one.")

    class Meta:
        model = Router
        fields = [
            "id",
            "name",
            "host",
            "address",
            "api_port",
            "api_tls",
            "api_username",
            "api_password",
            "radius_secret",
            "coa_port",
            "description",
            "is_active",
            "status",
            "last_error",
            "last_checked_at",
            "ros_version",
            "board_name",
            "created_at",
        ]
        read_only_fields = fields

    def get_api_password(self, obj) -> str:
        return services.mask_secret(obj.api_password)

    def get_radius_secret(self, obj) -> str:
        return services.mask_secret(obj.radius_secret)


class RouterCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    host = serializers.CharField(max_length=255, help_text="The router's IP address.")
    api_port = serializers.IntegerField(
        required=False, allow_null=True, help_text="8728, or 8729 with TLS."
    )
    api_tls = serializers.BooleanField(required=False, default=False)
    api_username = serializers.CharField(max_length=80)
    api_password = serializers.CharField(write_only=True, trim_whitespace=False)
    radius_secret = serializers.CharField(write_only=True, trim_whitespace=False)
    coa_port = serializers.IntegerField(required=False, allow_null=True)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False, default=True)


class RouterUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80, required=False)
    host = serializers.CharField(max_length=255, required=False)
    api_port = serializers.IntegerField(required=False)
    api_tls = serializers.BooleanField(required=False)
    api_username = serializers.CharField(max_length=80, required=False)
    api_password = serializers.CharField(
        write_only=True, required=False, allow_blank=True, trim_whitespace=False
    )
    radius_secret = serializers.CharField(
        write_only=True, required=False, allow_blank=True, trim_whitespace=False
    )
    coa_port = serializers.IntegerField(required=False)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


class ConnectionResultSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    message = serializers.CharField()
    code = serializers.CharField(help_text="unreachable, timeout, refused, auth, tls, …")
    version = serializers.CharField()
    board_name = serializers.CharField()
    identity = serializers.CharField()


class InterfaceSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.CharField()
    running = serializers.BooleanField()
    disabled = serializers.BooleanField()
    rx_byte = serializers.IntegerField()
    tx_byte = serializers.IntegerField()
    comment = serializers.CharField()


class PoolUsageSerializer(serializers.Serializer):
    name = serializers.CharField()
    ranges = serializers.CharField()
    size = serializers.IntegerField()
    used = serializers.IntegerField()
    percent = serializers.IntegerField()


class LogEntrySerializer(serializers.Serializer):
    time = serializers.CharField()
    topics = serializers.CharField()
    message = serializers.CharField()


class RouterLiveSerializer(serializers.Serializer):
    identity = serializers.CharField()
    version = serializers.CharField()
    board_name = serializers.CharField()
    architecture = serializers.CharField()
    uptime = serializers.CharField()
    cpu_load = serializers.IntegerField(allow_null=True, help_text="Percent.")
    total_memory = serializers.IntegerField(allow_null=True, help_text="Bytes.")
    free_memory = serializers.IntegerField(allow_null=True)
    used_memory = serializers.IntegerField(allow_null=True)
    memory_percent = serializers.IntegerField(allow_null=True)
    total_hdd = serializers.IntegerField(allow_null=True)
    free_hdd = serializers.IntegerField(allow_null=True)
    active_sessions = serializers.IntegerField()
    interfaces = InterfaceSerializer(many=True)
    pools = PoolUsageSerializer(many=True)
    pool_usage_source = serializers.ChoiceField(
        choices=["router", "sessions"],
        help_text="router: /ip/pool/used (RouterOS ≥ 7.15); sessions: counted from /ppp/active.",
    )
    log = LogEntrySerializer(many=True)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["version"] = str(instance.version)
        return data


class PushChangeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["pool", "profile"])
    name = serializers.CharField()
    action = serializers.ChoiceField(choices=["added", "updated", "unchanged", "failed"])
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="field → [value on the router, value from netbill]",
    )
    error = serializers.CharField()


class SecretSerializer(serializers.Serializer):
    username = serializers.CharField()
    profile = serializers.CharField()
    service = serializers.CharField()
    remote_address = serializers.CharField()
    caller_id = serializers.CharField()
    comment = serializers.CharField()
    disabled = serializers.BooleanField()
    static_ip = serializers.CharField()
    mac_address = serializers.CharField()
    mobile = serializers.CharField()
    name = serializers.CharField()
    exists = serializers.BooleanField(help_text="netbill already has this username.")
    skip_reason = serializers.CharField()


class ImportPreviewSerializer(serializers.Serializer):
    version = serializers.CharField()
    profiles = serializers.DictField(
        child=serializers.IntegerField(), help_text="PPP profile → secrets to import"
    )
    secrets = SecretSerializer(many=True)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["version"] = str(instance.version)
        return data


class ProfileMappingSerializer(serializers.Serializer):
    profile = serializers.CharField(help_text="PPP profile name on the router.")
    package = ScopedPrimaryKeyRelatedField(
        queryset=MasterPackage.objects.filter(is_active=True), allow_null=True
    )


class ImportRequestSerializer(serializers.Serializer):
    package_map = ProfileMappingSerializer(many=True)
    billing_profile = ScopedPrimaryKeyRelatedField(
        queryset=BillingProfile.objects.filter(is_active=True)
    )
    customer_type = serializers.ChoiceField(
        choices=CustomerType.choices, default=CustomerType.PPPOE_MONTHLY
    )
    owner = ScopedPrimaryKeyRelatedField(
        queryset=User.objects.all(),
        scope=customer_selectors.owner_choices,
        required=False,
        allow_null=True,
    )
    zone = ScopedPrimaryKeyRelatedField(
        queryset=Zone.objects.all(), required=False, allow_null=True
    )
    default_mobile = serializers.CharField(max_length=20, required=False, allow_blank=True)
    usernames = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Import only these secrets (default: all).",
    )


class ImportResultSerializer(serializers.Serializer):
    created = serializers.ListField(
        child=serializers.DictField(), help_text="[{username, customer}]"
    )
    skipped = serializers.ListField(child=serializers.DictField(), help_text="[{username, reason}]")
    failed = serializers.ListField(child=serializers.DictField(), help_text="[{username, errors}]")

    def to_representation(self, instance):
        return {
            "created": [{"username": u, "customer": pk} for u, pk in instance.created],
            "skipped": [{"username": u, "reason": r} for u, r in instance.skipped],
            "failed": [{"username": u, "errors": e} for u, e in instance.failed],
        }


class RouterViewSet(ListRetrieveMixin, CreateMixin, UpdateMixin, DestroyMixin, ScopedViewSet):
    """MikroTik routers of the ISP (RADIUS clients reached through the RouterOS API)."""

    queryset = Router.objects.select_related("vpn_account").order_by("name", "id")
    serializer_class = RouterSerializer
    input_serializers = {
        "create": RouterCreateSerializer,
        "partial_update": RouterUpdateSerializer,
        "import_secrets": ImportRequestSerializer,
    }
    permission_keys = {
        "list": P.VIEW_ROUTERS,
        "retrieve": P.VIEW_ROUTERS,
        "create": P.MANAGE_ROUTERS,
        "partial_update": P.MANAGE_ROUTERS,
        "destroy": P.MANAGE_ROUTERS,
        "test": P.VIEW_ROUTERS,
        "status": P.VIEW_ROUTERS,
        "log": P.VIEW_ROUTERS,
        "push": P.MANAGE_ROUTERS,
        "ppp_secrets": P.MANAGE_ROUTERS,
        "import_secrets": P.MANAGE_ROUTERS,
    }

    def perform_create(self, data):
        return services.router_create(actor=self.request.user, **data)

    def perform_update(self, obj, data):
        for name in ("api_password", "radius_secret"):
            if not data.get(name):
                data.pop(name, None)
        return services.router_update(actor=self.request.user, router=obj, **data)

    def perform_destroy(self, obj):
        services.router_delete(actor=self.request.user, router=obj)

    @extend_schema(request=None, responses=ConnectionResultSerializer)
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        """Test Connection: log in and record the outcome on the router."""
        result = services.router_test_connection(actor=request.user, router=self.get_object())
        return Response(ConnectionResultSerializer(result).data)

    @extend_schema(responses={200: RouterLiveSerializer})
    @action(detail=True, methods=["get"])
    def status(self, request, pk=None):
        """Live status: CPU, memory, uptime, version, PPP sessions, interfaces, pools, log."""
        try:
            live = services.router_status(actor=request.user, router=self.get_object())
        except RouterOSError as exc:
            raise RouterUnavailable(exc) from exc
        return Response(RouterLiveSerializer(live).data)

    @extend_schema(responses=LogEntrySerializer(many=True))
    @action(detail=True, methods=["get"])
    def log(self, request, pk=None):
        """The router's newest log entries (``?limit=``, default 200), newest first."""
        try:
            limit = int(request.query_params.get("limit", 200))
        except ValueError:
            limit = 200
        try:
            entries = services.router_log(actor=request.user, router=self.get_object(), limit=limit)
        except RouterOSError as exc:
            raise RouterUnavailable(exc) from exc
        return Response(LogEntrySerializer(entries, many=True).data)

    @extend_schema(request=None, responses=PushChangeSerializer(many=True))
    @action(detail=True, methods=["post"])
    def push(self, request, pk=None):
        """Add or update netbill's IPv4 pools and PPPoE profiles on the router."""
        try:
            changes = services.router_push(actor=request.user, router=self.get_object())
        except RouterOSError as exc:
            raise RouterUnavailable(exc) from exc
        return Response(PushChangeSerializer(changes, many=True).data)

    @extend_schema(responses=ImportPreviewSerializer)
    @action(detail=True, methods=["get"], url_path="ppp-secrets")
    def ppp_secrets(self, request, pk=None):
        """Import preview: the router's PPP secrets (without passwords) and their profiles."""
        try:
            preview = services.router_import_preview(actor=request.user, router=self.get_object())
        except RouterOSError as exc:
            raise RouterUnavailable(exc) from exc
        return Response(ImportPreviewSerializer(preview).data)

    @extend_schema(request=ImportRequestSerializer, responses=ImportResultSerializer)
    @action(detail=True, methods=["post"], url_path="import-secrets")
    def import_secrets(self, request, pk=None):
        """Create customers from the router's PPP secrets (needs create-customer too)."""
        router = self.get_object()
        data = self.parse()
        data["package_map"] = {m["profile"]: m["package"] for m in data["package_map"]}
        try:
            result = services.router_import_secrets(actor=request.user, router=router, **data)
        except RouterOSError as exc:
            raise RouterUnavailable(exc) from exc
        return Response(ImportResultSerializer(result).data)
