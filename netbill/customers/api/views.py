"""Customer endpoints (list/search, create, edit, status, package, delete, bulk), zones and
custom fields.  Every write is the same service the panel calls."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from netbill.core import permissions as P
from netbill.core.api.viewsets import (
    ANY_USER,
    CreateMixin,
    DestroyMixin,
    ListRetrieveMixin,
    ScopedViewSet,
    UpdateMixin,
)
from netbill.customers import services, setup
from netbill.customers.api.serializers import (
    CustomerBulkResultSerializer,
    CustomerBulkSerializer,
    CustomerChangePackageSerializer,
    CustomerCreateSerializer,
    CustomerDeleteSerializer,
    CustomerReasonSerializer,
    CustomerSerializer,
    CustomerUpdateSerializer,
    CustomFieldSerializer,
    ZoneSerializer,
)
from netbill.customers.choices import CustomerStatus, CustomerType
from netbill.customers.models import Customer, CustomField, Zone
from netbill.customers.selectors import FILTER_PARAMS, SORTS, customer_list, with_list_price
from netbill.radius.api.nas_requests import NasRequestSerializer
from netbill.radius.models import NasRequest
from netbill.radius.services import session_disconnect

BULK_MAX = 5000


class ZoneViewSet(ListRetrieveMixin, CreateMixin, UpdateMixin, DestroyMixin, ScopedViewSet):
    queryset = Zone.objects.order_by("name", "id")
    serializer_class = ZoneSerializer
    permission_keys = {
        "list": ANY_USER,
        "retrieve": ANY_USER,
        "create": P.MANAGE_ZONES,
        "partial_update": P.MANAGE_ZONES,
        "destroy": P.MANAGE_ZONES,
    }

    def perform_create(self, data):
        return setup.zone_create(actor=self.request.user, **data)

    def perform_update(self, obj, data):
        return setup.zone_update(actor=self.request.user, zone=obj, **data)

    def perform_destroy(self, obj):
        setup.zone_delete(actor=self.request.user, zone=obj)


class CustomFieldViewSet(ListRetrieveMixin, CreateMixin, UpdateMixin, DestroyMixin, ScopedViewSet):
    """The ISP's extra customer attributes (text, number, dropdown, date)."""

    queryset = CustomField.objects.order_by("position", "name", "id")
    serializer_class = CustomFieldSerializer
    permission_keys = {
        "list": ANY_USER,
        "retrieve": ANY_USER,
        "create": P.MANAGE_CUSTOM_FIELDS,
        "partial_update": P.MANAGE_CUSTOM_FIELDS,
        "destroy": P.MANAGE_CUSTOM_FIELDS,
    }

    def perform_create(self, data):
        return setup.custom_field_create(actor=self.request.user, **data)

    def perform_update(self, obj, data):
        return setup.custom_field_update(actor=self.request.user, field=obj, **data)

    def perform_destroy(self, obj):
        setup.custom_field_delete(actor=self.request.user, field=obj)


LIST_PARAMETERS = [
    OpenApiParameter(
        "q",
        OpenApiTypes.STR,
        description="Search: name contains; mobile, username or static IP starts with.",
    ),
    OpenApiParameter("status", OpenApiTypes.STR, enum=CustomerStatus.values),
    OpenApiParameter("customer_type", OpenApiTypes.STR, enum=CustomerType.values),
    OpenApiParameter("zone", OpenApiTypes.INT),
    OpenApiParameter("package", OpenApiTypes.INT),
    OpenApiParameter("owner", OpenApiTypes.INT),
    OpenApiParameter(
        "sort", OpenApiTypes.STR, enum=list(SORTS), description="Default: -created_at."
    ),
]
assert {p.name for p in LIST_PARAMETERS} - {"sort"} == set(FILTER_PARAMS)


def _status_action(new_status: str, doc: str):
    def handler(self, request, pk=None):
        customer = self.get_object()
        data = self.parse()
        services.customer_set_status(
            actor=request.user, customer=customer, status=new_status, reason=data["reason"]
        )
        return self.respond(self.get_object())

    handler.__name__ = {
        CustomerStatus.ACTIVE: "activate",
        CustomerStatus.SUSPENDED: "suspend",
        CustomerStatus.DISABLED: "disable",
    }[new_status]
    handler = action(detail=True, methods=["post"])(handler)
    return extend_schema(
        request=CustomerReasonSerializer, responses=CustomerSerializer, description=doc
    )(handler)


