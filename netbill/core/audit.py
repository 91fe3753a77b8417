"""The activity log writer: services call :func:`audit_record` inside their transaction."""

from __future__ import annotations

import datetime
import decimal
from typing import Any

from django.db import models
from django.db.models.fields.files import FieldFile

from netbill.core.models import ActivityLog


def _plain(value: Any) -> Any:
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The audited values of ``obj`` (foreign keys as ids, money as strings)."""
    values = {}
    for field in obj._meta.concrete_fields:
        name = field.attname
        if fields is not None and field.name not in fields and name not in fields:
            continue
        if name in {"password", "totp_secret"} or name.endswith("_encrypted"):
            continue
        values[field.name] = _plain(getattr(obj, name))
    return values


def changed(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the keys whose value changed, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model,
    tenant=None,
    owner=None,
    before: dict | None = None,
    after: dict | None = None,
) -> ActivityLog:
    """Write who did what to ``obj``.  A "Get Access" session is recorded as the group
    admin acting on behalf of the operator whose panel it entered."""
    impersonator = getattr(actor, "impersonator", None)
    real_actor = impersonator or actor
    tenant_id = tenant.pk if tenant is not None else getattr(obj, "tenant_id", None)
    if tenant_id is None and actor is not None:
        tenant_id = actor.tenant_id
    return ActivityLog.objects.create(
        tenant_id=tenant_id,
        actor=real_actor if getattr(real_actor, "pk", None) else None,
        on_behalf_of=actor if impersonator else None,
        owner_id=getattr(owner, "pk", owner),
        action=action,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk or ""),
        object_repr=str(obj)[:200],
        before=_plain(before or {}),
        after=_plain(after or {}),
    )
