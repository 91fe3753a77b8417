"""Payments and their allocation to bills, online transactions and recharge cards."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from netbill.core.models import TenantOwned
from netbill.core.money import MONEY_FIELD
from netbill.payments.choices import CardStatus, OnlineStatus, PaymentMethod


class Payment(TenantOwned):
    """Money received for a customer.  What is not allocated to bills stays in its wallet."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="payments"
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("method"), max_length=10, choices=PaymentMethod.choices)
    amount = models.DecimalField(_("amount"), **MONEY_FIELD)
    receipt_number = models.CharField(_("receipt number"), max_length=30)
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("collected by"),
    )
    received_at = models.DateTimeField(_("received"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    reference = models.CharField(_("reference"), max_length=120, blank=True)
    entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=200, blank=True)
    void_entry = models.ForeignKey(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_owner_field = "owner"

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "receipt_number"], name="payment_unique_receipt"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "received_at"]),
            models.Index(fields=["customer", "received_at"]),
        ]
        verbose_name = _("payment")

    def __str__(self):
        return self.receipt_number


class PaymentAllocation(TenantOwned):
    """The part of a payment (or of the wallet) that settled a bill."""

    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="allocations"
    )
    bill = models.ForeignKey("billing.Bill", on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(**MONEY_FIELD)
    entry = models.ForeignKey(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    voided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_owner_field = "bill__owner"

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.amount} → {self.bill_id}"


class OnlineTransaction(TenantOwned):
    """A payment reported by a gateway, waiting for verification (pending → completed |
    rejected).  One row per gateway reference: a repeated callback finds the same row."""

    gateway = models.CharField(_("gateway"), max_length=30)
    gateway_reference = models.CharField(_("gateway reference"), max_length=120)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="online_transactions"
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount"), **MONEY_FIELD)
    status = models.CharField(
        _("status"), max_length=10, choices=OnlineStatus.choices, default=OnlineStatus.PENDING
    )
    raw_callback = models.JSONField(default=dict, blank=True)
    payment = models.OneToOneField(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="online_transaction"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_owner_field = "owner"

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "gateway", "gateway_reference"],
                name="online_unique_gateway_reference",
            ),
        ]
        verbose_name = _("online transaction")

    def __str__(self):
        return f"{self.gateway} {self.gateway_reference}"


class CardDistributor(TenantOwned):
    """A shop that sells recharge cards, with its commission (percent of the card value)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    commission_percent = models.DecimalField(
        _("commission (%)"), max_digits=5, decimal_places=2, default=0
    )

    scope_owner_field = "owner"

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class RechargeCardBatch(TenantOwned):
    """Cards of one value printed together."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=80)
    value = models.DecimalField(_("value"), **MONEY_FIELD)
    count = models.PositiveIntegerField(_("count"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    distributor = models.ForeignKey(
        CardDistributor,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="batches",
        verbose_name=_("distributor"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_owner_field = "owner"

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.name


class RechargeCard(TenantOwned):
    """One card: a serial printed on it and a PIN stored only as a hash (each usable once)."""

    batch = models.ForeignKey(RechargeCardBatch, on_delete=models.PROTECT, related_name="cards")
    serial = models.CharField(max_length=20)
    pin_hash = models.CharField(max_length=64)
    value = models.DecimalField(**MONEY_FIELD)
    status = models.CharField(max_length=10, choices=CardStatus.choices, default=CardStatus.ACTIVE)
    redeemed_by = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    redeemed_at = models.DateTimeField(null=True, blank=True)
    payment = models.OneToOneField(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="card"
    )

    scope_owner_field = "batch__owner"

    class Meta:
        ordering = ["batch_id", "serial"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "pin_hash"], name="card_unique_pin"),
            models.UniqueConstraint(fields=["tenant", "serial"], name="card_unique_serial"),
        ]

    def __str__(self):
        return self.serial
