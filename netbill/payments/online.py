"""Online payments — the core the gateway adapters plug into.

A gateway callback records a *pending* transaction, once per (tenant, gateway, gateway
reference): a repeated or concurrent callback finds the same row (the database's unique
constraint decides the race).  Staff with ``verify-payments`` approve it — which records
the payment (method "online", debit Gateway clearing) — or reject it.  A decided
transaction never changes again (pending → completed | rejected, under the row lock).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from netbill.core import permissions as P
from netbill.core.audit import audit_record
from netbill.customers.models import Customer
from netbill.payments.choices import OnlineStatus, PaymentMethod
from netbill.payments.models import OnlineTransaction
from netbill.payments.services import _reason, parse_amount, payment_record


def online_transaction_record(
    *,
    tenant,
    gateway: str,
    gateway_reference: str,
    amount,
    customer: Customer,
    raw_callback: dict | None = None,
) -> OnlineTransaction:
    """Record a gateway's report of a payment as pending; idempotent per gateway reference
    (a repeated callback returns the row the first one created, unchanged)."""
    gateway = (gateway or "").strip().lower()[:30]
    reference = (gateway_reference or "").strip()
    errors = {}
    if not gateway:
        errors["gateway"] = _("Name the gateway.")
    if not reference:
        errors["gateway_reference"] = _("The gateway reference is missing.")
    elif len(reference) > 120:
        errors["gateway_reference"] = _("The gateway reference is too long.")
    if customer is None or customer.tenant_id != getattr(tenant, "pk", tenant):
        errors["customer"] = _("No such customer.")
    if errors:
        raise ValidationError(errors)
    tenant_id = customer.tenant_id
    existing = OnlineTransaction.objects.filter(
        tenant_id=tenant_id, gateway=gateway, gateway_reference=reference
    ).first()
    if existing is not None:
        return existing
    amount = parse_amount(amount)
    if customer.deleted_at is not None:
        raise ValidationError({"customer": _("This customer is deleted.")})
    try:
        with transaction.atomic():
            tx = OnlineTransaction.objects.create(
                tenant_id=tenant_id,
                gateway=gateway,
                gateway_reference=reference,
                customer=customer,
                owner_id=customer.owner_id,
                amount=amount,
                raw_callback=raw_callback or {},
            )
            audit_record(
                actor=None,
                tenant=customer.tenant,
                action="online.record",
                obj=tx,
                owner=customer.owner_id,
                after={"gateway": gateway, "reference": reference, "amount": amount},
            )
    except IntegrityError:
        # Another callback for the same reference committed first: that row is the one.
        return OnlineTransaction.objects.get(
            tenant_id=tenant_id, gateway=gateway, gateway_reference=reference
        )
    return tx


def _lock_pending(tx: OnlineTransaction) -> OnlineTransaction:
    # The customer first (the payment locks it too), then the transaction row.
    Customer.objects.select_for_update(of=("self",)).filter(pk=tx.customer_id).first()
    tx = OnlineTransaction.objects.select_for_update(of=("self",)).get(pk=tx.pk)
    if tx.status != OnlineStatus.PENDING:
        raise ValidationError(
            {
                "status": _("This transaction is already %(status)s.")
                % {"status": OnlineStatus(tx.status).label.lower()}
            }
        )
    return tx


def online_transaction_approve(*, actor, tx: OnlineTransaction, system: bool = False):
    """Approve a pending transaction (``verify-payments``): the payment is recorded for its
    customer (method "online", the gateway as party) and the transaction completed.
    ``system=True`` is for a gateway adapter that verified the payment itself."""
    if not system:
        P.require(actor, P.VERIFY_PAYMENTS, tx)
    with transaction.atomic():
        tx = _lock_pending(tx)
        payment = payment_record(
            actor=actor,
            customer=tx.customer,
            amount=tx.amount,
            method=PaymentMethod.ONLINE,
            note=_("Online payment via %(gateway)s") % {"gateway": tx.gateway},
            reference=tx.gateway_reference,
            party=tx.gateway,
            system=True,  # the verify key was checked above
        )
        tx.status = OnlineStatus.COMPLETED
        tx.payment = payment
        tx.decided_by = actor if getattr(actor, "pk", None) else None
        tx.decided_at = timezone.now()
        tx.save(update_fields=["status", "payment", "decided_by", "decided_at"])
        audit_record(
            actor=actor,
            tenant=tx.customer.tenant,
            action="online.approve",
            obj=tx,
            owner=tx.owner_id,
            before={"status": OnlineStatus.PENDING},
            after={"status": tx.status, "payment": payment.receipt_number},
        )
    return tx


def online_transaction_reject(*, actor, tx: OnlineTransaction, reason: str):
    """Reject a pending transaction (``verify-payments``) with a reason; no money moves."""
    P.require(actor, P.VERIFY_PAYMENTS, tx)
    reason = _reason(reason)
    with transaction.atomic():
        tx = _lock_pending(tx)
        tx.status = OnlineStatus.REJECTED
        tx.reject_reason = reason
        tx.decided_by = actor
        tx.decided_at = timezone.now()
        tx.save(update_fields=["status", "reject_reason", "decided_by", "decided_at"])
        audit_record(
            actor=actor,
            tenant=tx.customer.tenant,
            action="online.reject",
            obj=tx,
            owner=tx.owner_id,
            before={"status": OnlineStatus.PENDING},
            after={"status": tx.status, "reason": reason},
        )
    return tx