@extend_schema_view(
    list=extend_schema(parameters=LIST_PARAMETERS),
    destroy=extend_schema(
        description="Soft delete (``delete-customer``).  Send your own password in the JSON "
        'body to confirm: ``{"password": "…", "reason": "…"}``.'
    ),
)
class CustomerViewSet(ListRetrieveMixin, CreateMixin, UpdateMixin, DestroyMixin, ScopedViewSet):
    """Subscribers in the caller's scope (an operator: its own and its sub-operators')."""

    queryset = Customer.objects.all()
    serializer_class = CustomerSerializer
    input_serializers = {
        "create": CustomerCreateSerializer,
        "partial_update": CustomerUpdateSerializer,
        "destroy": CustomerDeleteSerializer,
        "activate": CustomerReasonSerializer,
        "suspend": CustomerReasonSerializer,
        "disable": CustomerReasonSerializer,
        "change_package": CustomerChangePackageSerializer,
        "bulk": CustomerBulkSerializer,
    }
    permission_keys = {
        "list": (P.VIEW_CUSTOMER_DETAILS, P.SEARCH_CUSTOMERS),
        "retrieve": P.VIEW_CUSTOMER_DETAILS,
        "create": P.CREATE_CUSTOMER,
        "partial_update": P.EDIT_CUSTOMER,
        "destroy": P.DELETE_CUSTOMER,
        "activate": P.ACTIVATE_CUSTOMER,
        "suspend": P.SUSPEND_CUSTOMER,
        "disable": P.DISABLE_CUSTOMER,
        "change_package": P.CHANGE_CUSTOMER_PACKAGE,
        "bulk": P.BULK_UPDATE_CUSTOMERS,
        "disconnect": P.DISCONNECT_CUSTOMER,
        "nas_requests": (P.VIEW_CUSTOMER_DETAILS, P.SEARCH_CUSTOMERS),
    }

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            # The selector applies the scope, the search, the filters and the sort.
            return with_list_price(customer_list(user=user, params=self.request.query_params))
        return with_list_price(
            Customer.objects.visible_to(user)
            .alive()
            .select_related("owner", "zone", "package", "billing_profile")
        )

    def perform_create(self, data):
        return services.customer_create(actor=self.request.user, **data)

    def perform_update(self, obj, data):
        return services.customer_update(actor=self.request.user, customer=obj, **data)

    def destroy(self, request, *args, **kwargs):
        customer = self.get_object()
        data = self.parse()
        services.customer_delete(actor=request.user, customer=customer, **data)
        return Response(status=status.HTTP_204_NO_CONTENT)

    activate = _status_action(
        CustomerStatus.ACTIVE, "Activate the customer (``activate-customer``)."
    )
    suspend = _status_action(
        CustomerStatus.SUSPENDED, "Suspend the customer (``suspend-customer``)."
    )
    disable = _status_action(
        CustomerStatus.DISABLED, "Disable the customer (``disable-customer``)."
    )

    @extend_schema(request=CustomerChangePackageSerializer, responses=CustomerSerializer)
    @action(detail=True, methods=["post"], url_path="change-package")
    def change_package(self, request, pk=None):
        """Move the customer to another package (``change-customer-package``)."""
        customer = self.get_object()
        data = self.parse()
        services.customer_change_package(actor=request.user, customer=customer, **data)
        return self.respond(self.get_object())

    @extend_schema(request=None, responses={202: NasRequestSerializer(many=True)})
    @action(detail=True, methods=["post"], pagination_class=None)
    def disconnect(self, request, pk=None):
        """Disconnect the customer's open sessions (``disconnect-customer``): one
        Disconnect-Request per session, sent to its router by the outbox.  Answers 202 with
        the requests; follow them at ``nas-requests/``.  Without an open session the one
        request is ``no_session`` and nothing is sent."""
        customer = self.get_object()
        sent = session_disconnect(actor=request.user, customer=customer)
        return Response(NasRequestSerializer(sent, many=True).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses=NasRequestSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="nas-requests")
    def nas_requests(self, request, pk=None):
        """The Disconnect / CoA requests sent for this customer, newest first, with their
        outcome (ACK, NAK with the router's Error-Cause, no answer)."""
        customer = self.get_object()
        queryset = NasRequest.objects.visible_to(request.user).filter(customer=customer)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(NasRequestSerializer(page, many=True).data)

    @extend_schema(request=CustomerBulkSerializer, responses=CustomerBulkResultSerializer)
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        """Apply one change to many customers through the single-customer services; each
        customer succeeds or fails on its own and failures are listed with the reason."""
        data = self.parse()
        user = request.user
        if data.get("ids"):
            wanted = list(dict.fromkeys(data["ids"]))
            found = {
                c.pk: c
                for c in Customer.objects.visible_to(user)
                .alive()
                .select_related("owner", "package")
                .filter(pk__in=wanted)
            }
            customers = [found[pk] for pk in wanted if pk in found]
            missing = [pk for pk in wanted if pk not in found]
        else:
            customers = list(customer_list(user=user, params=data["filter"])[: BULK_MAX + 1])
            missing = []
            if len(customers) > BULK_MAX:
                return Response(
                    {
                        "filter": [
                            _("More than %(n)s customers match: narrow the selection.")
                            % {"n": BULK_MAX}
                        ]
                    },
                    status=status.HTTP_400_BAD_REQUEST,
                )
        result = services.customer_bulk_update(
            actor=user,
            customers=customers,
            action=data["action"],
            value=data["value"],
            reason=data["reason"],
        )
        result["failed"] = [
            *result["failed"],
            *({"id": pk, "username": None, "error": _("No such customer.")} for pk in missing),
        ]
        return Response(CustomerBulkResultSerializer(result).data)
