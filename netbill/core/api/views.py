"""API views of the core: the docs page (assets served locally) and the permission keys."""

from __future__ import annotations

import json

from django.templatetags.static import static
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerView
from rest_framework import permissions, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from netbill.core.permissions import KEY_LABELS, SECTIONS, effective_keys, section_of

SWAGGER_UI_DIR = "vendor/swagger-ui"


class ApiDocsView(SpectacularSwaggerView):
    """Swagger UI from the copy vendored under ``static/vendor/swagger-ui`` — no CDN (ISPs
    run on flaky links), and no call to the public swagger.io validator either."""

    @staticmethod
    def _swagger_ui_resource(filename):
        return static(f"{SWAGGER_UI_DIR}/{filename}")

    @staticmethod
    def _swagger_ui_favicon():
        return static(f"{SWAGGER_UI_DIR}/favicon-32x32.png")

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        ui_settings = {**spectacular_settings.SWAGGER_UI_SETTINGS, "validatorUrl": None}
        response.data["settings"] = json.dumps(ui_settings, indent=2)
        return response


class PermissionKeySerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    section = serializers.CharField(allow_null=True)
    held = serializers.BooleanField(help_text="Whether the caller holds this key now.")


class PermissionKeysView(GenericAPIView):
    """Every permission key with its label and panel section, and whether the caller holds it."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = PermissionKeySerializer
    pagination_class = None

    def get(self, request):
        held = effective_keys(request.user)
        rows = [
            {"key": key, "label": str(label), "section": section_of(key), "held": key in held}
            for key, label in KEY_LABELS.items()
        ]
        return Response(self.get_serializer(rows, many=True).data)


class SectionSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    keys = serializers.ListField(child=serializers.CharField())


class SectionsView(GenericAPIView):
    """The panel sections ("special permissions") a parent switches on and off."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = SectionSerializer
    pagination_class = None

    def get(self, request):
        rows = [
            {"name": name, "label": str(label), "keys": sorted(keys)}
            for name, (label, keys) in SECTIONS.items()
        ]
        return Response(self.get_serializer(rows, many=True).data)
