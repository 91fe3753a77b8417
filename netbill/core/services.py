"""Helpers shared by the apps' service functions (validate, save, audit in one place)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from netbill.core.audit import audit_record, changed, snapshot


def apply_changes(obj: models.Model, data: dict, allowed: set[str]) -> None:
    """Set ``data`` on ``obj``; a name outside ``allowed`` is a validation error."""
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be changed here."))
    for name, value in data.items():
        setattr(obj, name, value)


def save_audited(
    *,
    actor,
    obj: models.Model,
    action: str,
    before: dict | None,
    owner=None,
    exclude: list[str] | None = None,
) -> models.Model:
    """``full_clean()``, save and write the activity log row (call inside a transaction)."""
    obj.full_clean(exclude=exclude)
    obj.save()
    after = snapshot(obj)
    if before is None:
        audit_record(actor=actor, action=action, obj=obj, owner=owner, after=after)
    else:
        b, a = changed(before, after)
        audit_record(actor=actor, action=action, obj=obj, owner=owner, before=b, after=a)
    return obj
