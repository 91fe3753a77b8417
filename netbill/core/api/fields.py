"""Serializer fields that keep choices inside the caller's scope."""

from __future__ import annotations

from rest_framework import serializers


def request_user(context: dict):
    """The authenticated user of the serializer's request (``None`` without one)."""
    request = context.get("request")
    return getattr(request, "user", None)


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related object chosen by id, looked up only among the rows the caller may see.

    By default the queryset is narrowed with ``.visible_to(user)``; pass ``scope`` (a
    callable ``user -> QuerySet``) for a different question (e.g. "who may own customers").
    Another tenant's or reseller's id is then simply unknown: a 400 "Invalid pk" naming
    the field, never a hint that the row exists.
    """

    def __init__(self, *, scope=None, **kwargs):
        self.scope = scope
        super().__init__(**kwargs)

    def get_queryset(self):
        qs = super().get_queryset()
        user = request_user(self.context)
        if user is None or not getattr(user, "is_authenticated", False):
            return qs.none()
        if self.scope is not None:
            return self.scope(user) & qs
        return qs.visible_to(user)
