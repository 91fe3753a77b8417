"""Bill services: create one bill with its ledger entries (the single-bill path used by the
"Generate bill" button, customer creation, hotspot purchases and daily top-ups; the
scheduled run in ``billing.runs`` writes the same rows in bulk).

Posting of a bill of price P + VAT V for a customer whose owner's book is B:
  B: Dr Customer receivables [customer] P+V / Cr Revenue (connection type) P / Cr VAT payable V
and for every reseller in the owner's chain, in its parent's book:
  Dr Reseller accounts [reseller] R / Cr Revenue: resellers R
(R is the reseller price times the same fraction as the bill: a prorated first month or one
day of a daily package charges the reseller the same share), then, if the customer has
wallet credit, a second entry applies it:
  B: Dr Customer advances [customer] / Cr Customer receivables [customer].

Rows are locked in the project's fixed order: the owner's reseller chain, then the customer,
then the bill counter.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from netbill.billing import calendar as cal
from netbill.billing.choices import BillKind, BillLineKind, BillStatus
from netbill.billing.models import Bill, BillLine
from netbill.catalog.choices import BillingType
from netbill.core import permissions as P
from netbill.core.audit import audit_record
from netbill.core.choices import RESELLER_ROLES
from netbill.core.counters import next_numbers
from netbill.core.money import ZERO, money
from netbill.core.outbox import outbox_enqueue
from netbill.customers.choices import ConnectionType, CustomerStatus
from netbill.customers.models import Customer
from netbill.customers.services import customer_price
from netbill.ledger import chart
from netbill.ledger.posting import Line, post_entry
from netbill.ledger.resellers import (
    ResellerRefused,
    check_can_pay,
    lock_chain,
    reseller_chain,
    reseller_price,
)
from netbill.ledger.selectors import reseller_position, wallet_balance
from netbill.radius.sync import sync_customer

ONE = Fraction(1)


def book_of(customer: Customer) -> int | None:
    """The book holding a customer's money: its reseller owner's, or the ISP's."""
    return customer.owner_id if customer.owner.role in RESELLER_ROLES else None


def bill_number(tenant_id: int, n: int, year: int) -> str:
    return f"B{year}-{n:07d}"


def vat_rate(customer: Customer) -> Decimal:
    profile = customer.vat_profile
    return profile.rate if profile is not None and profile.is_active else ZERO


def scale(amount: Decimal, fraction) -> Decimal:
    """``amount × fraction`` without rounding; a Fraction is applied exactly (× num / den)."""
    if isinstance(fraction, Fraction):
        if fraction == ONE:
            return Decimal(amount)
        return Decimal(amount) * fraction.numerator / fraction.denominator
    return Decimal(amount) * Decimal(fraction)


def compute_amounts(
    base_price: Decimal, rate: Decimal, *, fraction=ONE, currency: str = "BDT"
) -> tuple[Decimal, Decimal]:
    """(price, VAT): the price scaled by ``fraction`` and rounded half-up to the minor unit,
    then VAT at ``rate`` % of that rounded price, rounded the same way."""
    price = money(scale(base_price, fraction), currency)
    vat = money(price * rate / 100, currency)
    return price, vat


def bill_amounts(customer: Customer, *, fraction=ONE, currency: str = "BDT") -> tuple:
    """(price, VAT) for one period of the customer's package, times ``fraction``
    (a prorated first month, one day of a daily package), rounded to the minor unit."""
    return compute_amounts(
        customer_price(customer), vat_rate(customer), fraction=fraction, currency=currency
    )


def customer_lines(customer, price: Decimal, vat: Decimal, book: int | None) -> list[Line]:
    revenue = chart.REVENUE_BY_CONNECTION[customer.connection_type]
    return [
        Line(code=chart.CUSTOMER_RECEIVABLE, amount=price + vat, book=book, customer=customer),
        Line(code=revenue, amount=-price, book=book, customer=customer),
        Line(code=chart.VAT_PAYABLE, amount=-vat, book=book, customer=customer),
    ]


def _upstream(reseller) -> int | None:
    parent = reseller.parent
    return parent.pk if parent is not None and parent.role in RESELLER_ROLES else None


