"""Login with throttling and lockout, TOTP two-factor, recovery codes, the auth log."""

from __future__ import annotations

import hashlib
import io
import secrets

import pyotp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from netbill.accounts.models import AuthLog, RecoveryCode, User
from netbill.accounts.services import audit_self
from netbill.core.audit import audit_record
from netbill.core.choices import RESELLER_ROLES, Role
from netbill.core.crypto import decrypt, encrypt
from netbill.core.permissions import MANAGE_STAFF, require

RECOVERY_CODE_COUNT = 10
# Checked against when the email is unknown, so both paths cost one argon2 hash.
_DUMMY_HASH = "argon2$argon2id$v=19$m=102400,t=2,p=8$c29tZXNhbHQ$Wm9vYmFyYmF6cXV4cXV1eA"


class LoginRefused(Exception):
    """Login failed; ``message`` is safe to show (never says which part was wrong)."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.message = message
        self.reason = reason


def auth_log(
    *,
    user: User | None,
    email: str,
    event: str,
    success: bool,
    reason: str = "",
    ip: str | None = None,
    user_agent: str = "",
) -> AuthLog:
    return AuthLog.objects.create(
        tenant_id=getattr(user, "tenant_id", None),
        user=user,
        email=email[:254],
        event=event,
        success=success,
        reason=reason[:120],
        ip=ip or None,
        user_agent=(user_agent or "")[:300],
    )


def _ip_locked(ip: str | None) -> bool:
    """Too many failures from one address (any accounts) within the window."""
    if not ip:
        return False
    since = timezone.now() - timezone.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    failures = AuthLog.objects.filter(
        ip=ip, event="login", success=False, created_at__gte=since
    ).count()
    return failures >= settings.LOGIN_MAX_FAILURES * 4


def login_check_password(*, email: str, password: str, ip: str | None, user_agent: str) -> User:
    """First login step: email + password, with lockout.  Raises :class:`LoginRefused`."""
    email = (email or "").strip().lower()
    generic = _("Email or password is not correct.")
    now = timezone.now()

    def refuse(user, reason: str, message: str) -> LoginRefused:
        auth_log(
            user=user,
            email=email,
            event="login",
            success=False,
            reason=reason,
            ip=ip,
            user_agent=user_agent,
        )
        return LoginRefused(message, reason)

    if _ip_locked(ip):
        raise refuse(
            None, "ip throttled", _("Too many failed logins from your address. Try again later.")
        )
    user = User.objects.select_related("tenant").filter(email__iexact=email).first()
    if user is None:
        check_password(password, _DUMMY_HASH)
        raise refuse(None, "unknown email", generic)
    if user.locked_until and user.locked_until > now:
        raise refuse(
            user,
            "locked",
            _("This account is locked after too many failed logins. Try again later."),
        )
    if not user.check_password(password):
        _record_failure(user, now)
        raise refuse(user, "bad password", generic)
    if not user.is_active or (user.tenant is not None and not user.tenant.is_active):
        raise refuse(user, "inactive", _("This account is disabled."))
    return user


def _record_failure(user: User, now) -> None:
    window = timezone.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.first_failed_login_at is None or now - locked.first_failed_login_at > window:
            locked.failed_logins = 0
            locked.first_failed_login_at = now
        locked.failed_logins = F("failed_logins") + 1
        locked.save(update_fields=["failed_logins", "first_failed_login_at"])
        locked.refresh_from_db(fields=["failed_logins"])
        if locked.failed_logins >= settings.LOGIN_MAX_FAILURES:
            locked.locked_until = now + timezone.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
            locked.failed_logins = 0
            locked.first_failed_login_at = None
            locked.save(update_fields=["locked_until", "failed_logins", "first_failed_login_at"])
            auth_log(
                user=locked,
                email=locked.email,
                event="lockout",
                success=False,
                reason=f"{settings.LOGIN_MAX_FAILURES} failed logins",
            )


def login_succeeded(*, user: User, ip: str | None, user_agent: str, event: str = "login") -> None:
    User.objects.filter(pk=user.pk).update(
        failed_logins=0, first_failed_login_at=None, locked_until=None
    )
    auth_log(user=user, email=user.email, event=event, success=True, ip=ip, user_agent=user_agent)


# --- TOTP -------------------------------------------------------------------------


def totp_secret(user: User) -> str | None:
    return decrypt(user.totp_secret_encrypted) if user.totp_secret_encrypted else None


def totp_begin_enrol(*, user: User) -> str:
    """Start enrolment: a fresh secret, stored encrypted, not yet enabled."""
    if user.totp_enabled:
        # Re-enrolling would switch 2FA off without the password: disable it first.
        raise ValidationError({"code": _("Two-factor authentication is already on.")})
    secret = pyotp.random_base32()
    user.totp_secret_encrypted = encrypt(secret)
    user.totp_enabled = False
    user.save(update_fields=["totp_secret_encrypted", "totp_enabled"])
    return secret


def totp_provisioning_uri(user: User, secret: str) -> str:
    issuer = user.tenant.name if user.tenant_id else "netbill"
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def totp_qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


def _code_ok(secret: str, code: str) -> bool:
    code = (code or "").strip().replace(" ", "")
    return code.isdigit() and pyotp.TOTP(secret).verify(code, valid_window=1)


def _hash_code(code: str) -> str:
    return hashlib.sha256(code.strip().lower().replace("-", "").encode()).hexdigest()


def totp_confirm(*, user: User, code: str) -> list[str]:
    """Finish enrolment with a code from the app; returns new recovery codes (shown once)."""
    if user.totp_enabled:
        raise ValidationError({"code": _("Two-factor authentication is already on.")})
    secret = totp_secret(user)
    if not secret or not _code_ok(secret, code):
        raise ValidationError({"code": _("That code is not valid. Check the time on your phone.")})
    with transaction.atomic():
        user.totp_enabled = True
        user.save(update_fields=["totp_enabled"])
        codes = _new_recovery_codes(user)
        audit_self(user=user, action="2fa.enable", obj=user)
    return codes


def recovery_codes_regenerate(*, user: User, password: str) -> list[str]:
    """Replace the user's recovery codes (the old ones stop working); shown once."""
    if not user.totp_enabled:
        raise ValidationError({"password": _("Two-factor authentication is off.")})
    if not user.check_password(password):
        raise ValidationError({"password": _("Your password is not correct.")})
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        audit_self(user=user, action="2fa.recovery_codes", obj=user)
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=_hash_code(c)) for c in codes
    )
    return codes


