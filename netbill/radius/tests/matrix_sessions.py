"""Permission-matrix rows for the sessions pages and API (``online-customers``,
``offline-customers``).  Subject: the operator's manager holding only the key."""

from __future__ import annotations

from django.urls import reverse

from netbill.core import permissions as P
from netbill.core.matrix import Action

ACTIONS = [
    Action(
        P.ONLINE_CUSTOMERS, "online customers", "panel", "get", lambda c: reverse("radius:online")
    ),
    Action(
        P.ONLINE_CUSTOMERS,
        "a customer's sessions",
        "panel",
        "get",
        lambda c: reverse("radius:customer", args=[c.customer.pk]),
    ),
    Action(P.ONLINE_CUSTOMERS, "online sessions", "api", "get", lambda c: "/api/v1/sessions/"),
    Action(
        P.OFFLINE_CUSTOMERS,
        "offline customers",
        "panel",
        "get",
        lambda c: reverse("radius:offline"),
    ),
]
