"""Corrections of bills: discount, void and edit (void + re-issue).  Amounts are never
edited in place: each correction posts its own entry and the bill keeps its history.

Posting, in the bill's book B (the book of its receivable line):
  discount d:  Dr Discounts d / Cr Customer receivables [customer] d   (+ a discount line;
               ``Bill.discount += d``; the bill's due is amount − discount − paid)
  void:        the bill's entry reversed (receivable, revenue, VAT and the reseller charges
               in the parents' books); then one entry undoing its discounts and returning
               what the wallet paid of it:  Dr Customer receivables / Cr Discounts,
               Dr Customer receivables / Cr Customer advances.
  edit:        void, then a new bill for the same period with the new amount, split into
               price and VAT in the old bill's proportion; the reseller charge lines of the
               old entry are posted again unchanged (the reseller is charged once a period).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from netbill.billing.choices import BillLineKind, BillStatus
from netbill.billing.models import Bill, BillLine
from netbill.billing.services import bill_number, set_paid, wallet_apply
from netbill.core import permissions as P
from netbill.core.audit import audit_record
from netbill.core.choices import RESELLER_ROLES
from netbill.core.counters import next_numbers
from netbill.core.money import ZERO, money
from netbill.customers.models import Customer
from netbill.ledger import chart
from netbill.ledger.models import JournalLine
from netbill.ledger.posting import Line, post_entry, reverse_entry
from netbill.ledger.resellers import lock_chain
from netbill.payments.models import PaymentAllocation
from netbill.payments.services import _reason, parse_amount, reactivate_if_settled

OPEN = (BillStatus.UNPAID, BillStatus.PARTIAL)
RESELLER_CODES = (chart.RESELLER_ACCOUNTS, chart.WHOLESALE_REVENUE)


def bill_due(bill: Bill) -> Decimal:
    """What is still to pay on ``bill``."""
    return bill.amount - bill.discount - bill.paid_amount


def bill_status(bill: Bill) -> str:
    """The status ``bill``'s amounts give (the rule ``billing.services.set_paid`` applies)."""
    if bill.status == BillStatus.VOID:
        return BillStatus.VOID
    if bill.paid_amount + bill.discount >= bill.amount:
        return BillStatus.PAID
    return BillStatus.PARTIAL if bill.paid_amount > 0 else BillStatus.UNPAID


def bill_book(bill: Bill) -> int | None:
    """The book holding the bill: where its receivable was posted."""
    if bill.entry_id is not None:
        books = list(
            JournalLine.objects.filter(
                entry_id=bill.entry_id, account__code=chart.CUSTOMER_RECEIVABLE
            ).values_list("book_id", flat=True)[:1]
        )
        if books:
            return books[0]
    return bill.owner_id if bill.owner.role in RESELLER_ROLES else None


def _lock(bill: Bill, *, chain: bool = False) -> tuple[Customer, Bill]:
    """Lock in the fixed order: the resellers (when their charge is touched), the customer,
    the bill."""
    bill = Bill.objects.select_related("owner").get(pk=bill.pk)
    if chain:
        lock_chain(bill.owner)
    customer = (
        Customer.objects.select_for_update(of=("self",))
        .select_related("owner", "tenant", "billing_profile")
        .get(pk=bill.customer_id)
    )
    bill = Bill.objects.select_for_update(of=("self",)).select_related("owner").get(pk=bill.pk)
    return customer, bill


