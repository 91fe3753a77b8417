"""Bill services: create one bill with its ledger entries (the single-bill path used by the
"Generate bill" button, customer creation and hotspot purchases; the scheduled run in
``billing.runs`` writes the same rows in bulk).

Posting of a bill of price P + VAT V for a customer whose owner's book is B:
  B: Dr Customer receivables [customer] P+V / Cr Revenue (connection type) P / Cr VAT payable V
and for every reseller in the owner's chain, in its parent's book:
  Dr Reseller accounts [reseller] R / Cr Revenue: resellers R
then, if the customer has wallet credit, a second entry applies it:
  B: Dr Customer advances [customer] / Cr Customer receivables [customer].
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from netbill.billing.choices import BillKind, BillLineKind, BillStatus
from netbill.billing.models import Bill, BillLine
from netbill.core import permissions as P
from netbill.core.audit import audit_record
from netbill.core.choices import RESELLER_ROLES
from netbill.core.counters import next_numbers
from netbill.core.money import ZERO, money
from netbill.core.outbox import outbox_enqueue
from netbill.customers.models import Customer
from netbill.customers.services import customer_price
from netbill.ledger import chart
from netbill.ledger.posting import Line, post_entry
from netbill.ledger.resellers import charge_lines, lock_chain
from netbill.ledger.selectors import wallet_balance


def book_of(customer: Customer) -> int | None:
    """The book holding a customer's money: its reseller owner's, or the ISP's."""
    return customer.owner_id if customer.owner.role in RESELLER_ROLES else None


def bill_number(tenant_id: int, n: int, year: int) -> str:
    return f"B{year}-{n:07d}"


def vat_rate(customer: Customer) -> Decimal:
    profile = customer.vat_profile
    return profile.rate if profile is not None and profile.is_active else ZERO


def bill_amounts(
    customer: Customer, *, fraction: Decimal = Decimal(1), currency: str = "BDT"
) -> tuple[Decimal, Decimal]:
    """(price, VAT) for one period of the customer's package, times ``fraction``
    (a prorated first month, one day of a daily package), rounded to the minor unit."""
    price = money(customer_price(customer) * fraction, currency)
    vat = money(price * vat_rate(customer) / 100, currency)
    return price, vat


def _lines_for(customer: Customer, price: Decimal, vat: Decimal, book: int | None) -> list[Line]:
    revenue = chart.REVENUE_BY_CONNECTION[customer.connection_type]
    return [
        Line(code=chart.CUSTOMER_RECEIVABLE, amount=price + vat, book=book, customer=customer),
        Line(code=revenue, amount=-price, book=book, customer=customer),
        Line(code=chart.VAT_PAYABLE, amount=-vat, book=book, customer=customer),
    ]


