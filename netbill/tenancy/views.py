"""Company settings (the group admin) and the platform administrator's ISP pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from netbill.core import permissions as P
from netbill.core.choices import Role
from netbill.core.views import PanelMixin, apply_validation_error
from netbill.tenancy import services
from netbill.tenancy.forms import CompanySettingsForm, TenantCreateForm
from netbill.tenancy.models import Tenant


class CompanySettingsView(PanelMixin, View):
    permission_key = P.EDIT_COMPANY
    template_name = "tenancy/settings.html"

    def _render(self, request, form):
        return render(
            request,
            self.template_name,
            {"form": form, "tenant": request.user.tenant, "page_title": _("Company settings")},
        )

    def get(self, request):
        tenant = request.user.tenant
        initial = {
            f: getattr(tenant, f)
            for f in ("name", "address", "phone", "email", "currency", "timezone", "invoice_footer")
        }
        return self._render(request, CompanySettingsForm(initial=initial))

    def post(self, request):
        form = CompanySettingsForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.tenant_update_settings(
                    actor=request.user, tenant=request.user.tenant, **form.settings_data()
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Company settings saved."))
                return redirect("tenancy:settings")
        return self._render(request, form)


class PlatformMixin(LoginRequiredMixin):
    """Pages of the platform administrator (who belongs to no ISP); everyone else: 403."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not request.user.is_platform_admin or getattr(request, "real_user", None) is not None:
            raise PermissionDenied(_("Only a platform administrator manages ISPs."))
        return super().dispatch(request, *args, **kwargs)


class PlatformView(PlatformMixin, View):
    template_name = "tenancy/platform.html"

    def get(self, request):
        tenants = Tenant.objects.annotate(
            staff_count=Count("users"),
            admin_count=Count("users", filter=Q(users__role=Role.GROUP_ADMIN)),
        ).order_by("name")
        return render(request, self.template_name, {"tenants": tenants, "page_title": _("ISPs")})


class PlatformCreateView(PlatformMixin, View):
    template_name = "tenancy/platform_form.html"

    def _render(self, request, form):
        return render(request, self.template_name, {"form": form, "page_title": _("New ISP")})

    def get(self, request):
        return self._render(request, TenantCreateForm())

    def post(self, request):
        form = TenantCreateForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            password = data.pop("new_password")
            data.pop("new_password2")
            try:
                tenant, admin = services.tenant_create(
                    actor=request.user, admin_password=password, **data
                )
            except ValidationError as exc:
                apply_validation_error(form, exc, {"admin_password": "new_password"})
            else:
                messages.success(
                    request,
                    _("%(isp)s is created; its group admin logs in as %(email)s.")
                    % {"isp": tenant.name, "email": admin.email},
                )
                return redirect("tenancy:platform")
        return self._render(request, form)
