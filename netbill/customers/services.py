"""Customer services: create, edit, status changes, package change, delete, bulk update.

Each is the one code path for the panel, the API, importers, jobs and tests: it checks the
permission key and scope, validates, writes in one transaction with the status history and
activity log, and records side effects (welcome / status SMS) in the outbox.
"""

from __future__ import annotations

import re
import secrets
import string
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from netbill.accounts.models import User
from netbill.catalog.choices import BillingType
from netbill.catalog.models import BillingProfile, MasterPackage, OperatorPackage, VatProfile
from netbill.core import permissions as P
from netbill.core.audit import audit_record, changed, snapshot
from netbill.core.choices import RESELLER_ROLES, Role
from netbill.core.outbox import outbox_enqueue
from netbill.core.permissions import require
from netbill.core.scope import in_scope
from netbill.customers.choices import CUSTOMER_TYPE_RULES, ConnectionType, CustomerStatus
from netbill.customers.fields import clean_custom_fields
from netbill.customers.models import Customer, CustomerStatusChange, Zone
from netbill.network.services import static_ip_conflict
from netbill.radius.services import on_customer_change

EDITABLE_FIELDS = {
    "name",
    "mobile",
    "email",
    "address",
    "national_id",
    "zone",
    "password",
    "static_ip",
    "mac_address",
    "mac_binding",
    "simultaneous_use",
    "custom_price",
    "vat_profile",
    "billing_profile",
    "custom_fields",
    "suspend_date",
    "expires_at",
}
PASSWORD_ALPHABET = string.ascii_lowercase + string.digits
MAC_RE = re.compile(r"^[0-9A-Fa-f]{2}([:-]?)[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}$")


def generate_password(length: int = 8) -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(length))


def acting_owner(actor: User) -> User:
    """The account that owns customers the actor creates: a reseller itself; a manager its
    parent; a group admin itself."""
    node = actor
    while node.role == Role.MANAGER and node.parent is not None:
        node = node.parent
    return node


def customer_price(customer: Customer) -> Decimal:
    """The price the customer pays per validity period before VAT and discounts."""
    if customer.custom_price is not None:
        return customer.custom_price
    if customer.owner.role in RESELLER_ROLES:
        op = OperatorPackage.objects.filter(
            operator_id=customer.owner_id, master_package_id=customer.package_id
        ).first()
        if op is not None:
            return op.customer_price
    return customer.package.price


def _check_owner(actor: User, owner: User | None) -> User:
    default = acting_owner(actor)
    if owner is None or owner.pk == default.pk:
        return default
    if owner.tenant_id != actor.tenant_id or owner.role not in (*RESELLER_ROLES, Role.GROUP_ADMIN):
        raise ValidationError({"owner": _("Choose an operator or sub-operator of your own ISP.")})
    if owner.role != Role.GROUP_ADMIN and not in_scope(actor, owner):
        raise ValidationError({"owner": _("Choose an operator or sub-operator of your own ISP.")})
    if (
        owner.role == Role.GROUP_ADMIN
        and actor.role != Role.GROUP_ADMIN
        and default.role != Role.GROUP_ADMIN
    ):
        raise ValidationError({"owner": _("You cannot create customers for the group admin.")})
    return owner


def _check_catalog(customer: Customer, errors: dict) -> None:
    """Package, billing profile, VAT profile and zone must be usable by the owner."""
    owner = customer.owner
    tenant_id = customer.tenant_id
    if customer.package_id:
        package = customer.package
        if package.tenant_id != tenant_id or not package.is_active:
            errors["package"] = [_("Choose an active package of your own ISP.")]
        elif (
            owner.role in RESELLER_ROLES
            and not OperatorPackage.objects.filter(
                operator=owner, master_package=package, is_active=True
            ).exists()
        ):
            errors["package"] = [
                _("This package is not assigned to %(owner)s.") % {"owner": owner.name}
            ]
    if customer.billing_profile_id:
        profile = customer.billing_profile
        if profile.tenant_id != tenant_id or not profile.is_active:
            errors["billing_profile"] = [_("Choose an active billing profile of your own ISP.")]
        elif owner.role in RESELLER_ROLES and not profile.resellers.filter(pk=owner.pk).exists():
            errors["billing_profile"] = [
                _("This billing profile is not assigned to %(owner)s.") % {"owner": owner.name}
            ]
        elif customer.customer_type in CUSTOMER_TYPE_RULES:
            allowed = CUSTOMER_TYPE_RULES[customer.customer_type][1]
            if profile.billing_type not in allowed:
                errors["billing_profile"] = [
                    _("A %(type)s customer needs a %(allowed)s billing profile.")
                    % {
                        "type": customer.get_customer_type_display(),
                        "allowed": " / ".join(str(BillingType(b).label) for b in sorted(allowed)),
                    }
                ]
    if customer.vat_profile_id and customer.vat_profile.tenant_id != tenant_id:
        errors["vat_profile"] = [_("Choose a VAT profile of your own ISP.")]
    if customer.zone_id and customer.zone.tenant_id != tenant_id:
        errors["zone"] = [_("Choose a zone of your own ISP.")]
    if customer.customer_type in CUSTOMER_TYPE_RULES and (
        CUSTOMER_TYPE_RULES[customer.customer_type][0] == ConnectionType.STATIC
        and not customer.static_ip
    ):
        errors["static_ip"] = [_("A static IP customer needs its IP address.")]


