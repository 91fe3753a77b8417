"""Panel forms for customers, zones and custom fields.

Forms only parse input; the services validate and write.  Every choice list is scoped to
the user (``visible_to``), so a form can never offer another reseller's or tenant's rows.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from netbill.accounts.models import User
from netbill.catalog.models import BillingProfile, VatProfile
from netbill.core import permissions as P
from netbill.core.choices import RESELLER_ROLES, Role
from netbill.customers import selectors
from netbill.customers.choices import CustomerStatus, CustomerType, CustomFieldType
from netbill.customers.models import CustomField

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _style(form: forms.Form) -> None:
    """Tabler classes on every widget."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


def custom_form_field(field: CustomField) -> forms.Field:
    """The form field for one of the tenant's custom fields (named ``cf_<key>``)."""
    common = {"label": field.name, "required": field.mandatory}
    if field.field_type == CustomFieldType.NUMBER:
        return forms.DecimalField(**common)
    if field.field_type == CustomFieldType.DATE:
        return forms.DateField(widget=DATE_INPUT, **common)
    if field.field_type == CustomFieldType.DROPDOWN:
        return forms.ChoiceField(
            choices=[("", "---------")] + [(c, c) for c in field.choices], **common
        )
    return forms.CharField(max_length=500, **common)


class CustomFieldsMixin:
    """Adds one ``cf_<key>`` field per custom field of the tenant."""

    def add_custom_fields(self, user, current: dict | None = None) -> None:
        self.custom_field_defs = list(CustomField.objects.visible_to(user))
        for field in self.custom_field_defs:
            name = f"cf_{field.key}"
            self.fields[name] = custom_form_field(field)
            if current and field.key in current:
                self.initial.setdefault(name, current[field.key])

    def custom_field_values(self) -> dict:
        """The cleaned values keyed by custom field key (empty -> None, i.e. "no value")."""
        values = {}
        for field in self.custom_field_defs:
            value = self.cleaned_data.get(f"cf_{field.key}")
            values[field.key] = None if value in (None, "") else value
        return values


class CustomerForm(CustomFieldsMixin, forms.Form):
    """Create (all fields) or edit (``instance`` given: no type, username, owner, package)."""

    customer_type = forms.ChoiceField(label=_("Customer type"), choices=CustomerType.choices)
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Leave empty to own the customer yourself."),
    )
    name = forms.CharField(label=_("Name"), max_length=120)
    mobile = forms.CharField(label=_("Mobile"), max_length=20)
    email = forms.EmailField(label=_("Email"), required=False)
    address = forms.CharField(
        label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    national_id = forms.CharField(label=_("National ID"), max_length=40, required=False)
    zone = forms.ModelChoiceField(label=_("Zone"), queryset=None, required=False)
    package = forms.ModelChoiceField(label=_("Package"), queryset=None)
    billing_profile = forms.ModelChoiceField(label=_("Billing profile"), queryset=None)
    vat_profile = forms.ModelChoiceField(label=_("VAT profile"), queryset=None, required=False)
    username = forms.CharField(label=_("Username"), max_length=64)
    password = forms.CharField(
        label=_("Password"),
        max_length=64,
        required=False,
        help_text=_("Leave empty to generate one."),
    )
    static_ip = forms.GenericIPAddressField(label=_("Static IP"), required=False)
    mac_address = forms.CharField(label=_("MAC address"), max_length=17, required=False)
    mac_binding = forms.BooleanField(
        label=_("Bind to MAC"),
        required=False,
        help_text=_("Accept logins only from this MAC address."),
    )
    simultaneous_use = forms.IntegerField(
        label=_("Simultaneous sessions"),
        required=False,
        min_value=1,
        max_value=100,
        help_text=_("How many sessions may be online at once (default 1)."),
    )
    custom_price = forms.DecimalField(
        label=_("Custom price"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_("Leave empty to use the package price."),
    )
    suspend_date = forms.DateField(label=_("Suspend date"), required=False, widget=DATE_INPUT)

    def __init__(self, *args, user, instance=None, **kwargs):
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": instance.name,
                    "mobile": instance.mobile,
                    "email": instance.email,
                    "address": instance.address,
                    "national_id": instance.national_id,
                    "zone": instance.zone_id,
                    "billing_profile": instance.billing_profile_id,
                    "vat_profile": instance.vat_profile_id,
                    "static_ip": instance.static_ip,
                    "mac_address": instance.mac_address,
                    "mac_binding": instance.mac_binding,
                    "simultaneous_use": instance.simultaneous_use,
                    "custom_price": instance.custom_price,
                    "suspend_date": instance.suspend_date,
                },
            )
        super().__init__(*args, **kwargs)
        self.user = user
        self.instance = instance
        self.fields["zone"].queryset = selectors.zone_choices(user)
        self.fields["package"].queryset = selectors.package_choices(user).filter(is_active=True)
        self.fields["billing_profile"].queryset = BillingProfile.objects.visible_to(user).filter(
            is_active=True
        )
        self.fields["vat_profile"].queryset = VatProfile.objects.visible_to(user).filter(
            is_active=True
        )
        if instance is None:
            if user.role == Role.GROUP_ADMIN:
                self.fields["owner"].queryset = User.objects.visible_to(user).filter(
                    is_active=True, role__in=(Role.GROUP_ADMIN, *RESELLER_ROLES)
                )
            else:
                del self.fields["owner"]
            del self.fields["suspend_date"]
        else:
            for name in ("customer_type", "owner", "package", "username"):
                del self.fields[name]
            self.fields["password"].help_text = _("Leave empty to keep the current password.")
            if not P.may(user, P.EDIT_SUSPEND_DATE):
                del self.fields["suspend_date"]
        self.add_custom_fields(user, instance.custom_fields if instance is not None else None)
        _style(self)

    def service_data(self) -> dict:
        """Keyword arguments for ``customer_create`` / ``customer_update``."""
        data = {
            name: value for name, value in self.cleaned_data.items() if not name.startswith("cf_")
        }
        if data.get("static_ip") == "":
            data["static_ip"] = None
        if data.get("simultaneous_use") is None:
            data.pop("simultaneous_use", None)
        if self.instance is not None and not data.get("password"):
            data.pop("password", None)
        if "owner" in data and data["owner"] is None:
            data.pop("owner")
        data["custom_fields"] = self.custom_field_values()
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (s, s.label)
            for s in (CustomerStatus.ACTIVE, CustomerStatus.SUSPENDED, CustomerStatus.DISABLED)
        ]
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class ChangePackageForm(forms.Form):
    package = forms.ModelChoiceField(label=_("New package"), queryset=None)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args, user, customer, **kwargs):
        super().__init__(*args, **kwargs)
        packages = selectors.package_choices(user).filter(is_active=True)
        if customer.owner.role in RESELLER_ROLES:
            # Offer only what the owning reseller may sell (the service refuses the rest).
            packages = packages.filter(
                operator_packages__operator=customer.owner, operator_packages__is_active=True
            )
        self.fields["package"].queryset = packages.exclude(pk=customer.package_id).distinct()
        _style(self)


