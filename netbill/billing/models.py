"""Bills (with lines) and the log of scheduled billing / dunning runs."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from netbill.billing.choices import BillKind, BillLineKind, BillStatus, RunKind
from netbill.core.models import TenantOwned
from netbill.core.money import MONEY_FIELD


class Bill(TenantOwned):
    """What a customer owes for one service period (or one package purchase).

    ``owner`` is the customer's owner when billed (its book holds the bill's entries).
    A database constraint allows one live bill per customer, kind and period start, so a
    billing run repeated, resumed or run twice at once never bills twice.
    """

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="bills"
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("bill number"), max_length=30)
    kind = models.CharField(_("kind"), max_length=10, choices=BillKind.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    issue_date = models.DateField(_("issued"))
    due_date = models.DateField(_("due"))
    package = models.ForeignKey(
        "catalog.MasterPackage", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(_("amount"), **MONEY_FIELD)
    discount = models.DecimalField(_("discount"), default=0, **MONEY_FIELD)
    paid_amount = models.DecimalField(_("paid"), default=0, **MONEY_FIELD)
    status = models.CharField(
        _("status"), max_length=10, choices=BillStatus.choices, default=BillStatus.UNPAID
    )
    entry = models.ForeignKey(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reseller_entry = models.ForeignKey(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=200, blank=True)

    scope_owner_field = "owner"

    class Meta:
        ordering = ["-issue_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "kind", "period_start"],
                condition=~models.Q(status="void"),
                name="bill_one_per_period",
            ),
            models.UniqueConstraint(fields=["tenant", "number"], name="bill_unique_number"),
        ]
        indexes = [
            models.Index(fields=["tenant", "status", "due_date"]),
            models.Index(fields=["tenant", "owner", "issue_date"]),
            models.Index(fields=["customer", "status"]),
        ]
        verbose_name = _("bill")

    def __str__(self):
        return self.number

    @property
    def due(self):
        return self.amount - self.discount - self.paid_amount


class BillLine(TenantOwned):
    """One line of a bill: the package, VAT, a discount."""

    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=10, choices=BillLineKind.choices)
    description = models.CharField(max_length=200)
    amount = models.DecimalField(**MONEY_FIELD)

    scope_owner_field = "bill__owner"

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.description} {self.amount}"


class BillingRun(TenantOwned):
    """One scheduled (or manual) billing run or dunning sweep, for the group admin to see."""

    kind = models.CharField(max_length=10, choices=RunKind.choices)
    run_date = models.DateField()
    dry_run = models.BooleanField(default=False)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    created_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("billing run")

    def __str__(self):
        return f"{self.kind} {self.run_date}"
