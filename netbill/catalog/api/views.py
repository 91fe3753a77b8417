"""Catalog endpoints: master packages, operator packages, billing and VAT profiles.

Only the group admin writes the catalog (``manage-catalog``); an operator passes its own
packages on to its sub-operators; resellers read what is assigned to them.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action

from netbill.catalog import services
from netbill.catalog.api.serializers import (
    BillingProfileCreateSerializer,
    BillingProfileResellersSerializer,
    BillingProfileSerializer,
    BillingProfileUpdateSerializer,
    MasterPackageSerializer,
    OperatorPackageAssignSerializer,
    OperatorPackagePriceSerializer,
    OperatorPackageSerializer,
    OperatorPackageUpdateSerializer,
    VatProfileSerializer,
)
from netbill.catalog.models import BillingProfile, MasterPackage, OperatorPackage, VatProfile
from netbill.core import permissions as P
from netbill.core.api.viewsets import (
    CreateMixin,
    ListRetrieveMixin,
    ScopedViewSet,
    UpdateMixin,
)

# Who reads the catalog: whoever sells, edits or manages it.  Not the NOC (prices are money).
CATALOG_READERS = (
    P.MANAGE_CATALOG,
    P.VIEW_CUSTOMER_DETAILS,
    P.CREATE_CUSTOMER,
    P.EDIT_CUSTOMER,
    P.CHANGE_CUSTOMER_PACKAGE,
    P.BULK_UPDATE_CUSTOMERS,
    P.EDIT_PACKAGE_PRICE,
    P.MANAGE_STAFF,
)


def catalog_keys(**extra):
    return {
        "list": CATALOG_READERS,
        "retrieve": CATALOG_READERS,
        "create": P.MANAGE_CATALOG,
        "partial_update": P.MANAGE_CATALOG,
        **extra,
    }


class MasterPackageViewSet(ListRetrieveMixin, CreateMixin, UpdateMixin, ScopedViewSet):
    """Internet packages; a reseller sees the ones assigned to it."""

    queryset = MasterPackage.objects.order_by("name", "id")
    serializer_class = MasterPackageSerializer
    permission_keys = catalog_keys()

    def perform_create(self, data):
        return services.master_package_create(actor=self.request.user, **data)

    def perform_update(self, obj, data):
        return services.master_package_update(actor=self.request.user, package=obj, **data)


class OperatorPackageViewSet(ListRetrieveMixin, CreateMixin, UpdateMixin, ScopedViewSet):
    """Packages assigned to resellers with their prices.  Creating assigns (or re-prices an
    existing assignment); an operator assigns to its own sub-operators."""

    queryset = OperatorPackage.objects.select_related("operator", "master_package").order_by(
        "master_package__name", "operator__name", "id"
    )
    serializer_class = OperatorPackageSerializer
    input_serializers = {
        "create": OperatorPackageAssignSerializer,
        "partial_update": OperatorPackageUpdateSerializer,
        "price": OperatorPackagePriceSerializer,
    }
    permission_keys = catalog_keys(
        create=(P.MANAGE_CATALOG, P.MANAGE_STAFF),
        partial_update=(P.MANAGE_CATALOG, P.MANAGE_STAFF),
        price=P.EDIT_PACKAGE_PRICE,
    )

    def perform_create(self, data):
        return services.operator_package_assign(actor=self.request.user, **data)

    def perform_update(self, obj, data):
        if set(data) == {"is_active"}:
            return services.operator_package_set_active(
                actor=self.request.user, package=obj, is_active=data["is_active"]
            )
        return services.operator_package_assign(
            actor=self.request.user,
            operator=obj.operator,
            master_package=obj.master_package,
            reseller_price=data.get("reseller_price", obj.reseller_price),
            customer_price=data.get("customer_price", obj.customer_price),
            is_active=data.get("is_active", obj.is_active),
        )

    @extend_schema(request=OperatorPackagePriceSerializer, responses=OperatorPackageSerializer)
    @action(detail=True, methods=["post"])
    def price(self, request, pk=None):
        """Set the price the reseller's customers pay (``edit-package-price``)."""
        package = self.get_object()
        data = self.parse()
        return self.respond(
            services.operator_package_set_customer_price(
                actor=request.user, package=package, customer_price=data["customer_price"]
            )
        )


class BillingProfileViewSet(ListRetrieveMixin, CreateMixin, UpdateMixin, ScopedViewSet):
    """How and when customers are billed; a reseller sees the profiles assigned to it."""

    queryset = BillingProfile.objects.prefetch_related("resellers").order_by("name", "id")
    serializer_class = BillingProfileSerializer
    input_serializers = {
        "create": BillingProfileCreateSerializer,
        "partial_update": BillingProfileUpdateSerializer,
        "resellers": BillingProfileResellersSerializer,
    }
    permission_keys = catalog_keys(resellers=P.MANAGE_CATALOG)

    def perform_create(self, data):
        return services.billing_profile_create(actor=self.request.user, **data)

    def perform_update(self, obj, data):
        return services.billing_profile_update(actor=self.request.user, profile=obj, **data)

    @extend_schema(request=BillingProfileResellersSerializer, responses=BillingProfileSerializer)
    @action(detail=True, methods=["put"])
    def resellers(self, request, pk=None):
        """Set which operators and sub-operators may use the profile."""
        profile = self.get_object()
        data = self.parse()
        services.billing_profile_assign(
            actor=request.user, profile=profile, resellers=data["resellers"]
        )
        return self.respond(self.get_object())


class VatProfileViewSet(ListRetrieveMixin, CreateMixin, UpdateMixin, ScopedViewSet):
    queryset = VatProfile.objects.order_by("name", "id")
    serializer_class = VatProfileSerializer
    permission_keys = catalog_keys()

    def perform_create(self, data):
        return services.vat_profile_create(actor=self.request.user, **data)

    def perform_update(self, obj, data):
        return services.vat_profile_update(actor=self.request.user, profile=obj, **data)