def _static_ip_unchanged(customer: Customer) -> bool:
    """An edit that keeps the static IP is not refused for a pool made around it later."""
    return bool(
        customer.pk
        and Customer.objects.filter(pk=customer.pk, static_ip=customer.static_ip).exists()
    )


def _validate(customer: Customer) -> None:
    errors: dict[str, list[str]] = {}
    try:
        customer.full_clean(
            exclude=["tenant", "owner", "package", "billing_profile", "vat_profile", "zone"],
            validate_constraints=False,
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    for name in ("package", "billing_profile"):
        if not getattr(customer, f"{name}_id"):
            errors.setdefault(name, [_("This field is required.")])
    _check_catalog(customer, errors)
    if customer.username and "username" not in errors:
        clash = Customer.objects.filter(
            tenant_id=customer.tenant_id,
            username__iexact=customer.username,
            deleted_at__isnull=True,
        ).exclude(pk=customer.pk)
        if clash.exists():
            errors["username"] = [
                _("The username “%(u)s” is already taken.") % {"u": customer.username}
            ]
    if customer.static_ip and "static_ip" not in errors:
        clash = Customer.objects.filter(
            tenant_id=customer.tenant_id, static_ip=customer.static_ip, deleted_at__isnull=True
        ).exclude(pk=customer.pk)
        if clash.exists():
            errors["static_ip"] = [
                _("%(ip)s is already assigned to another customer.") % {"ip": customer.static_ip}
            ]
        elif not _static_ip_unchanged(customer):
            pool = static_ip_conflict(customer.tenant_id, customer.static_ip)
            if pool is not None:
                errors["static_ip"] = [
                    _(
                        "%(ip)s is inside the IP pool “%(pool)s”: a static IP must be outside "
                        "every pool, or the router could give it to someone else."
                    )
                    % {"ip": customer.static_ip, "pool": pool}
                ]
    if customer.mac_binding and "mac_address" not in errors:
        if not customer.mac_address:
            errors["mac_address"] = [_("Give the MAC address to bind the login to.")]
        elif not MAC_RE.match(customer.mac_address.strip()):
            errors["mac_address"] = [
                _("%(mac)s is not a MAC address (like AA:BB:CC:DD:EE:FF).")
                % {"mac": customer.mac_address}
            ]
    if errors:
        raise ValidationError(errors)


def _save(customer: Customer) -> None:
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError as exc:  # a concurrent create took the username or IP first
        text = str(exc)
        field = "static_ip" if "static_ip" in text else "username"
        raise ValidationError(
            {field: [_("This value was just taken by another customer.")]}
        ) from exc


def customer_create(
    *,
    actor: User,
    customer_type: str,
    name: str,
    mobile: str,
    package: MasterPackage,
    billing_profile: BillingProfile,
    username: str,
    password: str = "",
    owner: User | None = None,
    zone: Zone | None = None,
    vat_profile: VatProfile | None = None,
    custom_fields: dict | None = None,
    status: str = CustomerStatus.ACTIVE,
    **extra,
) -> Customer:
    """Create a subscriber (``create-customer``); the password is generated when not given."""
    require(actor, P.CREATE_CUSTOMER)
    owner = _check_owner(actor, owner)
    unknown = set(extra) - {
        "email",
        "address",
        "national_id",
        "static_ip",
        "mac_address",
        "mac_binding",
        "simultaneous_use",
        "custom_price",
        "expires_at",
        "suspend_date",
    }
    if unknown:
        raise ValidationError({k: [_("Unknown field.")] for k in sorted(unknown)})
    if status not in (CustomerStatus.ACTIVE, CustomerStatus.SUSPENDED, CustomerStatus.DISABLED):
        raise ValidationError({"status": [_("A new customer is active, suspended or disabled.")]})
    customer = Customer(
        tenant_id=actor.tenant_id,
        owner=owner,
        customer_type=customer_type,
        name=(name or "").strip(),
        mobile=(mobile or "").strip(),
        package=package,
        billing_profile=billing_profile,
        username=(username or "").strip(),
        password=password or generate_password(),
        zone=zone,
        vat_profile=vat_profile,
        status=status,
        **extra,
    )
    errors = {}
    try:
        customer.custom_fields = clean_custom_fields(
            tenant_id=actor.tenant_id, values=custom_fields
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        _validate(customer)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _save(customer)
        on_customer_change(customer, event="create")
        CustomerStatusChange.objects.create(
            tenant_id=customer.tenant_id,
            customer=customer,
            from_status="",
            to_status=customer.status,
            reason=_("Created"),
            actor=actor,
        )
        audit_record(
            actor=actor,
            action="customer.create",
            obj=customer,
            owner=owner,
            after=snapshot(customer),
        )
        outbox_enqueue(
            tenant=customer.tenant,
            kind="notify.sms",
            payload={
                "event": "customer.welcome",
                "customer_id": customer.pk,
                "to": customer.mobile,
                "text": _("Welcome %(name)s! Your Internet username is %(u)s.")
                % {"name": customer.name, "u": customer.username},
            },
        )
        # The first bill, in the same transaction: a reseller that cannot pay for it
        # (ResellerRefused) refuses the whole creation with its message.  Imported here:
        # billing imports this module.
        from netbill.billing import services as billing_services

        billing_services.bill_first(actor=actor, customer=customer)
    return customer


def _lock(customer: Customer) -> Customer:
    return (
        Customer.objects.select_for_update().select_related("owner", "package").get(pk=customer.pk)
    )


def _alive(customer: Customer) -> None:
    if customer.deleted_at is not None:
        raise ValidationError({"customer": [_("This customer is deleted.")]})


def customer_update(*, actor: User, customer: Customer, **data) -> Customer:
    """Edit a customer's details (``edit-customer``).  Package and status have their own actions."""
    require(actor, P.EDIT_CUSTOMER, customer)
    unknown = set(data) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(
            {k: [_("This field cannot be changed here.")] for k in sorted(unknown)}
        )
    if "suspend_date" in data:
        require(actor, P.EDIT_SUSPEND_DATE)
    with transaction.atomic():
        customer = _lock(customer)
        _alive(customer)
        before = snapshot(customer)
        custom = data.pop("custom_fields", None)
        for key, value in data.items():
            setattr(customer, key, value)
        errors = {}
        if custom is not None:
            try:
                customer.custom_fields = clean_custom_fields(
                    tenant_id=customer.tenant_id, values=custom, current=customer.custom_fields
                )
            except ValidationError as exc:
                errors.update(exc.message_dict)
        try:
            _validate(customer)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if errors:
            raise ValidationError(errors)
        _save(customer)
        on_customer_change(customer, event="update")
        b, a = changed(before, snapshot(customer))
        audit_record(
            actor=actor,
            action="customer.update",
            obj=customer,
            owner=customer.owner,
            before=b,
            after=a,
        )
    return customer


STATUS_KEYS = {
    CustomerStatus.ACTIVE: P.ACTIVATE_CUSTOMER,
    CustomerStatus.SUSPENDED: P.SUSPEND_CUSTOMER,
    CustomerStatus.DISABLED: P.DISABLE_CUSTOMER,
}


def customer_set_status(
    *, actor: User | None, customer: Customer, status: str, reason: str = "", system: bool = False
) -> Customer:
    """Activate / suspend / disable, each behind its own key, with reason and history.

    ``system=True`` is for the scheduler (dunning, FUP): no user, no key check.
    """
    if not system:
        key = STATUS_KEYS.get(status)
        if key is None:
            raise ValidationError({"status": [_("Choose active, suspended or disabled.")]})
        require(actor, key, customer)
    elif status not in CustomerStatus.values:
        raise ValidationError({"status": [_("Unknown status.")]})
    with transaction.atomic():
        customer = _lock(customer)
        _alive(customer)
        old = customer.status
        if old == status:
            return customer
        customer.status = status
        customer.save(update_fields=["status", "updated_at"])
        on_customer_change(customer, event="status", old_status=old)
        CustomerStatusChange.objects.create(
            tenant_id=customer.tenant_id,
            customer=customer,
            from_status=old,
            to_status=status,
            reason=(reason or "")[:200],
            actor=actor,
        )
        audit_record(
            actor=actor,
            tenant=customer.tenant,
            action=f"customer.{status}",
            obj=customer,
            owner=customer.owner,
            before={"status": old},
            after={"status": status, "reason": reason},
        )
        outbox_enqueue(
            tenant=customer.tenant,
            kind="notify.sms",
            payload={
                "event": f"customer.{status}",
                "customer_id": customer.pk,
                "to": customer.mobile,
                "text": _("Dear %(name)s, your Internet account is now %(status)s.")
                % {"name": customer.name, "status": CustomerStatus(status).label.lower()},
            },
        )
    return customer


def customer_change_package(
    *, actor: User, customer: Customer, package: MasterPackage, reason: str = ""
) -> Customer:
    """Move a customer to another package (``change-customer-package``)."""
    require(actor, P.CHANGE_CUSTOMER_PACKAGE, customer)
    with transaction.atomic():
        customer = _lock(customer)
        _alive(customer)
        old = customer.package_id
        if old == package.pk:
            return customer
        customer.package = package
        _validate(customer)
        customer.save(update_fields=["package", "updated_at"])
        on_customer_change(customer, event="package")
        audit_record(
            actor=actor,
            action="customer.change_package",
            obj=customer,
            owner=customer.owner,
            before={"package": old},
            after={"package": package.pk, "reason": reason},
        )
    return customer


def customer_delete(
    *, actor: User, customer: Customer, password: str, reason: str = ""
) -> Customer:
    """Soft delete behind the special permission, confirmed with the actor's password."""
    require(actor, P.DELETE_CUSTOMER, customer)
    confirming = getattr(actor, "impersonator", None) or actor
    if not password or not confirming.check_password(password):
        raise ValidationError({"password": [_("Your password is not correct.")]})
    with transaction.atomic():
        customer = _lock(customer)
        _alive(customer)
        customer.deleted_at = timezone.now()
        customer.deleted_by = confirming
        customer.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
        on_customer_change(customer, event="delete")
        audit_record(
            actor=actor,
            action="customer.delete",
            obj=customer,
            owner=customer.owner,
            after={"deleted_at": customer.deleted_at, "reason": reason},
        )
    return customer


BULK_ACTIONS = {"package", "billing_profile", "status", "zone", "custom_fields"}


def customer_bulk_update(*, actor: User, customers, action: str, value, reason: str = "") -> dict:
    """Apply one change to many customers through the single-customer services.

    Each customer is its own transaction, so one failure does not undo the others; the
    result lists per-customer failures with the reason.
    """
    require(actor, P.BULK_UPDATE_CUSTOMERS)
    if action not in BULK_ACTIONS:
        raise ValidationError(
            {"action": [_("Choose one of: %(a)s.") % {"a": ", ".join(sorted(BULK_ACTIONS))}]}
        )
    updated, failed = [], []
    for customer in customers:
        try:
            if action == "package":
                customer_change_package(
                    actor=actor, customer=customer, package=value, reason=reason
                )
            elif action == "status":
                customer_set_status(actor=actor, customer=customer, status=value, reason=reason)
            elif action == "billing_profile":
                customer_update(actor=actor, customer=customer, billing_profile=value)
            elif action == "zone":
                customer_update(actor=actor, customer=customer, zone=value)
            else:
                customer_update(actor=actor, customer=customer, custom_fields=value)
            updated.append(customer.pk)
        except (ValidationError, PermissionDenied) as exc:
            message = (
                "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
                if isinstance(exc, ValidationError) and hasattr(exc, "error_dict")
                else " ".join(getattr(exc, "messages", [str(exc)]))
            )
            failed.append({"id": customer.pk, "username": customer.username, "error": message})
    return {"updated": updated, "failed": failed}