def second_factor_verify(*, user: User, code: str, ip: str | None, user_agent: str) -> bool:
    """Second login step: a TOTP code or an unused recovery code.

    Wrong codes count as failed logins, so guessing codes locks the account like guessing
    passwords; a locked account raises :class:`LoginRefused`."""
    locked_until = User.objects.filter(pk=user.pk).values_list("locked_until", flat=True).first()
    if locked_until and locked_until > timezone.now():
        auth_log(
            user=user,
            email=user.email,
            event="2fa",
            success=False,
            reason="locked",
            ip=ip,
            user_agent=user_agent,
        )
        raise LoginRefused(
            _("This account is locked after too many failed logins. Try again later."), "locked"
        )
    secret = totp_secret(user)
    if secret and _code_ok(secret, code):
        auth_log(
            user=user, email=user.email, event="2fa", success=True, ip=ip, user_agent=user_agent
        )
        return True
    with transaction.atomic():
        recovery = (
            RecoveryCode.objects.select_for_update()
            .filter(user=user, code_hash=_hash_code(code or ""), used_at__isnull=True)
            .first()
        )
        if recovery is not None:
            recovery.used_at = timezone.now()
            recovery.save(update_fields=["used_at"])
            auth_log(
                user=user,
                email=user.email,
                event="2fa",
                success=True,
                reason="recovery code",
                ip=ip,
                user_agent=user_agent,
            )
            return True
    _record_failure(user, timezone.now())
    auth_log(
        user=user,
        email=user.email,
        event="2fa",
        success=False,
        reason="bad code",
        ip=ip,
        user_agent=user_agent,
    )
    return False


def totp_disable(*, user: User, password: str) -> None:
    """The user switches its own 2FA off (asks the password again)."""
    if not user.check_password(password):
        raise ValidationError({"password": _("Your password is not correct.")})
    with transaction.atomic():
        _totp_clear(user)
        audit_self(user=user, action="2fa.disable", obj=user)


def totp_admin_reset(*, actor: User, user: User) -> None:
    """A group admin clears another account's 2FA (lost phone)."""
    if (
        actor.role != Role.GROUP_ADMIN
        or actor.tenant_id is None
        or actor.tenant_id != user.tenant_id
        or actor.pk == user.pk
    ):
        raise PermissionDenied(_("Only the group admin resets two-factor authentication."))
    with transaction.atomic():
        _totp_clear(user)
        audit_record(actor=actor, action="2fa.admin_reset", obj=user, tenant=user.tenant)


def _totp_clear(user: User) -> None:
    user.totp_secret_encrypted = ""
    user.totp_enabled = False
    user.save(update_fields=["totp_secret_encrypted", "totp_enabled"])
    RecoveryCode.objects.filter(user=user).delete()


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


# --- Get Access -------------------------------------------------------------------


def get_access_begin(*, actor: User, target: User, ip: str | None, user_agent: str) -> None:
    """A group admin enters a reseller's panel without its password.  The caller keeps the
    target in the session; this checks and records it (activity log and auth log)."""
    if getattr(actor, "impersonator", None) is not None or actor.role != Role.GROUP_ADMIN:
        raise PermissionDenied(_("Only the group admin uses Get Access."))
    require(actor, MANAGE_STAFF, target)
    if target.role not in RESELLER_ROLES:
        raise ValidationError(_("Get Access enters operator and sub-operator panels only."))
    if not target.is_active:
        raise ValidationError(_("This account is disabled."))
    with transaction.atomic():
        audit_record(actor=actor, action="staff.get_access", obj=target, owner=target)
        auth_log(
            user=actor,
            email=actor.email,
            event="get_access",
            success=True,
            reason=f"entered {target.email}",
            ip=ip,
            user_agent=user_agent,
        )


def get_access_end(*, actor: User, target: User, ip: str | None, user_agent: str) -> None:
    """The group admin leaves the reseller's panel ("Back to Group Admin")."""
    with transaction.atomic():
        audit_record(actor=actor, action="staff.get_access_end", obj=target, owner=target)
        auth_log(
            user=actor,
            email=actor.email,
            event="get_access_end",
            success=True,
            reason=f"left {target.email}",
            ip=ip,
            user_agent=user_agent,
        )
