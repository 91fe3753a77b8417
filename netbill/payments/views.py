"""Payments panel: Customer Payments (list, CSV), collect a payment, the receipt, payment
void / edit, bulk "mark paid", bill discount / void / edit, and Verify Payments.

Views are thin: they read through the selectors (``visible_to``; other rows answer 404),
call one service per action and show its ``ValidationError`` on the form.  A missing key
answers 403 (the services check the same keys).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from netbill.billing.models import Bill
from netbill.core import permissions as P
from netbill.core.money import ZERO
from netbill.core.scope import get_visible_or_404
from netbill.core.views import PanelMixin, apply_validation_error, paginate
from netbill.customers.models import Customer
from netbill.payments import adjustments, exports, online, selectors, services
from netbill.payments.forms import (
    BillEditForm,
    CollectForm,
    DiscountForm,
    OnlineFilterForm,
    PaymentEditForm,
    PaymentFilterForm,
    ReasonForm,
)
from netbill.payments.models import OnlineTransaction, PaymentAllocation

PER_PAGE = 50


def _next_url(request, default: str) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        return url
    return default


def _error_message(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _show_errors(form, exc: ValidationError) -> None:
    """A service's errors on the form; those naming no field of it (the bill, the payment)
    as the form's own errors."""
    if not hasattr(exc, "error_dict"):
        apply_validation_error(form, exc)
        return
    known = {}
    for name, errors in exc.message_dict.items():
        if name in form.fields:
            known[name] = errors
        else:
            form.add_error(None, errors)
    if known:
        apply_validation_error(form, ValidationError(known))


