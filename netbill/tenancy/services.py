"""Tenant services: a platform administrator creates ISPs; the group admin edits settings."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from netbill.core.audit import audit_record, changed, snapshot
from netbill.core.choices import Role
from netbill.core.permissions import EDIT_COMPANY, ROLE_DEFAULTS, require
from netbill.core.services import apply_changes
from netbill.tenancy.models import Tenant

COMPANY_FIELDS = {
    "name",
    "logo",
    "address",
    "phone",
    "email",
    "currency",
    "timezone",
    "invoice_footer",
}


def _snapshot(tenant: Tenant) -> dict:
    """The audited values; the logo as its stored file name (a file is not JSON)."""
    values = snapshot(tenant)
    values["logo"] = tenant.logo.name or ""
    return values


def tenant_create(
    *,
    actor,
    name: str,
    admin_email: str,
    admin_name: str,
    admin_password: str,
    slug: str = "",
    **settings_fields,
) -> tuple[Tenant, object]:
    """Create an ISP and its first group admin (platform administrators only)."""
    from netbill.accounts.models import User

    if not getattr(actor, "is_platform_admin", False):
        raise PermissionDenied(_("Only a platform administrator creates ISPs."))
    email = (admin_email or "").strip().lower()
    admin = User(
        email=email,
        name=admin_name,
        role=Role.GROUP_ADMIN,
        granted_keys=sorted(ROLE_DEFAULTS[Role.GROUP_ADMIN]),
    )
    try:
        validate_password(admin_password or "", admin)
    except ValidationError as exc:
        raise ValidationError({"admin_password": exc.messages}) from exc
    with transaction.atomic():
        tenant = Tenant(name=name, slug=slug or slugify(name)[:60])
        apply_changes(tenant, settings_fields, COMPANY_FIELDS - {"name"})
        tenant.full_clean()
        tenant.save()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError({"admin_email": _("An account with this email already exists.")})
        admin.tenant = tenant
        admin.set_password(admin_password)
        try:
            admin.full_clean(exclude=["password"])
        except ValidationError as exc:
            raise ValidationError({f"admin_{k}": v for k, v in exc.message_dict.items()}) from exc
        admin.save()
        from netbill.network.services import ensure_suspended_pool

        ensure_suspended_pool(tenant)
        audit_record(
            actor=actor, tenant=tenant, action="tenant.create", obj=tenant, after=_snapshot(tenant)
        )
        audit_record(
            actor=actor, tenant=tenant, action="staff.create", obj=admin, after=snapshot(admin)
        )
    return tenant, admin


def tenant_update_settings(*, actor, tenant: Tenant, **data) -> Tenant:
    """Company settings (``editCompany``)."""
    require(actor, EDIT_COMPANY)
    if actor.tenant_id != tenant.pk:
        raise PermissionDenied
    with transaction.atomic():
        tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
        before = _snapshot(tenant)
        apply_changes(tenant, data, COMPANY_FIELDS)
        tenant.full_clean()
        tenant.save()
        b, a = changed(before, _snapshot(tenant))
        audit_record(
            actor=actor, obj=tenant, tenant=tenant, action="tenant.update", before=b, after=a
        )
    return tenant
