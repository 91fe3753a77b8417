"""Payment, online transaction and recharge card serializers: parse input shape, render
output.  Related objects are chosen by id among the rows the caller may see (another
tenant's customer or bill is a 400 naming the field); the services do the real checks.

Choice values (method, status) are rendered as plain strings described in the help text: the
same property names carry other choice sets elsewhere in the API.
"""

from __future__ import annotations

from rest_framework import serializers

from netbill.billing.api.serializers import (
    amount_field,
    money_field,
    reason_field,
    values_help,
)
from netbill.billing.models import Bill
from netbill.core.api.fields import ScopedPrimaryKeyRelatedField
from netbill.customers.models import Customer
from netbill.payments.cards import MAX_BATCH
from netbill.payments.choices import OnlineStatus, PaymentMethod
from netbill.payments.models import CardDistributor

# What staff record by hand; online and card payments come from their own flows.
COLLECT_METHODS = [PaymentMethod.CASH, PaymentMethod.BANK, PaymentMethod.ADVANCE]


def _alive_customers(user):
    return Customer.objects.visible_to(user).alive()


def customer_field(**kwargs):
    return ScopedPrimaryKeyRelatedField(
        queryset=Customer.objects.all(), scope=_alive_customers, **kwargs
    )


# --- payments ------------------------------------------------------------------------------------


class PaymentAllocationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    bill = serializers.IntegerField(source="bill_id", read_only=True)
    bill_number = serializers.CharField(source="bill.number", read_only=True)
    amount = money_field(read_only=True)
    voided_at = serializers.DateTimeField(read_only=True, allow_null=True)


class PaymentSerializer(serializers.Serializer):
    """A payment with what it settled.  ``to_bills`` + ``to_wallet`` = ``amount`` (as
    recorded; a void payment keeps them, its allocations carry ``voided_at``)."""

    id = serializers.IntegerField(read_only=True)
    receipt_number = serializers.CharField(read_only=True)
    customer = serializers.IntegerField(source="customer_id", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    customer_username = serializers.CharField(source="customer.username", read_only=True)
    owner = serializers.IntegerField(source="owner_id", read_only=True)
    method = serializers.CharField(read_only=True, help_text=values_help(PaymentMethod))
    amount = money_field(read_only=True)
    to_bills = money_field(read_only=True)
    to_wallet = money_field(read_only=True)
    collected_by = serializers.IntegerField(
        source="collected_by_id", read_only=True, allow_null=True
    )
    collected_by_name = serializers.CharField(
        source="collected_by.name", read_only=True, allow_null=True
    )
    received_at = serializers.DateTimeField(read_only=True)
    note = serializers.CharField(read_only=True)
    reference = serializers.CharField(read_only=True)
    voided_at = serializers.DateTimeField(read_only=True, allow_null=True)
    void_reason = serializers.CharField(read_only=True)
    allocations = PaymentAllocationSerializer(many=True, read_only=True)


class PaymentCreateSerializer(serializers.Serializer):
    """Cash, bank or advance money received for a customer."""

    customer = customer_field()
    amount = amount_field()
    method = serializers.ChoiceField(
        choices=[(m.value, m.label) for m in COLLECT_METHODS],
        default=PaymentMethod.CASH,
        help_text="``advance``: kept in the wallet, applied to the next bills automatically.",
    )
    bill = ScopedPrimaryKeyRelatedField(
        queryset=Bill.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Settle this bill of the customer first (then the oldest open bills; the "
        "rest goes to the wallet).",
    )
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    reference = serializers.CharField(
        max_length=120,
        required=False,
        allow_blank=True,
        default="",
        help_text="e.g. the bank transaction id.",
    )


class PaymentVoidSerializer(serializers.Serializer):
    reason = reason_field()


class PaymentEditSerializer(serializers.Serializer):
    amount = amount_field(help_text="The corrected amount.")
    note = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="The new note (default: the payment's note).",
    )
    reason = reason_field()


# --- online transactions -------------------------------------------------------------------------


class OnlineTransactionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    gateway = serializers.CharField(read_only=True)
    gateway_reference = serializers.CharField(read_only=True)
    customer = serializers.IntegerField(source="customer_id", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    customer_username = serializers.CharField(source="customer.username", read_only=True)
    owner = serializers.IntegerField(source="owner_id", read_only=True)
    amount = money_field(read_only=True)
    status = serializers.CharField(read_only=True, help_text=values_help(OnlineStatus))
    payment = serializers.IntegerField(source="payment_id", read_only=True, allow_null=True)
    receipt_number = serializers.CharField(
        source="payment.receipt_number", read_only=True, allow_null=True
    )
    decided_by = serializers.IntegerField(source="decided_by_id", read_only=True, allow_null=True)
    decided_at = serializers.DateTimeField(read_only=True, allow_null=True)
    reject_reason = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class OnlineRejectSerializer(serializers.Serializer):
    reason = reason_field()


# --- recharge cards ------------------------------------------------------------------------------


class CardBatchSerializer(serializers.Serializer):
    """A batch of recharge cards (never its PINs: only their hashes are stored)."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    value = money_field(read_only=True)
    count = serializers.IntegerField(read_only=True)
    expires_on = serializers.DateField(read_only=True, allow_null=True)
    distributor = serializers.IntegerField(source="distributor_id", read_only=True, allow_null=True)
    distributor_name = serializers.CharField(
        source="distributor.name", read_only=True, allow_null=True
    )
    owner = serializers.IntegerField(source="owner_id", read_only=True)
    owner_name = serializers.CharField(source="owner.name", read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    unused = serializers.IntegerField(read_only=True, help_text="Cards not yet redeemed.")
    redeemed = serializers.IntegerField(read_only=True)
    voided = serializers.IntegerField(read_only=True)


class PrintedCardSerializer(serializers.Serializer):
    serial = serializers.CharField()
    pin = serializers.CharField(help_text="The PIN's digits (printed grouped by four).")


class CardBatchCreatedSerializer(CardBatchSerializer):
    """The new batch with its cards' PINs — the only time they are ever shown."""

    cards = PrintedCardSerializer(source="printed_cards", many=True, read_only=True)


class CardBatchCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    value = amount_field(help_text="What each card pays in.")
    count = serializers.IntegerField(min_value=1, max_value=MAX_BATCH)
    expires_on = serializers.DateField(required=False, allow_null=True, default=None)
    distributor = ScopedPrimaryKeyRelatedField(
        queryset=CardDistributor.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="One of your distributors, who sells these cards.",
    )


class CardBatchVoidSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class CardBatchVoidResultSerializer(serializers.Serializer):
    voided = serializers.IntegerField(help_text="Unused cards voided now.")
    batch = CardBatchSerializer()


class CardRedeemSerializer(serializers.Serializer):
    customer = customer_field()
    pin = serializers.CharField(
        max_length=40, help_text="The PIN printed on the card (spaces and dashes are ignored)."
    )


class CardDistributorSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    mobile = serializers.CharField(read_only=True)
    commission_percent = serializers.DecimalField(max_digits=5, decimal_places=2, read_only=True)
    owner = serializers.IntegerField(source="owner_id", read_only=True)
    owes = money_field(
        read_only=True, help_text="What it owes for the cards redeemed, less what it paid."
    )
    commission = money_field(read_only=True, help_text="Commission earned on redeemed cards.")
    unused_cards = serializers.IntegerField(read_only=True)
    unused_value = money_field(read_only=True)


class CardDistributorWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    mobile = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    commission_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False, default=0
    )


class CardDistributorPaymentSerializer(serializers.Serializer):
    amount = amount_field(help_text="Cash received from the distributor for cards it sold.")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
