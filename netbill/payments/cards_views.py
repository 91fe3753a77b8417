"""Recharge card pages: batches (print, list, detail, one-time PIN download), distributors
(stock, commission, what they owe) and staff redemption.

PINs are shown once: the response that creates a batch lists them, and the same PINs are
kept — encrypted (``core.crypto``), in the creating user's session, for at most
``PIN_DOWNLOAD_SECONDS`` — for ONE download as CSV or Excel; the download removes them.
Nothing else can show a PIN again: the database has only their hashes.
"""

from __future__ import annotations

import csv
import io
import json
import time

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from openpyxl import Workbook

from netbill.core import permissions as P
from netbill.core.crypto import decrypt, encrypt
from netbill.core.scope import get_visible_or_404
from netbill.core.views import PanelMixin, apply_validation_error, paginate
from netbill.payments import cards
from netbill.payments.cards_forms import (
    CardBatchForm,
    CardRedeemForm,
    DistributorForm,
    DistributorPaymentForm,
)
from netbill.payments.choices import CardStatus
from netbill.payments.models import CardDistributor, RechargeCard, RechargeCardBatch

PIN_DOWNLOAD_SECONDS = 15 * 60


def _session_key(batch_pk: int) -> str:
    return f"card_pins:{batch_pk}"


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


def _batches(user):
    return RechargeCardBatch.objects.visible_to(user).annotate(
        unused=Count("cards", filter=Q(cards__status=CardStatus.ACTIVE)),
        redeemed=Count("cards", filter=Q(cards__status=CardStatus.REDEEMED)),
        voided=Count("cards", filter=Q(cards__status=CardStatus.VOID)),
    )


class CardBatchListView(PanelMixin, View):
    permission_key = P.MANAGE_RECHARGE_CARDS

    def get(self, request):
        batches = (
            _batches(request.user)
            .select_related("owner", "distributor")
            .order_by("-created_at", "-id")
        )
        return render(
            request,
            "payments/cards/batches.html",
            {"page_obj": paginate(request, batches), "page_title": _("Recharge cards")},
        )


class CardBatchCreateView(PanelMixin, View):
    permission_key = P.MANAGE_RECHARGE_CARDS

    def get(self, request):
        return self._render(CardBatchForm(user=request.user))

    def post(self, request):
        form = CardBatchForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                batch, printed = cards.card_batch_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                request.session[_session_key(batch.pk)] = {
                    "until": time.time() + PIN_DOWNLOAD_SECONDS,
                    "pins": encrypt(json.dumps([[c.serial, c.pin] for c in printed])),
                }
                response = render(
                    request,
                    "payments/cards/batch_created.html",
                    {
                        "batch": batch,
                        "printed": printed,
                        "page_title": _("Batch “%(name)s”: %(count)s cards")
                        % {"name": batch.name, "count": batch.count},
                    },
                )
                return _no_store(response)
        return self._render(form, status=400)

    def _render(self, form, status=200):
        return render(
            self.request,
            "payments/cards/form.html",
            {
                "form": form,
                "page_title": _("Print recharge cards"),
                "cancel_url": reverse("payments:card_batches"),
                "submit": _("Create cards"),
            },
            status=status,
        )


class CardBatchDetailView(PanelMixin, View):
    permission_key = P.MANAGE_RECHARGE_CARDS

    def get(self, request, pk):
        batch = get_visible_or_404(
            _batches(request.user).select_related("owner", "distributor", "created_by"),
            request.user,
            pk=pk,
        )
        card_rows = (
            RechargeCard.objects.visible_to(request.user)
            .filter(batch=batch)
            .select_related("redeemed_by", "payment")
            .order_by("serial")
        )
        status = request.GET.get("status", "")
        if status in CardStatus.values:
            card_rows = card_rows.filter(status=status)
        return render(
            request,
            "payments/cards/batch_detail.html",
            {
                "batch": batch,
                "page_obj": paginate(request, card_rows, 100),
                "statuses": CardStatus.choices,
                "status": status,
                "pins_waiting": _session_key(batch.pk) in request.session,
                "page_title": batch.name,
            },
        )


class CardBatchVoidView(PanelMixin, View):
    permission_key = P.MANAGE_RECHARGE_CARDS

    def post(self, request, pk):
        batch = get_visible_or_404(RechargeCardBatch, request.user, pk=pk)
        voided = cards.card_batch_void(
            actor=request.user, batch=batch, reason=request.POST.get("reason", "")[:200]
        )
        messages.success(request, _("%(n)s unused cards are void.") % {"n": voided})
        return redirect("payments:card_batch_detail", pk=batch.pk)


