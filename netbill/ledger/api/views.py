"""Reseller money (the parent's list with positions, Add Balance, Entry Cash Received,
statements; a reseller's own account) and expenses with their categories.

Reads go through ``ledger.selectors`` and the accounting pages' scoped lists; writes call
``ledger.resellers`` and ``ledger.expenses`` — the same services as the panel.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from netbill.accounts.models import User
from netbill.billing.api.views import date_param, id_param
from netbill.core import permissions as P
from netbill.core.api.viewsets import (
    CreateMixin,
    DestroyMixin,
    ListRetrieveMixin,
    ScopedViewSet,
    UpdateMixin,
)
from netbill.core.choices import Role
from netbill.core.money import ZERO
from netbill.ledger import expenses as expense_services
from netbill.ledger.api.serializers import (
    ExpenseCategoryCreateSerializer,
    ExpenseCategoryRenameSerializer,
    ExpenseCategorySerializer,
    ExpenseCreateSerializer,
    ExpenseSerializer,
    ExpenseVoidSerializer,
    ResellerAccountSerializer,
    ResellerMoneySerializer,
    ResellerStatementSerializer,
)
from netbill.ledger.forms import DateRangeForm, ExpenseFilterForm
from netbill.ledger.models import Expense, ExpenseCategory
from netbill.ledger.resellers import reseller_add_balance, reseller_cash_received
from netbill.ledger.selectors import (
    children_resellers,
    own_reseller,
    position_view,
    reseller_position,
    reseller_positions,
    reseller_statement,
)


def form_errors(form) -> ValidationError:
    return ValidationError({name: list(errors) for name, errors in form.errors.items()})


STATEMENT_PARAMETERS = [
    date_param("date_from", "From (inclusive); default: the first of date_to's month."),
    date_param("date_to", "To (inclusive); default: today."),
]


class ResellerAccountViewSet(ListRetrieveMixin, ScopedViewSet):
    """The reseller accounts the caller is the parent of (the group admin's operators, an
    operator's sub-operators), with their positions (``manage-staff``)."""

    queryset = User.objects.all()
    serializer_class = ResellerAccountSerializer
    input_serializers = {
        "add_balance": ResellerMoneySerializer,
        "cash_received": ResellerMoneySerializer,
    }
    permission_keys = {
        "list": P.MANAGE_STAFF,
        "retrieve": P.MANAGE_STAFF,
        "add_balance": P.MANAGE_STAFF,
        "cash_received": P.MANAGE_STAFF,
        "statement": P.MANAGE_STAFF,
        "me": P.VIEW_ACCOUNTS,
    }

    def get_queryset(self):
        return children_resellers(self.request.user).order_by("name", "pk")

    def with_positions(self, resellers: list) -> list:
        user = self.request.user
        book = user.pk if user.role == Role.OPERATOR else None
        positions = reseller_positions([r.pk for r in resellers], book_id=book)
        for reseller in resellers:
            reseller.account = position_view(reseller, positions.get(reseller.pk, ZERO))
        return resellers

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        data = self.get_serializer(self.with_positions(list(page)), many=True).data
        return self.get_paginated_response(data)

    def show(self, reseller: User) -> Response:
        reseller = self.get_queryset().get(pk=reseller.pk)
        return self.respond(self.with_positions([reseller])[0])

    def retrieve(self, request, *args, **kwargs):
        return self.show(self.get_object())

    def _money(self, service):
        reseller = self.get_object()
        data = self.parse()
        service(actor=self.request.user, reseller=reseller, **data)
        return self.show(reseller)

    @extend_schema(request=ResellerMoneySerializer, responses=ResellerAccountSerializer)
    @action(detail=True, methods=["post"], url_path="add-balance")
    def add_balance(self, request, pk=None):
        """Add balance to a prepaid reseller: the amount you received from it."""
        return self._money(reseller_add_balance)

    @extend_schema(request=ResellerMoneySerializer, responses=ResellerAccountSerializer)
    @action(detail=True, methods=["post"], url_path="cash-received")
    def cash_received(self, request, pk=None):
        """Entry Cash Received: a postpaid reseller settles (part of) what it owes."""
        return self._money(reseller_cash_received)

    def statement_of(self, reseller: User) -> Response:
        form = DateRangeForm(self.request.query_params or None)
        if form.is_bound and not form.is_valid():
            raise form_errors(form)
        date_from, date_to = form.range()
        statement = reseller_statement(reseller, date_from=date_from, date_to=date_to)
        reseller.account = position_view(reseller, reseller_position(reseller))
        data = {**statement, "account": reseller, "date_from": date_from, "date_to": date_to}
        return Response(ResellerStatementSerializer(data).data)

    @extend_schema(parameters=STATEMENT_PARAMETERS, responses=ResellerStatementSerializer)
    @action(detail=True, methods=["get"])
    def statement(self, request, pk=None):
        """The reseller's statement: opening, movements (charges, balance added, cash
        received) with the running position, closing."""
        return self.statement_of(self.get_object())

    @extend_schema(parameters=STATEMENT_PARAMETERS, responses=ResellerStatementSerializer)
    @action(detail=False, methods=["get"])
    def me(self, request):
        """Your own account with your parent (``view-accounts``; a manager: its reseller's)."""
        reseller = own_reseller(request.user)
        if reseller is None:
            raise NotFound(_("Only operators and sub-operators have an account with a parent."))
        return self.statement_of(reseller)


EXPENSE_LIST_PARAMETERS = [
    date_param("date_from", "On or after (inclusive)."),
    date_param("date_to", "On or before (inclusive)."),
    id_param("category", "A category (with its subcategories)."),
]


@extend_schema_view(
    list=extend_schema(parameters=EXPENSE_LIST_PARAMETERS),
    create=extend_schema(request=ExpenseCreateSerializer, responses={201: ExpenseSerializer}),
)
class ExpenseViewSet(ListRetrieveMixin, CreateMixin, ScopedViewSet):
    """Expenses of the books the caller reads (``expense-management``); recorded in and
    voided from the caller's own book."""

    queryset = Expense.objects.select_related("category", "category__parent", "paid_by")
    serializer_class = ExpenseSerializer
    input_serializers = {"create": ExpenseCreateSerializer, "void": ExpenseVoidSerializer}
    permission_keys = {
        "list": P.EXPENSE_MANAGEMENT,
        "retrieve": P.EXPENSE_MANAGEMENT,
        "create": P.EXPENSE_MANAGEMENT,
        "void": P.EXPENSE_MANAGEMENT,
    }

    def get_queryset(self):
        user = self.request.user
        qs = super().get_queryset()
        if self.action == "void":
            # As the panel: only the book that recorded an expense voids it.
            qs = qs.filter(book_id=expense_services.book_id_of(user))
        if self.action == "list":
            form = ExpenseFilterForm(self.request.query_params or None, user=user)
            if form.is_bound and not form.is_valid():
                raise form_errors(form)
            data = form.cleaned_data if form.is_bound else {}
            if data.get("date_from"):
                qs = qs.filter(date__gte=data["date_from"])
            if data.get("date_to"):
                qs = qs.filter(date__lte=data["date_to"])
            if data.get("category"):
                category = data["category"]
                qs = qs.filter(Q(category=category) | Q(category__parent=category))
        return qs.order_by("-date", "-id")

    def perform_create(self, data):
        expense = expense_services.expense_record(actor=self.request.user, **data)
        return self.get_queryset().get(pk=expense.pk)

    @extend_schema(request=ExpenseVoidSerializer, responses=ExpenseSerializer)
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        """Void an expense of your book: the reversing entry undoes its posting."""
        expense = self.get_object()
        data = self.parse()
        expense_services.expense_void(actor=request.user, expense=expense, **data)
        return self.respond(self.get_queryset().get(pk=expense.pk))


@extend_schema_view(
    create=extend_schema(
        request=ExpenseCategoryCreateSerializer, responses={201: ExpenseCategorySerializer}
    ),
    partial_update=extend_schema(
        request=ExpenseCategoryRenameSerializer, responses=ExpenseCategorySerializer
    ),
)
class ExpenseCategoryViewSet(
    ListRetrieveMixin, CreateMixin, UpdateMixin, DestroyMixin, ScopedViewSet
):
    """The expense categories (and subcategories) of the caller's book."""

    queryset = ExpenseCategory.objects.select_related("parent")
    serializer_class = ExpenseCategorySerializer
    input_serializers = {
        "create": ExpenseCategoryCreateSerializer,
        "partial_update": ExpenseCategoryRenameSerializer,
    }
    permission_keys = {
        "list": P.EXPENSE_MANAGEMENT,
        "retrieve": P.EXPENSE_MANAGEMENT,
        "create": P.EXPENSE_MANAGEMENT,
        "partial_update": P.EXPENSE_MANAGEMENT,
        "destroy": P.EXPENSE_MANAGEMENT,
    }

    def get_queryset(self):
        return (
            expense_services.categories_for(self.request.user)
            .select_related("parent")
            .order_by("parent__name", "name", "pk")
        )

    def perform_create(self, data):
        return expense_services.expense_category_create(actor=self.request.user, **data)

    def perform_update(self, obj, data):
        return expense_services.expense_category_update(
            actor=self.request.user, category=obj, name=data.get("name", obj.name)
        )

    def perform_destroy(self, obj):
        expense_services.expense_category_delete(actor=self.request.user, category=obj)
