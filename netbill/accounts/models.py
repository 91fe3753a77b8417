"""Staff accounts (one user model with a role), personal API tokens, 2FA and the auth log."""

from __future__ import annotations

import hashlib
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from netbill.core.choices import RESELLER_ROLES, AccountType, Role
from netbill.core.scope import ScopedQuerySet, visible_owner_ids


class UserQuerySet(ScopedQuerySet):
    pass


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)

    def create_user(self, email, password=None, **extra):
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        """A platform administrator: creates ISPs, belongs to none."""
        extra.setdefault("is_platform_admin", True)
        extra.setdefault("name", "Platform admin")
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser):
    """A staff account of one ISP (or a platform administrator, with no tenant).

    Operators and sub-operators are reseller accounts: prepaid (debit balance) or
    postpaid (credit limit).  Every non-admin account keeps the ``parent`` that created it.
    """

    tenant = models.ForeignKey(
        "tenancy.Tenant", null=True, blank=True, on_delete=models.CASCADE, related_name="users"
    )
    email = models.EmailField(_("email"), unique=True)
    name = models.CharField(_("name"), max_length=120)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MANAGER)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_platform_admin = models.BooleanField(default=False)
    is_active = models.BooleanField(_("active"), default=True)
    # Permission keys granted by the parent (role defaults are copied in at creation).
    granted_keys = models.JSONField(default=list, blank=True)
    # Panel sections switched off by the parent (operators and sub-operators).
    disabled_sections = models.JSONField(default=list, blank=True)
    # Reseller money settings (operators and sub-operators).
    account_type = models.CharField(
        _("account type"), max_length=10, choices=AccountType.choices, blank=True
    )
    credit_limit = models.DecimalField(
        _("credit limit"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    company_name = models.CharField(_("company / area name"), max_length=120, blank=True)
    # Failed-login throttling.
    failed_logins = models.PositiveIntegerField(default=0)
    first_failed_login_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    # Two-factor (TOTP): the secret is stored encrypted.
    totp_secret_encrypted = models.TextField(blank=True)
    totp_enabled = models.BooleanField(default=False)
    date_joined = models.DateTimeField(auto_now_add=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["tenant", "role"])]
        verbose_name = _("staff account")

    def __str__(self):
        return f"{self.name} ({self.get_role_display()})"

    @property
    def is_reseller(self) -> bool:
        return self.role in RESELLER_ROLES

    @property
    def is_staff(self) -> bool:  # used by Django's own tooling only
        return self.is_platform_admin

    @classmethod
    def scope_filter(cls, qs, user):
        """Staff accounts a user may see: the group admin all; a reseller itself, its
        sub-operators and the managers under them; a sales manager the operators."""
        if user.role == Role.GROUP_ADMIN:
            return qs
        if user.role == Role.SALES_MANAGER:
            return qs.filter(role=Role.OPERATOR)
        if user.role in RESELLER_ROLES:
            owners = visible_owner_ids(user) or frozenset()
            return qs.filter(models.Q(pk__in=owners) | models.Q(parent_id__in=owners))
        return qs.filter(pk=user.pk)


class ApiToken(models.Model):
    """A personal API token.  Only a hash is stored; the key is shown once at creation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


class RecoveryCode(models.Model):
    """A one-time 2FA recovery code (hashed)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"recovery code of {self.user_id}"


class AuthLog(models.Model):
    """Every login attempt: success or failure, where from, with what."""

    tenant = models.ForeignKey(
        "tenancy.Tenant", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    email = models.CharField(max_length=254)
    event = models.CharField(max_length=32)  # login, logout, 2fa, lockout, …
    success = models.BooleanField()
    reason = models.CharField(max_length=120, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.event} {self.email} {'ok' if self.success else 'failed'}"

    @classmethod
    def scope_filter(cls, qs, user):
        visible_users = User.objects.visible_to(user).values("pk")
        return qs.filter(user_id__in=visible_users)


class SalesNote(models.Model):
    """A sales manager's comment on an operator."""

    tenant = models.ForeignKey("tenancy.Tenant", on_delete=models.CASCADE, related_name="+")
    operator = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sales_notes")
    author = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.text[:60]

    @classmethod
    def scope_filter(cls, qs, user):
        return qs.filter(operator__in=User.objects.visible_to(user))
