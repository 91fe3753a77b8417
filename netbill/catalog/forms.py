"""Catalog panel forms.  They parse and range-check each field; the services validate the
whole object (``full_clean()``, unique names, FUP speeds) and their errors come back onto
these forms."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from netbill.accounts.models import User
from netbill.catalog.models import MONEY, BillingProfile, MasterPackage, VatProfile
from netbill.core.choices import RESELLER_ROLES, Role


def _style(form: forms.BaseForm) -> None:
    """Tabler classes on every widget."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs.setdefault("class", css)


_RANGE = (MinValueValidator, MaxValueValidator)


def _model_ranges(form: forms.ModelForm) -> None:
    """Give each form field the model field's min/max (``validity_days`` >= 1, ``due_day``
    1–31, …) so that range errors show together with the other field errors."""
    for name, field in form.fields.items():
        try:
            model_field = form._meta.model._meta.get_field(name)
        except FieldDoesNotExist:  # a form-only field
            continue
        ranges = [v for v in getattr(model_field, "validators", []) if isinstance(v, _RANGE)]
        if not ranges:
            continue
        field.validators = [v for v in field.validators if not isinstance(v, _RANGE)] + ranges
        for v in ranges:
            field.widget.attrs["min" if isinstance(v, MinValueValidator) else "max"] = v.limit_value


class ServiceModelForm(forms.ModelForm):
    """A ModelForm for labels, help texts and field checks — the model itself is validated by
    the service (``full_clean()``, tenant-wide unique names, FUP speeds), whose errors the
    view puts back on the form.  The form's instance has no tenant, so running the model
    validation here too would check less and word the same errors differently."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _model_ranges(self)
        _style(self)

    def _post_clean(self):
        pass


class MasterPackageForm(ServiceModelForm):
    class Meta:
        model = MasterPackage
        fields = [
            "name",
            "download_kbps",
            "upload_kbps",
            "price",
            "validity_days",
            "fup_limit_gb",
            "fup_download_kbps",
            "fup_upload_kbps",
            "fup_pool",
            "pppoe_profile",
            "is_active",
        ]
        help_texts = {
            "download_kbps": _("1 Mbps = 1024 kbps."),
            "fup_limit_gb": _("Leave empty for no Fair Usage Policy."),
            "fup_download_kbps": _("The speed after the FUP limit is reached."),
            "pppoe_profile": _("Its IPv4 / IPv6 pools are given to the package's customers."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from netbill.network.models import PppoeProfile
        from netbill.network.selectors import pool_choices

        self.fields["pppoe_profile"].queryset = PppoeProfile.objects.visible_to(user).order_by(
            "name"
        )
        self.fields["fup_pool"].queryset = pool_choices(user, version=4)


def reseller_choices(user):
    """The reseller accounts (operators and sub-operators) ``user`` may assign to."""
    return (
        User.objects.visible_to(user)
        .filter(role__in=RESELLER_ROLES)
        .select_related("parent")
        .order_by("name", "pk")
    )


class ResellerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        if obj.role == Role.SUB_OPERATOR and obj.parent is not None:
            return _("%(name)s (sub-operator of %(parent)s)") % {
                "name": obj.name,
                "parent": obj.parent.name,
            }
        return f"{obj.name} ({obj.get_role_display()})"


class ResellerMultipleChoiceField(forms.ModelMultipleChoiceField):
    label_from_instance = ResellerChoiceField.label_from_instance


class BillingProfileForm(ServiceModelForm):
    resellers = ResellerMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        label=_("Assigned resellers"),
        help_text=_("Operators and sub-operators who may put customers on this profile."),
    )

    class Meta:
        model = BillingProfile
        fields = [
            "name",
            "billing_type",
            "due_day",
            "grace_days",
            "auto_billing",
            "auto_suspend",
            "is_active",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resellers"].queryset = reseller_choices(user)
        self.fields["resellers"].widget.attrs["size"] = 8
        if self.instance.pk:
            self.initial["resellers"] = list(self.instance.resellers.values_list("pk", flat=True))


class VatProfileForm(ServiceModelForm):
    class Meta:
        model = VatProfile
        fields = ["name", "rate", "is_active"]


def _money_field(label, required=True, help_text=""):
    return forms.DecimalField(
        label=label, min_value=Decimal("0"), required=required, help_text=help_text, **MONEY
    )


class AssignPackageForm(forms.Form):
    """The group admin assigns a master package to a reseller (or updates its prices)."""

    operator = ResellerChoiceField(queryset=User.objects.none(), label=_("Reseller"))
    reseller_price = _money_field(
        _("Reseller price"), help_text=_("What the reseller pays you per customer.")
    )
    customer_price = _money_field(
        _("Customer price"), required=False, help_text=_("Empty: the package price.")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operator"].queryset = reseller_choices(user)
        _style(self)


class PassOnPackageForm(forms.Form):
    """An operator passes one of its own packages on to one of its sub-operators."""

    operator = ResellerChoiceField(queryset=User.objects.none(), label=_("Sub-operator"))
    master_package = forms.ModelChoiceField(
        queryset=MasterPackage.objects.none(), label=_("Package")
    )
    reseller_price = _money_field(
        _("Sub-operator price"), help_text=_("What the sub-operator pays you per customer.")
    )
    customer_price = _money_field(
        _("Customer price"), required=False, help_text=_("Empty: the package price.")
    )

    def __init__(self, *args, user, reseller, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operator"].queryset = reseller_choices(user).filter(
            role=Role.SUB_OPERATOR, parent=reseller
        )
        self.fields["master_package"].queryset = MasterPackage.objects.visible_to(user).filter(
            operator_packages__operator=reseller, operator_packages__is_active=True
        )
        _style(self)


class CustomerPriceForm(forms.Form):
    customer_price = _money_field(_("Customer price"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)
