"""Services for the customer set-up the group admin defines: zones and custom fields."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from netbill.core.audit import audit_record, snapshot
from netbill.core.permissions import MANAGE_CUSTOM_FIELDS, MANAGE_ZONES, require
from netbill.core.services import apply_changes, save_audited
from netbill.customers.models import Customer, CustomField, Zone

ZONE_FIELDS = {"name", "description"}
CUSTOM_FIELD_FIELDS = {"name", "key", "field_type", "choices", "mandatory", "position"}


def zone_create(*, actor, **data) -> Zone:
    require(actor, MANAGE_ZONES)
    zone = Zone(tenant_id=actor.tenant_id)
    apply_changes(zone, data, ZONE_FIELDS)
    with transaction.atomic():
        return save_audited(actor=actor, obj=zone, action="zone.create", before=None)


def zone_update(*, actor, zone: Zone, **data) -> Zone:
    require(actor, MANAGE_ZONES, zone)
    with transaction.atomic():
        zone = Zone.objects.select_for_update().get(pk=zone.pk)
        before = snapshot(zone)
        apply_changes(zone, data, ZONE_FIELDS)
        return save_audited(actor=actor, obj=zone, action="zone.update", before=before)


def zone_delete(*, actor, zone: Zone) -> None:
    require(actor, MANAGE_ZONES, zone)
    if Customer.objects.filter(zone=zone, deleted_at__isnull=True).exists():
        raise ValidationError({"zone": _("Move this zone's customers to another zone first.")})
    with transaction.atomic():
        audit_record(actor=actor, action="zone.delete", obj=zone, before=snapshot(zone))
        zone.delete()


def custom_field_create(*, actor, **data) -> CustomField:
    require(actor, MANAGE_CUSTOM_FIELDS)
    field = CustomField(tenant_id=actor.tenant_id)
    apply_changes(field, data, CUSTOM_FIELD_FIELDS)
    with transaction.atomic():
        return save_audited(actor=actor, obj=field, action="custom_field.create", before=None)


def custom_field_update(*, actor, field: CustomField, **data) -> CustomField:
    require(actor, MANAGE_CUSTOM_FIELDS, field)
    if "key" in data and data["key"] != field.key:
        raise ValidationError({"key": _("The key of a custom field cannot change once created.")})
    with transaction.atomic():
        field = CustomField.objects.select_for_update().get(pk=field.pk)
        before = snapshot(field)
        apply_changes(field, data, CUSTOM_FIELD_FIELDS)
        return save_audited(actor=actor, obj=field, action="custom_field.update", before=before)


def custom_field_delete(*, actor, field: CustomField) -> None:
    require(actor, MANAGE_CUSTOM_FIELDS, field)
    with transaction.atomic():
        audit_record(actor=actor, action="custom_field.delete", obj=field, before=snapshot(field))
        field.delete()
