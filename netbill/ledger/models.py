"""The double-entry ledger: accounts, journal entries and their lines.

Lines are append-only (corrections are reversing entries) and every entry balances within
each book.  Both rules are enforced by PostgreSQL triggers (migration 0002) and by the one
writer, :func:`netbill.ledger.posting.post_entry`.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from netbill.core.models import TenantOwned
from netbill.core.money import MONEY_FIELD
from netbill.core.scope import visible_owner_ids
from netbill.ledger.chart import AccountType


def _book_filter(qs, user, field: str):
    """Rows of the books ``user`` may read: the group admin all; a reseller its own book and
    its sub-operators'; a manager its parent's.  NOC and sales managers: none (no money)."""
    from netbill.core.choices import Role

    if user.role in (Role.NOC, Role.SALES_MANAGER):
        return qs.none()
    owners = visible_owner_ids(user)
    if owners is None:
        return qs
    if field == "book" and qs.model is JournalLine:
        # A reseller also reads its own account in its parent's book (its statement).
        return qs.filter(models.Q(book_id__in=owners) | models.Q(reseller_id__in=owners))
    return qs.filter(**{f"{field}__in": owners})


class Account(TenantOwned):
    """One account of one book (see ``ledger.chart``)."""

    book = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The reseller whose books this is; empty: the ISP's."),
    )
    code = models.CharField(max_length=10)
    name = models.CharField(max_length=120)
    type = models.CharField(max_length=10, choices=AccountType.choices)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "book", "code"], name="account_unique_code", nulls_distinct=False
            ),
        ]
        verbose_name = _("account")

    def __str__(self):
        return f"{self.code} {self.name}"

    @classmethod
    def scope_filter(cls, qs, user):
        return _book_filter(qs, user, "book")


class JournalEntry(TenantOwned):
    """One money event, posted once.  ``reverses`` links a correction to what it undoes."""

    posted_at = models.DateTimeField(db_index=True)
    date = models.DateField(db_index=True, help_text=_("Accounting date in the tenant's timezone."))
    kind = models.CharField(max_length=40)
    memo = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )

    class Meta:
        ordering = ["-posted_at", "-id"]
        indexes = [models.Index(fields=["tenant", "date"])]
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")

    def __str__(self):
        return f"#{self.pk} {self.kind} {self.date}"

    @classmethod
    def scope_filter(cls, qs, user):
        owners = visible_owner_ids(user)
        from netbill.core.choices import Role

        if user.role in (Role.NOC, Role.SALES_MANAGER):
            return qs.none()
        if owners is None:
            return qs
        lines = JournalLine.objects.filter(
            models.Q(book_id__in=owners) | models.Q(reseller_id__in=owners)
        ).values("entry_id")
        return qs.filter(pk__in=lines)


class JournalLine(TenantOwned):
    """A debit (positive) or credit (negative) on one account, with its parties."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lines")
    # Denormalised from the account: the per-book balance check and book scoping need it.
    book = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(**MONEY_FIELD)
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_lines",
    )
    reseller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reseller_ledger_lines",
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="collected_ledger_lines",
        help_text=_("The collector, for cash in hand."),
    )
    party = models.CharField(
        max_length=80, blank=True, help_text=_("Other party: gateway name, expense category…")
    )
    date = models.DateField()

    class Meta:
        ordering = ["entry_id", "id"]
        indexes = [
            models.Index(fields=["customer", "account"]),
            models.Index(fields=["reseller", "account"]),
            models.Index(fields=["tenant", "book", "account", "date"]),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="journalline_nonzero"),
        ]
        verbose_name = _("journal line")

    def __str__(self):
        return f"{self.account.code} {self.amount}"

    @classmethod
    def scope_filter(cls, qs, user):
        return _book_filter(qs, user, "book")


class ExpenseCategory(TenantOwned):
    """An expense category (``parent`` set: a subcategory)."""

    name = models.CharField(_("name"), max_length=80)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subcategories",
        verbose_name=_("parent category"),
    )
    book = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "book", "parent", "name"],
                name="expensecategory_unique_name",
                nulls_distinct=False,
            ),
        ]
        verbose_name = _("expense category")
        verbose_name_plural = _("expense categories")

    def __str__(self):
        return f"{self.parent.name} / {self.name}" if self.parent_id else self.name

    @classmethod
    def scope_filter(cls, qs, user):
        return _book_filter(qs, user, "book")


class Expense(TenantOwned):
    """An operational expense paid from a collector's cash, posted to the ledger."""

    book = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(
        ExpenseCategory,
        on_delete=models.PROTECT,
        related_name="expenses",
        verbose_name=_("category"),
    )
    amount = models.DecimalField(_("amount"), **MONEY_FIELD)
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("paid by"),
    )
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="+")
    voided_at = models.DateTimeField(null=True, blank=True)
    void_entry = models.OneToOneField(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("expense")

    def __str__(self):
        return f"{self.category} {self.amount}"

    @classmethod
    def scope_filter(cls, qs, user):
        return _book_filter(qs, user, "book")
