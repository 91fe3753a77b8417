"""Payment endpoints (list, one payment, take a cash / bank / advance payment, void, edit),
the pending online transactions (approve / reject), recharge card batches, card
redemption and card distributors.  Reads go through ``payments.selectors`` (scoped); writes
call the same services as the panel (``payments.services``, ``payments.online``,
``payments.cards``)."""

from __future__ import annotations

from django.db.models import Count, DecimalField, F, OuterRef, Prefetch, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from netbill.billing.api.views import date_param, filter_by_id, id_param
from netbill.core import permissions as P
from netbill.core.api.viewsets import CreateMixin, ListRetrieveMixin, ScopedViewSet, UpdateMixin
from netbill.core.money import ZERO
from netbill.payments import cards, online, selectors, services
from netbill.payments.api.serializers import (
    CardBatchCreatedSerializer,
    CardBatchCreateSerializer,
    CardBatchSerializer,
    CardBatchVoidResultSerializer,
    CardBatchVoidSerializer,
    CardDistributorPaymentSerializer,
    CardDistributorSerializer,
    CardDistributorWriteSerializer,
    CardRedeemSerializer,
    OnlineRejectSerializer,
    OnlineTransactionSerializer,
    PaymentCreateSerializer,
    PaymentEditSerializer,
    PaymentSerializer,
    PaymentVoidSerializer,
)
from netbill.payments.choices import CardStatus, OnlineStatus, PaymentMethod
from netbill.payments.models import (
    CardDistributor,
    OnlineTransaction,
    Payment,
    PaymentAllocation,
    RechargeCard,
    RechargeCardBatch,
)

MONEY_OUT = DecimalField(max_digits=14, decimal_places=2)


