"""Panel views for login (with 2FA), profile, security, the auth log, staff accounts and
Get Access.  Thin: parse the form, call the service, show the result."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from netbill.accounts import security, services
from netbill.accounts.forms import (
    KEYED_ROLES,
    ApiTokenForm,
    CodeForm,
    KeysForm,
    LoginForm,
    PasswordChangeForm,
    PasswordConfirmForm,
    ProfileForm,
    SalesNoteForm,
    SectionsForm,
    StaffCreateForm,
    StaffEditForm,
    StaffPasswordForm,
    TotpCodeForm,
)
from netbill.accounts.middleware import SESSION_KEY as GET_ACCESS_SESSION_KEY
from netbill.accounts.models import ApiToken, AuthLog, SalesNote, User
from netbill.core import permissions as P
from netbill.core.choices import RESELLER_ROLES, Role
from netbill.core.http import client_ip, user_agent
from netbill.core.menu import build_menu
from netbill.core.scope import get_visible_or_404
from netbill.core.views import PanelMixin, ScopedListView, apply_validation_error

PENDING_USER = "netbill_2fa_user_id"
PENDING_AT = "netbill_2fa_started_at"
PENDING_NEXT = "netbill_2fa_next"
# How long the password step stays valid while the second factor is asked for.
PENDING_SECONDS = 300


# --- helpers ------------------------------------------------------------------------


def client_meta(request) -> tuple[str | None, str]:
    """The client's address and user agent for the auth log (see :mod:`netbill.core.http`).
    A forged proxy header that is not an address is dropped rather than stored."""
    ip = client_ip(request)
    try:
        ip = str(ipaddress.ip_address(ip)) if ip else None
    except ValueError:
        ip = None
    return ip, user_agent(request)


def landing_url(user) -> str:
    """Where a user lands after login: the platform pages, the dashboard, or the first
    page its keys open."""
    if user.tenant_id is None:
        return (
            reverse("tenancy:platform") if user.is_platform_admin else reverse("accounts:profile")
        )
    if P.may(user, P.DASHBOARD):
        return reverse(settings.LOGIN_REDIRECT_URL)
    menu = build_menu(user)
    return menu[0]["url"] if menu else reverse("accounts:profile")


def safe_next(request, url: str | None) -> str | None:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


def impersonating(request) -> bool:
    return getattr(request, "real_user", None) is not None


def _clear_pending(request) -> None:
    for key in (PENDING_USER, PENDING_AT, PENDING_NEXT):
        request.session.pop(key, None)


# --- login / logout -----------------------------------------------------------------


class LoginView(View):
    """Email + password; accounts with 2FA continue to :class:`LoginSecondFactorView`."""

    template_name = "accounts/login.html"

    def get(self, request):
        if request.user.is_authenticated:
            return redirect(
                safe_next(request, request.GET.get("next")) or landing_url(request.user)
            )
        return self._render(request, LoginForm())

    def _render(self, request, form, status=200):
        return render(
            request,
            self.template_name,
            {"form": form, "next": safe_next(request, request.GET.get("next")) or ""},
            status=status,
        )

    def post(self, request):
        form = LoginForm(request.POST)
        next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
        if not form.is_valid():
            return self._render(request, form)
        ip, agent = client_meta(request)
        try:
            user = security.login_check_password(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                ip=ip,
                user_agent=agent,
            )
        except security.LoginRefused as exc:
            form.add_error(None, exc.message)
            return self._render(request, form)
        if user.totp_enabled:
            # Not logged in yet: only the pending account is remembered, in a fresh session.
            request.session.cycle_key()
            request.session[PENDING_USER] = user.pk
            request.session[PENDING_AT] = int(timezone.now().timestamp())
            request.session[PENDING_NEXT] = next_url or ""
            return redirect("accounts:login_2fa")
        auth_login(request, user)
        security.login_succeeded(user=user, ip=ip, user_agent=agent)
        return redirect(next_url or landing_url(user))


class LoginSecondFactorView(View):
    template_name = "accounts/login_2fa.html"

    def _pending_user(self, request) -> User | None:
        user_id = request.session.get(PENDING_USER)
        started = request.session.get(PENDING_AT) or 0
        if not user_id or timezone.now().timestamp() - started > PENDING_SECONDS:
            _clear_pending(request)
            return None
        return (
            User.objects.select_related("tenant")
            .filter(pk=user_id, is_active=True, totp_enabled=True)
            .first()
        )

    def get(self, request):
        if self._pending_user(request) is None:
            messages.info(request, _("Please log in again."))
            return redirect("accounts:login")
        return render(request, self.template_name, {"form": CodeForm()})

    def post(self, request):
        user = self._pending_user(request)
        if user is None:
            messages.info(request, _("Please log in again."))
            return redirect("accounts:login")
        form = CodeForm(request.POST)
        if form.is_valid():
            ip, agent = client_meta(request)
            try:
                ok = security.second_factor_verify(
                    user=user, code=form.cleaned_data["code"], ip=ip, user_agent=agent
                )
            except security.LoginRefused as exc:
                _clear_pending(request)
                messages.error(request, exc.message)
                return redirect("accounts:login")
            if ok:
                next_url = safe_next(request, request.session.get(PENDING_NEXT))
                _clear_pending(request)
                auth_login(request, user)
                security.login_succeeded(user=user, ip=ip, user_agent=agent)
                return redirect(next_url or landing_url(user))
            form.add_error("code", _("That code is not valid."))
        return render(request, self.template_name, {"form": form})


class LogoutView(View):
    http_method_names = ["post"]

    def post(self, request):
        real = getattr(request, "real_user", None) or request.user
        if real.is_authenticated:
            ip, agent = client_meta(request)
            security.auth_log(
                user=real, email=real.email, event="logout", success=True, ip=ip, user_agent=agent
            )
            request.user = real
        auth_logout(request)
        messages.info(request, _("You are logged out."))
        return redirect("accounts:login")


# --- own profile and security -------------------------------------------------------


class OwnAccountMixin(PanelMixin):
    """Pages about the user's own account; platform administrators have them too."""

    platform_view = True

    def refuse_during_get_access(self, request):
        if impersonating(request):
            messages.error(
                request,
                _("Not available during Get Access: this changes how the operator logs in."),
            )
            return redirect("accounts:security")
        return None


