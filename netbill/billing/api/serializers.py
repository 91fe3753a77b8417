"""Bill and billing-run serializers: parse input shape, render output.

Money is a ``DecimalField`` (a string of a Decimal in JSON, never a float).  Choice values
(status, kind) are rendered as plain strings and described in the help text: the same
property names carry other choice sets elsewhere in the API (a customer's ``status``).
"""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from netbill.billing.choices import BillKind, BillLineKind, BillStatus
from netbill.core.api.fields import ScopedPrimaryKeyRelatedField
from netbill.customers.models import Customer

MONEY = {"max_digits": 14, "decimal_places": 2}
TOTAL = {"max_digits": 18, "decimal_places": 2}
MIN_AMOUNT = Decimal("0.01")


def money_field(**kwargs):
    return serializers.DecimalField(**MONEY, **kwargs)


def total_field(**kwargs):
    """A sum of many amounts (reports, run totals): more digits than one amount."""
    return serializers.DecimalField(**TOTAL, **kwargs)


def amount_field(**kwargs):
    """An amount to move: more than zero, at most two decimals (the service rounds and
    checks again)."""
    return serializers.DecimalField(**MONEY, min_value=MIN_AMOUNT, **kwargs)


def values_help(choices) -> str:
    return "One of: " + ", ".join(f"``{value}``" for value in choices.values) + "."


def reason_field(**kwargs):
    return serializers.CharField(max_length=200, **kwargs)


# --- output --------------------------------------------------------------------------------------


class BillLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.CharField(read_only=True, help_text=values_help(BillLineKind))
    description = serializers.CharField(read_only=True)
    amount = money_field(read_only=True, help_text="Negative for a discount line.")


class BillAllocationSerializer(serializers.Serializer):
    """What settled the bill: a payment (``payment`` set) or the customer's wallet."""

    id = serializers.IntegerField(read_only=True)
    payment = serializers.IntegerField(source="payment_id", read_only=True, allow_null=True)
    receipt_number = serializers.CharField(
        source="payment.receipt_number", read_only=True, allow_null=True
    )
    amount = money_field(read_only=True)
    voided_at = serializers.DateTimeField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)


class BillLedgerLineSerializer(serializers.Serializer):
    """A journal line of the bill's entries (and of the entries that settled it), in the
    books the caller may read."""

    entry = serializers.IntegerField(source="entry_id", read_only=True)
    entry_kind = serializers.CharField(source="entry.kind", read_only=True)
    date = serializers.DateField(read_only=True)
    account_code = serializers.CharField(source="account.code", read_only=True)
    account_name = serializers.CharField(source="account.name", read_only=True)
    book = serializers.IntegerField(
        source="book_id", read_only=True, allow_null=True, help_text="Null: the ISP's own book."
    )
    customer = serializers.IntegerField(source="customer_id", read_only=True, allow_null=True)
    reseller = serializers.IntegerField(source="reseller_id", read_only=True, allow_null=True)
    debit = money_field(read_only=True, allow_null=True)
    credit = money_field(read_only=True, allow_null=True)


class BillSerializer(serializers.Serializer):
    """A bill as the lists show it.  ``due`` = amount − discount − paid."""

    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(read_only=True)
    customer = serializers.IntegerField(source="customer_id", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    customer_username = serializers.CharField(source="customer.username", read_only=True)
    owner = serializers.IntegerField(source="owner_id", read_only=True)
    owner_name = serializers.CharField(source="owner.name", read_only=True)
    kind = serializers.CharField(read_only=True, help_text=values_help(BillKind))
    status = serializers.CharField(
        read_only=True, help_text=values_help(BillStatus) + " Filter ``open``: unpaid or partial."
    )
    period_start = serializers.DateField(read_only=True)
    period_end = serializers.DateField(read_only=True)
    issue_date = serializers.DateField(read_only=True)
    due_date = serializers.DateField(read_only=True)
    package = serializers.IntegerField(source="package_id", read_only=True, allow_null=True)
    amount = money_field(read_only=True, help_text="Package price + VAT.")
    discount = money_field(read_only=True)
    paid_amount = money_field(read_only=True)
    due = money_field(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    voided_at = serializers.DateTimeField(read_only=True, allow_null=True)
    void_reason = serializers.CharField(read_only=True)


class BillDetailSerializer(BillSerializer):
    """One bill with its lines, what settled it and its ledger lines."""

    lines = BillLineSerializer(many=True, read_only=True)
    allocations = BillAllocationSerializer(many=True, read_only=True)
    ledger_lines = BillLedgerLineSerializer(many=True, read_only=True)


class BillingRunErrorSerializer(serializers.Serializer):
    customer = serializers.IntegerField()
    username = serializers.CharField()
    message = serializers.CharField()


class BillingRunPreviewSerializer(serializers.Serializer):
    customer = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    amount = money_field()
    wallet = money_field(help_text="The part the customer's wallet would pay.")


class BillingRunSerializer(serializers.Serializer):
    """One billing run or dunning sweep from the run log."""

    id = serializers.IntegerField(read_only=True)
    kind = serializers.CharField(read_only=True, help_text="``billing`` or ``dunning``.")
    run_date = serializers.DateField(read_only=True)
    dry_run = serializers.BooleanField(read_only=True)
    started_at = serializers.DateTimeField(read_only=True)
    finished_at = serializers.DateTimeField(read_only=True, allow_null=True)
    created_count = serializers.IntegerField(
        read_only=True, help_text="Bills created (a dry run: would create); a sweep: suspended."
    )
    skipped_count = serializers.IntegerField(read_only=True)
    error_count = serializers.IntegerField(read_only=True)
    errors = BillingRunErrorSerializer(many=True, read_only=True)
    triggered_by = serializers.IntegerField(
        source="triggered_by_id",
        read_only=True,
        allow_null=True,
        help_text="Null: the scheduler.",
    )


class BillingRunResultSerializer(BillingRunSerializer):
    """A run just made; a dry run adds what it would create (``preview``, the first 500)
    and their ``total``."""

    preview = BillingRunPreviewSerializer(many=True, read_only=True, required=False)
    total = total_field(read_only=True, required=False)


# --- input ---------------------------------------------------------------------------------------


def _billable_customers(user):
    return Customer.objects.visible_to(user).alive()


class BillGenerateSerializer(serializers.Serializer):
    customer = ScopedPrimaryKeyRelatedField(
        queryset=Customer.objects.all(),
        scope=_billable_customers,
        help_text="The customer to bill for its current period (as the panel's Generate bill).",
    )


class BillDiscountSerializer(serializers.Serializer):
    amount = amount_field(help_text="At most what is still due.")
    reason = reason_field()


class BillVoidSerializer(serializers.Serializer):
    reason = reason_field()


class BillEditSerializer(serializers.Serializer):
    amount = amount_field(help_text="The bill's new amount (VAT included).")
    reason = reason_field()


class BillMarkPaidSerializer(serializers.Serializer):
    bills = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        allow_empty=False,
        max_length=1000,
        help_text="Ids of open bills to pay in full in cash.",
    )
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class BillMarkPaidRowSerializer(serializers.Serializer):
    bill = serializers.IntegerField()
    number = serializers.CharField(allow_null=True)
    payment = serializers.IntegerField(allow_null=True)
    receipt_number = serializers.CharField(allow_null=True)
    amount = money_field(allow_null=True)
    error = serializers.CharField(allow_blank=True)


class BillingRunCreateSerializer(serializers.Serializer):
    run_date = serializers.DateField(help_text="The day to bill (today or earlier for a run).")
    dry_run = serializers.BooleanField(
        default=False, help_text="True: only show what the run would create."
    )