def bill_create(
    *,
    actor,
    customer: Customer,
    kind: str,
    period_start: datetime.date,
    period_end: datetime.date,
    due_date: datetime.date | None = None,
    fraction: Decimal = Decimal(1),
    system: bool = False,
    apply_wallet: bool = True,
    charge_resellers: bool = True,
) -> Bill:
    """Create one bill, post it, charge the resellers, apply wallet credit.

    Raises ``ValidationError`` naming the reason (reseller balance, duplicate period).
    """
    if not system:
        P.require(actor, P.GENERATE_BILLS, customer)
    if kind not in BillKind.values:
        raise ValidationError({"kind": _("Unknown bill kind.")})
    if period_end < period_start:
        raise ValidationError({"period_end": _("The period ends before it starts.")})
    with transaction.atomic():
        customer = (
            Customer.objects.select_for_update(of=("self",))
            .select_related("owner", "package", "vat_profile", "tenant")
            .get(pk=customer.pk)
        )
        if customer.deleted_at is not None:
            raise ValidationError({"customer": _("This customer is deleted.")})
        lock_chain(customer.owner)
        currency = customer.tenant.currency
        price, vat = bill_amounts(customer, fraction=fraction, currency=currency)
        book = book_of(customer)
        lines = _lines_for(customer, price, vat, book)
        if charge_resellers:
            lines += charge_lines(customer.owner, customer.package_id, memo_customer=customer)
        today = timezone.localdate()
        number = bill_number(
            customer.tenant_id, next_numbers(customer.tenant_id, "bill")[0], today.year
        )
        entry = post_entry(
            tenant_id=customer.tenant_id,
            kind=f"bill.{kind}",
            lines=lines,
            actor=actor,
            memo=f"{number} {customer.username}",
            on=today,
        )
        bill = Bill(
            tenant_id=customer.tenant_id,
            customer=customer,
            owner=customer.owner,
            number=number,
            kind=kind,
            period_start=period_start,
            period_end=period_end,
            issue_date=today,
            due_date=due_date or period_start,
            package=customer.package,
            amount=price + vat,
            entry=entry,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        try:
            with transaction.atomic():
                bill.save()
        except IntegrityError as exc:
            raise ValidationError(
                {
                    "period_start": _("%(c)s already has a bill for the period starting %(d)s.")
                    % {"c": customer.username, "d": period_start}
                }
            ) from exc
        BillLine.objects.bulk_create(
            [
                BillLine(
                    tenant_id=bill.tenant_id,
                    bill=bill,
                    kind=BillLineKind.PACKAGE,
                    description=f"{customer.package.name} {period_start}–{period_end}",
                    amount=price,
                ),
                *(
                    [
                        BillLine(
                            tenant_id=bill.tenant_id,
                            bill=bill,
                            kind=BillLineKind.VAT,
                            description=_("VAT %(rate)s%%") % {"rate": vat_rate(customer)},
                            amount=vat,
                        )
                    ]
                    if vat
                    else []
                ),
            ]
        )
        if customer.expires_at is None or customer.expires_at.date() < period_end:
            end = datetime.datetime.combine(period_end, datetime.time.max)
            customer.expires_at = timezone.make_aware(end) if timezone.is_naive(end) else end
            customer.save(update_fields=["expires_at", "updated_at"])
        if apply_wallet:
            wallet_apply(customer=customer, bills=[bill], actor=actor)
        audit_record(
            actor=actor,
            tenant=customer.tenant,
            action="bill.create",
            obj=bill,
            owner=customer.owner,
            after={"amount": bill.amount, "period": f"{period_start}..{period_end}"},
        )
        outbox_enqueue(
            tenant=customer.tenant,
            kind="notify.sms",
            payload={
                "event": "bill.created",
                "customer_id": customer.pk,
                "bill_id": bill.pk,
                "to": customer.mobile,
                "text": _("Dear %(name)s, your bill %(no)s of %(amt)s %(cur)s is due on %(due)s.")
                % {
                    "name": customer.name,
                    "no": number,
                    "amt": bill.amount,
                    "cur": currency,
                    "due": bill.due_date,
                },
            },
        )
    return bill


def set_paid(bill: Bill, delta: Decimal) -> None:
    """Move a bill's paid amount by ``delta`` (under the caller's lock) and its status."""
    bill.paid_amount += delta
    if bill.status != BillStatus.VOID:
        if bill.paid_amount >= bill.amount:
            bill.status = BillStatus.PAID
        elif bill.paid_amount > 0:
            bill.status = BillStatus.PARTIAL
        else:
            bill.status = BillStatus.UNPAID
    bill.save(update_fields=["paid_amount", "status"])


def wallet_apply(*, customer: Customer, bills=None, actor=None) -> Decimal:
    """Settle open bills (oldest first) from the customer's wallet; returns what was applied.

    The caller holds the customer's row lock.
    """
    from netbill.payments.models import PaymentAllocation

    available = wallet_balance(customer)
    if available <= 0:
        return ZERO
    if bills is None:
        bills = list(
            Bill.objects.select_for_update()
            .filter(customer=customer, status__in=[BillStatus.UNPAID, BillStatus.PARTIAL])
            .order_by("due_date", "id")
        )
    applied = ZERO
    book = book_of(customer)
    allocations = []
    for bill in bills:
        take = min(available - applied, bill.amount - bill.paid_amount)
        if take <= 0:
            continue
        applied += take
        set_paid(bill, take)
        allocations.append((bill, take))
    if applied:
        entry = post_entry(
            tenant_id=customer.tenant_id,
            kind="wallet.apply",
            actor=actor,
            memo=f"wallet → {', '.join(b.number for b, _ in allocations)}",
            lines=[
                Line(code=chart.CUSTOMER_WALLET, amount=applied, book=book, customer=customer),
                Line(code=chart.CUSTOMER_RECEIVABLE, amount=-applied, book=book, customer=customer),
            ],
        )
        PaymentAllocation.objects.bulk_create(
            [
                PaymentAllocation(
                    tenant_id=customer.tenant_id, payment=None, bill=bill, amount=take, entry=entry
                )
                for bill, take in allocations
            ]
        )
    return applied
