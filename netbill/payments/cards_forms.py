"""Panel forms for recharge cards and card distributors.  They parse the fields; the
services in :mod:`netbill.payments.cards` decide (their errors come back onto the form)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from netbill.customers.models import Customer
from netbill.payments.cards import MAX_BATCH, PIN_DIGITS, acting_owner
from netbill.payments.models import CardDistributor


def _style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class CardBatchForm(StyledForm):
    name = forms.CharField(label=_("Batch name"), max_length=80)
    value = forms.DecimalField(
        label=_("Card value"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    count = forms.IntegerField(
        label=_("Number of cards"),
        min_value=1,
        max_value=MAX_BATCH,
        help_text=_("At most %(max)s cards per batch.") % {"max": f"{MAX_BATCH:,}"},
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for cards that never expire."),
    )
    distributor = forms.ModelChoiceField(
        label=_("Distributor"), queryset=CardDistributor.objects.none(), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["distributor"].queryset = CardDistributor.objects.visible_to(user).filter(
            owner=acting_owner(user)
        )


class DistributorForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    mobile = forms.CharField(label=_("Mobile"), max_length=20, required=False)
    commission_percent = forms.DecimalField(
        label=_("Commission (%)"),
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        initial=0,
        help_text=_("Earned on the value of each card when it is redeemed."),
    )


class DistributorPaymentForm(StyledForm):
    amount = forms.DecimalField(
        label=_("Amount received"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    note = forms.CharField(label=_("Reference note"), max_length=200, required=False)


class CardRedeemForm(StyledForm):
    customer = forms.CharField(
        label=_("Customer username"),
        max_length=64,
        help_text=_("The PPPoE / hotspot username of the customer the card pays for."),
    )
    pin = forms.CharField(
        label=_("PIN"),
        max_length=40,
        help_text=_("The %(n)s digits under the scratch panel (spaces allowed).")
        % {"n": PIN_DIGITS},
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_customer(self):
        username = self.cleaned_data["customer"].strip()
        customer = (
            Customer.objects.visible_to(self.user)
            .filter(username=username, deleted_at__isnull=True)
            .first()
        )
        if customer is None:
            raise forms.ValidationError(_("No customer of yours has this username."))
        return customer
