"""Shared core: the tenant mixin, the activity log and the side-effect outbox."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from netbill.core.choices import OutboxStatus
from netbill.core.scope import ScopedManager, visible_owner_ids


class TenantOwned(models.Model):
    """A row that belongs to one ISP.  ``clean()`` refuses related objects of another tenant.

    Subclasses say how they are scoped: by default every user of the tenant sees the row;
    set ``scope_owner_field`` to the path of the owning reseller account to scope it like
    customers, or override :meth:`scope_filter`.
    """

    tenant = models.ForeignKey("tenancy.Tenant", on_delete=models.CASCADE, related_name="+")

    objects = ScopedManager()

    scope_owner_field: str | None = None

    class Meta:
        abstract = True

    @classmethod
    def scope_filter(cls, qs, user):
        if cls.scope_owner_field is None:
            return qs
        owners = visible_owner_ids(user)
        if owners is None:
            return qs
        return qs.filter(**{f"{cls.scope_owner_field}__in": owners})

    def clean(self):
        super().clean()
        check_same_tenant(self)


def check_same_tenant(obj) -> None:
    """Raise a field error for every foreign key pointing at another tenant's row."""
    errors = {}
    tenant_id = obj.tenant_id
    for field in obj._meta.concrete_fields:
        if not field.is_relation or field.name == "tenant" or not field.many_to_one:
            continue
        related = getattr(obj, field.name, None)
        if related is None:
            continue
        related_tenant = getattr(related, "tenant_id", None)
        if related_tenant is not None and related_tenant != tenant_id:
            errors[field.name] = _("Choose a %(name)s of your own ISP.") % {
                "name": field.related_model._meta.verbose_name
            }
    if errors:
        raise ValidationError(errors)


class ActivityLog(TenantOwned):
    """Who did what to which object, with before/after values.  Written by services only."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set when a group admin acted inside an operator's panel through "Get Access".
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The reseller account whose scope the object belongs to (None: the tenant itself).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "-created_at"]),
            models.Index(fields=["object_type", "object_id"]),
        ]
        verbose_name = _("activity log entry")

    def __str__(self):
        return f"{self.action} {self.object_repr}"

    @classmethod
    def scope_filter(cls, qs, user):
        owners = visible_owner_ids(user)
        if owners is None:
            return qs
        return qs.filter(models.Q(owner_id__in=owners) | models.Q(actor_id=user.pk))


class OutboxMessage(TenantOwned):
    """A side effect still to do (send an SMS, disconnect a session, call a webhook).

    Written in the same transaction as the action that causes it; a worker delivers it
    with retries, and after ``max_attempts`` failures it becomes a dead letter the group
    admin sees and can retry.
    """

    kind = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    status = models.CharField(
        max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=6)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    # An optional idempotency key: the same effect is never recorded twice.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "dedupe_key"],
                name="outbox_unique_dedupe_key",
                condition=models.Q(dedupe_key__isnull=False),
            )
        ]
        verbose_name = _("outbox message")

    def __str__(self):
        return f"{self.kind} #{self.pk} ({self.status})"


class Counter(TenantOwned):
    """Per-tenant running numbers (bill and receipt numbers), taken under a row lock."""

    name = models.CharField(max_length=30)
    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="counter_unique_name"),
        ]

    def __str__(self):
        return f"{self.name}={self.value}"
