"""Company settings and the platform administrator's "new ISP" form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from netbill.accounts.forms import PasswordPairMixin, TablerForm
from netbill.tenancy.models import TIMEZONE_CHOICES


class CompanyFieldsForm(TablerForm):
    name = forms.CharField(label=_("Company name"), max_length=120)
    address = forms.CharField(
        label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        min_length=3,
        initial="BDT",
        help_text=_("Three-letter code, e.g. BDT."),
    )
    timezone = forms.ChoiceField(
        label=_("Timezone"), choices=TIMEZONE_CHOICES, initial="Asia/Dhaka"
    )

    def clean_currency(self):
        code = self.cleaned_data["currency"].strip().upper()
        if not code.isalpha():
            raise forms.ValidationError(_("Use a three-letter currency code, e.g. BDT."))
        return code


class CompanySettingsForm(CompanyFieldsForm):
    logo = forms.ImageField(
        label=_("Logo"),
        required=False,
        help_text=_("PNG or JPEG; shown on invoices and the portal."),
    )
    remove_logo = forms.BooleanField(label=_("Remove the current logo"), required=False)
    invoice_footer = forms.CharField(
        label=_("Invoice footer"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    field_order = [
        "name",
        "logo",
        "remove_logo",
        "address",
        "phone",
        "email",
        "currency",
        "timezone",
        "invoice_footer",
    ]

    def settings_data(self) -> dict:
        """What to hand to ``tenant_update_settings`` (the logo only when it changes)."""
        data = {k: v for k, v in self.cleaned_data.items() if k not in {"logo", "remove_logo"}}
        if self.cleaned_data.get("logo"):
            data["logo"] = self.cleaned_data["logo"]
        elif self.cleaned_data.get("remove_logo"):
            data["logo"] = ""
        return data


class TenantCreateForm(PasswordPairMixin, CompanyFieldsForm):
    slug = forms.SlugField(
        label=_("Short name"),
        max_length=60,
        required=False,
        help_text=_("Letters, digits and dashes; made from the name if empty."),
    )
    admin_name = forms.CharField(label=_("Group admin name"), max_length=120)
    admin_email = forms.EmailField(label=_("Group admin email (login)"))
    new_password = forms.CharField(
        label=_("Group admin password"), strip=False, widget=forms.PasswordInput
    )
    new_password2 = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput
    )

    field_order = [
        "name",
        "slug",
        "address",
        "phone",
        "email",
        "currency",
        "timezone",
        "admin_name",
        "admin_email",
        "new_password",
        "new_password2",
    ]
