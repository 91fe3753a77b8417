"""Catalog services.  Only the group admin creates packages and profiles (``manage-catalog``);
a reseller with ``edit-package-price`` changes the customer price of its own packages."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from netbill.catalog.models import BillingProfile, MasterPackage, OperatorPackage, VatProfile
from netbill.core.audit import snapshot
from netbill.core.choices import RESELLER_ROLES, Role
from netbill.core.permissions import EDIT_PACKAGE_PRICE, MANAGE_CATALOG, require
from netbill.core.services import apply_changes, save_audited

PACKAGE_FIELDS = {"name", "download_kbps", "upload_kbps", "price", "validity_days", "fup_limit_gb",
                  "fup_download_kbps", "fup_upload_kbps", "is_active"}
BILLING_PROFILE_FIELDS = {"name", "billing_type", "due_day", "grace_days", "auto_billing",
                          "auto_suspend", "is_active"}
VAT_FIELDS = {"name", "rate", "is_active"}


def _create(actor, model, fields: set[str], data: dict, action: str):
    require(actor, MANAGE_CATALOG)
    obj = model(tenant_id=actor.tenant_id)
    apply_changes(obj, data, fields)
    with transaction.atomic():
        return save_audited(actor=actor, obj=obj, action=action, before=None)


def _update(actor, obj, fields: set[str], data: dict, action: str):
    require(actor, MANAGE_CATALOG, obj)
    with transaction.atomic():
        obj = type(obj).objects.select_for_update().get(pk=obj.pk)
        before = snapshot(obj)
        apply_changes(obj, data, fields)
        return save_audited(actor=actor, obj=obj, action=action, before=before)


def master_package_create(*, actor, **data) -> MasterPackage:
    return _create(actor, MasterPackage, PACKAGE_FIELDS, data, "master_package.create")


def master_package_update(*, actor, package: MasterPackage, **data) -> MasterPackage:
    return _update(actor, package, PACKAGE_FIELDS, data, "master_package.update")


def billing_profile_create(*, actor, resellers=(), **data) -> BillingProfile:
    with transaction.atomic():
        profile = _create(actor, BillingProfile, BILLING_PROFILE_FIELDS, data, "billing_profile.create")
        if resellers:
            billing_profile_assign(actor=actor, profile=profile, resellers=resellers)
    return profile


def billing_profile_update(*, actor, profile: BillingProfile, **data) -> BillingProfile:
    return _update(actor, profile, BILLING_PROFILE_FIELDS, data, "billing_profile.update")


def billing_profile_assign(*, actor, profile: BillingProfile, resellers) -> BillingProfile:
    """Set which resellers may use ``profile``."""
    require(actor, MANAGE_CATALOG, profile)
    resellers = list(resellers)
    bad = [r for r in resellers if r.tenant_id != actor.tenant_id or r.role not in RESELLER_ROLES]
    if bad:
        raise ValidationError({"resellers": _("Choose operators and sub-operators of your own ISP.")})
    with transaction.atomic():
        before = sorted(profile.resellers.values_list("pk", flat=True))
        profile.resellers.set(resellers)
        from netbill.core.audit import audit_record

        audit_record(actor=actor, action="billing_profile.assign", obj=profile,
                     before={"resellers": before}, after={"resellers": sorted(r.pk for r in resellers)})
    return profile


def vat_profile_create(*, actor, **data) -> VatProfile:
    return _create(actor, VatProfile, VAT_FIELDS, data, "vat_profile.create")


def vat_profile_update(*, actor, profile: VatProfile, **data) -> VatProfile:
    return _update(actor, profile, VAT_FIELDS, data, "vat_profile.update")


def operator_package_assign(*, actor, operator, master_package: MasterPackage,
                            reseller_price: Decimal, customer_price: Decimal | None = None,
                            is_active: bool = True) -> OperatorPackage:
    """Assign a master package to a reseller with its prices (creates or updates).

    The group admin assigns to operators and sub-operators; an operator assigns its own
    packages on to its sub-operators (its reseller price to them is its own business).
    """
    if actor.role == Role.GROUP_ADMIN:
        require(actor, MANAGE_CATALOG)
    elif actor.role == Role.OPERATOR and operator.parent_id == actor.pk:
        if not OperatorPackage.objects.filter(operator=actor, master_package=master_package,
                                              is_active=True).exists():
            raise ValidationError({"master_package": _("You can only pass on packages assigned to you.")})
    else:
        raise PermissionDenied(_("Only the group admin (or an operator, for its sub-operators) assigns packages."))
    if operator.tenant_id != actor.tenant_id or operator.role not in RESELLER_ROLES:
        raise ValidationError({"operator": _("Choose an operator or sub-operator of your own ISP.")})
    if master_package.tenant_id != actor.tenant_id:
        raise ValidationError({"master_package": _("Choose a master package of your own ISP.")})
    with transaction.atomic():
        existing = (OperatorPackage.objects.select_for_update()
                    .filter(operator=operator, master_package=master_package).first())
        obj = existing or OperatorPackage(tenant_id=actor.tenant_id, operator=operator,
                                          master_package=master_package)
        before = snapshot(obj) if existing else None
        obj.reseller_price = reseller_price
        obj.customer_price = master_package.price if customer_price is None else customer_price
        obj.is_active = is_active
        return save_audited(actor=actor, obj=obj, action="operator_package.assign", before=before,
                            owner=operator)


def operator_package_set_customer_price(*, actor, package: OperatorPackage,
                                        customer_price: Decimal) -> OperatorPackage:
    """A reseller (or its manager) with ``edit-package-price`` sets its customers' price."""
    require(actor, EDIT_PACKAGE_PRICE, package)
    with transaction.atomic():
        package = OperatorPackage.objects.select_for_update().get(pk=package.pk)
        before = snapshot(package)
        package.customer_price = customer_price
        return save_audited(actor=actor, obj=package, action="operator_package.set_price",
                            before=before, owner=package.operator)
