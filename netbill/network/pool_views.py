"""Panel pages for IP pools, PPPoE profiles and their spreadsheet upload
(``manage-ip-pools``).  Views parse input and call :mod:`netbill.network.services`; reads go
through ``visible_to(request.user)``, so another ISP's pool answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from netbill.core import permissions as P
from netbill.core.scope import get_visible_or_404
from netbill.core.views import (
    PanelMixin,
    ScopedListView,
    ServiceFormView,
    paginate,
)
from netbill.network import selectors, services, upload
from netbill.network.models import IpPool, PppoeProfile
from netbill.network.pool_forms import PoolForm, ProfileForm, ProfileUploadForm


class PoolListView(ScopedListView):
    """Pools with their size and how many addresses are in use (sessions + static IPs)."""

    model = IpPool
    permission_key = P.MANAGE_IP_POOLS
    template_name = "network/pools.html"

    def get_queryset(self):
        return super().get_queryset().order_by("version", "name", "pk")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["rows"] = selectors.pool_rows(self.request.user, ctx["object_list"])
        return ctx


class _FormView(ServiceFormView):
    """Create (no ``pk``) or edit (``pk``) a pool or profile through its service."""

    permission_key = P.MANAGE_IP_POOLS
    template_name = "network/form.html"


class PoolFormView(_FormView):
    model = IpPool
    form_class = PoolForm
    success_url_name = "network:pool_list"
    title_create = gettext_lazy("New IP pool")
    title_edit = gettext_lazy("Edit IP pool")

    def save(self, obj, data):
        if obj is None:
            return services.pool_create(actor=self.request.user, **data)
        return services.pool_update(actor=self.request.user, pool=obj, **data)


class _DeleteView(PanelMixin, View):
    """Confirm, then delete through the service (its refusal is shown on the page)."""

    permission_key = P.MANAGE_IP_POOLS
    model = None
    list_url_name = ""
    field = ""

    def delete(self, obj):
        raise NotImplementedError

    def render_page(self, obj, errors=(), status=200):
        return render(
            self.request,
            "network/confirm_delete.html",
            {
                "object": obj,
                "errors": errors,
                "page_title": _("Delete “%(name)s”") % {"name": obj},
                "cancel_url": reverse(self.list_url_name),
            },
            status=status,
        )

    def get(self, request, pk):
        return self.render_page(get_visible_or_404(self.model, request.user, pk=pk))

    def post(self, request, pk):
        obj = get_visible_or_404(self.model, request.user, pk=pk)
        name = str(obj)
        try:
            self.delete(obj)
        except ValidationError as exc:
            return self.render_page(obj, exc.messages, status=400)
        messages.success(request, _("“%(name)s” is deleted.") % {"name": name})
        return redirect(self.list_url_name)


class PoolDeleteView(_DeleteView):
    model = IpPool
    list_url_name = "network:pool_list"

    def delete(self, obj):
        services.pool_delete(actor=self.request.user, pool=obj)


class ProfileListView(PanelMixin, View):
    """PPPoE profiles with their pools and the packages linked to them."""

    permission_key = P.MANAGE_IP_POOLS

    def get(self, request):
        page = paginate(request, selectors.profile_list(request.user))
        return render(
            request,
            "network/profiles.html",
            {"page_obj": page, "object_list": page.object_list},
        )


class ProfileFormView(_FormView):
    model = PppoeProfile
    form_class = ProfileForm
    success_url_name = "network:profile_list"
    title_create = gettext_lazy("New PPPoE profile")
    title_edit = gettext_lazy("Edit PPPoE profile")

    def get_form(self, obj, data=None):
        return self.form_class(data, instance=obj, user=self.request.user)

    def save(self, obj, data):
        if obj is None:
            return services.profile_create(actor=self.request.user, **data)
        return services.profile_update(actor=self.request.user, profile=obj, **data)


class ProfileDeleteView(_DeleteView):
    model = PppoeProfile
    list_url_name = "network:profile_list"

    def delete(self, obj):
        services.profile_delete(actor=self.request.user, profile=obj)


class ProfileUploadView(PanelMixin, View):
    """Upload PPP profiles from a spreadsheet: all rows, or none with every mistake listed."""

    permission_key = P.MANAGE_IP_POOLS
    template_name = "network/profile_upload.html"

    def render_page(self, form, errors=(), status=200):
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "errors": errors,
                # The titles as the file must spell them (a file's columns are not translated).
                "columns": upload.TEMPLATE_ROWS[0],
                "page_title": _("Upload PPP profiles"),
            },
            status=status,
        )

    def get(self, request):
        return self.render_page(ProfileUploadForm())

    def post(self, request):
        form = ProfileUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(form, status=400)
        try:
            created = upload.profiles_upload(actor=request.user, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            return self.render_page(form, exc.messages, status=400)
        messages.success(request, _("%(n)s PPPoE profiles are created.") % {"n": len(created)})
        return redirect("network:profile_list")


class ProfileUploadTemplateView(PanelMixin, View):
    """A CSV with the column titles and one example row."""

    permission_key = P.MANAGE_IP_POOLS

    def get(self, request):
        response = HttpResponse(upload.template_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="ppp-profiles.csv"'
        return response
