"""Panel forms for IP pools, PPPoE profiles, their spreadsheet upload, VPN accounts and the
ping test.  They parse fields; the services validate and their errors come back onto them."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from netbill.network.models import IpPool, PoolKind, PppoeProfile, Router
from netbill.network.selectors import pool_choices


def style(form: forms.BaseForm) -> None:
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


class _ServiceModelForm(forms.ModelForm):
    """Labels and field parsing from the model; the service validates the object (its
    instance has no tenant here), so the model validation does not run twice."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)

    def _post_clean(self):
        pass


class PoolForm(_ServiceModelForm):
    class Meta:
        model = IpPool
        fields = ["name", "version", "ranges", "kind", "address_list", "description"]
        widgets = {"ranges": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "ranges": _(
                "CIDR blocks (10.20.0.0/22, 2001:db8::/48), ranges (10.20.4.10-10.20.4.250) or "
                "single addresses, separated by commas or new lines."
            ),
            "address_list": _("Optional: the router's address list for this pool."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        pool = self.instance
        if pool.pk and pool.is_protected:
            for name in ("name", "kind"):
                self.fields[name].disabled = True
            self.fields["name"].help_text = _(
                "The suspended pool is protected: it cannot be renamed or deleted."
            )
        else:
            self.fields["kind"].choices = [
                c for c in PoolKind.choices if c[0] != PoolKind.SUSPENDED
            ]


class ProfileForm(_ServiceModelForm):
    class Meta:
        model = PppoeProfile
        fields = [
            "name",
            "local_address",
            "pool_v4",
            "pool_v6",
            "rate_limit",
            "dns_server",
            "only_one",
            "description",
        ]
        help_texts = {
            "local_address": _("The router's own address in the PPP tunnels, e.g. 10.20.0.1."),
            "dns_server": _("One or two addresses, comma separated."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pool_v4"].queryset = pool_choices(user, version=4)
        self.fields["pool_v6"].queryset = pool_choices(user, version=6)


class ProfileUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("Excel (.xlsx) or CSV; the first row holds the column titles."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


class VpnAccountForm(forms.Form):
    router = forms.ModelChoiceField(
        label=_("Router"),
        queryset=Router.objects.none(),
        help_text=_("A RouterOS 7 router behind NAT, without a VPN account yet."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["router"].queryset = (
            Router.objects.visible_to(user).filter(vpn_account__isnull=True).order_by("name")
        )
        style(self)


class PingForm(forms.Form):
    """Ping a typed address, a customer (by username) or a router."""

    address = forms.GenericIPAddressField(label=_("IP address"), required=False, unpack_ipv4=True)
    customer = forms.CharField(
        label=_("Customer username"),
        max_length=64,
        required=False,
        help_text=_("Its static IP, or the address of its open session."),
    )
    router = forms.ModelChoiceField(
        label=_("Router"), queryset=Router.objects.none(), required=False
    )

    def __init__(self, *args, user, routers: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if routers:
            self.fields["router"].queryset = Router.objects.visible_to(user).order_by("name")
        else:
            del self.fields["router"]
        style(self)

    def clean(self):
        data = super().clean()
        given = [name for name in ("address", "customer", "router") if data.get(name)]
        if len(given) != 1 and not self.errors:
            raise forms.ValidationError(_("Give one address, one customer or one router to ping."))
        return data
