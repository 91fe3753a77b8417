"""Customer panel: list, profile, create / edit, status, package, delete, bulk update, and
the group admin's zones and custom fields.

Views stay thin: they read through the selectors (``visible_to``), call one service per
action and show its ``ValidationError`` on the form.  Objects outside the user's scope
answer 404; a missing permission key answers 403 (the services check the keys too).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import View

from netbill.core import permissions as P
from netbill.core.models import ActivityLog
from netbill.core.scope import get_visible_or_404
from netbill.core.views import PanelMixin, apply_validation_error, paginate
from netbill.customers import selectors, services, setup
from netbill.customers.choices import CustomerStatus
from netbill.customers.forms import (
    BulkActionForm,
    ChangePackageForm,
    CustomerFilterForm,
    CustomerForm,
    CustomFieldForm,
    DeleteCustomerForm,
    StatusForm,
    ZoneForm,
)
from netbill.customers.models import Customer, CustomField, Zone

PER_PAGE = 50
# The keys that let a user into the customer list / profile.  A NOC user holds only
# search-customers: it sees the reduced view (who, where, status, IP) without any money.
LIST_KEYS = (P.VIEW_CUSTOMER_DETAILS, P.SEARCH_CUSTOMERS)


STATUS_BUTTONS = (
    (CustomerStatus.ACTIVE, _lazy("Activate"), "btn-success"),
    (CustomerStatus.SUSPENDED, _lazy("Suspend"), "btn-warning"),
    (CustomerStatus.DISABLED, _lazy("Disable"), "btn-danger"),
)


def _may_any(user, keys) -> bool:
    return any(P.may(user, key) for key in keys)


def _alive_customer(user, pk) -> Customer:
    return get_visible_or_404(
        Customer.objects.alive().select_related(
            "owner", "zone", "package", "billing_profile", "vat_profile"
        ),
        user,
        pk=pk,
    )


class AnyKeyMixin(PanelMixin):
    """403 unless the user holds at least one of ``any_keys``."""

    any_keys: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not _may_any(request.user, self.any_keys):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


# --- list and profile -------------------------------------------------------------------------


class CustomerListView(AnyKeyMixin, View):
    any_keys = LIST_KEYS

    def get(self, request):
        user = request.user
        show_money = P.may(user, P.VIEW_CUSTOMER_DETAILS)
        qs = selectors.customer_list(user=user, params=request.GET)
        if show_money:
            qs = selectors.with_list_price(qs)
        page_obj = paginate(request, qs, PER_PAGE)
        sort = request.GET.get("sort") or selectors.DEFAULT_SORT
        ctx = {
            "page_obj": page_obj,
            "customers": page_obj.object_list,
            "filter_form": CustomerFilterForm(request.GET or None, user=user),
            "show_money": show_money,
            "sort": sort if sort in selectors.SORTS else selectors.DEFAULT_SORT,
            "sort_links": _sort_links(request, sort),
            "page_title": _("Customers"),
        }
        template = "customers/list.html"
        if getattr(request, "htmx", False) and not request.htmx.history_restore_request:
            template = "customers/_list_table.html"
        response = render(request, template, ctx)
        # The same URL answers a page or (for htmx) a fragment: keep caches apart.
        patch_vary_headers(response, ["HX-Request"])
        return response


class CustomerExportView(PanelMixin, View):
    """The filtered customer list as CSV or Excel (same selector, filters and scope)."""

    permission_key = P.VIEW_CUSTOMER_DETAILS

    def get(self, request):
        from netbill.customers import exports

        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        if request.GET.get("format") == "xlsx":
            response = HttpResponse(
                exports.export_xlsx(user=request.user, params=request.GET),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = f'attachment; filename="customers-{stamp}.xlsx"'
            return response
        response = StreamingHttpResponse(
            exports.export_csv(user=request.user, params=request.GET),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="customers-{stamp}.csv"'
        return response


def _sort_links(request, current: str) -> dict[str, str]:
    """Query strings that sort by a column (toggling its direction) keeping the filters."""
    links = {}
    for column in ("name", "username", "created_at", "status"):
        params = request.GET.copy()
        params.pop("page", None)
        params["sort"] = f"-{column}" if current == column else column
        links[column] = params.urlencode()
    return links


class CustomerDetailView(AnyKeyMixin, View):
    """The profile.  With only search-customers (a NOC user) it is the reduced profile:
    details, status and history, but no price, password or activity (which carries money)."""

    any_keys = LIST_KEYS

    def get(self, request, pk):
        user = request.user
        customer = _alive_customer(user, pk)
        show_money = P.may(user, P.VIEW_CUSTOMER_DETAILS)
        fields = {f.key: f for f in CustomField.objects.visible_to(user)}
        ctx = {
            "customer": customer,
            "show_money": show_money,
            "price": services.customer_price(customer) if show_money else None,
            "custom_values": [
                (fields[k].name, v) for k, v in customer.custom_fields.items() if k in fields
            ],
            "history": customer.status_changes.select_related("actor"),
            # Each button only with its own key (the service checks the same key).
            "status_actions": [
                (status, label, css)
                for status, label, css in STATUS_BUTTONS
                if customer.status != status and P.may(user, services.STATUS_KEYS[status], customer)
            ],
        }
        if show_money and P.may(user, P.VIEW_ACTIVITY_LOG):
            ctx["activity"] = list(
                ActivityLog.objects.visible_to(user)
                .filter(object_type="customer", object_id=str(customer.pk))
                .select_related("actor", "on_behalf_of")[:50]
            )
        # Tabs the money capabilities fill, each behind its own key.
        if P.may(user, P.VIEW_PAYMENTS):
            from netbill.payments.selectors import customer_money_tabs

            ctx["money_tabs"] = True
            ctx.update(customer_money_tabs(user=user, customer=customer))
        if P.may(user, P.VIEW_BILLS):
            from netbill.billing.selectors import customer_bills

            ctx["bills_tab"] = True
            ctx["customer_bills"] = customer_bills(user=user, customer=customer)
        # Disconnect / CoA requests sent to the NAS, for everyone who may see the customer.
        from netbill.radius.live import customer_nas_requests

        ctx.update(customer_nas_requests(user=user, customer=customer))
        return render(request, "customers/detail.html", ctx)


class CustomerNasRequestsView(AnyKeyMixin, View):
    """The profile's "Network requests" table alone (it refreshes itself while a request
    is under way)."""

    any_keys = LIST_KEYS

    def get(self, request, pk):
        from netbill.radius.live import customer_nas_requests

        customer = _alive_customer(request.user, pk)
        ctx = {"customer": customer, **customer_nas_requests(user=request.user, customer=customer)}
        return render(request, "radius/_customer_nas_requests.html", ctx)


class CustomerDisconnectView(PanelMixin, View):
    """POST: disconnect the customer's open sessions (``disconnect-customer``)."""

    permission_key = P.DISCONNECT_CUSTOMER

    def post(self, request, pk):
        from netbill.radius.models import NasRequestStatus
        from netbill.radius.services import session_disconnect

        customer = _alive_customer(request.user, pk)
        sent = session_disconnect(actor=request.user, customer=customer)
        if any(r.status == NasRequestStatus.NO_SESSION for r in sent):
            messages.warning(request, _("%(name)s has no open session.") % {"name": customer.name})
        else:
            messages.success(
                request,
                _("Disconnect sent for %(n)s session(s) of %(name)s.")
                % {"n": len(sent), "name": customer.name},
            )
        return redirect(reverse("customers:detail", args=[customer.pk]) + "#tab-network")


