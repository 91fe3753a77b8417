"""API of the ping test (``ping-test``): POST pings one target and answers with the result;
GET lists the results in the caller's scope."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from netbill.core import permissions as P
from netbill.core.api.fields import ScopedPrimaryKeyRelatedField
from netbill.core.api.viewsets import CreateMixin, ListRetrieveMixin, ScopedViewSet
from netbill.customers.models import Customer
from netbill.network.models import PingResult, Router
from netbill.network.ping import ping_run


class PingResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = PingResult
        fields = [
            "id",
            "target",
            "customer",
            "router",
            "sent",
            "received",
            "rtt_min_ms",
            "rtt_avg_ms",
            "rtt_max_ms",
            "output",
            "actor",
            "created_at",
        ]
        read_only_fields = fields


class PingRequestSerializer(serializers.Serializer):
    """Exactly one of ``address``, ``customer`` or ``router``."""

    address = serializers.IPAddressField(required=False, help_text="An IPv4 or IPv6 address.")
    customer = ScopedPrimaryKeyRelatedField(
        queryset=Customer.objects.filter(deleted_at__isnull=True),
        required=False,
        help_text="Pinged at its static IP or its open session's address.",
    )
    router = ScopedPrimaryKeyRelatedField(
        queryset=Router.objects.all(),
        required=False,
        help_text="Needs view-routers or manage-routers as well.",
    )

    def validate(self, attrs):
        if len([k for k in ("address", "customer", "router") if attrs.get(k)]) != 1:
            raise serializers.ValidationError(
                _("Give one address, one customer or one router to ping.")
            )
        return attrs


class PingViewSet(ListRetrieveMixin, CreateMixin, ScopedViewSet):
    """Ping from the server; each ping is kept and listed."""

    queryset = PingResult.objects.select_related("customer", "router").order_by(
        "-created_at", "-id"
    )
    serializer_class = PingResultSerializer
    input_serializers = {"create": PingRequestSerializer}
    permission_keys = {"list": P.PING_TEST, "retrieve": P.PING_TEST, "create": P.PING_TEST}

    def perform_create(self, data):
        return ping_run(actor=self.request.user, **data)
