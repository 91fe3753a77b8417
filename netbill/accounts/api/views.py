"""Staff accounts (with their keys and sections) and the caller's own API tokens."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from netbill.accounts import services
from netbill.accounts.api.serializers import (
    ApiTokenCreatedSerializer,
    ApiTokenSerializer,
    StaffCreateSerializer,
    StaffKeysSerializer,
    StaffSectionsSerializer,
    StaffSerializer,
    StaffUpdateSerializer,
)
from netbill.accounts.models import ApiToken, User
from netbill.core.api.viewsets import (
    ANY_USER,
    CreateMixin,
    DestroyMixin,
    ListRetrieveMixin,
    ScopedViewSet,
    UpdateMixin,
)
from netbill.core.permissions import MANAGE_STAFF, VIEW_OPERATORS


class StaffViewSet(ListRetrieveMixin, CreateMixin, UpdateMixin, ScopedViewSet):
    """Staff accounts in the caller's scope; writes by the account's parent or the group admin."""

    queryset = User.objects.select_related("parent").order_by("name", "id")
    serializer_class = StaffSerializer
    input_serializers = {
        "create": StaffCreateSerializer,
        "partial_update": StaffUpdateSerializer,
        "keys": StaffKeysSerializer,
        "sections": StaffSectionsSerializer,
    }
    permission_keys = {
        "list": (MANAGE_STAFF, VIEW_OPERATORS),
        "retrieve": (MANAGE_STAFF, VIEW_OPERATORS),
        "create": MANAGE_STAFF,
        "partial_update": MANAGE_STAFF,
        "keys": MANAGE_STAFF,
        "sections": MANAGE_STAFF,
    }

    def perform_create(self, data):
        return services.staff_create(actor=self.request.user, **data)

    def perform_update(self, obj, data):
        return services.staff_update(actor=self.request.user, user=obj, **data)

    @extend_schema(request=StaffKeysSerializer, responses=StaffSerializer)
    @action(detail=True, methods=["put"])
    def keys(self, request, pk=None):
        """Replace the permission keys the account holds."""
        user = self.get_object()
        data = self.parse()
        return self.respond(
            services.staff_set_keys(actor=request.user, user=user, keys=data["keys"])
        )

    @extend_schema(request=StaffSectionsSerializer, responses=StaffSerializer)
    @action(detail=True, methods=["put"])
    def sections(self, request, pk=None):
        """Switch a reseller's panel sections on and off (special permissions)."""
        user = self.get_object()
        data = self.parse()
        return self.respond(
            services.staff_set_sections(
                actor=request.user, user=user, disabled_sections=data["disabled_sections"]
            )
        )


class ApiTokenViewSet(ListRetrieveMixin, CreateMixin, DestroyMixin, ScopedViewSet):
    """The caller's own personal API tokens.  The key is returned once, at creation."""

    queryset = ApiToken.objects.filter(revoked_at__isnull=True)
    serializer_class = ApiTokenSerializer
    permission_keys = {
        "list": ANY_USER,
        "retrieve": ANY_USER,
        "create": ANY_USER,
        "destroy": ANY_USER,
    }

    def get_queryset(self):
        # Tokens are personal: the scope is the caller itself, whatever its role.
        return self.queryset.filter(user_id=self.request.user.pk)

    @extend_schema(responses={201: ApiTokenCreatedSerializer})
    def create(self, request, *args, **kwargs):
        data = self.parse()
        token, key = services.api_token_create(user=request.user, name=data["name"])
        token.key = key
        return Response(ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, obj):
        services.api_token_revoke(user=self.request.user, token=obj)
