"""Panel forms for login, profile, security and staff accounts.  They only parse input:
every rule (who may create whom, which keys) is checked again by the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from netbill.accounts.models import User
from netbill.core.choices import RESELLER_ROLES, AccountType, Role
from netbill.core.permissions import (
    CREATABLE_ROLES,
    GRANTABLE,
    KEY_LABELS,
    ROLE_DEFAULTS,
    SECTIONS,
    effective_keys,
)

# Roles whose keys are chosen one by one when the account is created.
KEYED_ROLES = (Role.MANAGER, Role.NOC)


class TablerForm(forms.Form):
    """Adds the UI kit's classes to every widget."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def style_widgets(self) -> None:
        """Call again after adding fields in ``__init__``."""
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)


def _password(label):
    return forms.CharField(label=label, strip=False, widget=forms.PasswordInput(render_value=False))


class LoginForm(TablerForm):
    email = forms.CharField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(TablerForm):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "one-time-code", "inputmode": "text"}
        ),
    )


class TotpCodeForm(TablerForm):
    code = forms.CharField(
        label=_("Code"),
        max_length=10,
        help_text=_("The 6-digit code your authenticator app shows now."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class ProfileForm(TablerForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    email = forms.EmailField(label=_("Email"))
    mobile = forms.CharField(label=_("Mobile"), max_length=20, required=False)


class PasswordPairMixin:
    """Two password boxes that must match (``new_password`` / ``new_password2``)."""

    def clean(self):
        data = super().clean()
        one, two = data.get("new_password"), data.get("new_password2")
        if one and two and one != two:
            self.add_error("new_password2", _("The two passwords do not match."))
        return data


class PasswordChangeForm(PasswordPairMixin, TablerForm):
    old_password = _password(_("Current password"))
    new_password = _password(_("New password"))
    new_password2 = _password(_("New password again"))


class PasswordConfirmForm(TablerForm):
    password = _password(_("Your password"))


class ApiTokenForm(TablerForm):
    name = forms.CharField(
        label=_("Token name"), max_length=80, help_text=_("What uses it, e.g. “accounting export”.")
    )


class StaffCreateForm(PasswordPairMixin, TablerForm):
    """A new staff account.  ``role`` (from the request) decides which extra fields show:
    the parent, the reseller money settings."""

    role = forms.ChoiceField(label=_("Role"))
    name = forms.CharField(label=_("Name"), max_length=120)
    email = forms.EmailField(label=_("Email (login)"))
    mobile = forms.CharField(label=_("Mobile"), max_length=20, required=False)
    new_password = _password(_("Password"))
    new_password2 = _password(_("Password again"))

    def __init__(self, *args, actor: User, role: str | None, **kwargs):
        super().__init__(*args, **kwargs)
        creatable = CREATABLE_ROLES.get(actor.role, ())
        self.fields["role"].choices = [(r, Role(r).label) for r in creatable]
        if role in creatable:
            self.fields["role"].initial = role
        self.role = role if role in creatable else None
        visible = User.objects.visible_to(actor).filter(is_active=True).exclude(pk=actor.pk)
        if self.role == Role.SUB_OPERATOR and actor.role == Role.GROUP_ADMIN:
            self.fields["parent"] = forms.ModelChoiceField(
                label=_("Operator"),
                queryset=visible.filter(role=Role.OPERATOR),
                help_text=_("A sub-operator works under an operator."),
            )
        elif self.role == Role.MANAGER:
            resellers = visible.filter(role__in=RESELLER_ROLES)
            if resellers.exists():
                self.fields["parent"] = forms.ModelChoiceField(
                    label=_("Works for"),
                    queryset=resellers,
                    required=False,
                    empty_label=_("Me (%(name)s)") % {"name": actor.name},
                    help_text=_("The manager sees and serves this account's customers."),
                )
        if self.role in RESELLER_ROLES:
            self.fields["company_name"] = forms.CharField(
                label=_("Company / area name"), max_length=120, required=False
            )
            self.fields["account_type"] = forms.ChoiceField(
                label=_("Account type"), choices=AccountType.choices, initial=AccountType.PREPAID
            )
            self.fields["credit_limit"] = forms.DecimalField(
                label=_("Credit limit"),
                max_digits=14,
                decimal_places=2,
                min_value=0,
                initial="0.00",
                help_text=_("For postpaid accounts: how much may be owed."),
            )
        self.style_widgets()


def key_choices(role: str) -> list[tuple[str, str]]:
    """The keys grantable to ``role``, in the order of :data:`KEY_LABELS`."""
    grantable = GRANTABLE.get(role, frozenset())
    return [(key, label) for key, label in KEY_LABELS.items() if key in grantable]


def grantable_by(actor: User, role: str) -> frozenset[str]:
    """Keys ``actor`` may add to an account of ``role`` (only keys it holds itself)."""
    keys = GRANTABLE.get(role, frozenset())
    return keys if actor.role == Role.GROUP_ADMIN else keys & effective_keys(actor)


class KeysForm(forms.Form):
    """Permission-key checkboxes for an account of ``role``.  A key the actor does not hold
    is shown disabled unless the account already has it (then it can still be revoked)."""

    keys = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, actor: User, role: str, current: set[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.role = role
        self.allowed = grantable_by(actor, role)
        if current is None:
            # A new account: nothing held yet; the role's defaults the actor may give are
            # pre-checked.
            self.current: set[str] = set()
            self.initially_checked = set(ROLE_DEFAULTS.get(role, ())) & self.allowed
        else:
            self.current = set(current)
            self.initially_checked = self.current
        self.fields["keys"].choices = key_choices(role)

    def rows(self) -> list[dict]:
        """One row per key for the template: label, checked, disabled."""
        if self.is_bound:
            checked = set(self.data.getlist("keys")) if hasattr(self.data, "getlist") else set()
        else:
            checked = self.initially_checked
        rows = []
        for key, label in key_choices(self.role):
            rows.append(
                {
                    "key": key,
                    "label": label,
                    "checked": key in checked,
                    "disabled": key not in self.allowed and key not in self.current,
                }
            )
        return rows


class StaffEditForm(TablerForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    email = forms.EmailField(label=_("Email (login)"))
    mobile = forms.CharField(label=_("Mobile"), max_length=20, required=False)
    is_active = forms.BooleanField(label=_("Active (may log in)"), required=False)

    def __init__(self, *args, target: User, **kwargs):
        super().__init__(*args, **kwargs)
        if target.role in RESELLER_ROLES:
            self.fields["company_name"] = forms.CharField(
                label=_("Company / area name"), max_length=120, required=False
            )
            self.fields["account_type"] = forms.ChoiceField(
                label=_("Account type"), choices=AccountType.choices
            )
            self.fields["credit_limit"] = forms.DecimalField(
                label=_("Credit limit"), max_digits=14, decimal_places=2, min_value=0
            )
            self.style_widgets()


class SectionsForm(forms.Form):
    """Panel sections switched on (checked) for a reseller; the rest are switched off."""

    enabled = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(k, v[0]) for k, v in SECTIONS.items()],
    )

    def disabled_sections(self) -> list[str]:
        return sorted(set(SECTIONS) - set(self.cleaned_data["enabled"]))


class StaffPasswordForm(PasswordPairMixin, TablerForm):
    new_password = _password(_("New password"))
    new_password2 = _password(_("New password again"))


class SalesNoteForm(TablerForm):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))
