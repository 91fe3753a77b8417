"""Reports as read-only JSON: the same selectors, filters (the report pages' filter forms,
with their default periods), keys and scope as the report pages and their downloads."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from netbill.core.api.viewsets import ScopedViewSet
from netbill.core.money import ZERO
from netbill.ledger.models import Account
from netbill.payments.choices import PaymentMethod
from netbill.reports import selectors
from netbill.reports.api.serializers import (
    ActivityReportSerializer,
    BillsSummaryReportSerializer,
    IncomeExpenseReportSerializer,
    OperatorIncomesReportSerializer,
    PayableReportSerializer,
    ReceivableReportSerializer,
    TrialBalanceReportSerializer,
    VatReportSerializer,
)
from netbill.reports.forms import Filters
from netbill.reports.registry import REPORTS

# API action → the report (registry slug) whose key, filter form and selector it shares.
ACTION_REPORTS = {
    "bills_summary": "bills_summary",
    "daily": "daily",
    "monthly": "monthly",
    "income_expense": "income_expense",
    "operator_incomes": "operator_incomes",
    "vat": "vat_collections",
    "receivable": "receivable",
    "payable": "payable",
    "trial_balance": "ledger",
}

BOOK = OpenApiParameter(
    "book",
    OpenApiTypes.STR,
    description="Which books: ``isp`` (the ISP's own) or a reseller id; default: all of yours.",
)
PAGE = [
    OpenApiParameter("page", OpenApiTypes.INT, description="Page of the listed rows."),
    OpenApiParameter("page_size", OpenApiTypes.INT, description="Rows per page (max 500)."),
]


def period_parameters(default: str) -> list[OpenApiParameter]:
    return [
        OpenApiParameter(
            "date_from", OpenApiTypes.DATE, description=f"From (inclusive). {default}"
        ),
        OpenApiParameter("date_to", OpenApiTypes.DATE, description="To (inclusive)."),
        BOOK,
    ]


MONTH = period_parameters("Without either date: this month up to today.")
OPEN = period_parameters("Without either date: open-ended.")
AS_OF = [
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="As of this date (default: today)."),
    BOOK,
]


def _sum(rows, key) -> object:
    return sum((row[key] for row in rows), ZERO)


class ReportViewSet(ScopedViewSet):
    """Reports read through the caller's scope.  Each needs its report page's key:
    ``view-bills`` for the bills summary, ``view-accounts`` for the others."""

    queryset = Account.objects.none()  # no objects of its own: every action is a report
    permission_keys = {name: REPORTS[slug].key for name, slug in ACTION_REPORTS.items()}

    def filters(self) -> Filters:
        """The report page's filter form over the query string; a bad value is a 400."""
        report = REPORTS[ACTION_REPORTS[self.action]]
        form = report.make_form(self.request.query_params, self.request.user)
        if form.is_bound and not form.is_valid():
            raise ValidationError({name: list(errors) for name, errors in form.errors.items()})
        return form.filters()

    @staticmethod
    def header(f: Filters) -> dict:
        return {"date_from": f.period.start, "date_to": f.period.end, "book": f.book_value}

    def page(self, rows) -> dict:
        """One page of ``rows`` (``page`` / ``page_size``) with the pagination links."""
        paginator = self.paginator
        results = paginator.paginate_queryset(rows, self.request, view=self)
        return {
            "count": paginator.page.paginator.count,
            "next": paginator.get_next_link(),
            "previous": paginator.get_previous_link(),
            "results": results,
        }

    @extend_schema(parameters=MONTH, responses=BillsSummaryReportSerializer)
    @action(detail=False, methods=["get"], url_path="bills-summary")
    def bills_summary(self, request):
        """Bills issued in the period (void ones left out): billed, collected and
        outstanding, by owner and by zone."""
        f = self.filters()
        data = selectors.bills_summary(user=request.user, books=f.books, period=f.period)
        return Response(BillsSummaryReportSerializer({**self.header(f), **data}).data)

    def _activity(self, kind: str) -> Response:
        f = self.filters()
        rows = selectors.activity(user=self.request.user, books=f.books, period=f.period, kind=kind)
        totals = {key: _sum(rows, key) for key in ("billed", "collected", "expenses", "net")}
        totals["methods"] = {
            method: sum((row["methods"][method] for row in rows), ZERO)
            for method in PaymentMethod.values
        }
        payload = {**self.header(f), "rows": rows, "totals": totals}
        return Response(ActivityReportSerializer(payload).data)

    @extend_schema(parameters=MONTH, responses=ActivityReportSerializer)
    @action(detail=False, methods=["get"])
    def daily(self, request):
        """Per day: billed, collected by method, expenses and net."""
        return self._activity("day")

    @extend_schema(parameters=MONTH, responses=ActivityReportSerializer)
    @action(detail=False, methods=["get"])
    def monthly(self, request):
        """Per month: billed, collected by method, expenses and net."""
        return self._activity("month")

    @extend_schema(parameters=MONTH, responses=IncomeExpenseReportSerializer)
    @action(detail=False, methods=["get"], url_path="income-expense")
    def income_expense(self, request):
        """Per month, from the ledger: income (net of discounts), expenses, net."""
        f = self.filters()
        rows = selectors.income_expense(user=request.user, books=f.books, period=f.period)
        totals = {key: _sum(rows, key) for key in ("income", "expense", "net")}
        payload = {**self.header(f), "rows": rows, "totals": totals}
        return Response(IncomeExpenseReportSerializer(payload).data)

    @extend_schema(parameters=MONTH, responses=OperatorIncomesReportSerializer)
    @action(detail=False, methods=["get"], url_path="operator-incomes")
    def operator_incomes(self, request):
        """Per reseller: customer revenue, earnings from sub-operators, charges by its
        parent, margin."""
        f = self.filters()
        rows = selectors.operator_incomes(user=request.user, books=f.books, period=f.period)
        return Response(OperatorIncomesReportSerializer({**self.header(f), "rows": rows}).data)

    @extend_schema(parameters=MONTH, responses=VatReportSerializer)
    @action(detail=False, methods=["get"])
    def vat(self, request):
        """Per month: VAT billed and the VAT part of what was collected."""
        f = self.filters()
        rows = selectors.vat_collections(user=request.user, books=f.books, period=f.period)
        totals = {key: _sum(rows, key) for key in ("billed", "collected")}
        payload = {**self.header(f), "rows": rows, "totals": totals}
        return Response(VatReportSerializer(payload).data)

    @extend_schema(parameters=[*OPEN, *PAGE], responses=ReceivableReportSerializer)
    @action(detail=False, methods=["get"])
    def receivable(self, request):
        """Customers with money due on open bills (issued in the dates, if given), aged
        0–30 (including not yet due), 31–60, 61–90 and over 90 days past due."""
        f = self.filters()
        as_of = selectors.tenant_today(request.user)
        rows, totals = selectors.receivables(
            user=request.user, books=f.books, period=f.period, as_of=as_of
        )
        payload = {**self.header(f), "as_of": as_of, "totals": totals, **self.page(rows)}
        return Response(ReceivableReportSerializer(payload).data)

    @extend_schema(parameters=[*AS_OF, *PAGE], responses=PayableReportSerializer)
    @action(detail=False, methods=["get"])
    def payable(self, request):
        """Reseller accounts' positions with their parents, and customers' wallet credit
        (what the ISP owes them in service), as of a date."""
        f = self.filters()
        as_of = f.period.end
        positions = selectors.reseller_positions(user=request.user, books=f.books, as_of=as_of)
        wallets, wallet_totals = selectors.wallet_credits(
            user=request.user, books=f.books, as_of=as_of
        )
        payload = {
            **self.header(f),
            "resellers": positions,
            "wallet_totals": wallet_totals,
            **self.page(wallets),
        }
        return Response(PayableReportSerializer(payload).data)

    @extend_schema(parameters=MONTH, responses=TrialBalanceReportSerializer)
    @action(detail=False, methods=["get"], url_path="trial-balance")
    def trial_balance(self, request):
        """The ledger: per book, per account, opening, debits, credits and closing."""
        f = self.filters()
        books = selectors.trial_balance(user=request.user, books=f.books, period=f.period)
        return Response(TrialBalanceReportSerializer({**self.header(f), "books": books}).data)
