"""Catalog services.  Only the group admin creates packages and profiles (``manage-catalog``);
a reseller with ``edit-package-price`` changes the customer price of its own packages."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from netbill.catalog.models import BillingProfile, MasterPackage, OperatorPackage, VatProfile
from netbill.core.audit import audit_record, snapshot
from netbill.core.choices import RESELLER_ROLES, Role
from netbill.core.permissions import EDIT_PACKAGE_PRICE, MANAGE_CATALOG, MANAGE_STAFF, require
from netbill.core.services import apply_changes, save_audited
from netbill.core.services import validate_object as _validate

PACKAGE_FIELDS = {
    "pppoe_profile",
    "fup_pool",
    "name",
    "download_kbps",
    "upload_kbps",
    "price",
    "validity_days",
    "fup_limit_gb",
    "fup_download_kbps",
    "fup_upload_kbps",
    "is_active",
}
BILLING_PROFILE_FIELDS = {
    "name",
    "billing_type",
    "due_day",
    "grace_days",
    "auto_billing",
    "auto_suspend",
    "is_active",
}
VAT_FIELDS = {"name", "rate", "is_active"}


def _check_fup(package: MasterPackage) -> None:
    """A FUP limit needs both FUP speeds; each missing one is named.  The FUP pool is an
    IPv4 pool for customers (its name becomes the customers' ``Framed-Pool``)."""
    errors = {}
    if package.fup_pool_id is not None:
        pool = package.fup_pool
        if pool.version != 4 or pool.kind != "customer":
            errors["fup_pool"] = _("Choose an IPv4 pool for customers.")
    if package.fup_limit_gb:
        if not package.fup_download_kbps:
            errors["fup_download_kbps"] = _(
                "Give the FUP download speed for a package with a FUP limit."
            )
        if not package.fup_upload_kbps:
            errors["fup_upload_kbps"] = _(
                "Give the FUP upload speed for a package with a FUP limit."
            )
    if errors:
        raise ValidationError(errors)


def _create(actor, model, fields: set[str], data: dict, action: str, check=None):
    require(actor, MANAGE_CATALOG)
    obj = model(tenant_id=actor.tenant_id)
    apply_changes(obj, data, fields)
    with transaction.atomic():
        _validate(obj, check)
        return save_audited(actor=actor, obj=obj, action=action, before=None)


def _update(actor, obj, fields: set[str], data: dict, action: str, check=None):
    require(actor, MANAGE_CATALOG, obj)
    with transaction.atomic():
        obj = type(obj).objects.select_for_update().get(pk=obj.pk)
        before = snapshot(obj)
        apply_changes(obj, data, fields)
        _validate(obj, check)
        return save_audited(actor=actor, obj=obj, action=action, before=before)


def master_package_create(*, actor, **data) -> MasterPackage:
    """Create a master package (group admin, ``manage-catalog``)."""
    return _create(actor, MasterPackage, PACKAGE_FIELDS, data, "master_package.create", _check_fup)


RADIUS_FIELDS = (
    "download_kbps",
    "upload_kbps",
    "fup_download_kbps",
    "fup_upload_kbps",
    "pppoe_profile_id",
    "fup_pool_id",
)


def master_package_update(*, actor, package: MasterPackage, **data) -> MasterPackage:
    """Change a master package's speeds, price, validity, FUP or active flag.

    A change of speeds, PPPoE profile or FUP pool rewrites its customers' RADIUS rows.
    """
    before = [getattr(package, f) for f in RADIUS_FIELDS]
    with transaction.atomic():
        package = _update(actor, package, PACKAGE_FIELDS, data, "master_package.update", _check_fup)
        if [getattr(package, f) for f in RADIUS_FIELDS] != before:
            from netbill.radius.services import resync_packages

            resync_packages([package], reason="master_package.update")
    return package


def billing_profile_create(*, actor, resellers=(), **data) -> BillingProfile:
    """Create a billing profile, optionally assigned to resellers at once."""
    with transaction.atomic():
        profile = _create(
            actor, BillingProfile, BILLING_PROFILE_FIELDS, data, "billing_profile.create"
        )
        if resellers:
            billing_profile_assign(actor=actor, profile=profile, resellers=resellers)
    return profile


def billing_profile_update(
    *, actor, profile: BillingProfile, resellers=None, **data
) -> BillingProfile:
    """Change a billing profile; ``resellers`` (when given) replaces its assigned resellers."""
    with transaction.atomic():
        profile = _update(actor, profile, BILLING_PROFILE_FIELDS, data, "billing_profile.update")
        if resellers is not None:
            billing_profile_assign(actor=actor, profile=profile, resellers=resellers)
    return profile


def billing_profile_assign(*, actor, profile: BillingProfile, resellers) -> BillingProfile:
    """Set which resellers may use ``profile``."""
    require(actor, MANAGE_CATALOG, profile)
    resellers = list(resellers)
    bad = [r for r in resellers if r.tenant_id != actor.tenant_id or r.role not in RESELLER_ROLES]
    if bad:
        raise ValidationError(
            {"resellers": _("Choose operators and sub-operators of your own ISP.")}
        )
    with transaction.atomic():
        before = sorted(profile.resellers.values_list("pk", flat=True))
        after = sorted({r.pk for r in resellers})
        if before == after:
            return profile
        profile.resellers.set(resellers)
        audit_record(
            actor=actor,
            action="billing_profile.assign",
            obj=profile,
            before={"resellers": before},
            after={"resellers": after},
        )
    return profile


def vat_profile_create(*, actor, **data) -> VatProfile:
    """Create a VAT profile (a named rate)."""
    return _create(actor, VatProfile, VAT_FIELDS, data, "vat_profile.create")


def vat_profile_update(*, actor, profile: VatProfile, **data) -> VatProfile:
    """Change a VAT profile's name, rate or active flag."""
    return _update(actor, profile, VAT_FIELDS, data, "vat_profile.update")


def _require_may_assign(actor, operator, master_package: MasterPackage) -> None:
    """Who may assign ``master_package`` to ``operator``.

    The group admin (``manage-catalog``) assigns to any reseller of the tenant.  An operator
    passes its own active packages on to its sub-operators; that is managing its
    sub-operators, hence ``manage-staff`` (the "Sub-operators and managers" section) and the
    target inside its scope (another operator's sub-operator answers 404).
    """
    if actor.role == Role.GROUP_ADMIN:
        require(actor, MANAGE_CATALOG)
    elif actor.role == Role.OPERATOR:
        require(actor, MANAGE_STAFF, operator)
        if operator.parent_id != actor.pk or operator.role != Role.SUB_OPERATOR:
            raise ValidationError({"operator": _("Choose one of your sub-operators.")})
        if not OperatorPackage.objects.filter(
            operator=actor, master_package=master_package, is_active=True
        ).exists():
            raise ValidationError(
                {"master_package": _("You can only pass on packages assigned to you.")}
            )
    else:
        raise PermissionDenied(
            _("Only the group admin (or an operator, for its sub-operators) assigns packages.")
        )
    if operator.tenant_id != actor.tenant_id or operator.role not in RESELLER_ROLES:
        raise ValidationError(
            {"operator": _("Choose an operator or sub-operator of your own ISP.")}
        )
    if master_package.tenant_id != actor.tenant_id:
        raise ValidationError({"master_package": _("Choose a master package of your own ISP.")})


def operator_package_assign(
    *,
    actor,
    operator,
    master_package: MasterPackage,
    reseller_price: Decimal,
    customer_price: Decimal | None = None,
    is_active: bool = True,
) -> OperatorPackage:
    """Assign a master package to a reseller with its prices (creates or updates in place).

    The group admin assigns to operators and sub-operators; an operator assigns its own
    packages on to its sub-operators (its reseller price to them is its own business).
    """
    _require_may_assign(actor, operator, master_package)
    with transaction.atomic():
        existing = (
            OperatorPackage.objects.select_for_update()
            .filter(operator=operator, master_package=master_package)
            .first()
        )
        obj = existing or OperatorPackage(
            tenant_id=actor.tenant_id, operator=operator, master_package=master_package
        )
        before = snapshot(obj) if existing else None
        obj.reseller_price = reseller_price
        obj.customer_price = master_package.price if customer_price is None else customer_price
        obj.is_active = is_active
        return save_audited(
            actor=actor, obj=obj, action="operator_package.assign", before=before, owner=operator
        )


def operator_package_set_active(
    *, actor, package: OperatorPackage, is_active: bool
) -> OperatorPackage:
    """Withdraw (or give back) an assigned package without touching its prices.

    Same rule as assigning: the group admin for any reseller, an operator for its
    sub-operators (withdrawing needs no package of its own: its own may be gone already).
    """
    if actor.role == Role.GROUP_ADMIN:
        require(actor, MANAGE_CATALOG, package)
    elif actor.role == Role.OPERATOR:
        require(actor, MANAGE_STAFF, package)
        if package.operator.parent_id != actor.pk:
            raise PermissionDenied(_("Only your sub-operators' packages can be switched here."))
        if is_active:
            _require_may_assign(actor, package.operator, package.master_package)
    else:
        raise PermissionDenied(
            _("Only the group admin (or an operator, for its sub-operators) assigns packages.")
        )
    with transaction.atomic():
        package = OperatorPackage.objects.select_for_update().get(pk=package.pk)
        before = snapshot(package)
        package.is_active = is_active
        return save_audited(
            actor=actor,
            obj=package,
            action="operator_package.set_active",
            before=before,
            owner=package.operator,
        )


def operator_package_set_customer_price(
    *, actor, package: OperatorPackage, customer_price: Decimal
) -> OperatorPackage:
    """A reseller (or its manager) with ``edit-package-price`` sets its customers' price."""
    require(actor, EDIT_PACKAGE_PRICE, package)
    with transaction.atomic():
        package = OperatorPackage.objects.select_for_update().get(pk=package.pk)
        before = snapshot(package)
        package.customer_price = customer_price
        return save_audited(
            actor=actor,
            obj=package,
            action="operator_package.set_price",
            before=before,
            owner=package.operator,
        )
