"""Router pages: list with connection status, add / edit / delete, Test Connection, the
router's live status with interfaces and log, Import PPP secrets, push profiles and pools.

Views parse input and call :mod:`netbill.network.routers`; a router of another ISP answers
404.  A router that cannot be reached is not an error page: the page says what failed and
what to do (the message comes from :mod:`netbill.network.routeros`).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from netbill.core import permissions as P
from netbill.core.scope import get_visible_or_404
from netbill.core.views import PanelMixin, ScopedListView, apply_validation_error
from netbill.network import routers as services
from netbill.network.models import Router
from netbill.network.routeros import RouterOSError
from netbill.network.routers_forms import MAP_PREFIX, ImportForm, RouterForm


def _router(request, pk) -> Router:
    return get_visible_or_404(Router, request.user, pk=pk)


class RouterListView(ScopedListView):
    model = Router
    permission_key = P.VIEW_ROUTERS
    template_name = "network/routers.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["may_manage"] = P.may(self.request.user, P.MANAGE_ROUTERS)
        return ctx


class RouterFormView(PanelMixin, View):
    """Add (no ``pk``) or edit a router; the "Test connection" button tries the values in
    the form without saving them."""

    permission_key = P.MANAGE_ROUTERS
    template_name = "network/router_form.html"

    def get_object(self):
        pk = self.kwargs.get("pk")
        return None if pk is None else _router(self.request, pk)

    def render_form(self, form, router, *, probe=None, status=200):
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "object": router,
                "probe": probe,
                "page_title": _("Edit router") if router is not None else _("Add router"),
                "cancel_url": reverse("network:router_detail", args=[router.pk])
                if router is not None
                else reverse("network:routers"),
            },
            status=status,
        )

    def get(self, request, pk=None):
        router = self.get_object()
        return self.render_form(RouterForm(instance=router), router)

    def post(self, request, pk=None):
        router = self.get_object()
        form = RouterForm(request.POST, instance=router)
        if "test" in request.POST:
            return self.probe(form, router)
        if form.is_valid():
            data = form.service_data()
            try:
                if router is None:
                    saved = services.router_create(actor=request.user, **data)
                else:
                    saved = services.router_update(actor=request.user, router=router, **data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Router “%(name)s” is saved.") % {"name": saved.name})
                return redirect("network:router_detail", saved.pk)
        return self.render_form(form, router, status=400)

    def probe(self, form, router):
        form.full_clean()
        data = getattr(form, "cleaned_data", {})
        password = data.get("api_password") or (router.api_password if router else "")
        missing = [n for n in ("host", "api_username") if not data.get(n)]
        if missing or not password:
            form.add_error(None, _("Give the address, API port, user and password to test."))
            return self.render_form(form, router, status=400)
        try:
            probe = services.router_probe(
                actor=self.request.user,
                host=data["host"],
                api_username=data["api_username"],
                api_password=password,
                api_port=data.get("api_port"),
                api_tls=bool(data.get("api_tls")),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.render_form(form, router, status=400)
        # Show the form again (secrets are never rendered back) with the outcome.
        form = RouterForm(initial=_initial_from(data), instance=router)
        return self.render_form(form, router, probe=probe)


def _initial_from(data: dict) -> dict:
    return {k: v for k, v in data.items() if k not in ("api_password", "radius_secret")}


class RouterDetailView(PanelMixin, View):
    """The router: stored facts, then live status, interfaces and log read through the API."""

    permission_key = P.VIEW_ROUTERS
    template_name = "network/router_detail.html"

    def get(self, request, pk):
        router = _router(request, pk)
        live, error = None, None
        try:
            live = services.router_status(actor=request.user, router=router)
        except RouterOSError as exc:
            error = exc
        return render(
            request,
            self.template_name,
            {
                "router": router,
                "live": live,
                "error": error,
                "may_manage": P.may(request.user, P.MANAGE_ROUTERS),
                "may_import": P.may(request.user, P.MANAGE_ROUTERS)
                and P.may(request.user, P.CREATE_CUSTOMER),
                "page_title": router.name,
            },
        )


class RouterTestView(PanelMixin, View):
    """Test Connection: log in, record the outcome, back to where the button was."""

    permission_key = P.VIEW_ROUTERS

    def post(self, request, pk):
        router = _router(request, pk)
        result = services.router_test_connection(actor=request.user, router=router)
        if result.ok:
            messages.success(request, result.message)
        else:
            messages.error(request, result.message)
        if request.POST.get("next") == "list":
            return redirect("network:routers")
        return redirect("network:router_detail", router.pk)


class RouterLogView(PanelMixin, View):
    permission_key = P.VIEW_ROUTERS
    template_name = "network/router_log.html"

    def get(self, request, pk):
        router = _router(request, pk)
        entries, error = [], None
        try:
            entries = services.router_log(actor=request.user, router=router, limit=200)
        except RouterOSError as exc:
            error = exc
        return render(
            request,
            self.template_name,
            {
                "router": router,
                "entries": entries,
                "error": error,
                "page_title": _("Log of %(name)s") % {"name": router.name},
            },
        )


class RouterDeleteView(PanelMixin, View):
    permission_key = P.MANAGE_ROUTERS
    template_name = "network/router_delete.html"

    def get(self, request, pk):
        router = _router(request, pk)
        return render(
            request,
            self.template_name,
            {"router": router, "page_title": _("Delete router %(name)s") % {"name": router.name}},
        )

    def post(self, request, pk):
        router = _router(request, pk)
        name = router.name
        services.router_delete(actor=request.user, router=router)
        messages.success(request, _("Router “%(name)s” is deleted.") % {"name": name})
        return redirect("network:routers")


class RouterImportView(PanelMixin, View):
    """Import PPP secrets: preview + mapping (GET), then the import and its result (POST)."""

    permission_key = P.MANAGE_ROUTERS
    template_name = "network/router_import.html"

    def dispatch(self, request, *args, **kwargs):
        # Importing creates customers: it also needs create-customer.
        if request.user.is_authenticated and not P.may(request.user, P.CREATE_CUSTOMER):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def render_page(self, router, *, preview=None, form=None, result=None, error=None, status=200):
        return render(
            self.request,
            self.template_name,
            {
                "router": router,
                "preview": preview,
                "form": form,
                "result": result,
                "error": error,
                "page_title": _("Import PPP secrets from %(name)s") % {"name": router.name},
            },
            status=status,
        )

    def get(self, request, pk):
        router = _router(request, pk)
        try:
            preview = services.router_import_preview(actor=request.user, router=router)
        except RouterOSError as exc:
            return self.render_page(router, error=exc)
        form = ImportForm(user=request.user, profiles=preview.profiles)
        return self.render_page(router, preview=preview, form=form)

    def post(self, request, pk):
        router = _router(request, pk)
        profiles = [k[len(MAP_PREFIX) :] for k in request.POST if k.startswith(MAP_PREFIX)]
        form = ImportForm(request.POST, user=request.user, profiles=profiles)
        if form.is_valid():
            try:
                result = services.router_import_secrets(
                    actor=request.user, router=router, **form.service_data()
                )
            except RouterOSError as exc:
                return self.render_page(router, form=form, error=exc)
            except ValidationError as exc:
                apply_validation_error(
                    form,
                    exc,
                    {f"package_map.{p}": MAP_PREFIX + p for p in profiles}
                    | {"package_map": MAP_PREFIX + profiles[0] if profiles else "package_map"},
                )
            else:
                return self.render_page(router, result=result)
        try:
            preview = services.router_import_preview(actor=request.user, router=router)
        except RouterOSError as exc:
            return self.render_page(router, form=form, error=exc, status=400)
        return self.render_page(router, preview=preview, form=form, status=400)


class RouterPushView(PanelMixin, View):
    """Push netbill's IPv4 pools and PPPoE profiles to the router (POST), with the report."""

    permission_key = P.MANAGE_ROUTERS
    template_name = "network/router_push.html"

    def post(self, request, pk):
        router = _router(request, pk)
        changes, error = [], None
        try:
            changes = services.router_push(actor=request.user, router=router)
        except RouterOSError as exc:
            error = exc
        return render(
            request,
            self.template_name,
            {
                "router": router,
                "changes": changes,
                "error": error,
                "page_title": _("Push profiles and pools to %(name)s") % {"name": router.name},
            },
        )