class AnyKeyMixin(PanelMixin):
    """403 unless the user holds at least one of ``any_keys``."""

    any_keys: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not any(
            P.may(request.user, key) for key in self.any_keys
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


# --- Customer Payments ----------------------------------------------------------------------


class PaymentListView(PanelMixin, View):
    permission_key = P.VIEW_PAYMENTS

    def get(self, request):
        user = request.user
        qs = selectors.payment_list(user=user, params=request.GET)
        page_obj = paginate(request, qs, PER_PAGE)
        params = request.GET.copy()
        params.pop("page", None)
        return render(
            request,
            "payments/payments.html",
            {
                "page_obj": page_obj,
                "payments": page_obj.object_list,
                "totals": selectors.payment_totals(qs),
                "filter_form": PaymentFilterForm(request.GET or None, user=user),
                "export_query": params.urlencode(),
                "page_title": _("Customer payments"),
            },
        )


class PaymentExportView(PanelMixin, View):
    """The filtered list as CSV (same selector, filters and scope as the page)."""

    permission_key = P.VIEW_PAYMENTS

    def get(self, request):
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = StreamingHttpResponse(
            exports.payments_csv(user=request.user, params=request.GET),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="payments-{stamp}.csv"'
        return response


# --- collect a payment ----------------------------------------------------------------------


class CollectView(PanelMixin, View):
    """``?customer=<id>`` (and optionally ``&bill=<id>``) shows the payment form; without a
    customer, a search (``?q=``) to pick one."""

    permission_key = P.RECEIVE_PAYMENT

    def _customer(self, request):
        raw = request.POST.get("customer") or request.GET.get("customer")
        if not raw:
            return None
        return get_visible_or_404(Customer.objects.alive(), request.user, pk=raw)

    def get(self, request):
        customer = self._customer(request)
        if customer is None:
            q = request.GET.get("q", "")
            return render(
                request,
                "payments/collect.html",
                {
                    "q": q,
                    "matches": selectors.collect_customers(user=request.user, q=q),
                    "page_title": _("Collect a payment"),
                },
            )
        initial = {"customer": customer.pk, "method": "cash"}
        bill_id = request.GET.get("bill", "")
        if bill_id.isdigit():
            bills = selectors.open_bills(user=request.user, customer=customer)
            bill = bills.filter(pk=bill_id).first()
            if bill is not None:
                initial.update(bill=bill.pk, amount=bill.due)
        form = CollectForm(initial=initial, user=request.user, customer=customer)
        return self._render(request, form, customer)

    def post(self, request):
        customer = self._customer(request)
        if customer is None:
            return redirect("payments:collect")
        form = CollectForm(request.POST, user=request.user, customer=customer)
        if form.is_valid():
            data = form.cleaned_data
            try:
                payment = services.payment_record(
                    actor=request.user,
                    customer=data["customer"],
                    amount=data["amount"],
                    method=data["method"],
                    bill=data["bill"],
                    note=data["note"],
                )
            except ValidationError as exc:
                _show_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Payment of %(amt)s recorded (receipt %(no)s).")
                    % {"amt": payment.amount, "no": payment.receipt_number},
                )
                return redirect("payments:receipt", payment.pk)
        return self._render(request, form, customer, status=400)

    def _render(self, request, form, customer, status=200):
        from netbill.ledger.selectors import customer_due, wallet_balance

        return render(
            request,
            "payments/collect_form.html",
            {
                "form": form,
                "customer": customer,
                "due": customer_due(customer),
                "wallet": wallet_balance(customer),
                "open_bills": list(selectors.open_bills(user=request.user, customer=customer)),
                "page_title": _("Collect a payment"),
            },
            status=status,
        )


class ReceiptView(AnyKeyMixin, View):
    """The payment receipt, a print view with the ISP's branding."""

    any_keys = (P.VIEW_PAYMENTS, P.RECEIVE_PAYMENT)

    def get(self, request, pk):
        payment = selectors.payment_detail(user=request.user, pk=pk)
        allocations = list(PaymentAllocation.objects.filter(payment=payment).select_related("bill"))
        settled = sum((a.amount for a in allocations), ZERO)
        return render(
            request,
            "payments/receipt.html",
            {
                "payment": payment,
                "tenant": payment.tenant,
                "allocations": allocations,
                "wallet_part": payment.amount - settled,
                "online": OnlineTransaction.objects.filter(payment=payment).first(),
            },
        )


# --- payment corrections --------------------------------------------------------------------


class _PaymentActionView(PanelMixin, View):
    form_class = ReasonForm
    title = ""

    def get_object(self, request, pk):
        return selectors.payment_detail(user=request.user, pk=pk)

    def get(self, request, pk):
        payment = self.get_object(request, pk)
        return self._render(request, payment, self.make_form(payment))

    def make_form(self, payment, data=None):
        return self.form_class(data)

    def _render(self, request, payment, form, status=200):
        return render(
            request,
            "payments/payment_action.html",
            {
                "payment": payment,
                "form": form,
                "action": self.action,
                "page_title": self.title % {"no": payment.receipt_number},
                "next": _next_url(request, ""),
            },
            status=status,
        )

    def post(self, request, pk):
        payment = self.get_object(request, pk)
        form = self.make_form(payment, request.POST)
        if form.is_valid():
            try:
                return self.perform(request, payment, form.cleaned_data)
            except ValidationError as exc:
                _show_errors(form, exc)
        return self._render(request, payment, form, status=400)


class PaymentVoidView(_PaymentActionView):
    permission_key = P.DELETE_CUSTOMER_PAYMENT
    action = "void"
    title = _("Void payment %(no)s")

    def perform(self, request, payment, data):
        services.payment_void(actor=request.user, payment=payment, reason=data["reason"])
        messages.success(request, _("Payment %(no)s is void.") % {"no": payment.receipt_number})
        return redirect(_next_url(request, reverse("payments:receipt", args=[payment.pk])))


class PaymentEditView(_PaymentActionView):
    permission_key = P.EDIT_CUSTOMER_PAYMENT
    action = "edit"
    form_class = PaymentEditForm
    title = _("Edit payment %(no)s")

    def make_form(self, payment, data=None):
        return PaymentEditForm(data, initial={"amount": payment.amount, "note": payment.note})

    def perform(self, request, payment, data):
        new = services.payment_edit(
            actor=request.user,
            payment=payment,
            amount=data["amount"],
            note=data["note"],
            reason=data["reason"],
        )
        messages.success(
            request,
            _("Payment %(old)s is replaced by %(new)s.")
            % {"old": payment.receipt_number, "new": new.receipt_number},
        )
        return redirect("payments:receipt", new.pk)


# --- bulk mark paid -------------------------------------------------------------------------


def _selected_bills(request, ids):
    pks = [int(i) for i in ids if str(i).isdigit()]
    return list(
        Bill.objects.visible_to(request.user)
        .filter(pk__in=pks)
        .select_related("customer")
        .order_by("due_date", "id")
    )


class BulkMarkPaidView(PanelMixin, View):
    """Pay the selected bills (``ids``) in full in cash; the result lists every bill."""

    permission_key = P.RECEIVE_PAYMENT

    def get(self, request):
        bills = _selected_bills(request, request.GET.getlist("ids"))
        return render(
            request,
            "payments/bulk_mark_paid.html",
            {
                "bills": bills,
                "total": sum((b.due for b in bills if b.status in adjustments.OPEN), 0),
                "next": _next_url(request, ""),
                "page_title": _("Mark bills paid"),
            },
        )

    def post(self, request):
        ids = request.POST.getlist("ids")
        bills = _selected_bills(request, ids)
        found = {str(b.pk) for b in bills}
        results = services.bills_mark_paid(
            actor=request.user, bills=bills, note=request.POST.get("note", "")
        )
        missing = [i for i in ids if i not in found]
        paid = sum(1 for r in results if r.payment is not None)
        failed = len(results) - paid + len(missing)
        if failed:
            messages.warning(
                request,
                _("%(paid)s bills marked paid, %(failed)s failed.")
                % {"paid": paid, "failed": failed},
            )
        else:
            messages.success(request, _("%(paid)s bills marked paid.") % {"paid": paid})
        return render(
            request,
            "payments/bulk_mark_paid_result.html",
            {
                "results": results,
                "missing": missing,
                "next": _next_url(request, ""),
                "page_title": _("Mark bills paid"),
            },
        )


# --- bill corrections -----------------------------------------------------------------------


class _BillActionView(PanelMixin, View):
    form_class = ReasonForm
    action = ""
    title = ""

    def get_object(self, request, pk):
        return get_visible_or_404(
            Bill.objects.select_related("customer", "owner"), request.user, pk=pk
        )

    def make_form(self, bill, data=None):
        return self.form_class(data)

    def get(self, request, pk):
        bill = self.get_object(request, pk)
        return self._render(request, bill, self.make_form(bill))

    def post(self, request, pk):
        bill = self.get_object(request, pk)
        form = self.make_form(bill, request.POST)
        if form.is_valid():
            try:
                return self.perform(request, bill, form.cleaned_data)
            except ValidationError as exc:
                _show_errors(form, exc)
        return self._render(request, bill, form, status=400)

    def _render(self, request, bill, form, status=200):
        return render(
            request,
            "payments/bill_action.html",
            {
                "bill": bill,
                "lines": list(bill.lines.all()),
                "allocations": list(
                    PaymentAllocation.objects.filter(bill=bill).select_related("payment")
                ),
                "form": form,
                "action": self.action,
                "page_title": self.title % {"no": bill.number},
                "next": _next_url(request, ""),
            },
            status=status,
        )

    def done(self, request, bill):
        return redirect(_next_url(request, reverse("customers:detail", args=[bill.customer_id])))


class BillDiscountView(_BillActionView):
    permission_key = P.DISCOUNT_ON_BILLS
    form_class = DiscountForm
    action = "discount"
    title = _("Discount on bill %(no)s")

    def perform(self, request, bill, data):
        bill = adjustments.bill_discount(
            actor=request.user, bill=bill, amount=data["amount"], reason=data["reason"]
        )
        messages.success(
            request,
            _("Discount of %(amt)s given on %(no)s.") % {"amt": data["amount"], "no": bill.number},
        )
        return self.done(request, bill)


class BillVoidView(_BillActionView):
    permission_key = P.DELETE_BILLS
    action = "void"
    title = _("Void bill %(no)s")

    def perform(self, request, bill, data):
        bill = adjustments.bill_void(actor=request.user, bill=bill, reason=data["reason"])
        messages.success(request, _("Bill %(no)s is void.") % {"no": bill.number})
        return self.done(request, bill)


class BillEditView(_BillActionView):
    permission_key = P.EDIT_BILLS
    form_class = BillEditForm
    action = "edit"
    title = _("Edit bill %(no)s")

    def make_form(self, bill, data=None):
        return BillEditForm(data, initial={"amount": bill.amount})

    def perform(self, request, bill, data):
        new = adjustments.bill_edit(
            actor=request.user, bill=bill, amount=data["amount"], reason=data["reason"]
        )
        messages.success(
            request,
            _("Bill %(old)s is replaced by %(new)s.") % {"old": bill.number, "new": new.number},
        )
        return self.done(request, new)


# --- Verify Payments ------------------------------------------------------------------------


class VerifyView(PanelMixin, View):
    permission_key = P.VERIFY_PAYMENTS

    def get(self, request):
        qs = selectors.online_list(user=request.user, params=request.GET)
        page_obj = paginate(request, qs, PER_PAGE)
        return render(
            request,
            "payments/verify.html",
            {
                "page_obj": page_obj,
                "transactions": page_obj.object_list,
                "filter_form": OnlineFilterForm(request.GET or None),
                "page_title": _("Verify payments"),
            },
        )


class _VerifyActionView(PanelMixin, View):
    permission_key = P.VERIFY_PAYMENTS

    def post(self, request, pk):
        tx = get_visible_or_404(OnlineTransaction, request.user, pk=pk)
        try:
            self.perform(request, tx)
        except ValidationError as exc:
            messages.error(request, _error_message(exc))
        return redirect(_next_url(request, reverse("payments:verify")))


class VerifyApproveView(_VerifyActionView):
    def perform(self, request, tx):
        tx = online.online_transaction_approve(actor=request.user, tx=tx)
        messages.success(
            request,
            _("%(ref)s approved: payment %(no)s recorded.")
            % {"ref": tx.gateway_reference, "no": tx.payment.receipt_number},
        )


class VerifyRejectView(_VerifyActionView):
    def perform(self, request, tx):
        tx = online.online_transaction_reject(
            actor=request.user, tx=tx, reason=request.POST.get("reason", "")
        )
        messages.success(request, _("%(ref)s rejected.") % {"ref": tx.gateway_reference})
