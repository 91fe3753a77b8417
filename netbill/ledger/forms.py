"""Panel forms for reseller money and expenses.  They parse; the services decide."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from netbill.ledger.expenses import categories_for
from netbill.ledger.models import ExpenseCategory


def _style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


def _date_widget():
    return forms.DateInput(attrs={"type": "date"})


class ResellerMoneyForm(StyledForm):
    """Add Balance / Entry Cash Received: the amount and a reference note."""

    amount = forms.DecimalField(
        label=_("Amount"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    note = forms.CharField(
        label=_("Reference note"),
        max_length=200,
        required=False,
        help_text=_("e.g. the bKash transaction ID or the money receipt number."),
    )


class CreditLimitForm(StyledForm):
    credit_limit = forms.DecimalField(
        label=_("Credit limit"), max_digits=14, decimal_places=2, min_value=Decimal("0")
    )


class DateRangeForm(StyledForm):
    date_from = forms.DateField(label=_("From"), required=False, widget=_date_widget())
    date_to = forms.DateField(label=_("To"), required=False, widget=_date_widget())

    def range(self) -> tuple[datetime.date, datetime.date]:
        """The chosen range; default: this month up to today."""
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        date_to = data.get("date_to") or today
        date_from = data.get("date_from") or date_to.replace(day=1)
        return date_from, date_to


class ExpenseFilterForm(DateRangeForm):
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=ExpenseCategory.objects.none(), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = (
            ExpenseCategory.objects.visible_to(user)
            .select_related("parent")
            .order_by("parent__name", "name")
        )


class ExpenseForm(StyledForm):
    category = forms.ModelChoiceField(label=_("Category"), queryset=ExpenseCategory.objects.none())
    amount = forms.DecimalField(
        label=_("Amount"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    date = forms.DateField(label=_("Date"), widget=_date_widget())
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = (
            categories_for(user).select_related("parent").order_by("parent__name", "name")
        )
        self.fields["date"].initial = timezone.localdate


class ExpenseCategoryForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=80)
    parent = forms.ModelChoiceField(
        label=_("Parent category"),
        queryset=ExpenseCategory.objects.none(),
        required=False,
        help_text=_("Choose one to make this a subcategory."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = categories_for(user).filter(parent__isnull=True)


class ExpenseCategoryRenameForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=80)


class VoidForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)
