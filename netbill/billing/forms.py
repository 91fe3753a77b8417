"""Panel forms of billing: the bill list filters and the billing run form.  Forms only
parse input; choice lists come from the user's scope."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from netbill.billing.choices import BillKind, BillStatus
from netbill.customers import selectors as customer_selectors

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", css)


class BillFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": _("Customer, username, mobile or bill no."), "type": "search"}
        ),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), ("open", _("Unpaid or partly paid"))]
        + list(BillStatus.choices),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind"))] + list(BillKind.choices)
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=None, required=False, empty_label=_("Any owner")
    )
    zone = forms.ModelChoiceField(
        label=_("Zone"), queryset=None, required=False, empty_label=_("Any zone")
    )
    date_from = forms.DateField(label=_("Issued from"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("Issued to"), required=False, widget=DATE_INPUT)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = customer_selectors.owner_choices(user)
        self.fields["zone"].queryset = customer_selectors.zone_choices(user)
        _style(self)


class RunForm(forms.Form):
    """Billing run for a date: a dry run shows what it would create; "Run now" bills."""

    run_date = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    action = forms.ChoiceField(
        choices=[("dry", _("Dry run")), ("run", _("Run now"))], widget=forms.HiddenInput
    )

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["run_date"].initial = today
        _style(self)

    def clean(self):
        data = super().clean()
        day = data.get("run_date")
        if data.get("action") == "run" and day is not None and day > self.today:
            # A run for a future date would mark the days before it as caught up.
            self.add_error("run_date", _("Bills are made on their date: choose today or earlier."))
        return data
