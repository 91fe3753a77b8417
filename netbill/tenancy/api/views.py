"""Tenants (platform administrators) and the caller's own company settings."""

from __future__ import annotations

from django.http import Http404
from rest_framework import permissions, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from netbill.core.api.viewsets import (
    CreateMixin,
    HasPermissionKey,
    IsPlatformAdmin,
    ListRetrieveMixin,
    ScopedViewSet,
)
from netbill.core.permissions import EDIT_COMPANY
from netbill.tenancy import services
from netbill.tenancy.api.serializers import (
    CompanySerializer,
    TenantCreateSerializer,
    TenantSerializer,
)
from netbill.tenancy.models import Tenant


class TenantViewSet(ListRetrieveMixin, CreateMixin, ScopedViewSet):
    """ISPs on this platform (platform administrators only)."""

    queryset = Tenant.objects.order_by("name", "id")
    serializer_class = TenantSerializer
    input_serializers = {"create": TenantCreateSerializer}
    permission_classes = [permissions.IsAuthenticated, IsPlatformAdmin]

    def get_queryset(self):
        # Tenants are not tenant-owned rows: IsPlatformAdmin is the whole scope.
        return self.queryset.all()

    def perform_create(self, data):
        tenant, _admin = services.tenant_create(actor=self.request.user, **data)
        return tenant


class CompanyView(GenericAPIView):
    """The caller's company settings (``editCompany``)."""

    serializer_class = CompanySerializer
    permission_classes = [permissions.IsAuthenticated, HasPermissionKey]
    permission_keys = {"get": EDIT_COMPANY, "patch": EDIT_COMPANY}
    pagination_class = None

    def get_object(self):
        tenant = getattr(self.request.user, "tenant", None)
        if tenant is None:
            raise Http404
        return tenant

    def get(self, request):
        return Response(self.get_serializer(self.get_object()).data)

    def patch(self, request):
        tenant = self.get_object()
        serializer = self.get_serializer(tenant, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        tenant = services.tenant_update_settings(
            actor=request.user, tenant=tenant, **serializer.validated_data
        )
        return Response(self.get_serializer(tenant).data, status=status.HTTP_200_OK)
