"""API of VPN accounts (``manage-routers``): create for a router, list, detail with the
configuration texts, switch on/off, delete.  Writes call :mod:`netbill.network.vpn`."""

from __future__ import annotations

from rest_framework import serializers

from netbill.core import permissions as P
from netbill.core.api.fields import ScopedPrimaryKeyRelatedField
from netbill.core.api.viewsets import (
    CreateMixin,
    DestroyMixin,
    ListRetrieveMixin,
    ScopedViewSet,
    UpdateMixin,
)
from netbill.network import vpn
from netbill.network.models import Router, VpnAccount


class VpnAccountSerializer(serializers.ModelSerializer):
    router_name = serializers.CharField(source="router.name", read_only=True)

    class Meta:
        model = VpnAccount
        fields = [
            "id",
            "router",
            "router_name",
            "tunnel_address",
            "public_key",
            "server_endpoint",
            "is_active",
            "created_at",
        ]
        read_only_fields = fields


class VpnAccountDetailSerializer(VpnAccountSerializer):
    server_peer_config = serializers.SerializerMethodField(
        help_text="The [Peer] block for the server's wg-quick configuration."
    )
    routeros_commands = serializers.SerializerMethodField(
        help_text="RouterOS 7 commands for the router (they hold its private key)."
    )

    class Meta(VpnAccountSerializer.Meta):
        fields = [*VpnAccountSerializer.Meta.fields, "server_peer_config", "routeros_commands"]
        read_only_fields = fields

    def get_server_peer_config(self, obj) -> str:
        return vpn.server_peer_config(obj)

    def get_routeros_commands(self, obj) -> str:
        return vpn.routeros_commands(obj)


class VpnAccountCreateSerializer(serializers.Serializer):
    router = ScopedPrimaryKeyRelatedField(
        queryset=Router.objects.all(), help_text="The router behind NAT."
    )


class VpnAccountUpdateSerializer(serializers.Serializer):
    is_active = serializers.BooleanField(
        help_text="false: the router is reached at its host again."
    )


class VpnAccountViewSet(ListRetrieveMixin, CreateMixin, UpdateMixin, DestroyMixin, ScopedViewSet):
    """WireGuard tunnels for routers behind NAT; the router is reached at its tunnel address."""

    queryset = VpnAccount.objects.select_related("router", "router__tenant").order_by(
        "router__name", "id"
    )
    serializer_class = VpnAccountDetailSerializer
    input_serializers = {
        "create": VpnAccountCreateSerializer,
        "partial_update": VpnAccountUpdateSerializer,
    }
    permission_keys = dict.fromkeys(
        ("list", "retrieve", "create", "partial_update", "destroy"), P.MANAGE_ROUTERS
    )

    def get_serializer_class(self):
        if self.action == "list":
            return VpnAccountSerializer
        return super().get_serializer_class()

    def perform_create(self, data):
        return vpn.vpn_account_create(actor=self.request.user, router=data["router"])

    def perform_update(self, obj, data):
        return vpn.vpn_account_set_active(
            actor=self.request.user, account=obj, is_active=data["is_active"]
        )

    def perform_destroy(self, obj):
        vpn.vpn_account_delete(actor=self.request.user, account=obj)
