"""Payment services: record a payment (cash, bank, online, card, advance), allocate it to
bills, keep the rest in the wallet, and reactivate a customer the system suspended; void
or edit a payment (a reversing entry, never a deletion); bulk "mark paid".  Bill
corrections are in ``payments.adjustments``, online transactions in ``payments.online``.

Posting, in the customer's book B:
  Dr Cash in hand [collector] | Bank | Gateway clearing | Card distributors   amount
  Cr Customer receivables [customer]   the part that settles bills
  Cr Customer advances [customer]      the rest (wallet)
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from netbill.billing.choices import BillStatus
from netbill.billing.models import Bill
from netbill.billing.services import book_of, set_paid
from netbill.core import permissions as P
from netbill.core.audit import audit_record
from netbill.core.counters import next_numbers
from netbill.core.money import ZERO, money
from netbill.core.outbox import outbox_enqueue
from netbill.customers.choices import CustomerStatus
from netbill.customers.models import Customer
from netbill.ledger import chart
from netbill.ledger.posting import Line, build_entry, post_entries, reverse_entry
from netbill.ledger.selectors import wallet_balance
from netbill.payments.choices import PaymentMethod
from netbill.payments.models import Payment, PaymentAllocation

DEBIT_ACCOUNT = {
    PaymentMethod.CASH: chart.CASH,
    PaymentMethod.ADVANCE: chart.CASH,
    PaymentMethod.BANK: chart.BANK,
    PaymentMethod.ONLINE: chart.GATEWAY_CLEARING,
    PaymentMethod.CARD: chart.CARD_DISTRIBUTORS,
}


def parse_amount(value, field: str = "amount"):
    try:
        amount = money(value)
    except Exception as exc:  # noqa: BLE001 - any unparsable input is the field's error
        raise ValidationError({field: _("Enter an amount.")}) from exc
    if amount <= ZERO:
        raise ValidationError({field: _("The amount must be more than zero.")})
    return amount


def receipt_number(tenant_id: int, year: int) -> str:
    return f"R{year}-{next_numbers(tenant_id, 'receipt')[0]:07d}"


def payment_record(
    *,
    actor,
    customer: Customer,
    amount,
    method: str = PaymentMethod.CASH,
    bill: Bill | None = None,
    note: str = "",
    reference: str = "",
    collected_by=None,
    party: str = "",
    system: bool = False,
    received_at: datetime.datetime | None = None,
) -> Payment:
    """Record money received for ``customer`` (``receive-payment``).

    With ``bill`` the payment settles that bill first; then any other open bills, oldest
    first; what is left is wallet credit.  Concurrent payments for one customer are
    serialised by the customer's row lock, so none is lost or applied twice.
    """
    if not system:
        P.require(actor, P.RECEIVE_PAYMENT, customer)
    if method not in DEBIT_ACCOUNT:
        raise ValidationError({"method": _("Unknown payment method.")})
    amount = parse_amount(amount)
    with transaction.atomic():
        customer = (
            Customer.objects.select_for_update(of=("self",))
            .select_related("owner", "tenant")
            .get(pk=customer.pk)
        )
        if customer.deleted_at is not None:
            raise ValidationError({"customer": _("This customer is deleted.")})
        open_bills = list(
            Bill.objects.select_for_update()
            .filter(customer=customer, status__in=[BillStatus.UNPAID, BillStatus.PARTIAL])
            .order_by("due_date", "id")
        )
        if bill is not None:
            if bill.customer_id != customer.pk:
                raise ValidationError({"bill": _("This bill belongs to another customer.")})
            # A bill settled meanwhile (two collectors at once) does not refuse the money
            # received: it goes to the other open bills, then the wallet (see the receipt).
            target = next((b for b in open_bills if b.pk == bill.pk), None)
            if target is not None:
                open_bills.remove(target)
                open_bills.insert(0, target)
        allocations = []
        left = amount
        for open_bill in open_bills:
            take = min(left, open_bill.amount - open_bill.discount - open_bill.paid_amount)
            if take <= 0:
                continue
            set_paid(open_bill, take)
            allocations.append((open_bill, take))
            left -= take
            if left == 0:
                break
        book = book_of(customer)
        collector = collected_by or (actor if getattr(actor, "pk", None) else None)
        settled = amount - left
        now = received_at or timezone.now()
        # Everything that can be prepared is prepared before the receipt number is taken:
        # the tenant's counter row stays locked until commit and serialises payments.
        built = build_entry(
            tenant_id=customer.tenant_id,
            kind=f"payment.{method}",
            actor=actor,
            on=timezone.localdate(now),
            lines=[
                Line(
                    code=DEBIT_ACCOUNT[method],
                    amount=amount,
                    book=book,
                    customer=customer,
                    staff=collector
                    if method in (PaymentMethod.CASH, PaymentMethod.ADVANCE)
                    else None,
                    party=party,
                ),
                Line(code=chart.CUSTOMER_RECEIVABLE, amount=-settled, book=book, customer=customer),
                Line(code=chart.CUSTOMER_WALLET, amount=-left, book=book, customer=customer),
            ],
        )
        number = receipt_number(customer.tenant_id, timezone.localdate(now).year)
        built[0].memo = f"{number} {customer.username}"[:300]
        entry = post_entries([built])[0]
        payment = Payment.objects.create(
            tenant_id=customer.tenant_id,
            customer=customer,
            owner=customer.owner,
            method=method,
            amount=amount,
            receipt_number=number,
            collected_by=collector,
            received_at=now,
            note=(note or "")[:200],
            reference=(reference or "")[:120],
            entry=entry,
        )
        PaymentAllocation.objects.bulk_create(
            [
                PaymentAllocation(
                    tenant_id=customer.tenant_id, payment=payment, bill=b, amount=take, entry=entry
                )
                for b, take in allocations
            ]
        )
        audit_record(
            actor=actor,
            tenant=customer.tenant,
            action="payment.record",
            obj=payment,
            owner=customer.owner,
            after={
                "amount": amount,
                "method": method,
                "customer": customer.pk,
                "bills": {b.number: take for b, take in allocations},
                "wallet": left,
            },
        )
        outbox_enqueue(
            tenant=customer.tenant,
            kind="notify.sms",
            payload={
                "event": "payment.received",
                "customer_id": customer.pk,
                "payment_id": payment.pk,
                "to": customer.mobile,
                "text": _("Dear %(name)s, we received %(amt)s %(cur)s (receipt %(no)s). Thank you.")
                % {
                    "name": customer.name,
                    "amt": amount,
                    "cur": customer.tenant.currency,
                    "no": number,
                },
            },
        )
        if not reactivate_if_settled(customer):
            # A daily prepaid customer the system suspended: the wallet may now cover today.
            from netbill.billing.services import prepaid_resume

            prepaid_resume(customer=customer)
    return payment


def reactivate_if_settled(customer: Customer) -> bool:
    """Reactivate a customer the system suspended once nothing overdue remains."""
    from netbill.customers.models import CustomerStatusChange
    from netbill.customers.services import customer_set_status

    if customer.status != CustomerStatus.SUSPENDED:
        return False
    last = (
        CustomerStatusChange.objects.filter(customer=customer)
        .order_by("-created_at", "-id")
        .first()
    )
    if last is None or last.actor_id is not None:
        return False  # suspended by a person: a person reactivates
    today = timezone.localdate()
    grace = datetime.timedelta(days=customer.billing_profile.grace_days)
    overdue = [
        b
        for b in Bill.objects.filter(
            customer=customer, status__in=[BillStatus.UNPAID, BillStatus.PARTIAL]
        )
        if b.due_date + grace < today
    ]
    if overdue:
        return False
    if customer.expires_at is not None and customer.expires_at < timezone.now():
        return False
    customer_set_status(
        actor=None,
        customer=customer,
        status=CustomerStatus.ACTIVE,
        reason=_("Payment received"),
        system=True,
    )
    return True


# --- corrections: a payment is never deleted, it is voided with a reversing entry ---------

# A recharge card payment is undone with its card (the card stays used otherwise).
VOIDABLE_METHODS = (
    PaymentMethod.CASH,
    PaymentMethod.BANK,
    PaymentMethod.ADVANCE,
    PaymentMethod.ONLINE,
)
EDITABLE_METHODS = (PaymentMethod.CASH, PaymentMethod.BANK, PaymentMethod.ADVANCE)


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    return reason[:200]


def _void_locked(*, actor, payment: Payment, reason: str) -> Payment:
    """Void ``payment`` (the caller holds the customer's row lock): reverse its entry, undo
    its allocations (the bills' paid amounts and status), take its wallet part back."""
    payment = (
        Payment.objects.select_for_update(of=("self",))
        .select_related("customer")
        .get(pk=payment.pk)
    )
    if payment.voided_at is not None:
        raise ValidationError({"payment": _("This payment is already void.")})
    if payment.method not in VOIDABLE_METHODS:
        raise ValidationError(
            {"payment": _("A recharge card payment is undone with its card, not here.")}
        )
    allocations = list(
        PaymentAllocation.objects.filter(payment=payment, voided_at__isnull=True).order_by(
            "bill_id"
        )
    )
    bills = {
        b.pk: b
        for b in Bill.objects.select_for_update()
        .filter(pk__in=[a.bill_id for a in allocations])
        .order_by("pk")
    }
    wallet_part = payment.amount - sum((a.amount for a in allocations), ZERO)
    if wallet_part > 0:
        available = wallet_balance(payment.customer)
        if available < wallet_part:
            raise ValidationError(
                {
                    "payment": _(
                        "%(part)s of this payment went to the wallet, but the wallet holds only "
                        "%(bal)s now: the rest already paid later bills. Void those bills' "
                        "settlement first (or record a correcting payment)."
                    )
                    % {"part": wallet_part, "bal": available}
                }
            )
    now = timezone.now()
    void_entry = reverse_entry(
        entry=payment.entry,
        actor=actor,
        memo=f"{_('Void')} {payment.receipt_number}: {reason}",
    )
    for allocation in allocations:
        set_paid(bills[allocation.bill_id], -allocation.amount)
    PaymentAllocation.objects.filter(pk__in=[a.pk for a in allocations]).update(voided_at=now)
    before = {"amount": payment.amount, "voided_at": None}
    payment.voided_at = now
    payment.void_reason = reason
    payment.void_entry = void_entry
    payment.save(update_fields=["voided_at", "void_reason", "void_entry"])
    audit_record(
        actor=actor,
        tenant=payment.customer.tenant,
        action="payment.void",
        obj=payment,
        owner=payment.owner_id,
        before=before,
        after={
            "voided_at": now,
            "reason": reason,
            "bills": {bills[a.bill_id].number: a.amount for a in allocations},
            "wallet": wallet_part,
            "entry": void_entry.pk,
        },
    )
    return payment


def _lock_customer(customer_id: int) -> Customer:
    return (
        Customer.objects.select_for_update(of=("self",))
        .select_related("owner", "tenant", "billing_profile")
        .get(pk=customer_id)
    )


def payment_void(*, actor, payment: Payment, reason: str) -> Payment:
    """Void a payment (``delete-customer-payment``): a reversing entry, its bills unpaid
    again.  Refused when its wallet part was already spent on later bills."""
    P.require(actor, P.DELETE_CUSTOMER_PAYMENT, payment)
    reason = _reason(reason)
    with transaction.atomic():
        _lock_customer(payment.customer_id)
        return _void_locked(actor=actor, payment=payment, reason=reason)


def payment_edit(*, actor, payment: Payment, amount, note: str | None = None, reason: str):
    """Change a payment's amount or note (``edit-customer-payment``): the payment is voided
    and recorded again (new receipt number) for the same customer, method, collector and
    bill; returns the new payment."""
    P.require(actor, P.EDIT_CUSTOMER_PAYMENT, payment)
    reason = _reason(reason)
    amount = parse_amount(amount)
    if payment.method not in EDITABLE_METHODS:
        raise ValidationError(
            {"payment": _("Only cash, bank and advance payments can be edited; void it instead.")}
        )
    with transaction.atomic():
        customer = _lock_customer(payment.customer_id)
        first = (
            PaymentAllocation.objects.filter(payment=payment, voided_at__isnull=True)
            .order_by("id")
            .select_related("bill")
            .first()
        )
        old = _void_locked(actor=actor, payment=payment, reason=reason)
        new = payment_record(
            actor=actor,
            customer=customer,
            amount=amount,
            method=old.method,
            bill=first.bill if first is not None else None,
            note=old.note if note is None else note,
            reference=old.reference,
            collected_by=old.collected_by,
            system=True,  # the edit key was checked above
        )
        audit_record(
            actor=actor,
            tenant=customer.tenant,
            action="payment.edit",
            obj=new,
            owner=customer.owner,
            before={"receipt": old.receipt_number, "amount": old.amount, "note": old.note},
            after={
                "receipt": new.receipt_number,
                "amount": new.amount,
                "note": new.note,
                "reason": reason,
            },
        )
    return new


# --- bulk "mark paid" -----------------------------------------------------------------------


@dataclass
class MarkPaidResult:
    bill: Bill
    payment: Payment | None = None
    error: str = ""


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or exc.__class__.__name__


def bills_mark_paid(*, actor, bills, note: str = "") -> list[MarkPaidResult]:
    """Pay each bill in full with a cash payment (``receive-payment``), one transaction per
    bill: a bill that cannot be paid is listed with its reason and the others go through."""
    P.require(actor, P.RECEIVE_PAYMENT)
    results = []
    for bill in bills:
        try:
            with transaction.atomic():
                customer = _lock_customer(bill.customer_id)
                locked = Bill.objects.select_for_update().get(pk=bill.pk)
                if locked.status not in (BillStatus.UNPAID, BillStatus.PARTIAL):
                    raise ValidationError(
                        _("This bill is already %(status)s.")
                        % {"status": BillStatus(locked.status).label.lower()}
                    )
                payment = payment_record(
                    actor=actor,
                    customer=customer,
                    amount=locked.amount - locked.discount - locked.paid_amount,
                    method=PaymentMethod.CASH,
                    bill=locked,
                    note=note or _("Marked paid"),
                )
            results.append(MarkPaidResult(bill=locked, payment=payment))
        except (ValidationError, PermissionDenied, Http404) as exc:
            results.append(MarkPaidResult(bill=bill, error=_error_text(exc)))
    return results