class DeleteCustomerForm(forms.Form):
    password = forms.CharField(label=_("Your password"), widget=forms.PasswordInput)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class CustomerFilterForm(forms.Form):
    """The list / bulk filters; choice lists come from the user's scope."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": _("Name, mobile, username or IP"), "type": "search"}
        ),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status"))] + list(CustomerStatus.choices),
    )
    zone = forms.ModelChoiceField(
        label=_("Zone"), queryset=None, required=False, empty_label=_("Any zone")
    )
    package = forms.ModelChoiceField(
        label=_("Package"), queryset=None, required=False, empty_label=_("Any package")
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=None, required=False, empty_label=_("Any owner")
    )
    customer_type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("Any type"))] + list(CustomerType.choices)
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = selectors.zone_choices(user)
        self.fields["package"].queryset = selectors.package_choices(user)
        self.fields["owner"].queryset = selectors.owner_choices(user)
        _style(self)


BULK_ACTION_CHOICES = [
    ("package", _("Change package")),
    ("billing_profile", _("Change billing profile")),
    ("status", _("Change status")),
    ("zone", _("Change zone")),
    ("custom_fields", _("Set a custom field")),
]


class BulkActionForm(forms.Form):
    """What to change on the selection; only the value field of the chosen action is used."""

    action = forms.ChoiceField(label=_("Action"), choices=BULK_ACTION_CHOICES)
    package = forms.ModelChoiceField(label=_("New package"), queryset=None, required=False)
    billing_profile = forms.ModelChoiceField(
        label=_("New billing profile"), queryset=None, required=False
    )
    status = forms.ChoiceField(
        label=_("New status"),
        required=False,
        choices=[("", "---------")] + list(StatusForm.base_fields["status"].choices),
    )
    zone = forms.ModelChoiceField(
        label=_("New zone"),
        queryset=None,
        required=False,
        help_text=_("Leave empty to remove the zone."),
    )
    custom_field = forms.ModelChoiceField(label=_("Custom field"), queryset=None, required=False)
    custom_value = forms.CharField(
        label=_("Custom field value"),
        max_length=500,
        required=False,
        help_text=_("Dates as YYYY-MM-DD; empty clears the value."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    REQUIRED_VALUE = {
        "package": "package",
        "billing_profile": "billing_profile",
        "status": "status",
        "custom_fields": "custom_field",
    }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["package"].queryset = selectors.package_choices(user).filter(is_active=True)
        self.fields["billing_profile"].queryset = BillingProfile.objects.visible_to(user).filter(
            is_active=True
        )
        self.fields["zone"].queryset = selectors.zone_choices(user)
        self.fields["custom_field"].queryset = CustomField.objects.visible_to(user)
        _style(self)

    def clean(self):
        data = super().clean()
        needed = self.REQUIRED_VALUE.get(data.get("action"))
        if needed and not data.get(needed):
            self.add_error(needed, _("Choose the new value for this action."))
        return data

    def value(self):
        """The ``value`` argument of ``customer_bulk_update`` for the chosen action."""
        action = self.cleaned_data["action"]
        if action == "custom_fields":
            raw = self.cleaned_data.get("custom_value", "")
            return {self.cleaned_data["custom_field"].key: raw if raw != "" else None}
        return self.cleaned_data.get(action)


class ZoneForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class CustomFieldForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    key = forms.SlugField(
        label=_("Key"),
        max_length=40,
        help_text=_(
            "Letters, digits, dashes; used in the API and imports. It cannot change later."
        ),
    )
    field_type = forms.ChoiceField(label=_("Type"), choices=CustomFieldType.choices)
    choices = forms.CharField(
        label=_("Dropdown choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One choice per line (dropdown fields only)."),
    )
    mandatory = forms.BooleanField(label=_("Mandatory"), required=False)
    position = forms.IntegerField(label=_("Position"), min_value=0, initial=0)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["key"]
        _style(self)

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["choices"] = [
            line.strip() for line in data.get("choices", "").splitlines() if line.strip()
        ]
        return data
