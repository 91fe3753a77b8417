"""Sessions API: online sessions, a customer's session history and usage per cycle."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from netbill.core import permissions as P
from netbill.core.api.viewsets import ListRetrieveMixin, ScopedViewSet
from netbill.customers.models import Customer
from netbill.radius import sessions
from netbill.radius.api.serializers import SessionSerializer, UsageCycleSerializer
from netbill.radius.models import RadAcct

CUSTOMER_PARAM = OpenApiParameter("customer", int, description="A customer's id.")


class SessionViewSet(ListRetrieveMixin, ScopedViewSet):
    """Accounting sessions.  Without ``customer``: the open sessions (online customers,
    ``online-customers``).  With ``customer=<id>``: that customer's history, open and closed
    (``view-customer-details`` or ``online-customers``).  ``usage``: the customer's usage per
    billing cycle."""

    queryset = RadAcct.objects.select_related("customer")
    serializer_class = SessionSerializer
    permission_keys = {
        "list": (P.ONLINE_CUSTOMERS, P.VIEW_CUSTOMER_DETAILS),
        "retrieve": (P.ONLINE_CUSTOMERS, P.VIEW_CUSTOMER_DETAILS),
        "usage": (P.ONLINE_CUSTOMERS, P.VIEW_CUSTOMER_DETAILS),
    }

    def _customer(self) -> Customer | None:
        raw = self.request.query_params.get("customer")
        if not raw:
            return None
        try:
            pk = int(raw)
        except ValueError:
            pk = 0
        return get_object_or_404(Customer.objects.visible_to(self.request.user), pk=pk)

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action == "retrieve":
            return qs
        customer = self._customer()
        if customer is None:
            if not P.may(self.request.user, P.ONLINE_CUSTOMERS):
                raise PermissionDenied()
            return sessions.online_sessions(self.request.user, self.request.query_params)
        return qs.filter(customer_id=customer.pk).order_by("-acctstarttime", "-radacctid")

    @extend_schema(parameters=[CUSTOMER_PARAM])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        parameters=[OpenApiParameter("customer", int, required=True)],
        responses=UsageCycleSerializer(many=True),
    )
    @action(detail=False, methods=["get"])
    def usage(self, request):
        customer = self._customer()
        if customer is None:
            return Response({"customer": ["Give a customer id."]}, status=400)
        return Response(UsageCycleSerializer(sessions.usage_history(customer), many=True).data)