# --- create and edit --------------------------------------------------------------------------


class CustomerCreateView(PanelMixin, View):
    permission_key = P.CREATE_CUSTOMER

    def get(self, request):
        form = CustomerForm(user=request.user)
        return self._render(request, form)

    def post(self, request):
        form = CustomerForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.service_data()
            generated = not data.get("password")
            try:
                customer = services.customer_create(actor=request.user, **data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                if generated:
                    messages.success(
                        request,
                        _(
                            "Customer %(name)s created. Generated password: %(password)s — "
                            "note it now, it is shown only once."
                        )
                        % {"name": customer.name, "password": customer.password},
                    )
                else:
                    messages.success(
                        request, _("Customer %(name)s created.") % {"name": customer.name}
                    )
                return redirect("customers:detail", pk=customer.pk)
        return self._render(request, form, status=400)

    def _render(self, request, form, status=200):
        return render(
            request,
            "customers/form.html",
            {
                "form": form,
                "page_title": _("Add customer"),
                "submit": _("Create customer"),
            },
            status=status,
        )


class CustomerEditView(PanelMixin, View):
    permission_key = P.EDIT_CUSTOMER

    def get(self, request, pk):
        customer = _alive_customer(request.user, pk)
        return self._render(request, customer, CustomerForm(user=request.user, instance=customer))

    def post(self, request, pk):
        customer = _alive_customer(request.user, pk)
        form = CustomerForm(request.POST, user=request.user, instance=customer)
        if form.is_valid():
            try:
                services.customer_update(
                    actor=request.user, customer=customer, **form.service_data()
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Customer %(name)s saved.") % {"name": customer.name})
                return redirect("customers:detail", pk=customer.pk)
        return self._render(request, customer, form, status=400)

    def _render(self, request, customer, form, status=200):
        return render(
            request,
            "customers/form.html",
            {
                "form": form,
                "customer": customer,
                "submit": _("Save"),
                "page_title": _("Edit %(name)s") % {"name": customer.name},
            },
            status=status,
        )


# --- actions ----------------------------------------------------------------------------------


class CustomerStatusView(PanelMixin, View):
    """POST status + reason.  The service checks the status's own key (403 without it)."""

    def post(self, request, pk):
        customer = _alive_customer(request.user, pk)
        form = StatusForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose active, suspended or disabled."))
            return redirect("customers:detail", pk=customer.pk)
        try:
            customer = services.customer_set_status(
                actor=request.user,
                customer=customer,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("%(name)s is now %(status)s.")
                % {"name": customer.name, "status": customer.get_status_display().lower()},
            )
        return redirect("customers:detail", pk=customer.pk)


class CustomerChangePackageView(PanelMixin, View):
    permission_key = P.CHANGE_CUSTOMER_PACKAGE

    def get(self, request, pk):
        customer = _alive_customer(request.user, pk)
        form = ChangePackageForm(user=request.user, customer=customer)
        return self._render(request, customer, form)

    def post(self, request, pk):
        customer = _alive_customer(request.user, pk)
        form = ChangePackageForm(request.POST, user=request.user, customer=customer)
        if form.is_valid():
            try:
                services.customer_change_package(
                    actor=request.user,
                    customer=customer,
                    package=form.cleaned_data["package"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Package changed to %(p)s.") % {"p": form.cleaned_data["package"].name},
                )
                return redirect("customers:detail", pk=customer.pk)
        return self._render(request, customer, form, status=400)

    def _render(self, request, customer, form, status=200):
        return render(
            request,
            "customers/change_package.html",
            {
                "form": form,
                "customer": customer,
                "page_title": _("Change package of %(name)s") % {"name": customer.name},
            },
            status=status,
        )


class CustomerDeleteView(PanelMixin, View):
    permission_key = P.DELETE_CUSTOMER

    def get(self, request, pk):
        customer = _alive_customer(request.user, pk)
        return self._render(request, customer, DeleteCustomerForm())

    def post(self, request, pk):
        customer = _alive_customer(request.user, pk)
        form = DeleteCustomerForm(request.POST)
        if form.is_valid():
            try:
                services.customer_delete(
                    actor=request.user,
                    customer=customer,
                    password=form.cleaned_data["password"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Customer %(name)s deleted.") % {"name": customer.name})
                return redirect("customers:list")
        return self._render(request, customer, form, status=400)

    def _render(self, request, customer, form, status=200):
        return render(
            request,
            "customers/delete.html",
            {
                "form": form,
                "customer": customer,
                "page_title": _("Delete %(name)s") % {"name": customer.name},
            },
            status=status,
        )


class DeletedCustomerListView(PanelMixin, View):
    permission_key = P.DELETE_CUSTOMER

    def get(self, request):
        page_obj = paginate(request, selectors.deleted_customer_list(user=request.user), PER_PAGE)
        return render(
            request,
            "customers/deleted.html",
            {
                "page_obj": page_obj,
                "page_title": _("Deleted customers"),
            },
        )


# --- bulk update ------------------------------------------------------------------------------


# The action form's fields ("package", "status", "zone") share names with the filters the
# selection is posted with, so they carry a prefix.
BULK_PREFIX = "change"


class BulkUpdateView(PanelMixin, View):
    """Filter (the list's selector), choose an action and a value, apply to every match or
    to the ticked ones.  Each customer goes through the single-customer service."""

    permission_key = P.BULK_UPDATE_CUSTOMERS
    PREVIEW = 100

    def get(self, request):
        filters = {k: request.GET.get(k, "") for k in selectors.FILTER_PARAMS}
        return self._render(request, filters, BulkActionForm(user=request.user, prefix=BULK_PREFIX))

    def post(self, request):
        filters = {k: request.POST.get(k, "") for k in selectors.FILTER_PARAMS}
        form = BulkActionForm(request.POST, user=request.user, prefix=BULK_PREFIX)
        if not form.is_valid():
            return self._render(request, filters, form, status=400)
        selection = selectors.customer_list(user=request.user, params=filters)
        ids = [i for i in request.POST.getlist("ids") if i.isdigit()]
        if ids:
            selection = selection.filter(pk__in=ids)
        try:
            result = services.customer_bulk_update(
                actor=request.user,
                customers=list(selection),
                action=form.cleaned_data["action"],
                value=form.value(),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self._render(request, filters, form, status=400)
        return render(
            request,
            "customers/bulk_result.html",
            {
                "updated": len(result["updated"]),
                "failed": result["failed"],
                "action": dict(form.fields["action"].choices)[form.cleaned_data["action"]],
                "page_title": _("Bulk update result"),
            },
        )

    def _render(self, request, filters, form, status=200):
        selection = selectors.customer_list(user=request.user, params=filters)
        return render(
            request,
            "customers/bulk.html",
            {
                "filter_form": CustomerFilterForm(filters, user=request.user),
                "filters": filters,
                "form": form,
                "match_count": selection.count(),
                "preview": selection[: self.PREVIEW],
                "preview_limit": self.PREVIEW,
                "page_title": _("Bulk update customers"),
            },
            status=status,
        )


# --- zones ------------------------------------------------------------------------------------


class ZoneListView(PanelMixin, View):
    permission_key = P.MANAGE_ZONES

    def get(self, request):
        zones = Zone.objects.visible_to(request.user).annotate(
            customer_count=Count("customers", filter=Q(customers__deleted_at__isnull=True))
        )
        return render(
            request,
            "customers/zones.html",
            {
                "zones": zones,
                "page_title": _("Zones"),
            },
        )


class _SetupFormView(PanelMixin, View):
    """Create / edit one zone or custom field through its setup service."""

    model = None
    form_class = None
    list_url = ""
    template_name = "customers/setup_form.html"

    def get_object(self, request, pk):
        if pk is None:
            return None
        return get_visible_or_404(self.model, request.user, pk=pk)

    def initial(self, obj) -> dict:
        raise NotImplementedError

    def form(self, obj, data=None):
        return self.form_class(data, initial=self.initial(obj) if obj else None)

    def save(self, request, obj, form):
        raise NotImplementedError

    def get(self, request, pk=None):
        obj = self.get_object(request, pk)
        return self._render(request, obj, self.form(obj))

    def post(self, request, pk=None):
        obj = self.get_object(request, pk)
        form = self.form(obj, request.POST)
        if form.is_valid():
            try:
                saved = self.save(request, obj, form)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("%(name)s saved.") % {"name": saved})
                return redirect(self.list_url)
        return self._render(request, obj, form, status=400)

    def _render(self, request, obj, form, status=200):
        verbose = self.model._meta.verbose_name
        title = (
            (_("Edit %(name)s") % {"name": obj})
            if obj
            else (_("New %(thing)s") % {"thing": verbose})
        )
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "object": obj,
                "page_title": title,
                "back_url": reverse(self.list_url),
            },
            status=status,
        )


class ZoneFormView(_SetupFormView):
    permission_key = P.MANAGE_ZONES
    model = Zone
    form_class = ZoneForm
    list_url = "customers:zones"

    def initial(self, obj):
        return {"name": obj.name, "description": obj.description}

    def save(self, request, obj, form):
        if obj is None:
            return setup.zone_create(actor=request.user, **form.cleaned_data)
        return setup.zone_update(actor=request.user, zone=obj, **form.cleaned_data)


class _SetupDeleteView(PanelMixin, View):
    model = None
    list_url = ""

    def delete(self, request, obj):
        raise NotImplementedError

    def get(self, request, pk):
        obj = get_visible_or_404(self.model, request.user, pk=pk)
        return render(
            request,
            "customers/setup_delete.html",
            {
                "object": obj,
                "back_url": reverse(self.list_url),
                "page_title": _("Delete %(name)s") % {"name": obj},
            },
        )

    def post(self, request, pk):
        obj = get_visible_or_404(self.model, request.user, pk=pk)
        try:
            self.delete(request, obj)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(name)s deleted.") % {"name": obj})
        return redirect(self.list_url)


class ZoneDeleteView(_SetupDeleteView):
    permission_key = P.MANAGE_ZONES
    model = Zone
    list_url = "customers:zones"

    def delete(self, request, obj):
        setup.zone_delete(actor=request.user, zone=obj)


# --- custom fields ----------------------------------------------------------------------------


class CustomFieldListView(PanelMixin, View):
    permission_key = P.MANAGE_CUSTOM_FIELDS

    def get(self, request):
        return render(
            request,
            "customers/custom_fields.html",
            {
                "fields": CustomField.objects.visible_to(request.user),
                "page_title": _("Custom fields"),
            },
        )


class CustomFieldFormView(_SetupFormView):
    permission_key = P.MANAGE_CUSTOM_FIELDS
    model = CustomField
    form_class = CustomFieldForm
    list_url = "customers:custom_fields"

    def form(self, obj, data=None):
        return CustomFieldForm(
            data, editing=obj is not None, initial=self.initial(obj) if obj else None
        )

    def initial(self, obj):
        return {
            "name": obj.name,
            "field_type": obj.field_type,
            "mandatory": obj.mandatory,
            "position": obj.position,
            "choices": "\n".join(obj.choices),
        }

    def save(self, request, obj, form):
        if obj is None:
            return setup.custom_field_create(actor=request.user, **form.service_data())
        return setup.custom_field_update(actor=request.user, field=obj, **form.service_data())


class CustomFieldDeleteView(_SetupDeleteView):
    permission_key = P.MANAGE_CUSTOM_FIELDS
    model = CustomField
    list_url = "customers:custom_fields"

    def delete(self, request, obj):
        setup.custom_field_delete(actor=request.user, field=obj)
