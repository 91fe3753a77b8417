"""Base classes of the REST API: the permission key and the scope applied in one place.

A concrete viewset declares its ``queryset``, ``serializer_class`` (what it answers with),
optionally ``input_serializers`` (what each writing action parses), and
``permission_keys`` — one entry per action: a key, a tuple of keys (any of them will do),
or ``None`` (any signed-in account).  An action missing from the map is refused, so a new
action cannot ship unguarded.  Rows come from ``queryset.visible_to(request.user)``, so an
object outside the caller's scope answers 404.  Writes call the app's service functions;
serializers only parse input and render output.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_serializer_context
from rest_framework import permissions, status, viewsets
from rest_framework.response import Response

from netbill.core.permissions import may

ANY_USER = None


class HasPermissionKey(permissions.BasePermission):
    """403 unless the caller holds the key(s) the view names for the current action."""

    message = _("You do not have the permission this action needs.")

    def has_permission(self, request, view):
        action_map = getattr(view, "action_map", None)
        if action_map is not None and request.method.lower() not in action_map:
            return True  # no handler for this method: DRF answers 405, not 403
        action = getattr(view, "action", None) or request.method.lower()
        if action in ("metadata", "options"):
            return True
        keys_map = getattr(view, "permission_keys", {})
        if action not in keys_map:
            return False
        keys = keys_map[action]
        if keys is None:
            return True
        if isinstance(keys, str):
            keys = (keys,)
        return any(may(request.user, key) for key in keys)


class IsPlatformAdmin(permissions.BasePermission):
    """Platform administrators only (they create ISPs and belong to none)."""

    def has_permission(self, request, view):
        return bool(getattr(request.user, "is_platform_admin", False))


class ScopedAutoSchema(AutoSchema):
    """OpenAPI: a writing action's request body is its input serializer (the view's
    ``get_serializer_class``); every response is the view's ``serializer_class``."""

    def get_response_serializers(self):
        output = getattr(self.view, "serializer_class", None)
        if output is not None and getattr(self.view, "action", None) in getattr(
            self.view, "input_serializers", {}
        ):
            return output(context=build_serializer_context(self.view))
        return super().get_response_serializers()


class ScopedViewSet(viewsets.GenericViewSet):
    """Signed in, holding the action's key, reading only rows in the caller's scope."""

    permission_classes = [permissions.IsAuthenticated, HasPermissionKey]
    permission_keys: dict[str, str | tuple[str, ...] | None] = {}
    input_serializers: dict[str, type] = {}
    filter_backends: list = []
    schema = ScopedAutoSchema()

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)

    def get_serializer_class(self):
        """The action's input serializer when it has one (parsing, forms, OPTIONS), else the
        output serializer."""
        action = self.action
        if action == "metadata":  # OPTIONS describes what a POST would take
            action = {"POST": "create"}.get(self.request.method, action)
        return self.input_serializers.get(action) or super().get_serializer_class()

    # -- helpers for writing actions

    def parse(self, *, partial: bool = False) -> dict:
        """Validate the request body with the action's input serializer; 400 names the field."""
        serializer = self.get_serializer(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def respond(self, obj, status_code: int = status.HTTP_200_OK) -> Response:
        """Render ``obj`` with the view's output serializer (``serializer_class``)."""
        serializer = self.serializer_class(obj, context=self.get_serializer_context())
        return Response(serializer.data, status=status_code)


class ListRetrieveMixin:
    def list(self, request, *args, **kwargs):
        queryset = self.get_queryset()
        page = self.paginate_queryset(queryset)
        if page is not None:
            return self.get_paginated_response(self.get_serializer(page, many=True).data)
        return Response(self.get_serializer(queryset, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        return self.respond(self.get_object())


class CreateMixin:
    """POST: parse, call :meth:`perform_create` (a service), answer 201 with the object."""

    def create(self, request, *args, **kwargs):
        obj = self.perform_create(self.parse())
        return self.respond(obj, status.HTTP_201_CREATED)

    def perform_create(self, data: dict):
        raise NotImplementedError


class UpdateMixin:
    """PATCH: parse the fields given, call :meth:`perform_update` (a service)."""

    def partial_update(self, request, *args, **kwargs):
        obj = self.get_object()
        data = self.parse(partial=True)
        return self.respond(self.perform_update(obj, data))

    def perform_update(self, obj, data: dict):
        raise NotImplementedError


class DestroyMixin:
    def destroy(self, request, *args, **kwargs):
        self.perform_destroy(self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def perform_destroy(self, obj):
        raise NotImplementedError
