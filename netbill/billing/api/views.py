"""Bill endpoints (list, one bill, Generate bill, discount, edit, void, bulk mark paid) and
the billing runs.  Reads go through ``billing.selectors``; writes call the same services as
the panel (``billing.services.bill_generate``, ``payments.adjustments``,
``payments.services.bills_mark_paid``, ``billing.runs.billing_run``)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from netbill.billing import calendar as cal
from netbill.billing import selectors, services
from netbill.billing.api.serializers import (
    BillDetailSerializer,
    BillDiscountSerializer,
    BillEditSerializer,
    BillGenerateSerializer,
    BillingRunCreateSerializer,
    BillingRunResultSerializer,
    BillingRunSerializer,
    BillMarkPaidRowSerializer,
    BillMarkPaidSerializer,
    BillSerializer,
    BillVoidSerializer,
)
from netbill.billing.choices import BillKind, BillStatus
from netbill.billing.forms import RunForm
from netbill.billing.models import Bill, BillingRun
from netbill.billing.runs import billing_run
from netbill.core import permissions as P
from netbill.core.api.viewsets import ListRetrieveMixin, ScopedViewSet
from netbill.payments import adjustments
from netbill.payments.services import bills_mark_paid


def id_param(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.INT, description=description)


def date_param(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.DATE, description=description)


def filter_by_id(qs, params, name: str, field: str):
    """Narrow ``qs`` by an id parameter; a malformed id matches nothing (as the selectors)."""
    raw = params.get(name)
    if raw in (None, ""):
        return qs
    try:
        return qs.filter(**{field: int(str(raw).strip())})
    except ValueError:
        return qs.none()


BILL_LIST_PARAMETERS = [
    OpenApiParameter(
        "q",
        OpenApiTypes.STR,
        description="Customer name contains; username, mobile or bill number starts with.",
    ),
    OpenApiParameter("status", OpenApiTypes.STR, enum=["open", *BillStatus.values]),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=BillKind.values),
    id_param("owner", "The reseller (or admin) account owning the bill."),
    id_param("customer", "One customer's bills."),
    id_param("zone", "The customer's zone."),
    date_param("date_from", "Issued on or after (inclusive)."),
    date_param("date_to", "Issued on or before (inclusive)."),
]


@extend_schema_view(
    list=extend_schema(parameters=BILL_LIST_PARAMETERS),
    retrieve=extend_schema(responses=BillDetailSerializer),
)
class BillViewSet(ListRetrieveMixin, ScopedViewSet):
    """Bills in the caller's scope (an operator: its own and its sub-operators')."""

    queryset = Bill.objects.select_related("customer", "owner")
    serializer_class = BillSerializer
    input_serializers = {
        "generate": BillGenerateSerializer,
        "discount": BillDiscountSerializer,
        "void": BillVoidSerializer,
        "edit": BillEditSerializer,
        "mark_paid": BillMarkPaidSerializer,
    }
    permission_keys = {
        "list": P.VIEW_BILLS,
        "retrieve": P.VIEW_BILLS,
        "generate": P.GENERATE_BILLS,
        "discount": P.DISCOUNT_ON_BILLS,
        "void": P.DELETE_BILLS,
        "edit": P.EDIT_BILLS,
        "mark_paid": P.RECEIVE_PAYMENT,
    }

    def get_queryset(self):
        if self.action == "list":
            qs = selectors.bill_list(user=self.request.user, params=self.request.query_params)
            return filter_by_id(qs, self.request.query_params, "customer", "customer_id")
        return super().get_queryset()

    def load_detail(self, pk) -> Bill:
        """One bill through the panel's selector, with its ledger lines (404 outside scope)."""
        user = self.request.user
        try:
            bill = selectors.bill_detail(user=user, pk=pk)
        except (Bill.DoesNotExist, ValueError, TypeError) as exc:
            raise NotFound(_("No such bill.")) from exc
        bill.ledger_lines = selectors.bill_ledger_lines(user=user, bill=bill)
        return bill

    def show(self, bill: Bill, status_code: int = status.HTTP_200_OK) -> Response:
        serializer = BillDetailSerializer(
            self.load_detail(bill.pk), context=self.get_serializer_context()
        )
        return Response(serializer.data, status=status_code)

    def retrieve(self, request, *args, **kwargs):
        return self.show(self.get_object())

    @extend_schema(request=BillGenerateSerializer, responses={201: BillDetailSerializer})
    @action(detail=False, methods=["post"])
    def generate(self, request):
        """Bill one customer for its current period (``generate-bills``): the panel's
        "Generate bill" — a monthly customer's current cycle (prorated from activation),
        a daily customer's day (paid from the wallet), a hotspot package."""
        data = self.parse()
        bill = services.bill_generate(actor=request.user, customer=data["customer"])
        return self.show(bill, status.HTTP_201_CREATED)

    @extend_schema(request=BillDiscountSerializer, responses=BillDetailSerializer)
    @action(detail=True, methods=["post"])
    def discount(self, request, pk=None):
        """A discount on an open bill (``discount-on-bills``), at most its due."""
        bill = self.get_object()
        data = self.parse()
        adjustments.bill_discount(actor=request.user, bill=bill, **data)
        return self.show(bill)

    @extend_schema(request=BillVoidSerializer, responses=BillDetailSerializer)
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        """Void a bill (``delete-bills``): its entries are reversed, never deleted.  Refused
        while payments are recorded against it (void those first)."""
        bill = self.get_object()
        data = self.parse()
        adjustments.bill_void(actor=request.user, bill=bill, **data)
        return self.show(bill)

    @extend_schema(request=BillEditSerializer, responses={201: BillDetailSerializer})
    @action(detail=True, methods=["post"])
    def edit(self, request, pk=None):
        """Change a bill's amount (``edit-bills``): the bill is voided and issued again for
        the same period (a new number); answers the new bill."""
        bill = self.get_object()
        data = self.parse()
        new = adjustments.bill_edit(actor=request.user, bill=bill, **data)
        return self.show(new, status.HTTP_201_CREATED)

    @extend_schema(request=BillMarkPaidSerializer, responses=BillMarkPaidRowSerializer(many=True))
    @action(detail=False, methods=["post"], url_path="mark-paid")
    def mark_paid(self, request):
        """Pay each bill in full with a cash payment (``receive-payment``), one at a time:
        a bill that cannot be paid (already paid, void, not yours) is listed with the
        reason and the others go through."""
        data = self.parse()
        wanted = list(dict.fromkeys(data["bills"]))
        found = {
            b.pk: b
            for b in Bill.objects.visible_to(request.user)
            .filter(pk__in=wanted)
            .select_related("customer")
        }
        bills = sorted(found.values(), key=lambda b: (b.due_date, b.pk))
        results = {
            r.bill.pk: r
            for r in bills_mark_paid(actor=request.user, bills=bills, note=data["note"])
        }
        rows = []
        for pk in wanted:
            result = results.get(pk)
            payment = result.payment if result is not None else None
            rows.append(
                {
                    "bill": pk,
                    "number": result.bill.number if result is not None else None,
                    "payment": payment.pk if payment is not None else None,
                    "receipt_number": payment.receipt_number if payment is not None else None,
                    "amount": payment.amount if payment is not None else None,
                    "error": result.error if result is not None else _("No such bill."),
                }
            )
        return Response(BillMarkPaidRowSerializer(rows, many=True).data)