def reseller_charge_lines(
    chain: list,
    package_id: int,
    *,
    customer=None,
    fraction=ONE,
    currency: str = "BDT",
    positions: dict | None = None,
    prices: dict | None = None,
) -> list[Line]:
    """Lines charging every reseller in ``chain`` its price × ``fraction`` for one billed
    period, each checked against its balance / credit limit (:class:`ResellerRefused`).

    ``positions`` (reseller id → what it owes now) keeps running totals across a batch and
    is only updated when the whole chain accepts; ``prices`` ((reseller id, package id) →
    reseller price) saves a query per reseller in a batch.  The caller holds the chain's
    row locks.
    """
    lines: list[Line] = []
    moves: dict[int, Decimal] = {}
    for reseller in chain:
        if prices is None:
            base = reseller_price(reseller, package_id)
        else:
            base = prices.get((reseller.pk, package_id))
            if base is None:
                raise ResellerRefused(
                    {"package": _("This package is not assigned to %(r)s.") % {"r": reseller.name}}
                )
        price = money(scale(base, fraction), currency)
        if price == 0:
            continue
        if positions is None:
            position = reseller_position(reseller)
        else:
            if reseller.pk not in positions:
                positions[reseller.pk] = reseller_position(reseller)
            position = positions[reseller.pk]
        check_can_pay(reseller, price, position=position)
        moves[reseller.pk] = price
        book = _upstream(reseller)
        lines += [
            Line(
                code=chart.RESELLER_ACCOUNTS,
                amount=price,
                book=book,
                reseller=reseller,
                customer=customer,
            ),
            Line(code=chart.WHOLESALE_REVENUE, amount=-price, book=book, reseller=reseller),
        ]
    if positions is not None:
        for pk, price in moves.items():
            positions[pk] += price
    return lines


def bill_line_values(package_name, period_start, period_end, price, vat, rate) -> list[tuple]:
    """(kind, description, amount) of a bill's lines: the package, then VAT if any."""
    rows = [(BillLineKind.PACKAGE, f"{package_name} {period_start}–{period_end}", price)]
    if vat:
        rows.append((BillLineKind.VAT, _("VAT %(rate)s%%") % {"rate": rate}, vat))
    return rows


def bill_sms(customer, bill, currency: str) -> dict:
    """The outbox payload of the "bill created" SMS (the same for both paths)."""
    return {
        "event": "bill.created",
        "customer_id": customer.pk,
        "bill_id": bill.pk,
        "to": customer.mobile,
        "text": _("Dear %(name)s, your bill %(no)s of %(amt)s %(cur)s is due on %(due)s.")
        % {
            "name": customer.name,
            "no": bill.number,
            "amt": bill.amount,
            "cur": currency,
            "due": bill.due_date,
        },
    }


def _lock_customer(customer: Customer) -> Customer:
    """Lock the owner's reseller chain, then the customer (the fixed order)."""
    for _attempt in range(3):
        current = Customer.objects.select_related("owner").get(pk=customer.pk)
        lock_chain(current.owner)
        locked = (
            Customer.objects.select_for_update(of=("self",))
            .select_related("owner", "owner__parent", "package", "vat_profile", "tenant")
            .get(pk=customer.pk)
        )
        if locked.owner_id == current.owner_id:
            return locked
    raise ValidationError({"customer": _("The customer's owner changed; try again.")})


def bill_create(
    *,
    actor,
    customer: Customer,
    kind: str,
    period_start: datetime.date,
    period_end: datetime.date,
    due_date: datetime.date | None = None,
    fraction=ONE,
    system: bool = False,
    apply_wallet: bool = True,
    charge_resellers: bool = True,
    require_wallet: bool = False,
    on: datetime.date | None = None,
) -> Bill:
    """Create one bill, post it, charge the resellers, apply wallet credit.

    ``on`` is the issue date (and the entries' accounting date; default: today in the
    tenant's timezone).  With ``require_wallet`` the bill is refused unless the wallet
    covers it in full (a daily prepaid charge).  Raises ``ValidationError`` naming the
    reason (reseller balance, duplicate period, wallet).
    """
    if not system:
        P.require(actor, P.GENERATE_BILLS, customer)
    if kind not in BillKind.values:
        raise ValidationError({"kind": _("Unknown bill kind.")})
    if period_end < period_start:
        raise ValidationError({"period_end": _("The period ends before it starts.")})
    with transaction.atomic():
        customer = _lock_customer(customer)
        if customer.deleted_at is not None:
            raise ValidationError({"customer": _("This customer is deleted.")})
        tenant = customer.tenant
        currency = tenant.currency
        today = on or cal.local_today(tenant)
        price, vat = bill_amounts(customer, fraction=fraction, currency=currency)
        if require_wallet:
            available = wallet_balance(customer)
            if available < price + vat:
                raise ValidationError(
                    {
                        "wallet": _(
                            "%(c)s's balance (%(bal)s) cannot cover %(amt)s: take a payment first."
                        )
                        % {"c": customer.username, "bal": available, "amt": price + vat}
                    }
                )
        book = book_of(customer)
        lines = customer_lines(customer, price, vat, book)
        if charge_resellers:
            lines += reseller_charge_lines(
                reseller_chain(customer.owner),
                customer.package_id,
                customer=customer,
                fraction=fraction,
                currency=currency,
            )
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
                    kind=line_kind,
                    description=description,
                    amount=amount,
                )
                for line_kind, description, amount in bill_line_values(
                    customer.package.name, period_start, period_end, price, vat, vat_rate(customer)
                )
            ]
        )
        end = cal.day_end(period_end, cal.tenant_tz(tenant))
        if customer.expires_at is None or customer.expires_at < end:
            customer.expires_at = end
            customer.save(update_fields=["expires_at", "updated_at"])
            sync_customer(customer)
        if apply_wallet:
            wallet_apply(customer=customer, bills=[bill], actor=actor, on=today)
        audit_record(
            actor=actor,
            tenant=tenant,
            action="bill.create",
            obj=bill,
            owner=customer.owner,
            after={"amount": bill.amount, "period": f"{period_start}..{period_end}"},
        )
        outbox_enqueue(tenant=tenant, kind="notify.sms", payload=bill_sms(customer, bill, currency))
    return bill


