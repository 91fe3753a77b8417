"""Customer reads: the list with search / filters / sort, and the scoped filter choices.

The panel list, the bulk update selection and the API list all call :func:`customer_list`,
so a filter means the same thing everywhere and never reaches outside the user's scope.
"""

from __future__ import annotations

import ipaddress

from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from netbill.accounts.models import User
from netbill.catalog.models import MasterPackage, OperatorPackage
from netbill.core.choices import RESELLER_ROLES, Role
from netbill.core.scope import visible_owner_ids
from netbill.customers.choices import CustomerStatus, CustomerType
from netbill.customers.models import Customer, Zone

# ``sort`` parameter -> ORDER BY (a trailing ``-id`` keeps pages stable on ties).
SORTS: dict[str, tuple[str, ...]] = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "username": ("username", "id"),
    "-username": ("-username", "-id"),
    "created_at": ("created_at", "id"),
    "-created_at": ("-created_at", "-id"),
    "status": ("status", "name", "id"),
    "-status": ("-status", "name", "id"),
}
DEFAULT_SORT = "-created_at"
FILTER_PARAMS = ("q", "status", "zone", "package", "owner", "customer_type")


def _int(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _search(q: str) -> Q:
    """Name contains; mobile, username and static IP match exactly or by prefix."""
    cond = Q(name__icontains=q) | Q(mobile__startswith=q) | Q(username__istartswith=q)
    try:
        cond |= Q(static_ip=str(ipaddress.ip_address(q)))
    except ValueError:
        # A partial address ("10.20.") still finds the customers of that subnet.
        if q and all(ch.isdigit() or ch in ".:abcdefABCDEF" for ch in q) and ("." in q or ":" in q):
            cond |= Q(static_ip__startswith=q)
    return cond


def customer_list(*, user, params=None) -> QuerySet:
    """Alive customers ``user`` may see, searched, filtered and sorted by ``params``.

    ``params`` is any mapping (a QueryDict, a dict): ``q`` searches name, mobile, username
    and static IP; ``status``, ``zone``, ``package``, ``owner`` and ``customer_type`` filter;
    ``sort`` is one of :data:`SORTS` (unknown values fall back to newest first).  Unknown or
    malformed values are ignored rather than failing the whole page.
    """
    params = params if params is not None else {}
    qs = (
        Customer.objects.visible_to(user)
        .alive()
        .select_related("owner", "zone", "package", "billing_profile")
    )
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(_search(q))
    status = params.get("status") or ""
    if status in CustomerStatus.values:
        qs = qs.filter(status=status)
    customer_type = params.get("customer_type") or ""
    if customer_type in CustomerType.values:
        qs = qs.filter(customer_type=customer_type)
    for name in ("zone", "package", "owner"):
        raw = params.get(name)
        if raw in (None, ""):
            continue
        pk = _int(raw)
        # A malformed id matches nothing rather than silently dropping the filter.
        qs = qs.filter(**{f"{name}_id": pk}) if pk is not None else qs.none()
    sort = params.get("sort") or DEFAULT_SORT
    return qs.order_by(*SORTS.get(sort, SORTS[DEFAULT_SORT]))


def with_list_price(qs: QuerySet) -> QuerySet:
    """Annotate ``list_price`` — the same figure as ``services.customer_price`` — in SQL,
    so a page of customers shows prices without one query per row."""
    reseller_price = OperatorPackage.objects.filter(
        operator_id=OuterRef("owner_id"),
        master_package_id=OuterRef("package_id"),
        operator__role__in=RESELLER_ROLES,
    ).values("customer_price")[:1]
    money = DecimalField(max_digits=14, decimal_places=2)
    return qs.annotate(
        list_price=Coalesce(
            "custom_price",
            Subquery(reseller_price, output_field=money),
            "package__price",
            output_field=money,
        )
    )


def deleted_customer_list(*, user) -> QuerySet:
    """Soft-deleted customers in ``user``'s scope, most recently deleted first."""
    return (
        Customer.objects.visible_to(user)
        .deleted()
        .select_related("owner", "zone", "package", "deleted_by")
        .order_by("-deleted_at", "-id")
    )


def owner_choices(user) -> QuerySet:
    """Accounts that may own customers, limited to ``user``'s scope: the whole tenant's group
    admin and resellers for a group admin (or NOC); a reseller itself and its sub-operators;
    a manager its parent's.  (``User.visible_to`` answers "which staff may I manage", which
    is not this question, so the customer scope's owner ids are used directly.)"""
    qs = User.objects.filter(tenant_id=user.tenant_id, is_active=True)
    owners = visible_owner_ids(user)
    if owners is None:
        return qs.filter(role__in=(Role.GROUP_ADMIN, *RESELLER_ROLES))
    return qs.filter(pk__in=owners)


def package_choices(user) -> QuerySet:
    """Packages ``user`` may see (a reseller's: those assigned to it)."""
    return MasterPackage.objects.visible_to(user).order_by("name")


def zone_choices(user) -> QuerySet:
    return Zone.objects.visible_to(user).order_by("name")
