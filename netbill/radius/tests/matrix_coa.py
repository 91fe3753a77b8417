"""Permission-matrix rows of the manual disconnect (see core/tests/test_permission_matrix.py):
without ``disconnect-customer`` the button's action and the API answer 403 and nothing is
queued; with it, a request to the NAS is recorded for the customer."""

from __future__ import annotations

from django.urls import reverse

from netbill.core import permissions as P
from netbill.core.matrix import Action
from netbill.radius.models import NasRequest


def _requested(c) -> bool:
    return NasRequest.objects.filter(customer=c.customer, kind="disconnect").exists()


ACTIONS = [
    Action(
        P.DISCONNECT_CUSTOMER,
        "disconnect customer",
        "panel",
        "post",
        lambda c: reverse("customers:disconnect", args=[c.customer.pk]),
        effect=_requested,
    ),
    Action(
        P.DISCONNECT_CUSTOMER,
        "disconnect customer",
        "api",
        "post",
        lambda c: f"/api/v1/customers/{c.customer.pk}/disconnect/",
        effect=_requested,
    ),
    Action(
        P.DISCONNECT_CUSTOMER,
        "disconnect customer",
        "api",
        "post",
        lambda c: f"/api/v1/customers/{c.customer.pk}/disconnect/",
        effect=_requested,
        subject="noc",
    ),
]