def set_paid(bill: Bill, delta: Decimal) -> None:
    """Move a bill's paid amount by ``delta`` (under the caller's lock) and its status
    (paid once paid + discount reach the amount)."""
    bill.paid_amount += delta
    if bill.status != BillStatus.VOID:
        bill.status = paid_status(bill.amount, bill.paid_amount, bill.discount)
    bill.save(update_fields=["paid_amount", "status"])


def paid_status(amount: Decimal, paid: Decimal, discount: Decimal = ZERO) -> str:
    if paid + discount >= amount:
        return BillStatus.PAID
    if paid > 0:
        return BillStatus.PARTIAL
    return BillStatus.UNPAID


def wallet_lines(customer, amount: Decimal, book) -> list[Line]:
    return [
        Line(code=chart.CUSTOMER_WALLET, amount=amount, book=book, customer=customer),
        Line(code=chart.CUSTOMER_RECEIVABLE, amount=-amount, book=book, customer=customer),
    ]


def wallet_apply(*, customer: Customer, bills=None, actor=None, on=None) -> Decimal:
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
        take = min(available - applied, bill.amount - bill.discount - bill.paid_amount)
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
            lines=wallet_lines(customer, applied, book),
            on=on,
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


# --- which bill, when --------------------------------------------------------------------------


def is_hotspot(customer: Customer) -> bool:
    return customer.connection_type == ConnectionType.HOTSPOT


def activation_date(customer: Customer) -> datetime.date:
    """The day service started, in the tenant's timezone (the customer's creation)."""
    tz = cal.tenant_tz(customer.tenant)
    created = customer.created_at or timezone.now()
    return timezone.localdate(created, tz)


def _valid_until(customer: Customer) -> datetime.date | None:
    if customer.expires_at is None:
        return None
    return timezone.localdate(customer.expires_at, cal.tenant_tz(customer.tenant))


def bill_first(*, actor, customer: Customer) -> Bill | None:
    """The bill made when a customer is created (customer_create calls it in its
    transaction): a monthly customer's first (prorated) period, a hotspot customer's first
    package, a daily customer's first day when its wallet already covers it.  None when the
    profile has auto-billing off, is free, or the customer is not active.

    A reseller's refusal (:class:`ResellerRefused`) propagates and refuses the creation.
    """
    profile = customer.billing_profile
    if not profile.auto_billing or profile.billing_type == BillingType.FREE:
        return None
    if customer.status not in (CustomerStatus.ACTIVE, CustomerStatus.FUP):
        return None
    today = cal.local_today(customer.tenant)
    if is_hotspot(customer):
        return hotspot_purchase(actor=actor, customer=customer, system=True, on=today)
    if profile.billing_type == BillingType.DAILY:
        period = cal.daily_period(today, customer.package.validity_days)
        if wallet_balance(customer) <= 0:
            return None  # no credit yet: the first paid day starts the service
        try:
            return bill_create(
                actor=actor,
                customer=customer,
                kind=BillKind.DAILY,
                period_start=period.start,
                period_end=period.end,
                fraction=period.fraction,
                system=True,
                require_wallet=True,
                on=today,
            )
        except ResellerRefused:
            raise
        except ValidationError:
            return None
    period = cal.first_monthly_period(today, profile.due_day)
    return bill_create(
        actor=actor,
        customer=customer,
        kind=BillKind.MONTHLY,
        period_start=period.start,
        period_end=period.end,
        fraction=period.fraction,
        system=True,
        on=today,
    )


