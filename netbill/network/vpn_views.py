"""Panel pages for VPN accounts (``manage-routers``): the list, create for a router, the
account page with the server's ``[Peer]`` block and the RouterOS commands, switch off/on and
delete."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from netbill.core import permissions as P
from netbill.core.scope import get_visible_or_404
from netbill.core.views import PanelMixin, ScopedListView, apply_validation_error
from netbill.network import vpn
from netbill.network.models import VpnAccount
from netbill.network.pool_forms import VpnAccountForm


class VpnListView(ScopedListView):
    model = VpnAccount
    permission_key = P.MANAGE_ROUTERS
    template_name = "network/vpn_list.html"

    def get_queryset(self):
        return super().get_queryset().select_related("router").order_by("router__name", "pk")


class VpnCreateView(PanelMixin, View):
    permission_key = P.MANAGE_ROUTERS
    template_name = "network/vpn_form.html"

    def render_page(self, form, status=200):
        try:
            vpn.server_settings()
            problem = ""
        except ValidationError as exc:
            problem = " ".join(exc.messages)
        return render(
            self.request,
            self.template_name,
            {"form": form, "server_problem": problem, "page_title": _("New VPN account")},
            status=status,
        )

    def get(self, request):
        initial = {}
        router = request.GET.get("router", "")
        if router.isdigit():
            initial["router"] = int(router)
        return self.render_page(VpnAccountForm(user=request.user, initial=initial))

    def post(self, request):
        form = VpnAccountForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                account = vpn.vpn_account_create(
                    actor=request.user, router=form.cleaned_data["router"]
                )
            except ValidationError as exc:
                apply_validation_error(form, exc, field_map={"tunnel_address": "router"})
            else:
                messages.success(
                    request,
                    _("“%(router)s” is now reached at %(ip)s through the tunnel.")
                    % {"router": account.router.name, "ip": account.tunnel_address},
                )
                return redirect("network:vpn_detail", pk=account.pk)
        return self.render_page(form, status=400)


class VpnDetailView(PanelMixin, View):
    permission_key = P.MANAGE_ROUTERS

    def get(self, request, pk):
        account = get_visible_or_404(
            VpnAccount.objects.select_related("router", "router__tenant"), request.user, pk=pk
        )
        try:
            vpn.server_settings()
            problem = ""
        except ValidationError as exc:
            problem = " ".join(exc.messages)
        return render(
            request,
            "network/vpn_detail.html",
            {
                "account": account,
                "peer_config": vpn.server_peer_config(account),
                "router_commands": vpn.routeros_commands(account),
                "server_problem": problem,
                "page_title": _("VPN account of %(router)s") % {"router": account.router.name},
            },
        )


class VpnToggleView(PanelMixin, View):
    permission_key = P.MANAGE_ROUTERS

    def post(self, request, pk):
        account = get_visible_or_404(VpnAccount, request.user, pk=pk)
        try:
            account = vpn.vpn_account_set_active(
                actor=request.user, account=account, is_active=not account.is_active
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if account.is_active:
                messages.success(request, _("The tunnel is on: the router is reached through it."))
            else:
                messages.success(request, _("The tunnel is off: the router is reached at its IP."))
        return redirect("network:vpn_detail", pk=account.pk)


class VpnDeleteView(PanelMixin, View):
    permission_key = P.MANAGE_ROUTERS

    def get(self, request, pk):
        account = get_visible_or_404(
            VpnAccount.objects.select_related("router"), request.user, pk=pk
        )
        return render(
            request,
            "network/confirm_delete.html",
            {
                "object": account,
                "page_title": _("Delete the VPN account of %(router)s")
                % {"router": account.router.name},
                "warning": _(
                    "The router will be reached at %(host)s again and its tunnel address is freed."
                )
                % {"host": account.router.host},
                "cancel_url": reverse("network:vpn_detail", args=[account.pk]),
            },
        )

    def post(self, request, pk):
        account = get_visible_or_404(VpnAccount, request.user, pk=pk)
        try:
            vpn.vpn_account_delete(actor=request.user, account=account)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("network:vpn_detail", pk=account.pk)
        messages.success(request, _("The VPN account is deleted."))
        return redirect("network:vpn_list")
