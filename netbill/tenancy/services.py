"""Tenant services: a platform administrator creates ISPs; the group admin edits settings."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from netbill.core.audit import snapshot
from netbill.core.choices import Role
from netbill.core.permissions import EDIT_COMPANY, ROLE_DEFAULTS, require
from netbill.core.services import apply_changes, save_audited
from netbill.tenancy.models import Tenant

COMPANY_FIELDS = {"name", "logo", "address", "phone", "email", "currency", "timezone", "invoice_footer"}


def tenant_create(*, actor, name: str, admin_email: str, admin_name: str, admin_password: str,
                  slug: str = "", **settings_fields) -> tuple[Tenant, object]:
    """Create an ISP and its first group admin (platform administrators only)."""
    from netbill.accounts.models import User

    if not getattr(actor, "is_platform_admin", False):
        raise PermissionDenied(_("Only a platform administrator creates ISPs."))
    with transaction.atomic():
        tenant = Tenant(name=name, slug=slug or slugify(name)[:60])
        apply_changes(tenant, settings_fields, COMPANY_FIELDS - {"name"})
        tenant.full_clean()
        tenant.save()
        email = (admin_email or "").strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError({"admin_email": _("An account with this email already exists.")})
        admin = User(tenant=tenant, email=email, name=admin_name, role=Role.GROUP_ADMIN,
                     granted_keys=sorted(ROLE_DEFAULTS[Role.GROUP_ADMIN]))
        admin.set_password(admin_password)
        admin.full_clean(exclude=["password"])
        admin.save()
        from netbill.core.audit import audit_record

        audit_record(actor=None, tenant=tenant, action="tenant.create", obj=tenant,
                     after=snapshot(tenant))
    return tenant, admin


def tenant_update_settings(*, actor, tenant: Tenant, **data) -> Tenant:
    """Company settings (``editCompany``)."""
    require(actor, EDIT_COMPANY)
    if actor.tenant_id != tenant.pk:
        raise PermissionDenied
    with transaction.atomic():
        tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
        before = snapshot(tenant)
        apply_changes(tenant, data, COMPANY_FIELDS)
        return save_audited(actor=actor, obj=tenant, action="tenant.update", before=before)