class CardExportView(PanelMixin, View):
    """The one download of a new batch's PINs (``?format=csv`` or ``xlsx``)."""

    permission_key = P.MANAGE_RECHARGE_CARDS

    def get(self, request, pk):
        batch = get_visible_or_404(RechargeCardBatch, request.user, pk=pk)
        stored = request.session.pop(_session_key(batch.pk), None)
        if stored is None or stored.get("until", 0) < time.time():
            messages.error(
                request,
                _(
                    "The PINs of this batch were shown once, when it was created, and are not "
                    "kept: they cannot be downloaded again."
                ),
            )
            return redirect("payments:card_batch_detail", pk=batch.pk)
        rows = [
            [serial, cards.format_pin(pin), batch.value, batch.expires_on or "", batch.name]
            for serial, pin in json.loads(decrypt(stored["pins"]))
        ]
        header = [_("Serial"), _("PIN"), _("Value"), _("Expires on"), _("Batch")]
        filename = f"cards-{batch.pk}"
        if request.GET.get("format") == "xlsx":
            book = Workbook(write_only=True)
            sheet = book.create_sheet(_("Cards"))
            sheet.append(header)
            for row in rows:
                sheet.append([str(v) if i != 2 else v for i, v in enumerate(row)])
            buffer = io.BytesIO()
            book.save(buffer)
            response = HttpResponse(
                buffer.getvalue(),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        else:
            text = io.StringIO()
            writer = csv.writer(text)
            writer.writerow(header)
            writer.writerows(rows)
            response = HttpResponse("\ufeff" + text.getvalue(), content_type="text/csv")
            response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return _no_store(response)


# --- distributors -----------------------------------------------------------------------------


class DistributorListView(PanelMixin, View):
    permission_key = P.MANAGE_RECHARGE_CARDS

    def get(self, request):
        user = request.user
        distributors = list(
            CardDistributor.objects.visible_to(user).select_related("owner").order_by("name", "pk")
        )
        stock: dict[int, list] = {d.pk: [] for d in distributors}
        rows = (
            RechargeCard.objects.visible_to(user)
            .filter(status=CardStatus.ACTIVE, batch__distributor__isnull=False)
            .values("batch__distributor_id", "value")
            .annotate(n=Count("id"))
            .order_by("batch__distributor_id", "value")
        )
        for row in rows:
            stock.setdefault(row["batch__distributor_id"], []).append(
                {"value": row["value"], "count": row["n"], "total": row["value"] * row["n"]}
            )
        accounts = cards.distributor_accounts(user, distributors)
        for d in distributors:
            d.stock = stock.get(d.pk, [])
            d.owes = accounts[d.pk]["owes"]
            d.commission = accounts[d.pk]["commission"]
        return render(
            request,
            "payments/cards/distributors.html",
            {"distributors": distributors, "page_title": _("Card distributors")},
        )


class DistributorFormView(PanelMixin, View):
    permission_key = P.MANAGE_RECHARGE_CARDS

    def get_object(self, pk):
        return None if pk is None else get_visible_or_404(CardDistributor, self.request.user, pk=pk)

    def get(self, request, pk=None):
        obj = self.get_object(pk)
        initial = (
            {"name": obj.name, "mobile": obj.mobile, "commission_percent": obj.commission_percent}
            if obj
            else None
        )
        return self._render(DistributorForm(initial=initial), obj)

    def post(self, request, pk=None):
        obj = self.get_object(pk)
        form = DistributorForm(request.POST)
        if form.is_valid():
            try:
                if obj is None:
                    saved = cards.distributor_create(actor=request.user, **form.cleaned_data)
                else:
                    saved = cards.distributor_update(
                        actor=request.user, distributor=obj, **form.cleaned_data
                    )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("“%(name)s” is saved.") % {"name": saved.name})
                return redirect("payments:distributors")
        return self._render(form, obj, status=400)

    def _render(self, form, obj, status=200):
        return render(
            self.request,
            "payments/cards/form.html",
            {
                "form": form,
                "object": obj,
                "page_title": _("Edit distributor") if obj else _("New card distributor"),
                "cancel_url": reverse("payments:distributors"),
                "submit": _("Save"),
            },
            status=status,
        )


class DistributorPaymentView(PanelMixin, View):
    """Cash received from a distributor for the cards it sold."""

    permission_key = P.MANAGE_RECHARGE_CARDS

    def get(self, request, pk):
        distributor = get_visible_or_404(CardDistributor, request.user, pk=pk)
        return self._render(DistributorPaymentForm(), distributor)

    def post(self, request, pk):
        distributor = get_visible_or_404(CardDistributor, request.user, pk=pk)
        form = DistributorPaymentForm(request.POST)
        if form.is_valid():
            try:
                cards.distributor_payment_record(
                    actor=request.user, distributor=distributor, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(
                    request,
                    _("%(amount)s received from %(name)s.")
                    % {"amount": form.cleaned_data["amount"], "name": distributor.name},
                )
                return redirect("payments:distributors")
        return self._render(form, distributor, status=400)

    def _render(self, form, distributor, status=200):
        return render(
            self.request,
            "payments/cards/form.html",
            {
                "form": form,
                "object": distributor,
                "page_title": _("Cash received from %(name)s") % {"name": distributor.name},
                "cancel_url": reverse("payments:distributors"),
                "submit": _("Record"),
            },
            status=status,
        )


# --- redemption -------------------------------------------------------------------------------


class CardRedeemView(PanelMixin, View):
    """Staff redeem a customer's card (``receive-payment``); the portal calls the same
    service as the customer."""

    permission_key = P.RECEIVE_PAYMENT

    def get(self, request):
        initial = {"customer": request.GET.get("customer", "")}
        return self._render(CardRedeemForm(initial=initial, user=request.user))

    def post(self, request):
        form = CardRedeemForm(request.POST, user=request.user)
        if form.is_valid():
            customer = form.cleaned_data["customer"]
            try:
                payment = cards.card_redeem(
                    actor=request.user, customer=customer, pin=form.cleaned_data["pin"]
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Card %(serial)s paid %(amount)s for %(customer)s (receipt %(receipt)s).")
                    % {
                        "serial": payment.reference,
                        "amount": payment.amount,
                        "customer": customer.username,
                        "receipt": payment.receipt_number,
                    },
                )
                return redirect("payments:card_redeem")
        return self._render(form, status=400)

    def _render(self, form, status=200):
        return render(
            self.request,
            "payments/cards/form.html",
            {
                "form": form,
                "page_title": _("Redeem a recharge card"),
                "submit": _("Redeem"),
            },
            status=status,
        )