@extend_schema_view(
    create=extend_schema(
        request=BillingRunCreateSerializer, responses={201: BillingRunResultSerializer}
    )
)
class BillingRunViewSet(ListRetrieveMixin, ScopedViewSet):
    """The billing run log (runs and dunning sweeps), and a run or dry run for a date
    (``run-billing``, the group admin's)."""

    queryset = BillingRun.objects.select_related("triggered_by")
    serializer_class = BillingRunSerializer
    input_serializers = {"create": BillingRunCreateSerializer}
    permission_keys = {
        "list": P.RUN_BILLING,
        "retrieve": P.RUN_BILLING,
        "create": P.RUN_BILLING,
    }

    def get_queryset(self):
        if self.action == "list":
            return selectors.run_list(user=self.request.user)
        return super().get_queryset()

    def create(self, request, *args, **kwargs):
        """Run billing for ``run_date`` — or, with ``dry_run``, show what it would create
        without writing a bill.  Idempotent: customers already billed are skipped."""
        data = self.parse()
        tenant = request.user.tenant
        # The panel's form holds the date rule (a real run is for today or earlier).
        form = RunForm(
            {
                "run_date": data["run_date"].isoformat(),
                "action": "dry" if data["dry_run"] else "run",
            },
            today=cal.local_today(tenant),
        )
        if not form.is_valid():
            raise ValidationError({name: list(errors) for name, errors in form.errors.items()})
        run = billing_run(tenant, data["run_date"], dry_run=data["dry_run"], actor=request.user)
        serializer = BillingRunResultSerializer(run, context=self.get_serializer_context())
        return Response(serializer.data, status=status.HTTP_201_CREATED)