class ProfileView(OwnAccountMixin, View):
    template_name = "accounts/profile.html"

    def get(self, request):
        user = request.user
        form = ProfileForm(initial={"name": user.name, "email": user.email, "mobile": user.mobile})
        return self.render(request, form, PasswordChangeForm())

    def render(self, request, form, password_form, status=200):
        return render(
            request,
            self.template_name,
            {"form": form, "password_form": password_form, "page_title": _("Profile")},
            status=status,
        )

    def post(self, request):
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                services.profile_update(user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Your profile is saved."))
                return redirect("accounts:profile")
        return self.render(request, form, PasswordChangeForm())


class PasswordChangeView(OwnAccountMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        refused = self.refuse_during_get_access(request)
        if refused:
            return refused
        user = request.user
        form = PasswordChangeForm(request.POST)
        if form.is_valid():
            try:
                services.password_change(
                    user=user,
                    old_password=form.cleaned_data["old_password"],
                    new_password=form.cleaned_data["new_password"],
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                update_session_auth_hash(request, user)
                messages.success(request, _("Your password is changed."))
                return redirect("accounts:profile")
        profile_form = ProfileForm(
            initial={"name": user.name, "email": user.email, "mobile": user.mobile}
        )
        return ProfileView().render(request, profile_form, form)


class SecurityView(OwnAccountMixin, View):
    """Two-factor status, enrolment, recovery codes and personal API tokens."""

    template_name = "accounts/security.html"

    def get(self, request):
        return self.render(request)

    def render(self, request, **extra):
        user = request.user
        ctx = {
            "page_title": _("Security"),
            "totp_enabled": user.totp_enabled,
            "recovery_left": security.recovery_codes_left(user) if user.totp_enabled else 0,
            "tokens": ApiToken.objects.filter(user=user),
            "token_form": extra.pop("token_form", None) or ApiTokenForm(),
            "confirm_form": extra.pop("confirm_form", None) or TotpCodeForm(),
            "disable_form": extra.pop("disable_form", None) or PasswordConfirmForm(),
            "recovery_form": extra.pop("recovery_form", None) or PasswordConfirmForm(),
            "impersonating": impersonating(request),
        }
        secret = None if user.totp_enabled else security.totp_secret(user)
        if secret:
            svg = security.totp_qr_svg(security.totp_provisioning_uri(user, secret))
            ctx["enrol_secret"] = secret
            ctx["enrol_qr"] = mark_safe(svg[svg.find("<svg") :])  # noqa: S308 - our own SVG
        ctx.update(extra)
        return render(request, self.template_name, ctx)


class SecurityActionView(OwnAccountMixin, View):
    """Base for the POST-only actions of the security page."""

    http_method_names = ["post"]

    def post(self, request, **kwargs):
        refused = self.refuse_during_get_access(request)
        if refused:
            return refused
        return self.act(request, **kwargs)

    def act(self, request, **kwargs):
        raise NotImplementedError


class TotpEnrolView(SecurityActionView):
    def act(self, request):
        try:
            security.totp_begin_enrol(user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("accounts:security")


class TotpConfirmView(SecurityActionView):
    def act(self, request):
        form = TotpCodeForm(request.POST)
        if form.is_valid():
            try:
                codes = security.totp_confirm(user=request.user, code=form.cleaned_data["code"])
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Two-factor authentication is on."))
                return SecurityView().render(request, recovery_codes=codes)
        return SecurityView().render(request, confirm_form=form)


class TotpDisableView(SecurityActionView):
    def act(self, request):
        form = PasswordConfirmForm(request.POST)
        if form.is_valid():
            try:
                security.totp_disable(user=request.user, password=form.cleaned_data["password"])
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Two-factor authentication is off."))
                return redirect("accounts:security")
        return SecurityView().render(request, disable_form=form)


class RecoveryCodesView(SecurityActionView):
    def act(self, request):
        form = PasswordConfirmForm(request.POST)
        if form.is_valid():
            try:
                codes = security.recovery_codes_regenerate(
                    user=request.user, password=form.cleaned_data["password"]
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("New recovery codes: the old ones no longer work."))
                return SecurityView().render(request, recovery_codes=codes)
        return SecurityView().render(request, recovery_form=form)


class ApiTokenCreateView(SecurityActionView):
    def act(self, request):
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            try:
                token, key = services.api_token_create(
                    user=request.user, name=form.cleaned_data["name"]
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                return SecurityView().render(request, new_token=token, new_key=key)
        return SecurityView().render(request, token_form=form)


class ApiTokenRevokeView(SecurityActionView):
    def act(self, request, pk):
        token = get_object_or_404(ApiToken, pk=pk, user=request.user, revoked_at__isnull=True)
        services.api_token_revoke(user=request.user, token=token)
        messages.success(request, _("The token is revoked."))
        return redirect("accounts:security")


# --- auth log -----------------------------------------------------------------------


class AuthLogView(ScopedListView):
    model = AuthLog
    permission_key = P.VIEW_AUTH_LOG
    template_name = "accounts/auth_log.html"

    def get_queryset(self):
        qs = super().get_queryset().select_related("user")
        result = self.request.GET.get("result", "")
        if result == "success":
            qs = qs.filter(success=True)
        elif result == "failed":
            qs = qs.filter(success=False)
        event = self.request.GET.get("event", "").strip()
        if event:
            qs = qs.filter(event=event)
        q = self.request.GET.get("q", "").strip()
        if q:
            # An address-looking search also matches the IP column ("203.0.113." finds a range).
            match = Q(email__icontains=q)
            if _looks_like_ip(q):
                match |= Q(ip__startswith=q)
            qs = qs.filter(match)
        return qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["events"] = ["login", "2fa", "lockout", "logout", "get_access", "get_access_end"]
        return ctx


def _looks_like_ip(text: str) -> bool:
    return all(c in "0123456789abcdefABCDEF.:" for c in text)


# --- staff accounts -----------------------------------------------------------------


def _may_see_staff(user) -> bool:
    return P.may(user, P.MANAGE_STAFF) or P.may(user, P.VIEW_OPERATORS)


class StaffMixin(PanelMixin):
    """Staff pages: ``manage-staff`` (or, read-only, ``view-operators``); the account named
    in the URL must be inside the user's scope (404 otherwise)."""

    def dispatch(self, request, *args, **kwargs):
        if (
            request.user.is_authenticated
            and request.user.tenant_id
            and not _may_see_staff(request.user)
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def target(self, pk) -> User:
        return get_visible_or_404(
            User.objects.select_related("parent", "tenant"), self.request.user, pk=pk
        )

    def managed_target(self, pk) -> User:
        """An account the user may change (its parent, or the group admin): 403 otherwise."""
        target = self.target(pk)
        if not services.staff_manages(self.request.user, target):
            raise PermissionDenied(_("Only the account's parent or the group admin may change it."))
        return target


class StaffListView(StaffMixin, ListView):
    model = User
    template_name = "accounts/staff_list.html"
    paginate_by = 50

    def get_queryset(self):
        user = self.request.user
        qs = (
            User.objects.visible_to(user)
            .exclude(pk=user.pk)
            .select_related("parent")
            .order_by("role", "name", "id")
        )
        role = self.request.GET.get("role", "")
        if role in Role.values:
            qs = qs.filter(role=role)
        q = self.request.GET.get("q", "").strip()
        if q:
            qs = qs.filter(
                Q(name__icontains=q)
                | Q(email__icontains=q)
                | Q(mobile__icontains=q)
                | Q(company_name__icontains=q)
            )
        return qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        can_manage = P.may(user, P.MANAGE_STAFF)
        ctx["can_manage"] = can_manage
        ctx["creatable"] = (
            [(r, Role(r).label) for r in P.CREATABLE_ROLES.get(user.role, ())] if can_manage else []
        )
        ctx["roles"] = Role.choices
        ctx["page_title"] = _("Staff accounts") if can_manage else _("Operators")
        return ctx


class StaffCreateView(StaffMixin, View):
    permission_key = P.MANAGE_STAFF
    template_name = "accounts/staff_form.html"

    def _role(self, request) -> str | None:
        return request.POST.get("role") or request.GET.get("role") or None

    def _forms(self, request, data=None):
        role = self._role(request)
        form = StaffCreateForm(data, actor=request.user, role=role)
        keys_form = None
        if form.role in KEYED_ROLES:
            keys_form = KeysForm(data, actor=request.user, role=form.role)
        return form, keys_form

    def render(self, request, form, keys_form):
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "keys_form": keys_form,
                "creating": True,
                "page_title": _("New %(role)s") % {"role": Role(form.role).label}
                if form.role
                else _("New staff account"),
            },
        )

    def get(self, request):
        if not P.CREATABLE_ROLES.get(request.user.role):
            raise PermissionDenied
        return self.render(request, *self._forms(request))

    def post(self, request):
        form, keys_form = self._forms(request, request.POST)
        valid = form.is_valid() and (keys_form is None or keys_form.is_valid())
        if valid:
            data = form.cleaned_data
            extra = {}
            if form.role in RESELLER_ROLES:
                extra = {
                    "company_name": data.get("company_name", ""),
                    "account_type": data.get("account_type", ""),
                    "credit_limit": data.get("credit_limit") or 0,
                }
            try:
                user = services.staff_create(
                    actor=request.user,
                    role=data["role"],
                    email=data["email"],
                    name=data["name"],
                    password=data["new_password"],
                    mobile=data.get("mobile", ""),
                    parent=data.get("parent"),
                    keys=keys_form.cleaned_data["keys"] if keys_form is not None else None,
                    **extra,
                )
            except ValidationError as exc:
                apply_validation_error(form, exc, {"password": "new_password"})
            else:
                messages.success(request, _("%(name)s is created.") % {"name": user.name})
                return redirect("accounts:staff_detail", pk=user.pk)
        return self.render(request, form, keys_form)


class StaffDetailView(StaffMixin, View):
    template_name = "accounts/staff_detail.html"

    def get(self, request, pk, note_form=None):
        actor = request.user
        target = self.target(pk)
        keys = P.effective_keys(target)
        ctx = {
            "target": target,
            "page_title": target.name,
            "can_manage": services.staff_manages(actor, target),
            "is_group_admin": actor.role == Role.GROUP_ADMIN and not impersonating(request),
            "can_get_access": (
                actor.role == Role.GROUP_ADMIN
                and not impersonating(request)
                and target.role in RESELLER_ROLES
                and target.is_active
            ),
            "key_rows": [(k, label) for k, label in P.KEY_LABELS.items() if k in keys],
            "sections": [
                (name, label, name not in (target.disabled_sections or ()))
                for name, (label, _keys) in P.SECTIONS.items()
            ],
            "children": (
                User.objects.visible_to(actor).filter(parent=target).order_by("role", "name")
            ),
        }
        if P.may(actor, P.SALES_NOTES) and target.role == Role.OPERATOR:
            ctx["notes"] = (
                SalesNote.objects.visible_to(actor).filter(operator=target).select_related("author")
            )
            ctx["note_form"] = note_form or SalesNoteForm()
        return render(request, self.template_name, ctx)


class SalesNoteView(StaffDetailView):
    """A sales manager's note on an operator (shown on the operator's page)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        target = self.target(pk)
        form = SalesNoteForm(request.POST)
        if form.is_valid():
            try:
                services.sales_note_add(
                    actor=request.user, operator=target, text=form.cleaned_data["text"]
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Note added."))
                return redirect("accounts:staff_detail", pk=target.pk)
        return self.get(request, pk, note_form=form)


class StaffEditView(StaffMixin, View):
    permission_key = P.MANAGE_STAFF
    template_name = "accounts/staff_form.html"

    def _render(self, request, target, form):
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "target": target,
                "page_title": _("Edit %(name)s") % {"name": target.name},
            },
        )

    def get(self, request, pk):
        target = self.managed_target(pk)
        initial = {
            f: getattr(target, f)
            for f in (
                "name",
                "email",
                "mobile",
                "is_active",
                "company_name",
                "account_type",
                "credit_limit",
            )
        }
        return self._render(request, target, StaffEditForm(initial=initial, target=target))

    def post(self, request, pk):
        target = self.managed_target(pk)
        form = StaffEditForm(request.POST, target=target)
        if form.is_valid():
            try:
                services.staff_update(actor=request.user, user=target, **form.cleaned_data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("accounts:staff_detail", pk=target.pk)
        return self._render(request, target, form)


class StaffKeysView(StaffMixin, View):
    permission_key = P.MANAGE_STAFF
    template_name = "accounts/staff_keys.html"

    def _render(self, request, target, form):
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "target": target,
                "page_title": _("Permissions of %(name)s") % {"name": target.name},
            },
        )

    def get(self, request, pk):
        target = self.managed_target(pk)
        form = KeysForm(actor=request.user, role=target.role, current=set(target.granted_keys))
        return self._render(request, target, form)

    def post(self, request, pk):
        target = self.managed_target(pk)
        form = KeysForm(
            request.POST, actor=request.user, role=target.role, current=set(target.granted_keys)
        )
        if form.is_valid():
            try:
                services.staff_set_keys(
                    actor=request.user, user=target, keys=form.cleaned_data["keys"]
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Permissions saved."))
                return redirect("accounts:staff_detail", pk=target.pk)
        return self._render(request, target, form)


class StaffSectionsView(StaffMixin, View):
    permission_key = P.MANAGE_STAFF
    template_name = "accounts/staff_sections.html"

    def _target(self, pk):
        target = self.managed_target(pk)
        if target.role not in RESELLER_ROLES:
            raise Http404(_("Panel sections belong to operators and sub-operators."))
        return target

    def _render(self, request, target, form):
        if form.is_bound:
            enabled = set(form.data.getlist("enabled"))
        else:
            enabled = set(P.SECTIONS) - set(target.disabled_sections or ())
        rows = [
            {
                "name": name,
                "label": label,
                "enabled": name in enabled,
                "keys": [P.KEY_LABELS[k] for k in P.KEY_LABELS if k in keys],
            }
            for name, (label, keys) in P.SECTIONS.items()
        ]
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "target": target,
                "rows": rows,
                "page_title": _("Panel sections of %(name)s") % {"name": target.name},
            },
        )

    def get(self, request, pk):
        target = self._target(pk)
        return self._render(request, target, SectionsForm())

    def post(self, request, pk):
        target = self._target(pk)
        form = SectionsForm(request.POST)
        if form.is_valid():
            try:
                services.staff_set_sections(
                    actor=request.user, user=target, disabled_sections=form.disabled_sections()
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Panel sections saved."))
                return redirect("accounts:staff_detail", pk=target.pk)
        return self._render(request, target, form)


class StaffPasswordView(StaffMixin, View):
    permission_key = P.MANAGE_STAFF
    template_name = "accounts/staff_form.html"

    def _render(self, request, target, form):
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "target": target,
                "page_title": _("New password for %(name)s") % {"name": target.name},
            },
        )

    def get(self, request, pk):
        return self._render(request, self.managed_target(pk), StaffPasswordForm())

    def post(self, request, pk):
        target = self.managed_target(pk)
        form = StaffPasswordForm(request.POST)
        if form.is_valid():
            try:
                services.staff_set_password(
                    actor=request.user, user=target, new_password=form.cleaned_data["new_password"]
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("The password is changed."))
                return redirect("accounts:staff_detail", pk=target.pk)
        return self._render(request, target, form)


class StaffResetTwoFactorView(StaffMixin, View):
    permission_key = P.MANAGE_STAFF
    http_method_names = ["post"]

    def post(self, request, pk):
        target = self.target(pk)
        security.totp_admin_reset(actor=request.user, user=target)
        messages.success(
            request, _("Two-factor authentication of %(name)s is reset.") % {"name": target.name}
        )
        return redirect("accounts:staff_detail", pk=target.pk)


# --- Get Access ---------------------------------------------------------------------


class GetAccessView(StaffMixin, View):
    """The group admin enters an operator's or sub-operator's panel."""

    permission_key = P.MANAGE_STAFF
    http_method_names = ["post"]

    def post(self, request, pk):
        actor = request.user
        if impersonating(request) or actor.role != Role.GROUP_ADMIN:
            raise PermissionDenied(_("Only the group admin uses Get Access."))
        target = get_visible_or_404(User.objects.filter(role__in=RESELLER_ROLES), actor, pk=pk)
        ip, agent = client_meta(request)
        try:
            security.get_access_begin(actor=actor, target=target, ip=ip, user_agent=agent)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("accounts:staff_detail", pk=target.pk)
        request.session[GET_ACCESS_SESSION_KEY] = target.pk
        return redirect("core:dashboard")


class GetAccessEndView(LoginRequiredMixin, View):
    """ "Back to Group Admin": leave the reseller's panel."""

    http_method_names = ["post"]

    def post(self, request):
        real = getattr(request, "real_user", None)
        request.session.pop(GET_ACCESS_SESSION_KEY, None)
        if real is None:
            return redirect(landing_url(request.user))
        target = request.user
        ip, agent = client_meta(request)
        security.get_access_end(actor=real, target=target, ip=ip, user_agent=agent)
        return redirect("accounts:staff_detail", pk=target.pk)
