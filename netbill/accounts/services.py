"""Staff account services: create, edit, grant keys, switch sections, passwords, tokens."""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from netbill.accounts.models import ApiToken, SalesNote, User
from netbill.core.audit import audit_record, changed, snapshot
from netbill.core.choices import RESELLER_ROLES, AccountType, Role
from netbill.core.permissions import (
    CREATABLE_ROLES,
    GRANTABLE,
    MANAGE_STAFF,
    ROLE_DEFAULTS,
    SALES_NOTES,
    SECTIONS,
    effective_keys,
    may,
    require,
)
from netbill.core.scope import in_scope
from netbill.core.services import apply_changes, save_audited

PROFILE_FIELDS = {"name", "mobile", "email"}
STAFF_FIELDS = PROFILE_FIELDS | {"company_name", "account_type", "credit_limit", "is_active"}


def _check_password(password: str, user: User | None = None, field: str = "password") -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc


def _manages(actor: User, target: User) -> bool:
    """The group admin manages every account of its tenant; others the ones they created."""
    if actor.tenant_id is None or actor.tenant_id != target.tenant_id or actor.pk == target.pk:
        return False
    return actor.role == Role.GROUP_ADMIN or target.parent_id == actor.pk


def staff_manages(actor: User, target: User) -> bool:
    """May ``actor`` change ``target`` (edit, keys, sections, password)?  The same rule the
    services apply, for the panel to decide which buttons to show."""
    return _manages(actor, target) and may(actor, MANAGE_STAFF, target)


def audit_self(*, user: User, action: str, obj, **kwargs) -> None:
    """Audit an action a user does to its own account.  Platform administrators belong to no
    ISP, and the activity log is per ISP, so theirs are kept in the auth log only."""
    if user.tenant_id is None:
        return
    audit_record(actor=user, action=action, obj=obj, tenant=user.tenant, **kwargs)


def staff_create(
    *,
    actor: User,
    role: str,
    email: str,
    name: str,
    password: str,
    mobile: str = "",
    parent: User | None = None,
    company_name: str = "",
    account_type: str = "",
    credit_limit: Decimal | str = "0",
    keys: list[str] | None = None,
) -> User:
    """Create a staff account under ``parent`` (default: the actor), as the role table allows."""
    require(actor, MANAGE_STAFF)
    parent = parent or actor
    if parent.tenant_id != actor.tenant_id or (
        parent.pk != actor.pk and not in_scope(actor, parent)
    ):
        raise ValidationError({"parent": _("Choose a parent account of your own.")})
    if role not in CREATABLE_ROLES.get(actor.role, ()):
        raise PermissionDenied(
            _("A %(actor)s cannot create a %(role)s.")
            % {
                "actor": actor.get_role_display(),
                "role": Role(role).label if role in Role.values else role,
            }
        )
    if role not in CREATABLE_ROLES.get(parent.role, ()):
        raise ValidationError(
            {
                "parent": _("A %(parent)s cannot have a %(role)s under it.")
                % {"parent": parent.get_role_display(), "role": Role(role).label}
            }
        )
    if role == Role.SUB_OPERATOR and parent.role != Role.OPERATOR:
        raise ValidationError({"parent": _("A sub-operator belongs to an operator: choose one.")})
    if role in RESELLER_ROLES:
        account_type = account_type or AccountType.PREPAID
    else:
        account_type, credit_limit = "", "0"
    granted = set(ROLE_DEFAULTS[role])
    if keys is not None:
        granted = _checked_keys(actor, role, set(keys), current=set())
    email = (email or "").strip().lower()
    with transaction.atomic():
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError({"email": _("An account with this email already exists.")})
        user = User(
            tenant_id=actor.tenant_id,
            role=role,
            email=email,
            name=name,
            mobile=mobile,
            parent=parent,
            company_name=company_name,
            account_type=account_type,
            credit_limit=Decimal(str(credit_limit or "0")),
            granted_keys=sorted(granted),
        )
        _check_password(password, user)
        user.set_password(password)
        user.full_clean()
        user.save()
        audit_record(
            actor=actor,
            action="staff.create",
            obj=user,
            owner=_owner_of(user),
            after=snapshot(user),
        )
    return user


def _owner_of(user: User) -> User | None:
    """The reseller scope a staff account's log rows belong to."""
    if user.role in RESELLER_ROLES:
        return user
    if user.parent is not None and user.parent.role in RESELLER_ROLES:
        return user.parent
    return None


def _checked_keys(actor: User, role: str, keys: set[str], current: set[str]) -> set[str]:
    unknown = keys - GRANTABLE.get(role, frozenset())
    if unknown:
        raise ValidationError(
            {
                "keys": _("Not grantable to a %(role)s: %(keys)s")
                % {"role": Role(role).label, "keys": ", ".join(sorted(unknown))}
            }
        )
    added = keys - current
    if actor.role != Role.GROUP_ADMIN:
        missing = added - effective_keys(actor)
        if missing:
            raise ValidationError(
                {
                    "keys": _("You cannot grant keys you do not hold: %(keys)s")
                    % {"keys": ", ".join(sorted(missing))}
                }
            )
    return keys


