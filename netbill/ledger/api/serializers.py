"""Reseller account and expense serializers: parse input shape, render output.

A reseller's ``position`` is read from its account in its parent's book: positive, it owes
its parent; negative, the parent holds its deposit (a prepaid reseller's balance).
"""

from __future__ import annotations

from rest_framework import serializers

from netbill.billing.api.serializers import amount_field, money_field, total_field
from netbill.core.api.fields import ScopedPrimaryKeyRelatedField
from netbill.ledger.expenses import categories_for
from netbill.ledger.models import ExpenseCategory

# --- reseller accounts ---------------------------------------------------------------------------


class ResellerAccountSerializer(serializers.Serializer):
    """An operator (or sub-operator) account with its money position."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    email = serializers.EmailField(read_only=True)
    role = serializers.CharField(read_only=True)
    parent = serializers.IntegerField(source="parent_id", read_only=True, allow_null=True)
    account_type = serializers.CharField(read_only=True, help_text="``prepaid`` or ``postpaid``.")
    credit_limit = money_field(read_only=True)
    prepaid = serializers.BooleanField(source="account.prepaid", read_only=True)
    position = total_field(
        source="account.position",
        read_only=True,
        help_text="What it owes its parent (positive) or has deposited (negative).",
    )
    balance = total_field(
        source="account.balance", read_only=True, help_text="Its deposit: −position."
    )
    owes = total_field(source="account.owes", read_only=True)
    available = total_field(
        source="account.available",
        read_only=True,
        help_text="Prepaid: its balance; postpaid: credit limit − what it owes.",
    )


class ResellerMoneySerializer(serializers.Serializer):
    """Add Balance / Entry Cash Received: the amount the parent received and a reference."""

    amount = amount_field()
    note = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="e.g. the bKash transaction id or the money receipt number.",
    )


class StatementLineSerializer(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.CharField(help_text="The journal entry's kind, e.g. reseller.add_balance.")
    memo = serializers.CharField()
    entry = serializers.IntegerField(source="entry_id")
    customer = serializers.IntegerField(source="customer.pk", allow_null=True, default=None)
    customer_username = serializers.CharField(
        source="customer.username", allow_null=True, default=None
    )
    debit = total_field(help_text="A charge: the reseller owes more.")
    credit = total_field(help_text="Money the parent received.")
    balance = total_field(help_text="Its position after this line.")


class ResellerStatementSerializer(serializers.Serializer):
    """The reseller's account with its parent between two dates (both included)."""

    account = ResellerAccountSerializer()
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    opening = total_field()
    total_debit = total_field()
    total_credit = total_field()
    closing = total_field()
    movements = StatementLineSerializer(many=True)


# --- expenses ------------------------------------------------------------------------------------


def _own_categories(user):
    return categories_for(user)


class ExpenseCategorySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    parent = serializers.IntegerField(source="parent_id", read_only=True, allow_null=True)
    full_name = serializers.CharField(source="__str__", read_only=True)
    book = serializers.IntegerField(
        source="book_id", read_only=True, allow_null=True, help_text="Null: the ISP's own book."
    )


class ExpenseCategoryCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    parent = ScopedPrimaryKeyRelatedField(
        queryset=ExpenseCategory.objects.all(),
        scope=_own_categories,
        required=False,
        allow_null=True,
        default=None,
        help_text="Make it a subcategory of one of your categories.",
    )


class ExpenseCategoryRenameSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80)


class ExpenseSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    book = serializers.IntegerField(
        source="book_id", read_only=True, allow_null=True, help_text="Null: the ISP's own book."
    )
    category = serializers.IntegerField(source="category_id", read_only=True)
    category_name = serializers.CharField(source="category.__str__", read_only=True)
    amount = money_field(read_only=True)
    date = serializers.DateField(read_only=True)
    note = serializers.CharField(read_only=True)
    paid_by = serializers.IntegerField(source="paid_by_id", read_only=True)
    paid_by_name = serializers.CharField(source="paid_by.name", read_only=True)
    voided_at = serializers.DateTimeField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)


class ExpenseCreateSerializer(serializers.Serializer):
    """An expense paid from your cash, in your book."""

    category = ScopedPrimaryKeyRelatedField(
        queryset=ExpenseCategory.objects.all(),
        scope=_own_categories,
        help_text="One of your own categories or subcategories.",
    )
    amount = amount_field()
    date = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ExpenseVoidSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
