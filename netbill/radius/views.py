"""Sessions panel: online customers, offline customers, a customer's sessions and usage.

Thin views over :mod:`netbill.radius.sessions`; every read is scoped like customers.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View

from netbill.core import permissions as P
from netbill.core.scope import get_visible_or_404
from netbill.core.views import PanelMixin, paginate
from netbill.customers.models import Customer
from netbill.radius import sessions
from netbill.radius.models import Nas

PER_PAGE = 50


def _nas_names(tenant_id: int) -> dict[str, str]:
    """NAS address → router name, for the tables."""
    return {
        nas.nasname: (nas.description or nas.shortname)
        for nas in Nas.objects.filter(tenant_id=tenant_id).only(
            "nasname", "description", "shortname"
        )
    }


def _with_router_names(rows, names: dict[str, str]):
    rows = list(rows)
    for row in rows:
        row.router_name = names.get(str(row.nasipaddress), row.nasipaddress)
    return rows


class OnlineView(PanelMixin, View):
    permission_key = P.ONLINE_CUSTOMERS

    def get(self, request):
        qs = sessions.online_sessions(request.user, request.GET)
        page_obj = paginate(request, qs, PER_PAGE)
        names = _nas_names(request.user.tenant_id)
        return render(
            request,
            "radius/online.html",
            {
                "page_obj": page_obj,
                "rows": _with_router_names(page_obj.object_list, names),
                "nas_names": names,
                "q": request.GET.get("q", ""),
                "nas": request.GET.get("nas", ""),
                "may_disconnect": P.may(request.user, P.DISCONNECT_CUSTOMER),
                "page_title": _("Online customers"),
            },
        )


class OfflineView(PanelMixin, View):
    permission_key = P.OFFLINE_CUSTOMERS

    def get(self, request):
        try:
            days = max(1, min(365, int(request.GET.get("days") or settings.RADIUS_OFFLINE_DAYS)))
        except ValueError:
            days = settings.RADIUS_OFFLINE_DAYS
        qs = sessions.offline_customers(request.user, days=days)
        page_obj = paginate(request, qs, PER_PAGE)
        return render(
            request,
            "radius/offline.html",
            {
                "page_obj": page_obj,
                "customers": page_obj.object_list,
                "days": days,
                "page_title": _("Offline customers"),
            },
        )


class CustomerSessionsView(PanelMixin, View):
    """A customer's session history and usage per cycle."""

    def get(self, request, pk):
        user = request.user
        if not (P.may(user, P.VIEW_CUSTOMER_DETAILS) or P.may(user, P.ONLINE_CUSTOMERS)):
            raise PermissionDenied
        customer = get_visible_or_404(
            Customer.objects.select_related("package", "billing_profile", "tenant"), user, pk=pk
        )
        page_obj = paginate(request, sessions.customer_sessions(customer), PER_PAGE)
        return render(
            request,
            "radius/customer_sessions.html",
            {
                "customer": customer,
                "page_obj": page_obj,
                "rows": _with_router_names(page_obj.object_list, _nas_names(customer.tenant_id)),
                "cycles": sessions.usage_history(customer),
                "page_title": _("Sessions and usage: %(name)s") % {"name": customer.name},
            },
        )