def with_split(qs):
    """Payments with ``to_bills`` (what their allocations settled) and ``to_wallet`` (the
    rest), and their allocations prefetched."""
    allocated = (
        PaymentAllocation.objects.filter(payment_id=OuterRef("pk"))
        .values("payment_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return (
        qs.annotate(to_bills=Coalesce(Subquery(allocated, output_field=MONEY_OUT), Value(ZERO)))
        .annotate(to_wallet=F("amount") - F("to_bills"))
        .prefetch_related(
            Prefetch(
                "allocations",
                queryset=PaymentAllocation.objects.select_related("bill").order_by("id"),
            )
        )
    )


PAYMENT_LIST_PARAMETERS = [
    date_param("date_from", "Received on or after (the tenant's days)."),
    date_param("date_to", "Received on or before."),
    OpenApiParameter(
        "q",
        OpenApiTypes.STR,
        description="Customer name contains, username or mobile starts with, or the receipt "
        "number.",
    ),
    OpenApiParameter("method", OpenApiTypes.STR, enum=PaymentMethod.values),
    OpenApiParameter("status", OpenApiTypes.STR, enum=[selectors.LIVE, selectors.VOID]),
    id_param("collector", "Who collected it."),
    id_param("owner", "The reseller (or admin) account owning the customer."),
    id_param("customer", "One customer's payments."),
]


@extend_schema_view(
    list=extend_schema(parameters=PAYMENT_LIST_PARAMETERS),
    create=extend_schema(request=PaymentCreateSerializer, responses={201: PaymentSerializer}),
)
class PaymentViewSet(ListRetrieveMixin, CreateMixin, ScopedViewSet):
    """Payments in the caller's scope; taking one is the panel's Collect payment."""

    queryset = Payment.objects.select_related("customer", "collected_by", "owner")
    serializer_class = PaymentSerializer
    input_serializers = {
        "create": PaymentCreateSerializer,
        "void": PaymentVoidSerializer,
        "edit": PaymentEditSerializer,
    }
    permission_keys = {
        "list": P.VIEW_PAYMENTS,
        "retrieve": (P.VIEW_PAYMENTS, P.RECEIVE_PAYMENT),  # as the receipt page
        "create": P.RECEIVE_PAYMENT,
        "void": P.DELETE_CUSTOMER_PAYMENT,
        "edit": P.EDIT_CUSTOMER_PAYMENT,
    }

    def get_queryset(self):
        if self.action == "list":
            params = self.request.query_params
            qs = selectors.payment_list(user=self.request.user, params=params)
            return with_split(filter_by_id(qs, params, "customer", "customer_id"))
        return with_split(super().get_queryset())

    def show(self, payment: Payment, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = with_split(Payment.objects.visible_to(self.request.user)).select_related(
            "customer", "collected_by"
        )
        return self.respond(fresh.get(pk=payment.pk), status_code)

    def create(self, request, *args, **kwargs):
        """Money received for a customer (``receive-payment``): ``bill`` first if given,
        then the oldest open bills; the rest goes to the wallet."""
        data = self.parse()
        payment = services.payment_record(actor=request.user, **data)
        return self.show(payment, status.HTTP_201_CREATED)

    @extend_schema(request=PaymentVoidSerializer, responses=PaymentSerializer)
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        """Void a payment (``delete-customer-payment``): a reversing entry; its bills are
        unpaid again and its wallet part taken back."""
        payment = self.get_object()
        data = self.parse()
        services.payment_void(actor=request.user, payment=payment, **data)
        return self.show(payment)

    @extend_schema(request=PaymentEditSerializer, responses={201: PaymentSerializer})
    @action(detail=True, methods=["post"])
    def edit(self, request, pk=None):
        """Correct a payment's amount or note (``edit-customer-payment``): it is voided and
        recorded again (new receipt number); answers the new payment."""
        payment = self.get_object()
        data = self.parse()
        new = services.payment_edit(actor=request.user, payment=payment, **data)
        return self.show(new, status.HTTP_201_CREATED)


ONLINE_LIST_PARAMETERS = [
    OpenApiParameter(
        "status",
        OpenApiTypes.STR,
        enum=[*OnlineStatus.values, "all"],
        description="Default: pending.",
    ),
    OpenApiParameter("gateway", OpenApiTypes.STR),
    OpenApiParameter(
        "q", OpenApiTypes.STR, description="Customer name, username, mobile or the reference."
    ),
]


@extend_schema_view(list=extend_schema(parameters=ONLINE_LIST_PARAMETERS))
class OnlineTransactionViewSet(ListRetrieveMixin, ScopedViewSet):
    """Payments reported by gateways, waiting for verification (``verify-payments``)."""

    queryset = OnlineTransaction.objects.select_related("customer", "payment")
    serializer_class = OnlineTransactionSerializer
    input_serializers = {"reject": OnlineRejectSerializer}
    permission_keys = {
        "list": P.VERIFY_PAYMENTS,
        "retrieve": P.VERIFY_PAYMENTS,
        "approve": P.VERIFY_PAYMENTS,
        "reject": P.VERIFY_PAYMENTS,
    }

    def get_queryset(self):
        if self.action == "list":
            return selectors.online_list(user=self.request.user, params=self.request.query_params)
        return super().get_queryset()

    @extend_schema(request=None, responses=OnlineTransactionSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve a pending transaction: the payment is recorded (method "online")."""
        tx = online.online_transaction_approve(actor=request.user, tx=self.get_object())
        return self.respond(self.get_queryset().get(pk=tx.pk))

    @extend_schema(request=OnlineRejectSerializer, responses=OnlineTransactionSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Reject a pending transaction with a reason; no money moves."""
        tx = self.get_object()
        data = self.parse()
        tx = online.online_transaction_reject(actor=request.user, tx=tx, **data)
        return self.respond(self.get_queryset().get(pk=tx.pk))


def batches(user):
    """Card batches ``user`` may see, with their cards counted by status (as the panel)."""
    return (
        RechargeCardBatch.objects.visible_to(user)
        .select_related("owner", "distributor")
        .annotate(
            unused=Count("cards", filter=Q(cards__status=CardStatus.ACTIVE)),
            redeemed=Count("cards", filter=Q(cards__status=CardStatus.REDEEMED)),
            voided=Count("cards", filter=Q(cards__status=CardStatus.VOID)),
        )
        .order_by("-created_at", "-id")
    )


def _no_store(response: Response) -> Response:
    response["Cache-Control"] = "no-store"
    return response


@extend_schema_view(
    create=extend_schema(
        request=CardBatchCreateSerializer, responses={201: CardBatchCreatedSerializer}
    )
)
class CardBatchViewSet(ListRetrieveMixin, CreateMixin, ScopedViewSet):
    """Recharge card batches (``manage-recharge-cards``).  The PINs are in the create
    response only; afterwards nobody can read them (only their hashes are stored)."""

    queryset = RechargeCardBatch.objects.all()
    serializer_class = CardBatchSerializer
    input_serializers = {"create": CardBatchCreateSerializer, "void": CardBatchVoidSerializer}
    permission_keys = {
        "list": P.MANAGE_RECHARGE_CARDS,
        "retrieve": P.MANAGE_RECHARGE_CARDS,
        "create": P.MANAGE_RECHARGE_CARDS,
        "void": P.MANAGE_RECHARGE_CARDS,
    }

    def get_queryset(self):
        return batches(self.request.user)

    def create(self, request, *args, **kwargs):
        """Print a batch: ``count`` cards of ``value``; the answer lists every card's serial
        and PIN, once."""
        data = self.parse()
        batch, printed = cards.card_batch_create(actor=request.user, **data)
        batch = self.get_queryset().get(pk=batch.pk)
        batch.printed_cards = [{"serial": card.serial, "pin": card.pin} for card in printed]
        serializer = CardBatchCreatedSerializer(batch, context=self.get_serializer_context())
        return _no_store(Response(serializer.data, status=status.HTTP_201_CREATED))

    @extend_schema(request=CardBatchVoidSerializer, responses=CardBatchVoidResultSerializer)
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        """Void the batch's unused cards (lost or stolen stock)."""
        batch = self.get_object()
        data = self.parse()
        voided = cards.card_batch_void(actor=request.user, batch=batch, **data)
        result = {"voided": voided, "batch": self.get_queryset().get(pk=batch.pk)}
        return Response(
            CardBatchVoidResultSerializer(result, context=self.get_serializer_context()).data
        )


class CardViewSet(ScopedViewSet):
    """Recharge cards: redemption by staff for a customer."""

    queryset = RechargeCard.objects.all()
    serializer_class = PaymentSerializer
    input_serializers = {"redeem": CardRedeemSerializer}
    permission_keys = {"redeem": P.RECEIVE_PAYMENT}

    @extend_schema(request=CardRedeemSerializer, responses={201: PaymentSerializer})
    @action(detail=False, methods=["post"])
    def redeem(self, request):
        """Redeem a card for a customer (``receive-payment``): its value is paid in at once
        (open bills first, the rest to the wallet).  Each PIN works once."""
        data = self.parse()
        payment = cards.card_redeem(actor=request.user, **data)
        fresh = with_split(Payment.objects.visible_to(request.user)).select_related(
            "customer", "collected_by"
        )
        return self.respond(fresh.get(pk=payment.pk), status.HTTP_201_CREATED)


@extend_schema_view(
    create=extend_schema(
        request=CardDistributorWriteSerializer, responses={201: CardDistributorSerializer}
    ),
    partial_update=extend_schema(
        request=CardDistributorWriteSerializer, responses=CardDistributorSerializer
    ),
)
class CardDistributorViewSet(ListRetrieveMixin, CreateMixin, UpdateMixin, ScopedViewSet):
    """Shops selling the caller's cards: stock, what they owe, their commission."""

    queryset = CardDistributor.objects.select_related("owner").order_by("name", "pk")
    serializer_class = CardDistributorSerializer
    input_serializers = {
        "create": CardDistributorWriteSerializer,
        "partial_update": CardDistributorWriteSerializer,
        "payment": CardDistributorPaymentSerializer,
    }
    permission_keys = {
        "list": P.MANAGE_RECHARGE_CARDS,
        "retrieve": P.MANAGE_RECHARGE_CARDS,
        "create": P.MANAGE_RECHARGE_CARDS,
        "partial_update": P.MANAGE_RECHARGE_CARDS,
        "payment": P.MANAGE_RECHARGE_CARDS,
    }

    def with_accounts(self, distributors: list) -> list:
        """Attach the ledger's figures and the unused stock (two grouped queries)."""
        user = self.request.user
        accounts = cards.distributor_accounts(user, distributors)
        stock = {
            row["batch__distributor_id"]: row
            for row in RechargeCard.objects.visible_to(user)
            .filter(status=CardStatus.ACTIVE, batch__distributor__in=[d.pk for d in distributors])
            .values("batch__distributor_id")
            .annotate(n=Count("id"), total=Sum("value"))
            .order_by()
        }
        for d in distributors:
            d.owes = accounts[d.pk]["owes"]
            d.commission = accounts[d.pk]["commission"]
            d.unused_cards = stock.get(d.pk, {}).get("n", 0)
            d.unused_value = stock.get(d.pk, {}).get("total") or ZERO
        return distributors

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        data = self.get_serializer(self.with_accounts(list(page)), many=True).data
        return self.get_paginated_response(data)

    def respond(self, obj, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=obj.pk)
        return super().respond(self.with_accounts([fresh])[0], status_code)

    def perform_create(self, data):
        return cards.distributor_create(actor=self.request.user, **data)

    def perform_update(self, obj, data):
        values = {
            "name": obj.name,
            "mobile": obj.mobile,
            "commission_percent": obj.commission_percent,
            **data,
        }
        return cards.distributor_update(actor=self.request.user, distributor=obj, **values)

    @extend_schema(request=CardDistributorPaymentSerializer, responses=CardDistributorSerializer)
    @action(detail=True, methods=["post"])
    def payment(self, request, pk=None):
        """Cash received from the distributor for the cards it sold."""
        distributor = self.get_object()
        data = self.parse()
        cards.distributor_payment_record(actor=request.user, distributor=distributor, **data)
        return self.respond(distributor)