def staff_update(*, actor: User, user: User, **data) -> User:
    """Edit another account's details (its parent or the group admin)."""
    require(actor, MANAGE_STAFF, user)
    if not _manages(actor, user):
        raise PermissionDenied(_("Only the account's parent or the group admin may change it."))
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        before = snapshot(user)
        if "email" in data:
            data["email"] = (data["email"] or "").strip().lower()
            if User.objects.filter(email__iexact=data["email"]).exclude(pk=user.pk).exists():
                raise ValidationError({"email": _("An account with this email already exists.")})
        apply_changes(user, data, STAFF_FIELDS)
        return save_audited(
            actor=actor, obj=user, action="staff.update", before=before, owner=_owner_of(user)
        )


def staff_set_keys(*, actor: User, user: User, keys: list[str]) -> User:
    """Grant / revoke permission keys of an account the actor created (or any, for the group admin)."""
    require(actor, MANAGE_STAFF, user)
    if not _manages(actor, user):
        raise PermissionDenied(
            _("Only the account's parent or the group admin may change its keys.")
        )
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        current = set(user.granted_keys or ())
        new = _checked_keys(actor, user.role, set(keys), current)
        user.granted_keys = sorted(new)
        user.save(update_fields=["granted_keys"])
        audit_record(
            actor=actor,
            action="staff.set_keys",
            obj=user,
            owner=_owner_of(user),
            before={"revoked": sorted(current - new)},
            after={"granted": sorted(new - current)},
        )
    user._netbill_keys = None
    return user


def staff_set_sections(*, actor: User, user: User, disabled_sections: list[str]) -> User:
    """Switch a reseller's panel sections on and off (special permissions)."""
    require(actor, MANAGE_STAFF, user)
    if user.role not in RESELLER_ROLES:
        raise ValidationError(
            {"disabled_sections": _("Panel sections belong to operators and sub-operators.")}
        )
    if not _manages(actor, user):
        raise PermissionDenied(
            _("Only the account's parent or the group admin may change its sections.")
        )
    unknown = set(disabled_sections) - set(SECTIONS)
    if unknown:
        raise ValidationError(
            {"disabled_sections": _("Unknown sections: %(s)s") % {"s": ", ".join(sorted(unknown))}}
        )
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        before = {"disabled_sections": user.disabled_sections}
        user.disabled_sections = sorted(set(disabled_sections))
        user.save(update_fields=["disabled_sections"])
        audit_record(
            actor=actor,
            action="staff.set_sections",
            obj=user,
            owner=user,
            before=before,
            after={"disabled_sections": user.disabled_sections},
        )
    return user


def profile_update(*, user: User, **data) -> User:
    """A user edits its own name, mobile and email."""
    # ``user`` may be an operator entered through Get Access (it carries ``impersonator``):
    # the audit row must name the admin, so the acting instance is kept apart from the row.
    actor = user
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        before = snapshot(user)
        if "email" in data:
            data["email"] = (data["email"] or "").strip().lower()
            if User.objects.filter(email__iexact=data["email"]).exclude(pk=user.pk).exists():
                raise ValidationError({"email": _("An account with this email already exists.")})
        apply_changes(user, data, PROFILE_FIELDS)
        user.full_clean()
        user.save()
        b, a = changed(before, snapshot(user))
        if user.tenant_id is not None:
            audit_record(
                actor=actor,
                action="profile.update",
                obj=user,
                owner=_owner_of(user),
                before=b,
                after=a,
            )
    return user


def password_change(*, user: User, old_password: str, new_password: str) -> User:
    """A user changes its own password (the current one is asked again)."""
    if not user.check_password(old_password):
        raise ValidationError({"old_password": _("Your current password is not correct.")})
    _check_password(new_password, user, field="new_password")
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        audit_self(user=user, action="password.change", obj=user, owner=_owner_of(user))
    return user


def staff_set_password(*, actor: User, user: User, new_password: str) -> User:
    """The parent (or group admin) sets a new password for an account it manages."""
    require(actor, MANAGE_STAFF, user)
    if not _manages(actor, user):
        raise PermissionDenied
    _check_password(new_password, user, field="new_password")
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        audit_record(actor=actor, action="staff.set_password", obj=user, owner=_owner_of(user))
    return user


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A personal API token; the key is returned once and only its hash is kept."""
    if not name or not name.strip():
        raise ValidationError({"name": _("Give the token a name.")})
    key = "nb_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name.strip()[:80], prefix=key[:10], key_hash=ApiToken.hash_key(key)
        )
        audit_self(
            user=user,
            action="api_token.create",
            obj=token,
            owner=_owner_of(user),
            after={"name": token.name, "prefix": token.prefix},
        )
    return token, key


def api_token_revoke(*, user: User, token: ApiToken) -> None:
    """Revoke one of the user's own tokens (it stops authenticating at once)."""
    if token.user_id != user.pk:
        raise PermissionDenied
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_self(user=user, action="api_token.revoke", obj=token, owner=_owner_of(user))


def sales_note_add(*, actor: User, operator: User, text: str) -> SalesNote:
    require(actor, SALES_NOTES, operator)
    if operator.role != Role.OPERATOR:
        raise ValidationError({"operator": _("Sales notes are kept on operators.")})
    if not text.strip():
        raise ValidationError({"text": _("Write the note.")})
    with transaction.atomic():
        note = SalesNote.objects.create(
            tenant_id=actor.tenant_id, operator=operator, author=actor, text=text.strip()
        )
        audit_record(
            actor=actor,
            action="sales_note.add",
            obj=note,
            owner=operator,
            after={"text": note.text},
        )
    return note
