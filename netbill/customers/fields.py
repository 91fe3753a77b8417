"""Validation of the group admin's custom customer fields (panel and API alike)."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from netbill.customers.choices import CustomFieldType
from netbill.customers.models import CustomField


def error_key(field: CustomField) -> str:
    """The name an error about ``field`` is reported under."""
    return f"custom_fields.{field.key}"


def clean_custom_fields(
    *, tenant_id: int, values: dict | None, current: dict | None = None
) -> dict:
    """Check ``values`` against the tenant's custom fields; return the cleaned dict.

    ``current`` holds the customer's stored values when editing, so a partial update keeps
    what it does not name.  Unknown keys, wrong types and missing mandatory values are
    errors naming the field.
    """
    values = dict(values or {})
    merged = dict(current or {})
    fields = {f.key: f for f in CustomField.objects.filter(tenant_id=tenant_id)}
    errors: dict[str, list[str]] = {}
    for key in values:
        if key not in fields:
            errors[f"custom_fields.{key}"] = [_("No such custom field.")]
    for key, field in fields.items():
        if key in values:
            raw = values[key]
            if raw in (None, ""):
                merged.pop(key, None)
                continue
            try:
                merged[key] = _coerce(field, raw)
            except ValidationError as exc:
                errors[error_key(field)] = exc.messages
        if field.mandatory and merged.get(key) in (None, ""):
            errors.setdefault(error_key(field), [_("%(name)s is required.") % {"name": field.name}])
    if errors:
        raise ValidationError(errors)
    return {k: v for k, v in merged.items() if k in fields}


def _coerce(field: CustomField, raw):
    if field.field_type == CustomFieldType.NUMBER:
        try:
            number = Decimal(str(raw).strip())
        except InvalidOperation as exc:
            raise ValidationError(_("Enter a number.")) from exc
        if not number.is_finite():
            raise ValidationError(_("Enter a number."))
        return str(number)
    if field.field_type == CustomFieldType.DATE:
        if isinstance(raw, datetime.date):
            return raw.isoformat()
        try:
            return datetime.date.fromisoformat(str(raw).strip()).isoformat()
        except ValueError as exc:
            raise ValidationError(_("Enter a date as YYYY-MM-DD.")) from exc
    if field.field_type == CustomFieldType.DROPDOWN:
        if str(raw) not in field.choices:
            raise ValidationError(_("Choose one of: %(c)s.") % {"c": ", ".join(field.choices)})
        return str(raw)
    text = str(raw).strip()
    if len(text) > 500:
        raise ValidationError(_("Keep it under 500 characters."))
    return text