def bill_discount(*, actor, bill: Bill, amount, reason: str) -> Bill:
    """Give a discount on a bill (``discount-on-bills``), at most what is still due."""
    P.require(actor, P.DISCOUNT_ON_BILLS, bill)
    amount = parse_amount(amount)
    reason = _reason(reason)
    with transaction.atomic():
        customer, bill = _lock(bill)
        if bill.status not in OPEN:
            raise ValidationError(
                {"bill": _("Only an unpaid or partly paid bill can be discounted.")}
            )
        due = bill_due(bill)
        if amount > due:
            raise ValidationError(
                {"amount": _("The discount cannot be more than the due (%(due)s).") % {"due": due}}
            )
        book = bill_book(bill)
        entry = post_entry(
            tenant_id=bill.tenant_id,
            kind="bill.discount",
            actor=actor,
            memo=f"{bill.number} {customer.username}: {reason}",
            lines=[
                Line(code=chart.DISCOUNTS, amount=amount, book=book, customer=customer),
                Line(code=chart.CUSTOMER_RECEIVABLE, amount=-amount, book=book, customer=customer),
            ],
        )
        BillLine.objects.create(
            tenant_id=bill.tenant_id,
            bill=bill,
            kind=BillLineKind.DISCOUNT,
            description=reason,
            amount=-amount,
        )
        before = {"discount": bill.discount, "status": bill.status}
        bill.discount += amount
        bill.save(update_fields=["discount"])
        set_paid(bill, ZERO)  # the status follows the discount
        audit_record(
            actor=actor,
            tenant=customer.tenant,
            action="bill.discount",
            obj=bill,
            owner=bill.owner_id,
            before=before,
            after={
                "discount": bill.discount,
                "status": bill.status,
                "amount": amount,
                "reason": reason,
                "entry": entry.pk,
            },
        )
        reactivate_if_settled(customer)
    return bill


def _void_locked(*, actor, customer: Customer, bill: Bill, reason: str) -> Bill:
    if bill.status == BillStatus.VOID:
        raise ValidationError({"bill": _("This bill is already void.")})
    allocations = list(
        PaymentAllocation.objects.filter(bill=bill, voided_at__isnull=True).select_related(
            "payment"
        )
    )
    paid_by = sorted({a.payment.receipt_number for a in allocations if a.payment_id})
    if paid_by:
        raise ValidationError(
            {
                "bill": _(
                    "Payments are recorded against this bill (%(receipts)s): void those "
                    "payments first."
                )
                % {"receipts": ", ".join(paid_by)}
            }
        )
    from_wallet = sum((a.amount for a in allocations), ZERO)
    book = bill_book(bill)
    memo = f"{_('Void')} {bill.number}: {reason}"
    entries = []
    reversed_ids: set[int] = set()
    for entry in (bill.entry, bill.reseller_entry):
        if entry is not None and entry.pk not in reversed_ids:
            reversed_ids.add(entry.pk)
            entries.append(reverse_entry(entry=entry, actor=actor, memo=memo).pk)
    undo = []
    if bill.discount:
        undo += [
            Line(
                code=chart.CUSTOMER_RECEIVABLE, amount=bill.discount, book=book, customer=customer
            ),
            Line(code=chart.DISCOUNTS, amount=-bill.discount, book=book, customer=customer),
        ]
    if from_wallet:
        undo += [
            Line(code=chart.CUSTOMER_RECEIVABLE, amount=from_wallet, book=book, customer=customer),
            Line(code=chart.CUSTOMER_WALLET, amount=-from_wallet, book=book, customer=customer),
        ]
    if undo:
        entries.append(
            post_entry(
                tenant_id=bill.tenant_id, kind="bill.void", actor=actor, memo=memo, lines=undo
            ).pk
        )
    now = timezone.now()
    PaymentAllocation.objects.filter(pk__in=[a.pk for a in allocations]).update(voided_at=now)
    before = {"status": bill.status, "paid_amount": bill.paid_amount, "discount": bill.discount}
    bill.paid_amount -= from_wallet
    bill.status = BillStatus.VOID
    bill.voided_at = now
    bill.void_reason = reason
    bill.save(update_fields=["paid_amount", "status", "voided_at", "void_reason"])
    audit_record(
        actor=actor,
        tenant=customer.tenant,
        action="bill.void",
        obj=bill,
        owner=bill.owner_id,
        before=before,
        after={
            "status": bill.status,
            "reason": reason,
            "wallet_returned": from_wallet,
            "entries": entries,
        },
    )
    return bill


def bill_void(*, actor, bill: Bill, reason: str) -> Bill:
    """Void a bill (``delete-bills``): its entries reversed (the resellers' charge too), its
    discounts undone and what the wallet paid returned to the wallet.  Refused while
    payments are recorded against it (void those first)."""
    P.require(actor, P.DELETE_BILLS, bill)
    reason = _reason(reason)
    with transaction.atomic():
        customer, bill = _lock(bill, chain=True)
        return _void_locked(actor=actor, customer=customer, bill=bill, reason=reason)


