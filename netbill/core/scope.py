"""Scope: the one entry point that decides which rows a user may see.

Every list, detail, search, filter choice, export, API endpoint and job reads through
``Model.objects.visible_to(user)``.  Rows outside it do not exist for that user: lookups
answer 404, never 403, so another tenant's or reseller's objects cannot even be probed.
"""

from __future__ import annotations

from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _

from netbill.core.choices import Role


def visible_owner_ids(user) -> frozenset[int] | None:
    """The reseller accounts whose customers ``user`` may see; ``None`` means the whole tenant.

    group admin and NOC: the tenant; operator: itself and its sub-operators; sub-operator:
    itself; manager: its parent's scope; sales manager: nobody's customers.
    """
    cached = getattr(user, "_netbill_owner_ids", "unset")
    if cached != "unset":
        return cached
    result: frozenset[int] | None
    if user.role in (Role.GROUP_ADMIN, Role.NOC):
        result = None
    elif user.role == Role.OPERATOR:
        from netbill.accounts.models import User

        subs = User.objects.filter(
            tenant_id=user.tenant_id, parent_id=user.pk, role=Role.SUB_OPERATOR
        ).values_list("pk", flat=True)
        result = frozenset({user.pk, *subs})
    elif user.role == Role.SUB_OPERATOR:
        result = frozenset({user.pk})
    elif user.role == Role.MANAGER and user.parent is not None:
        result = visible_owner_ids(user.parent)
    else:
        result = frozenset()
    user._netbill_owner_ids = result
    return result


class ScopedQuerySet(models.QuerySet):
    """QuerySet with :meth:`visible_to`; models say how they are scoped (see ``scope_filter``)."""

    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False) or not user.is_active or not user.tenant_id:
            return self.none()
        return self.model.scope_filter(self.filter(tenant_id=user.tenant_id), user)


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)


def in_scope(user, obj) -> bool:
    """Is ``obj`` inside ``user``'s scope?"""
    qs = type(obj)._default_manager.all()
    if not hasattr(qs, "visible_to"):
        raise TypeError(f"{type(obj).__name__} has no scoped manager")
    return qs.visible_to(user).filter(pk=obj.pk).exists()


def get_visible_or_404(queryset_or_model, user, **lookup):
    """Fetch one row inside the user's scope or raise 404 ("No such …")."""
    qs = queryset_or_model
    if isinstance(qs, type) and issubclass(qs, models.Model):
        qs = qs._default_manager.all()
    try:
        return qs.visible_to(user).get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("No such %(name)s.") % {"name": qs.model._meta.verbose_name}) from exc