def _check_no_overlap(customer: Customer, kind: str, start, end) -> None:
    clash = (
        Bill.objects.filter(
            customer=customer, kind=kind, period_start__lte=end, period_end__gte=start
        )
        .exclude(status=BillStatus.VOID)
        .order_by("period_start")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            {
                "period_start": _("%(c)s already has bill %(no)s for %(s)s – %(e)s.")
                % {
                    "c": customer.username,
                    "no": clash.number,
                    "s": clash.period_start,
                    "e": clash.period_end,
                }
            }
        )


def generate_preview(customer: Customer, on: datetime.date | None = None) -> dict:
    """What "Generate bill" would bill today: kind, period, fraction and amounts."""
    profile = customer.billing_profile
    today = on or cal.local_today(customer.tenant)
    if profile.billing_type == BillingType.FREE:
        raise ValidationError(
            {"customer": _("Customers on a free billing profile are never billed.")}
        )
    if is_hotspot(customer):
        kind = BillKind.HOTSPOT
        period = cal.hotspot_period(today, customer.package.validity_days, _valid_until(customer))
    elif profile.billing_type == BillingType.DAILY:
        kind = BillKind.DAILY
        period = cal.daily_period(today, customer.package.validity_days)
    else:
        kind = BillKind.MONTHLY
        period = cal.current_monthly_period(today, profile.due_day, activation_date(customer))
    price, vat = bill_amounts(customer, fraction=period.fraction, currency=customer.tenant.currency)
    return {
        "kind": kind,
        "period": period,
        "price": price,
        "vat": vat,
        "total": price + vat,
        "on": today,
    }


def bill_generate(*, actor, customer: Customer, on: datetime.date | None = None) -> Bill:
    """ "Generate bill" for one customer (``generate-bills``): the billing calendar's period
    for today — the current monthly cycle (prorated from activation if it began inside it),
    today's daily charge (paid from the wallet, refused if it cannot cover it), or a hotspot
    package.  Refused when a bill already covers any day of that period."""
    P.require(actor, P.GENERATE_BILLS, customer)
    if customer.deleted_at is not None:
        raise ValidationError({"customer": _("This customer is deleted.")})
    preview = generate_preview(customer, on)
    period = preview["period"]
    _check_no_overlap(customer, preview["kind"], period.start, period.end)
    return bill_create(
        actor=actor,
        customer=customer,
        kind=preview["kind"],
        period_start=period.start,
        period_end=period.end,
        fraction=period.fraction,
        require_wallet=preview["kind"] == BillKind.DAILY,
        on=preview["on"],
    )


def hotspot_purchase(
    *, actor, customer: Customer, system: bool = False, on: datetime.date | None = None
) -> Bill:
    """A hotspot package purchase: one bill for the package's validity, from today (or from
    the day after the current expiry while still valid); the bill extends the expiry and is
    paid from the wallet as far as it goes."""
    if not system:
        P.require(actor, P.GENERATE_BILLS, customer)
    if not is_hotspot(customer):
        raise ValidationError({"customer": _("Only hotspot customers buy hotspot packages.")})
    customer = Customer.objects.select_related("tenant", "package").get(pk=customer.pk)
    today = on or cal.local_today(customer.tenant)
    period = cal.hotspot_period(today, customer.package.validity_days, _valid_until(customer))
    return bill_create(
        actor=actor,
        customer=customer,
        kind=BillKind.HOTSPOT,
        period_start=period.start,
        period_end=period.end,
        due_date=today,
        system=True,
        on=today,
    )


def prepaid_resume(*, customer: Customer, on: datetime.date | None = None) -> Bill | None:
    """A daily prepaid customer the system suspended, whose wallet now covers today: charge
    today (paid from the wallet) and reactivate it.  Called by the dunning sweep (so a
    top-up reactivates within the hour) and safe to call after any payment."""
    from netbill.payments.services import reactivate_if_settled

    profile = customer.billing_profile
    if (
        profile.billing_type != BillingType.DAILY
        or is_hotspot(customer)
        or customer.status != CustomerStatus.SUSPENDED
        or customer.deleted_at is not None
    ):
        return None
    last = customer.status_changes.order_by("-created_at", "-id").first()
    if last is None or last.actor_id is not None:
        return None  # suspended by a person: a person reactivates
    today = on or cal.local_today(customer.tenant)
    bill = None
    if not Bill.objects.filter(customer=customer, kind=BillKind.DAILY, period_start=today).exists():
        period = cal.daily_period(today, customer.package.validity_days)
        try:
            bill = bill_create(
                actor=None,
                customer=customer,
                kind=BillKind.DAILY,
                period_start=period.start,
                period_end=period.end,
                fraction=period.fraction,
                system=True,
                require_wallet=True,
                on=today,
            )
        except ValidationError:
            return None
    customer.refresh_from_db()
    reactivate_if_settled(customer)
    return bill
