"""Report filters: a date range, the books to read, and the payment filters."""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.utils.translation import gettext_lazy as _

from netbill.accounts.models import User
from netbill.billing.choices import BillKind, BillStatus
from netbill.core.choices import RESELLER_ROLES, Role
from netbill.core.scope import visible_owner_ids
from netbill.customers.models import Zone
from netbill.payments.choices import PaymentMethod
from netbill.reports import selectors


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs={"class": "form-control", **(attrs or {})}, format="%Y-%m-%d")


@dataclass
class Filters:
    period: selectors.Period
    books: selectors.Books
    book_value: str = ""
    extra: dict = field(default_factory=dict)


def month_to_date(user) -> selectors.Period:
    today = selectors.tenant_today(user)
    return selectors.Period(today.replace(day=1), today)


class ReportFilterForm(forms.Form):
    """Bound only when the query string names one of its fields, so a bare report URL shows
    the default period (this month) and an explicitly cleared date means "open-ended"."""

    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())
    book = forms.ChoiceField(
        label=_("Books"),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, params, *, user, report):
        bound = any(name in params for name in self.base_fields)
        super().__init__(params if bound else None)
        self.user = user
        self.report = report
        choices = selectors.book_choices(user)
        if report.uses_books and len(choices) > 1:
            self.fields["book"].choices = [("", _("All my books")), *choices]
        else:
            del self.fields["book"]
        if report.as_of_only:
            del self.fields["date_from"]
            self.fields["date_to"].label = _("As of")
        if not bound:
            default = self.default_period()
            self.initial.update({"date_from": default.start, "date_to": default.end})

    def default_period(self) -> selectors.Period:
        if self.report.default_period == "month":
            return month_to_date(self.user)
        if self.report.default_period == "year":
            today = selectors.tenant_today(self.user)
            return selectors.Period(today.replace(month=1, day=1), today)
        if self.report.as_of_only:
            return selectors.Period(None, selectors.tenant_today(self.user))
        return selectors.Period()

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def extra_filters(self, data) -> dict:
        return {}

    def filters(self) -> Filters:
        if not self.is_bound or not self.is_valid():
            data: dict = {}
            period = self.default_period()
        else:
            data = self.cleaned_data
            period = selectors.Period(data.get("date_from"), data.get("date_to"))
        book = data.get("book", "") or ""
        return Filters(
            period=period,
            books=selectors.resolve_books(self.user, book),
            book_value=book,
            extra=self.extra_filters(data),
        )


class PaymentFilterForm(ReportFilterForm):
    customer = forms.CharField(
        label=_("Customer"),
        required=False,
        max_length=120,
        widget=forms.TextInput(
            attrs={"class": "form-control", "placeholder": _("Name, username or mobile")}
        ),
    )
    method = forms.ChoiceField(
        label=_("Method"),
        required=False,
        choices=[("", _("Any method")), *PaymentMethod.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), ("valid", _("Valid")), ("void", _("Void"))],
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def extra_filters(self, data) -> dict:
        return {
            "customer": data.get("customer", ""),
            "method": data.get("method", ""),
            "status": data.get("status", ""),
        }


def owner_choices(user) -> list[tuple[str, str]]:
    """The accounts whose bills ``user`` reads (the bills list's "owner" filter)."""
    owners = visible_owner_ids(user)
    qs = User.objects.filter(tenant_id=user.tenant_id)
    if owners is None:
        qs = qs.filter(role__in=(Role.GROUP_ADMIN, *RESELLER_ROLES))
    else:
        qs = qs.filter(pk__in=owners)
    return [(str(u.pk), u.name) for u in qs.order_by("name", "pk")]


class InvoiceDownloadForm(forms.Form):
    """The bills to download as invoices: the bills list's filters (``billing.selectors.
    bill_list`` reads the same parameters), with scoped choices."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=120,
        widget=forms.TextInput(
            attrs={"class": "form-control", "placeholder": _("Customer or bill number")}
        ),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    owner = forms.ChoiceField(
        label=_("Owner"), required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    zone = forms.ModelChoiceField(
        label=_("Zone"),
        required=False,
        queryset=Zone.objects.none(),
        empty_label=_("Any zone"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    date_from = forms.DateField(label=_("Issued from"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Issued to"), required=False, widget=DateInput())

    def __init__(self, data=None, *, user):
        super().__init__(data)
        self.fields["status"].choices = [
            ("", _("Any status")),
            ("open", _("Open (unpaid or partly paid)")),
            *BillStatus.choices,
        ]
        self.fields["kind"].choices = [("", _("Any kind")), *BillKind.choices]
        self.fields["owner"].choices = [("", _("Any owner")), *owner_choices(user)]
        self.fields["zone"].queryset = Zone.objects.visible_to(user)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


def parse_ids(values) -> list[int]:
    ids = []
    for value in values:
        for part in str(value).split(","):
            part = part.strip()
            if part.isdigit():
                ids.append(int(part))
    return ids
