"""Report serializers: the figures of ``reports.selectors`` as JSON (amounts as strings of
Decimals).  Each report answers the period and books it was read for."""

from __future__ import annotations

from rest_framework import serializers

from netbill.billing.api.serializers import total_field
from netbill.payments.choices import PaymentMethod


class ReportHeaderSerializer(serializers.Serializer):
    date_from = serializers.DateField(allow_null=True, help_text="Null: open-ended.")
    date_to = serializers.DateField(allow_null=True, help_text="Null: open-ended.")
    book = serializers.CharField(
        allow_blank=True,
        help_text="The books read: empty, all of yours; ``isp``, the ISP's own; a reseller id.",
    )


# --- bills summary -------------------------------------------------------------------------------


class BillFiguresSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    billed = total_field()
    collected = total_field()
    outstanding = total_field()


class BillsByOwnerSerializer(BillFiguresSerializer):
    owner = serializers.IntegerField(source="owner_id")
    owner_name = serializers.CharField(source="owner__name")


class BillsByZoneSerializer(BillFiguresSerializer):
    zone = serializers.IntegerField(source="customer__zone_id", allow_null=True)
    zone_name = serializers.CharField(source="customer__zone__name", allow_null=True)


class BillsSummaryReportSerializer(ReportHeaderSerializer):
    """Bills issued in the period (void ones left out): billed, collected, outstanding."""

    totals = BillFiguresSerializer()
    by_owner = BillsByOwnerSerializer(many=True)
    by_zone = BillsByZoneSerializer(many=True)


# --- daily / monthly -----------------------------------------------------------------------------


# Collected per payment method: one field per method.
MethodTotalsSerializer = type(
    "MethodTotalsSerializer",
    (serializers.Serializer,),
    {
        "__module__": __name__,
        "__doc__": "Collected per payment method.",
        **{method: total_field() for method in PaymentMethod.values},
    },
)


class ActivityFiguresSerializer(serializers.Serializer):
    billed = total_field(help_text="Bills issued (not void), VAT included.")
    methods = MethodTotalsSerializer()
    collected = total_field(help_text="Payments received (not void).")
    expenses = total_field()
    net = total_field(help_text="Collected − expenses.")


class ActivityRowSerializer(ActivityFiguresSerializer):
    date = serializers.DateField(help_text="The day (monthly report: the month's first day).")


class ActivityReportSerializer(ReportHeaderSerializer):
    rows = ActivityRowSerializer(many=True)
    totals = ActivityFiguresSerializer()


# --- income vs expense ---------------------------------------------------------------------------


class IncomeExpenseFiguresSerializer(serializers.Serializer):
    income = total_field(help_text="Income accounts, net of discounts.")
    expense = total_field()
    net = total_field()


class IncomeExpenseRowSerializer(IncomeExpenseFiguresSerializer):
    month = serializers.DateField(help_text="The month's first day.")


class IncomeExpenseReportSerializer(ReportHeaderSerializer):
    rows = IncomeExpenseRowSerializer(many=True)
    totals = IncomeExpenseFiguresSerializer()


# --- operator incomes ----------------------------------------------------------------------------


class OperatorIncomeRowSerializer(serializers.Serializer):
    reseller = serializers.IntegerField(source="reseller.pk")
    reseller_name = serializers.CharField(source="reseller.name")
    role = serializers.CharField(source="reseller.role")
    revenue = total_field(help_text="Customer revenue in its book, net of discounts, no VAT.")
    wholesale = total_field(help_text="What it earns from its sub-operators.")
    charges = total_field(help_text="What its parent charged it.")
    margin = total_field()


class OperatorIncomesReportSerializer(ReportHeaderSerializer):
    rows = OperatorIncomeRowSerializer(many=True)


# --- VAT -----------------------------------------------------------------------------------------


class VatFiguresSerializer(serializers.Serializer):
    billed = total_field(help_text="VAT on the bills issued.")
    collected = total_field(help_text="Each payment's share of its bill's VAT.")


class VatRowSerializer(VatFiguresSerializer):
    month = serializers.DateField(help_text="The month's first day.")


class VatReportSerializer(ReportHeaderSerializer):
    rows = VatRowSerializer(many=True)
    totals = VatFiguresSerializer()


# --- receivable ----------------------------------------------------------------------------------


class AgeingSerializer(serializers.Serializer):
    bills = serializers.IntegerField(help_text="Open bills.")
    days_0_30 = total_field(source="b0", help_text="Including bills not yet due.")
    days_31_60 = total_field(source="b31")
    days_61_90 = total_field(source="b61")
    over_90 = total_field(source="b90")
    total = total_field()


class ReceivableRowSerializer(AgeingSerializer):
    customer = serializers.IntegerField(source="customer_id")
    customer_name = serializers.CharField(source="customer__name")
    username = serializers.CharField(source="customer__username")
    mobile = serializers.CharField(source="customer__mobile")
    owner_name = serializers.CharField(source="owner__name")


class ReceivableTotalsSerializer(AgeingSerializer):
    customers = serializers.IntegerField()


class ReceivableReportSerializer(ReportHeaderSerializer):
    """Customers with money due on open bills, aged by days past the due date."""

    as_of = serializers.DateField()
    totals = ReceivableTotalsSerializer()
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ReceivableRowSerializer(many=True)


# --- payable -------------------------------------------------------------------------------------


class ResellerPositionSerializer(serializers.Serializer):
    reseller = serializers.IntegerField(source="reseller_id")
    reseller_name = serializers.CharField(source="reseller__name")
    account_type = serializers.CharField(source="reseller__account_type")
    credit_limit = total_field(source="reseller__credit_limit")
    book = serializers.IntegerField(
        source="book_id", allow_null=True, help_text="Whose book keeps it; null: the ISP's."
    )
    kept_by = serializers.CharField(source="parent")
    owes = total_field(help_text="What it owes its parent.")
    deposit = total_field(help_text="Its deposit the parent holds.")


class WalletCreditSerializer(serializers.Serializer):
    customer = serializers.IntegerField(source="customer_id")
    customer_name = serializers.CharField(source="customer__name")
    username = serializers.CharField(source="customer__username")
    mobile = serializers.CharField(source="customer__mobile")
    credit = total_field()


class WalletTotalsSerializer(serializers.Serializer):
    customers = serializers.IntegerField()
    credit = total_field()


class PayableReportSerializer(ReportHeaderSerializer):
    """Resellers' positions with their parents, and customers' wallet credit (paged)."""

    resellers = ResellerPositionSerializer(many=True)
    wallet_totals = WalletTotalsSerializer()
    count = serializers.IntegerField(help_text="Customers with wallet credit.")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = WalletCreditSerializer(many=True)


# --- trial balance -------------------------------------------------------------------------------


class BalanceFiguresSerializer(serializers.Serializer):
    opening = total_field()
    debit = total_field()
    credit = total_field()
    closing = total_field()


class TrialBalanceAccountSerializer(BalanceFiguresSerializer):
    account = serializers.IntegerField(source="account_id")
    code = serializers.CharField(source="account__code")
    name = serializers.CharField(source="account__name")
    type = serializers.CharField(source="account__type")


class TrialBalanceBookSerializer(BalanceFiguresSerializer):
    book = serializers.IntegerField(source="book_id", allow_null=True)
    name = serializers.CharField()
    accounts = TrialBalanceAccountSerializer(source="rows", many=True)


class TrialBalanceReportSerializer(ReportHeaderSerializer):
    """Per book, per account: opening, debits, credits, closing (each book sums to zero)."""

    books = TrialBalanceBookSerializer(many=True)
