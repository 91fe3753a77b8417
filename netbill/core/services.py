"""Helpers shared by the apps' service functions (validate, save, audit in one place)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

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


def check_name_free(obj) -> None:
    """The (tenant, name) unique constraint as a field error on ``name``.

    ``full_clean()`` reports a multi-field UniqueConstraint as a non-field error
    ("… with this Tenant and Name already exists"), which names a field the user never sees.
    """
    model = type(obj)
    if not obj.name:
        return
    taken = model.objects.filter(tenant_id=obj.tenant_id, name=obj.name).exclude(pk=obj.pk).exists()
    if taken:
        raise ValidationError(
            {
                "name": _("A %(model)s named “%(name)s” already exists.")
                % {"model": model._meta.verbose_name, "name": obj.name}
            }
        )


def validate_object(obj, check=None) -> None:
    """Every error of ``obj`` at once, each under its field.

    ``check`` is a stricter, more precise form of the model's ``clean()`` (which then only
    runs when the check passed, so one mistake is not reported twice in two wordings).
    ``save_audited()`` runs ``full_clean()`` again as the last gate.
    """
    errors: dict = {}

    def collect(fn, *args, **kwargs):
        nonlocal errors
        try:
            fn(*args, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
            return False
        return True

    collect(obj.clean_fields)
    if check is None or collect(check, obj):
        collect(obj.clean)
    name_free = collect(check_name_free, obj)
    if name_free:
        collect(obj.validate_unique)
        collect(obj.validate_constraints)
    if errors:
        raise ValidationError(errors)
