"""Payment services: record a payment (cash, bank, online, card, advance), allocate it to
bills, keep the rest in the wallet, and reactivate a customer the system suspended.

Posting, in the customer's book B:
  Dr Cash in hand [collector] | Bank | Gateway clearing | Card distributors   amount
  Cr Customer receivables [customer]   the part that settles bills
  Cr Customer advances [customer]      the rest (wallet)
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
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
from netbill.ledger.posting import Line, post_entry
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
            target = next((b for b in open_bills if b.pk == bill.pk), None)
            if target is None:
                raise ValidationError({"bill": _("This bill is already paid or void.")})
            open_bills.remove(target)
            open_bills.insert(0, target)
        allocations = []
        left = amount
        for open_bill in open_bills:
            take = min(left, open_bill.amount - open_bill.paid_amount)
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
        number = receipt_number(customer.tenant_id, timezone.localdate(now).year)
        entry = post_entry(
            tenant_id=customer.tenant_id,
            kind=f"payment.{method}",
            actor=actor,
            memo=f"{number} {customer.username}",
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
        reactivate_if_settled(customer)
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
