"""Panel forms for payments and bill corrections.  They parse input only; the services
validate and write.  Choice lists are scoped to the user."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from netbill.billing.models import Bill
from netbill.customers.models import Customer
from netbill.payments import selectors
from netbill.payments.choices import OnlineStatus, PaymentMethod

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
COLLECT_METHODS = [
    (PaymentMethod.CASH, PaymentMethod.CASH.label),
    (PaymentMethod.BANK, PaymentMethod.BANK.label),
    (PaymentMethod.ADVANCE, PaymentMethod.ADVANCE.label),
]


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.HiddenInput):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


class AmountField(forms.DecimalField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", 0.01)
        super().__init__(**kwargs)


class BillChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, bill):
        return _("%(number)s · %(start)s – %(end)s · due %(due)s") % {
            "number": bill.number,
            "start": bill.period_start,
            "end": bill.period_end,
            "due": bill.due,
        }


class CollectForm(forms.Form):
    """A payment for one customer: against one of its open bills, or against the customer
    (oldest bills first, the rest to the wallet)."""

    customer = forms.ModelChoiceField(queryset=Customer.objects.none(), widget=forms.HiddenInput)
    bill = BillChoiceField(
        label=_("Bill"),
        queryset=Bill.objects.none(),
        required=False,
        empty_label=_("No bill: oldest bills first, the rest to the wallet"),
    )
    amount = AmountField(label=_("Amount"))
    method = forms.ChoiceField(
        label=_("Method"),
        choices=COLLECT_METHODS,
        initial=PaymentMethod.CASH,
        help_text=_("Advance: kept in the wallet and applied to the next bills automatically."),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, user, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.visible_to(user).alive()
        self.fields["customer"].initial = customer.pk
        self.fields["bill"].queryset = selectors.open_bills(user=user, customer=customer)
        _style(self)


class PaymentFilterForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE_INPUT)
    q = forms.CharField(label=_("Customer or receipt"), required=False)
    method = forms.ChoiceField(
        label=_("Method"), required=False, choices=[("", _("Any method"))] + PaymentMethod.choices
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Live and void")), *selectors.STATUS_CHOICES],
    )
    collector = forms.ModelChoiceField(
        label=_("Collected by"), required=False, queryset=None, empty_label=_("Anyone")
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"), required=False, queryset=None, empty_label=_("Any owner")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collector"].queryset = selectors.collector_choices(user)
        self.fields["owner"].queryset = selectors.payment_owner_choices(user)
        _style(self)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class DiscountForm(ReasonForm):
    amount = AmountField(label=_("Discount"))
    field_order = ["amount", "reason"]


class BillEditForm(ReasonForm):
    amount = AmountField(label=_("New amount (with VAT)"))
    field_order = ["amount", "reason"]


class PaymentEditForm(ReasonForm):
    amount = AmountField(label=_("Amount"))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    field_order = ["amount", "note", "reason"]


class OnlineFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[*OnlineStatus.choices, ("all", _("All"))],
    )
    q = forms.CharField(label=_("Customer or reference"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)
