"""Base views of the panel: login, the permission key and the scope applied in one place."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from netbill.core import permissions as P
from netbill.core.choices import OutboxStatus
from netbill.core.models import ActivityLog, OutboxMessage
from netbill.core.outbox import outbox_retry
from netbill.core.scope import get_visible_or_404


class PanelMixin(LoginRequiredMixin):
    """Every panel view: logged in, holding ``permission_key`` (403 otherwise), reading only
    rows in the user's scope (``queryset.visible_to(user)``; other rows answer 404)."""

    permission_key: str | None = None
    raise_exception = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if request.user.tenant_id is None and not getattr(self, "platform_view", False):
            return redirect("tenancy:platform")
        if self.permission_key and not P.may(request.user, self.permission_key):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


class ScopedListView(PanelMixin, ListView):
    paginate_by = 50


class ScopedDetailView(PanelMixin, DetailView):
    pass


def apply_validation_error(
    form, exc: ValidationError, field_map: dict[str, str] | None = None
) -> None:
    """Show a service's ValidationError on the form, each message under its field."""
    field_map = field_map or {}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.message_dict.items():
        target = field_map.get(name, name)
        if target.startswith("custom_fields."):
            target = "cf_" + target.split(".", 1)[1]
        if target not in form.fields:
            form.add_error(None, [f"{name}: {e}" for e in errors])
        else:
            for error in errors:
                form.add_error(target, error)


class DashboardView(PanelMixin, TemplateView):
    """Customer counts and recent activity in the user's scope; widgets by key."""

    template_name = "core/dashboard.html"
    permission_key = P.DASHBOARD

    def get_context_data(self, **kwargs):
        from netbill.customers.models import Customer

        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        if P.may(user, P.DASHBOARD_CUSTOMER_WIDGETS):
            counts = (
                Customer.objects.visible_to(user)
                .alive()
                .aggregate(
                    total=Count("id"),
                    active=Count("id", filter=Q(status="active")),
                    suspended=Count("id", filter=Q(status="suspended")),
                    disabled=Count("id", filter=Q(status="disabled")),
                    fup=Count("id", filter=Q(status="fup")),
                )
            )
            ctx["counts"] = counts
        if P.may(user, P.DASHBOARD_FINANCIAL_WIDGETS):
            ctx["money"] = financial_widgets(user)
        if P.may(user, P.VIEW_ACTIVITY_LOG):
            ctx["recent"] = list(
                ActivityLog.objects.visible_to(user).select_related("actor", "on_behalf_of")[:10]
            )
        return ctx


def financial_widgets(user) -> dict:
    """This month's billed and collected amounts, what is outstanding, and — for a
    reseller — its own balance or debt with its parent, all in the user's scope."""
    from django.db.models import DecimalField, ExpressionWrapper, F, Sum
    from django.utils import timezone

    from netbill.billing.models import Bill
    from netbill.core.choices import RESELLER_ROLES, AccountType
    from netbill.core.money import ZERO
    from netbill.ledger.selectors import reseller_position
    from netbill.payments.models import Payment

    today = timezone.localdate()
    month_start = today.replace(day=1)
    bills = Bill.objects.visible_to(user).exclude(status="void")
    due = ExpressionWrapper(
        F("amount") - F("discount") - F("paid_amount"),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )
    widgets = {
        "billed": bills.filter(issue_date__gte=month_start).aggregate(s=Sum("amount"))["s"] or ZERO,
        "collected": Payment.objects.visible_to(user)
        .filter(
            voided_at__isnull=True,
            received_at__date__gte=month_start,
        )
        .aggregate(s=Sum("amount"))["s"]
        or ZERO,
        "outstanding": bills.filter(status__in=["unpaid", "partial"]).aggregate(s=Sum(due))["s"]
        or ZERO,
        "currency": user.tenant.currency,
    }
    reseller = user if user.role in RESELLER_ROLES else None
    if reseller is not None:
        position = reseller_position(reseller)
        widgets["reseller_postpaid"] = reseller.account_type == AccountType.POSTPAID
        widgets["reseller_position"] = position if widgets["reseller_postpaid"] else -position
        widgets["credit_limit"] = reseller.credit_limit
    return widgets


class ActivityLogView(ScopedListView):
    model = ActivityLog
    permission_key = P.VIEW_ACTIVITY_LOG
    template_name = "core/activity_log.html"

    def get_queryset(self):
        qs = super().get_queryset().select_related("actor", "on_behalf_of")
        action = self.request.GET.get("action", "").strip()
        if action:
            qs = qs.filter(action__startswith=action)
        object_type = self.request.GET.get("object_type", "").strip()
        if object_type:
            qs = qs.filter(object_type=object_type)
        return qs


class OutboxView(ScopedListView):
    model = OutboxMessage
    permission_key = P.VIEW_OUTBOX
    template_name = "core/outbox.html"

    def get_queryset(self):
        qs = super().get_queryset()
        status = self.request.GET.get("status", "")
        if status in OutboxStatus.values:
            qs = qs.filter(status=status)
        return qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["statuses"] = OutboxStatus.choices
        ctx["dead_count"] = (
            OutboxMessage.objects.visible_to(self.request.user)
            .filter(status=OutboxStatus.DEAD)
            .count()
        )
        return ctx


class OutboxRetryView(PanelMixin, View):
    permission_key = P.VIEW_OUTBOX

    def post(self, request, pk):
        message = get_object_or_404(OutboxMessage.objects.visible_to(request.user), pk=pk)
        outbox_retry(actor=request.user, message=message)
        messages.success(request, _("The message is queued again."))
        return redirect("core:outbox")


def paginate(request, queryset, per_page: int = 50):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def permission_denied(request, exception=None):
    return render(request, "403.html", {"exception": exception}, status=403)


class ServiceFormView(PanelMixin, View):
    """Create (no ``pk``) or edit (``pk``) one object through its service (``save``);
    disabled form fields are not passed on; the service's errors land on the form."""

    permission_key: str | None = None
    model = None
    form_class = None
    template_name = ""
    success_url_name = ""
    title_create = ""
    title_edit = ""

    def get_object(self):
        pk = self.kwargs.get("pk")
        return None if pk is None else get_visible_or_404(self.model, self.request.user, pk=pk)

    def get_form(self, obj, data=None):
        return self.form_class(data, instance=obj)

    def save(self, obj, data: dict):
        raise NotImplementedError

    def render_form(self, form, obj, status=200):
        title = self.title_edit if obj is not None else self.title_create
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "object": obj,
                "page_title": title,
                "cancel_url": reverse(self.success_url_name),
            },
            status=status,
        )

    def get(self, request, pk=None):
        obj = self.get_object()
        return self.render_form(self.get_form(obj), obj)

    def post(self, request, pk=None):
        obj = self.get_object()
        form = self.get_form(obj, request.POST)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k not in self.disabled(form)}
            try:
                saved = self.save(obj, data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("“%(name)s” is saved.") % {"name": saved.name})
                return redirect(self.get_success_url(saved))
        return self.render_form(form, obj, status=400)

    def get_success_url(self, saved):
        return reverse(self.success_url_name)

    @staticmethod
    def disabled(form) -> set[str]:
        return {name for name, field in form.fields.items() if field.disabled}