def _split(lines: list[BillLine], new_amount: Decimal, currency: str) -> tuple[Decimal, Decimal]:
    """(price, VAT) of ``new_amount`` in the old bill's proportion."""
    price = sum((x.amount for x in lines if x.kind != BillLineKind.VAT and x.amount > 0), ZERO)
    vat = sum((x.amount for x in lines if x.kind == BillLineKind.VAT), ZERO)
    if not vat or not price + vat:
        return new_amount, ZERO
    new_vat = money(new_amount * vat / (price + vat), currency)
    return new_amount - new_vat, new_vat


def bill_edit(*, actor, bill: Bill, amount, reason: str) -> Bill:
    """Change a bill's amount (``edit-bills``): the bill is voided and issued again for the
    same period with the new amount (a new bill number); returns the new bill."""
    P.require(actor, P.EDIT_BILLS, bill)
    amount = parse_amount(amount)
    reason = _reason(reason)
    with transaction.atomic():
        customer, old = _lock(bill, chain=True)
        old_amount = old.amount
        _void_locked(actor=actor, customer=customer, bill=old, reason=reason)
        old_bill_lines = list(old.lines.all())
        price, vat = _split(old_bill_lines, amount, customer.tenant.currency)
        book = bill_book(old)
        old_lines = [
            row
            for entry_id in (old.entry_id, old.reseller_entry_id)
            if entry_id is not None
            for row in JournalLine.objects.filter(entry_id=entry_id).select_related("account")
        ]
        revenue = next(
            (
                r.account.code
                for r in old_lines
                if r.account.code in chart.REVENUE_BY_CONNECTION.values()
            ),
            chart.REVENUE_BY_CONNECTION.get(customer.connection_type, chart.REVENUE_OTHER),
        )
        lines = [
            Line(code=chart.CUSTOMER_RECEIVABLE, amount=amount, book=book, customer=customer),
            Line(code=revenue, amount=-price, book=book, customer=customer),
            Line(code=chart.VAT_PAYABLE, amount=-vat, book=book, customer=customer),
            *(
                Line(
                    code=r.account.code,
                    amount=r.amount,
                    book=r.book_id,
                    customer=r.customer_id,
                    reseller=r.reseller_id,
                )
                for r in old_lines
                if r.account.code in RESELLER_CODES
            ),
        ]
        today = timezone.localdate()
        number = bill_number(old.tenant_id, next_numbers(old.tenant_id, "bill")[0], today.year)
        entry = post_entry(
            tenant_id=old.tenant_id,
            kind=f"bill.{old.kind}",
            actor=actor,
            memo=f"{number} {customer.username} ({_('replaces')} {old.number})",
            lines=lines,
            on=today,
        )
        new = Bill.objects.create(
            tenant_id=old.tenant_id,
            customer=customer,
            owner=old.owner,
            number=number,
            kind=old.kind,
            period_start=old.period_start,
            period_end=old.period_end,
            issue_date=today,
            due_date=old.due_date,
            package=old.package,
            amount=amount,
            entry=entry,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        package_line = next((x for x in old_bill_lines if x.kind == BillLineKind.PACKAGE), None)
        vat_line = next((x for x in old_bill_lines if x.kind == BillLineKind.VAT), None)
        BillLine.objects.bulk_create(
            [
                BillLine(
                    tenant_id=new.tenant_id,
                    bill=new,
                    kind=BillLineKind.PACKAGE if package_line else BillLineKind.OTHER,
                    description=package_line.description if package_line else reason,
                    amount=price,
                ),
                *(
                    [
                        BillLine(
                            tenant_id=new.tenant_id,
                            bill=new,
                            kind=BillLineKind.VAT,
                            description=vat_line.description if vat_line else _("VAT"),
                            amount=vat,
                        )
                    ]
                    if vat
                    else []
                ),
            ]
        )
        wallet_apply(customer=customer, bills=[new], actor=actor)
        audit_record(
            actor=actor,
            tenant=customer.tenant,
            action="bill.edit",
            obj=new,
            owner=new.owner_id,
            before={"number": old.number, "amount": old_amount},
            after={"number": new.number, "amount": new.amount, "reason": reason},
        )
        reactivate_if_settled(customer)
    return new
