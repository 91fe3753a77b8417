"""Panel forms of the network app (routers; the import mapping)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from netbill.catalog.models import BillingProfile
from netbill.customers import selectors as customer_selectors
from netbill.customers.choices import CustomerType
from netbill.network.routers import mask_secret


def _style(form: forms.BaseForm) -> None:
    """Tabler classes on every widget."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


class RouterForm(forms.Form):
    """Add (no ``instance``) or edit a router.  Secrets are never rendered back: a blank
    password or secret on edit keeps the stored one."""

    name = forms.CharField(label=_("Name"), max_length=80)
    host = forms.CharField(
        label=_("IP address"),
        max_length=255,
        help_text=_("The router's public IP, or its VPN address when it sits behind NAT."),
    )
    api_port = forms.IntegerField(
        label=_("API port"),
        min_value=1,
        max_value=65535,
        initial=8728,
        help_text=_("8728 for the API, 8729 for api-ssl (TLS)."),
    )
    api_tls = forms.BooleanField(label=_("API over TLS (api-ssl)"), required=False)
    api_username = forms.CharField(label=_("API user"), max_length=80)
    api_password = forms.CharField(
        label=_("API password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    radius_secret = forms.CharField(
        label=_("RADIUS secret"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("The same secret goes into the router's /radius entry for netbill."),
    )
    coa_port = forms.IntegerField(
        label=_("CoA port"),
        min_value=1,
        max_value=65535,
        initial=3799,
        help_text=_("Where the router listens for Disconnect/CoA (/radius incoming)."),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, instance=None, **kwargs):
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": instance.name,
                    "host": instance.host,
                    "api_port": instance.api_port,
                    "api_tls": instance.api_tls,
                    "api_username": instance.api_username,
                    "coa_port": instance.coa_port,
                    "description": instance.description,
                    "is_active": instance.is_active,
                },
            )
        super().__init__(*args, **kwargs)
        self.instance = instance
        if instance is None:
            self.fields["api_password"].required = True
            self.fields["radius_secret"].required = True
        else:
            keep = _("Leave blank to keep the stored one (%(masked)s).")
            self.fields["api_password"].help_text = keep % {
                "masked": mask_secret(instance.api_password)
            }
            self.fields["radius_secret"].help_text = keep % {
                "masked": mask_secret(instance.radius_secret)
            }
        _style(self)

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        if self.instance is not None:
            for name in ("api_password", "radius_secret"):
                if not data.get(name):
                    data.pop(name, None)
        return data


IMPORT_TYPES = [
    (CustomerType.PPPOE_MONTHLY, CustomerType.PPPOE_MONTHLY.label),
    (CustomerType.PPPOE_DAILY, CustomerType.PPPOE_DAILY.label),
    (CustomerType.STATIC_MONTHLY, CustomerType.STATIC_MONTHLY.label),
]
MAP_PREFIX = "map:"


class ImportForm(forms.Form):
    """Profile → package mapping and the new customers' billing profile, owner and type.

    One ``map:<PPP profile>`` field per profile found on the router; empty = do not import
    that profile's secrets.
    """

    customer_type = forms.ChoiceField(
        label=_("Customer type"), choices=IMPORT_TYPES, initial=CustomerType.PPPOE_MONTHLY
    )
    billing_profile = forms.ModelChoiceField(label=_("Billing profile"), queryset=None)
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=None,
        required=False,
        help_text=_("Leave empty to own the customers yourself."),
    )
    zone = forms.ModelChoiceField(label=_("Zone"), queryset=None, required=False)
    default_mobile = forms.CharField(
        label=_("Mobile when the comment has none"),
        max_length=20,
        required=False,
        help_text=_(
            "The mobile number is read from the secret's comment; secrets without one get "
            "this number (or are reported, when it is empty)."
        ),
    )

    def __init__(self, *args, user, profiles, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.profiles = list(profiles)
        packages = customer_selectors.package_choices(user).filter(is_active=True)
        self.fields["billing_profile"].queryset = BillingProfile.objects.visible_to(user).filter(
            is_active=True
        )
        self.fields["owner"].queryset = customer_selectors.owner_choices(user)
        self.fields["zone"].queryset = customer_selectors.zone_choices(user)
        for profile in self.profiles:
            self.fields[MAP_PREFIX + profile] = forms.ModelChoiceField(
                label=profile,
                queryset=packages,
                required=False,
                empty_label=_("— do not import —"),
            )
        _style(self)

    @property
    def map_fields(self):
        return [self[MAP_PREFIX + p] for p in self.profiles]

    @property
    def option_fields(self):
        return [self[n] for n in ("customer_type", "billing_profile", "owner", "zone")] + [
            self["default_mobile"]
        ]

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "package_map": {p: data.get(MAP_PREFIX + p) for p in self.profiles},
            "billing_profile": data.get("billing_profile"),
            "customer_type": data["customer_type"],
            "owner": data.get("owner"),
            "zone": data.get("zone"),
            "default_mobile": (data.get("default_mobile") or "").strip(),
        }
