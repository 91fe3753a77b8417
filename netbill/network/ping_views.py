"""Panel pages of the ping test (``ping-test``): the ping page (form + recent results in the
user's scope), the Ping button of a customer, and one result."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from netbill.core import permissions as P
from netbill.core.scope import get_visible_or_404
from netbill.core.views import PanelMixin, apply_validation_error, paginate
from netbill.network.models import PingResult
from netbill.network.ping import ping_run
from netbill.network.pool_forms import PingForm


def sees_routers(user) -> bool:
    return P.may(user, P.VIEW_ROUTERS) or P.may(user, P.MANAGE_ROUTERS)


class PingView(PanelMixin, View):
    permission_key = P.PING_TEST
    template_name = "network/ping.html"

    def render_page(self, form, status=200):
        results = (
            PingResult.objects.visible_to(self.request.user)
            .select_related("customer", "router", "actor")
            .order_by("-created_at", "-id")
        )
        page = paginate(self.request, results, per_page=25)
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "page_obj": page,
                "results": page.object_list,
                "page_title": _("Ping test"),
            },
            status=status,
        )

    def get(self, request):
        return self.render_page(PingForm(user=request.user, routers=sees_routers(request.user)))

    def post(self, request):
        user = request.user
        form = PingForm(request.POST, user=user, routers=sees_routers(user))
        if form.is_valid():
            data = form.cleaned_data
            target = {}
            if data.get("customer"):
                from netbill.customers.models import Customer

                customer = (
                    Customer.objects.visible_to(user)
                    .alive()
                    .filter(username__iexact=data["customer"].strip())
                    .first()
                )
                if customer is None:
                    form.add_error("customer", _("None of your customers has this username."))
                target["customer"] = customer
            elif data.get("router"):
                target["router"] = data["router"]
            else:
                target["address"] = data["address"]
            if not form.errors:
                try:
                    result = ping_run(actor=user, **target)
                except ValidationError as exc:
                    apply_validation_error(form, exc)
                else:
                    return redirect("network:ping_result", pk=result.pk)
        return self.render_page(form, status=400)


class PingCustomerView(PanelMixin, View):
    """The Ping button on a customer's page."""

    permission_key = P.PING_TEST

    def post(self, request, pk):
        from netbill.customers.models import Customer

        customer = get_visible_or_404(Customer.objects.alive(), request.user, pk=pk)
        try:
            result = ping_run(actor=request.user, customer=customer)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("customers:detail", pk=customer.pk)
        return redirect("network:ping_result", pk=result.pk)


class PingResultView(PanelMixin, View):
    permission_key = P.PING_TEST

    def get(self, request, pk):
        result = get_visible_or_404(
            PingResult.objects.select_related("customer", "router", "actor"), request.user, pk=pk
        )
        return render(
            request,
            "network/ping_result.html",
            {"result": result, "page_title": _("Ping %(target)s") % {"target": result.target}},
        )
