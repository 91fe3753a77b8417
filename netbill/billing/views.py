"""Billing panel: the bill list and a bill, "Generate bill" for one customer, and the
group admin's billing runs (log, dry run, run now).

Views stay thin: reads through ``billing.selectors`` (scoped), writes through one service;
a service's ``ValidationError`` is shown to the user.  Objects outside the user's scope
answer 404; a missing key answers 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views import View

from netbill.billing import calendar as cal
from netbill.billing import selectors, services
from netbill.billing.choices import RunKind
from netbill.billing.forms import BillFilterForm, RunForm
from netbill.billing.models import Bill, BillingRun
from netbill.billing.runs import billing_run
from netbill.core import permissions as P
from netbill.core.scope import get_visible_or_404
from netbill.core.views import PanelMixin, paginate
from netbill.customers.models import Customer

PER_PAGE = 50


def _url(name: str, *args) -> str | None:
    """A URL of another part of the panel, or None while that part is not there."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return list(exc.messages)


class BillListView(PanelMixin, View):
    permission_key = P.VIEW_BILLS

    def get(self, request):
        user = request.user
        page_obj = paginate(request, selectors.bill_list(user=user, params=request.GET), PER_PAGE)
        return render(
            request,
            "billing/bills.html",
            {
                "page_obj": page_obj,
                "bills": page_obj.object_list,
                "filter_form": BillFilterForm(request.GET or None, user=user),
                "bulk_paid_url": P.may(user, P.RECEIVE_PAYMENT) and _url("payments:bulk_mark_paid"),
                "currency": user.tenant.currency,
            },
        )


class BillDetailView(PanelMixin, View):
    permission_key = P.VIEW_BILLS

    def get(self, request, pk):
        user = request.user
        try:
            bill = selectors.bill_detail(user=user, pk=pk)
        except Bill.DoesNotExist as exc:
            raise Http404(_("No such bill.")) from exc
        live = bill.status != "void"
        open_ = bill.status in ("unpaid", "partial")
        actions = []
        for key, name, label, allowed in (
            (P.RECEIVE_PAYMENT, "payments:collect", _("Take payment"), open_),
            (P.DISCOUNT_ON_BILLS, "payments:bill_discount", _("Discount"), open_),
            (P.EDIT_BILLS, "payments:bill_edit", _("Edit"), live),
            (P.DELETE_BILLS, "payments:bill_void", _("Void"), live),
        ):
            if not allowed or not P.may(user, key):
                continue
            url = _url(name) if name == "payments:collect" else _url(name, bill.pk)
            if url and name == "payments:collect":
                url += f"?customer={bill.customer_id}&bill={bill.pk}"
            if url:
                actions.append((label, url, name.split(":")[1]))
        return render(
            request,
            "billing/bill_detail.html",
            {
                "bill": bill,
                "ledger_lines": selectors.bill_ledger_lines(user=user, bill=bill),
                "actions": actions,
                "currency": user.tenant.currency,
                "show_customer_link": P.may(user, P.VIEW_CUSTOMER_DETAILS),
            },
        )


class GenerateBillView(PanelMixin, View):
    """ "Generate bill" for one customer: GET shows what the calendar would bill today,
    POST bills it."""

    permission_key = P.GENERATE_BILLS

    def _customer(self, request, pk) -> Customer:
        return get_visible_or_404(
            Customer.objects.alive().select_related(
                "owner", "package", "billing_profile", "vat_profile", "tenant"
            ),
            request.user,
            pk=pk,
        )

    def _render(self, request, customer, errors=None, status=200):
        preview = None
        try:
            preview = services.generate_preview(customer)
        except ValidationError as exc:
            errors = (errors or []) + _messages(exc)
        return render(
            request,
            "billing/generate.html",
            {
                "customer": customer,
                "preview": preview,
                "errors": errors or [],
                "currency": request.user.tenant.currency,
            },
            status=status,
        )

    def get(self, request, pk):
        return self._render(request, self._customer(request, pk))

    def post(self, request, pk):
        customer = self._customer(request, pk)
        try:
            bill = services.bill_generate(actor=request.user, customer=customer)
        except ValidationError as exc:
            return self._render(request, customer, _messages(exc), status=400)
        messages.success(
            request,
            _("Bill %(no)s of %(amt)s created for %(c)s.")
            % {"no": bill.number, "amt": bill.amount, "c": customer.username},
        )
        if P.may(request.user, P.VIEW_BILLS):
            return redirect("billing:bill_detail", bill.pk)
        return redirect("customers:detail", customer.pk)


class RunListView(PanelMixin, View):
    """The run log (billing runs and dunning sweeps), the dry run and "Run now"."""

    permission_key = P.RUN_BILLING

    def _render(self, request, form, result=None, status=200):
        page_obj = paginate(request, selectors.run_list(user=request.user), PER_PAGE)
        return render(
            request,
            "billing/runs.html",
            {
                "page_obj": page_obj,
                "runs": page_obj.object_list,
                "form": form,
                "result": result,
                "currency": request.user.tenant.currency,
            },
            status=status,
        )

    def get(self, request):
        today = cal.local_today(request.user.tenant)
        return self._render(request, RunForm(today=today))

    def post(self, request):
        tenant = request.user.tenant
        form = RunForm(request.POST, today=cal.local_today(tenant))
        if not form.is_valid():
            return self._render(request, form, status=400)
        dry = form.cleaned_data["action"] == "dry"
        run = billing_run(tenant, form.cleaned_data["run_date"], dry_run=dry, actor=request.user)
        if dry:
            return self._render(request, form, result=run)
        messages.success(
            request,
            _("Billing run for %(d)s: %(n)s bills created, %(s)s skipped, %(e)s errors.")
            % {
                "d": run.run_date,
                "n": run.created_count,
                "s": run.skipped_count,
                "e": run.error_count,
            },
        )
        return redirect("billing:run_detail", run.pk)


class RunDetailView(PanelMixin, View):
    permission_key = P.RUN_BILLING

    def get(self, request, pk):
        run = get_visible_or_404(
            BillingRun.objects.select_related("triggered_by"), request.user, pk=pk
        )
        return render(
            request,
            "billing/run_detail.html",
            {"run": run, "is_dunning": run.kind == RunKind.DUNNING},
        )
