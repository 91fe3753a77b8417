"""Recharge cards: batches of PIN cards, the distributors who sell them, and redemption.

PINs
  14 random digits from :mod:`secrets` (printed grouped: ``1234 5678 9012 34``).  Only an
  HMAC-SHA256 of the PIN is stored, keyed with a per-tenant pepper derived from
  ``SECRET_KEY``; a PIN is looked up by its hash, so no PIN can be read back from the
  database.  The cleartext PINs exist only in the response that creates the batch (and,
  for one CSV / Excel download, encrypted in that user's session: see ``cards_views``).

Ownership and books
  A batch belongs to the acting reseller (a manager acts for its parent) or to the ISP
  (its group admin account).  A card is redeemed only for a customer whose money is in
  the same book as the card (``billing.services.book_of``): an operator's card for the
  operator's customers, the ISP's cards for the ISP's own customers.

Posting (in that book B)
  Redemption records a payment (``payments.services.payment_record``, method "card"):
    Dr Card distributors [party: distributor]  value / Cr receivables (bills) / Cr wallet
  so what the card paid is owed to the ISP (or reseller) by the distributor who sold it.
  The distributor's commission is earned when the card is redeemed (decided: a card in
  stock earns nothing; its rate is the distributor's rate at redemption):
    Dr Card commission [party: distributor]  value × rate / Cr Card distributors
  When the distributor pays over what it collected ("distributor_payment_record"):
    Dr Cash in hand [collector] / Cr Card distributors [party: distributor].
  Cards sold without a distributor carry the party ``DIRECT_PARTY``.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from netbill.accounts.models import User
from netbill.billing.calendar import local_today
from netbill.billing.services import book_of
from netbill.core import permissions as P
from netbill.core.audit import audit_record
from netbill.core.choices import RESELLER_ROLES, Role
from netbill.core.counters import next_numbers
from netbill.core.money import ZERO, money
from netbill.customers.models import Customer
from netbill.ledger import chart
from netbill.ledger.models import JournalLine
from netbill.ledger.posting import Line, post_entry
from netbill.payments.choices import CardStatus, PaymentMethod
from netbill.payments.models import CardDistributor, RechargeCard, RechargeCardBatch
from netbill.payments.services import parse_amount, payment_record

PIN_DIGITS = 14
MAX_BATCH = 10_000
DIRECT_PARTY = "direct sale"
_NON_DIGITS = re.compile(r"[\s\-]")


# --- PINs -------------------------------------------------------------------------------------


def _pepper(tenant_id: int) -> bytes:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"netbill.card-pin.{tenant_id}".encode(), hashlib.sha256
    ).digest()


def pin_hash(tenant_id: int, pin: str) -> str:
    """The stored form of a PIN: HMAC-SHA256 under the tenant's pepper (64 hex digits)."""
    return hmac.new(_pepper(tenant_id), pin.encode(), hashlib.sha256).hexdigest()


def generate_pin() -> str:
    return f"{secrets.randbelow(10**PIN_DIGITS):0{PIN_DIGITS}d}"


def format_pin(pin: str) -> str:
    """``12345678901234`` → ``1234 5678 9012 34`` (as printed on the card)."""
    return " ".join(pin[i : i + 4] for i in range(0, len(pin), 4))


def normalize_pin(raw) -> str:
    pin = _NON_DIGITS.sub("", str(raw or ""))
    if not pin.isdigit() or len(pin) != PIN_DIGITS:
        raise ValidationError(
            {"pin": _("Enter the %(n)s-digit PIN printed on the card.") % {"n": PIN_DIGITS}}
        )
    return pin


# --- who owns what ----------------------------------------------------------------------------


def acting_owner(user: User) -> User:
    """The account a user's cards, distributors and money belong to: a reseller itself, a
    manager's parent (up the chain), the group admin for the ISP."""
    node = user
    while node is not None and node.role == Role.MANAGER:
        node = node.parent
    if node is None or node.role not in (Role.GROUP_ADMIN, *RESELLER_ROLES):
        raise ValidationError(_("This account cannot hold recharge cards."))
    return node


def owner_book_id(owner: User) -> int | None:
    return owner.pk if owner.role in RESELLER_ROLES else None


def _parse_percent(value) -> Decimal:
    try:
        percent = Decimal(str(value if value not in (None, "") else "0"))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({"commission_percent": _("Enter a percentage.")}) from exc
    if not percent.is_finite() or not Decimal(0) <= percent <= Decimal(100):
        raise ValidationError(
            {"commission_percent": _("The commission is a percentage from 0 to 100.")}
        )
    return percent.quantize(Decimal("0.01"))


# --- distributors -----------------------------------------------------------------------------


def _check_distributor_name(owner: User, name: str, exclude_pk=None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter a name.")})
    if name == DIRECT_PARTY:
        raise ValidationError({"name": _("This name is reserved.")})
    clash = CardDistributor.objects.filter(
        tenant_id=owner.tenant_id, owner=owner, name__iexact=name
    ).exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"name": _("A distributor with this name already exists.")})
    return name


def distributor_create(
    *, actor: User, name: str, mobile: str = "", commission_percent=0
) -> CardDistributor:
    """Add a card distributor (a shop selling the actor's cards) with its commission rate."""
    P.require(actor, P.MANAGE_RECHARGE_CARDS)
    owner = acting_owner(actor)
    percent = _parse_percent(commission_percent)
    with transaction.atomic():
        name = _check_distributor_name(owner, name)
        distributor = CardDistributor.objects.create(
            tenant_id=actor.tenant_id,
            owner=owner,
            name=name,
            mobile=(mobile or "").strip(),
            commission_percent=percent,
        )
        audit_record(
            actor=actor,
            action="card_distributor.create",
            obj=distributor,
            owner=owner_book_id(owner),
            after={"name": name, "mobile": distributor.mobile, "commission_percent": percent},
        )
    return distributor


def distributor_update(
    *, actor: User, distributor: CardDistributor, name: str, mobile: str = "", commission_percent=0
) -> CardDistributor:
    """Edit a distributor.  Its name is the ledger party of its cards, so a distributor
    whose cards were already posted keeps its name (the ledger lines are never rewritten)."""
    P.require(actor, P.MANAGE_RECHARGE_CARDS, distributor)
    percent = _parse_percent(commission_percent)
    with transaction.atomic():
        distributor = CardDistributor.objects.select_for_update().get(pk=distributor.pk)
        owner = distributor.owner
        name = _check_distributor_name(owner, name, exclude_pk=distributor.pk)
        if name != distributor.name and _party_lines(distributor).exists():
            raise ValidationError(
                {"name": _("This distributor's cards are in the accounts under its name.")}
            )
        before = {
            "name": distributor.name,
            "mobile": distributor.mobile,
            "commission_percent": distributor.commission_percent,
        }
        distributor.name = name
        distributor.mobile = (mobile or "").strip()
        distributor.commission_percent = percent
        distributor.save(update_fields=["name", "mobile", "commission_percent"])
        audit_record(
            actor=actor,
            action="card_distributor.update",
            obj=distributor,
            owner=owner_book_id(owner),
            before=before,
            after={"name": name, "mobile": distributor.mobile, "commission_percent": percent},
        )
    return distributor


def _party_lines(distributor: CardDistributor):
    return JournalLine.objects.filter(
        tenant_id=distributor.tenant_id,
        book_id=owner_book_id(distributor.owner),
        account__code__in=(chart.CARD_DISTRIBUTORS, chart.CARD_COMMISSION),
        party=distributor.name,
    )


def distributor_payment_record(
    *, actor: User, distributor: CardDistributor, amount, note: str = ""
):
    """Cash received from a distributor for the cards it sold (``manage-recharge-cards``)."""
    P.require(actor, P.MANAGE_RECHARGE_CARDS, distributor)
    amount = parse_amount(amount)
    book = owner_book_id(distributor.owner)
    with transaction.atomic():
        entry = post_entry(
            tenant_id=distributor.tenant_id,
            kind="card.distributor_payment",
            actor=actor,
            memo=(note or "").strip() or distributor.name,
            lines=[
                Line(code=chart.CASH, amount=amount, book=book, staff=actor),
                Line(
                    code=chart.CARD_DISTRIBUTORS,
                    amount=-amount,
                    book=book,
                    party=distributor.name,
                ),
            ],
        )
        audit_record(
            actor=actor,
            action="card_distributor.payment",
            obj=distributor,
            owner=book,
            after={"amount": amount, "note": note, "entry": entry.pk},
        )
    return entry


# --- batches ----------------------------------------------------------------------------------


@dataclass
class PrintedCard:
    serial: str
    pin: str

    @property
    def grouped_pin(self) -> str:
        return format_pin(self.pin)


def card_batch_create(
    *,
    actor: User,
    name: str,
    value,
    count: int,
    expires_on: datetime.date | None = None,
    distributor: CardDistributor | None = None,
) -> tuple[RechargeCardBatch, list[PrintedCard]]:
    """Print a batch of ``count`` cards of ``value`` (``manage-recharge-cards``).

    Returns the batch and the cleartext PINs — the only time they exist: the database keeps
    their hashes only.
    """
    P.require(actor, P.MANAGE_RECHARGE_CARDS)
    owner = acting_owner(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter a name.")})
    value = parse_amount(value, "value")
    try:
        count = int(count)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"count": _("Enter a whole number of cards.")}) from exc
    if not 1 <= count <= MAX_BATCH:
        raise ValidationError(
            {"count": _("A batch has from 1 to %(max)s cards.") % {"max": f"{MAX_BATCH:,}"}}
        )
    if expires_on is not None and expires_on < local_today(actor.tenant):
        raise ValidationError({"expires_on": _("The expiry date is in the past.")})
    if distributor is not None and (
        distributor.tenant_id != actor.tenant_id or distributor.owner_id != owner.pk
    ):
        raise ValidationError({"distributor": _("Choose one of your own distributors.")})
    tenant_id = actor.tenant_id
    with transaction.atomic():
        batch = RechargeCardBatch.objects.create(
            tenant_id=tenant_id,
            owner=owner,
            name=name,
            value=value,
            count=count,
            expires_on=expires_on,
            distributor=distributor,
            created_by=actor,
        )
        pins = _unique_pins(tenant_id, count)
        numbers = next_numbers(tenant_id, "card_serial", count)
        printed = [
            PrintedCard(serial=f"C{n:09d}", pin=pin) for n, pin in zip(numbers, pins, strict=True)
        ]
        RechargeCard.objects.bulk_create(
            [
                RechargeCard(
                    tenant_id=tenant_id,
                    batch=batch,
                    serial=card.serial,
                    pin_hash=pin_hash(tenant_id, card.pin),
                    value=value,
                )
                for card in printed
            ],
            batch_size=2000,
        )
        audit_record(
            actor=actor,
            action="card_batch.create",
            obj=batch,
            owner=owner_book_id(owner),
            after={
                "name": name,
                "value": value,
                "count": count,
                "expires_on": expires_on,
                "distributor": distributor.pk if distributor else None,
                "serials": f"{printed[0].serial}..{printed[-1].serial}",
            },
        )
    return batch, printed


def _unique_pins(tenant_id: int, count: int) -> list[str]:
    """``count`` fresh PINs, none already in use in the tenant (the unique constraint on the
    hash stays the last word)."""
    pins: dict[str, str] = {}
    while len(pins) < count:
        for _n in range(count - len(pins)):
            pin = generate_pin()
            pins.setdefault(pin_hash(tenant_id, pin), pin)
        taken = set(
            RechargeCard.objects.filter(tenant_id=tenant_id, pin_hash__in=list(pins)).values_list(
                "pin_hash", flat=True
            )
        )
        for digest in taken:
            del pins[digest]
    return list(pins.values())


def card_batch_void(*, actor: User, batch: RechargeCardBatch, reason: str = "") -> int:
    """Void a batch's unused cards (lost or stolen stock).  Returns how many were voided."""
    P.require(actor, P.MANAGE_RECHARGE_CARDS, batch)
    with transaction.atomic():
        # One UPDATE: a redemption holding a card's lock finishes first, and the status
        # condition is re-checked on the row it left.
        voided = RechargeCard.objects.filter(batch=batch, status=CardStatus.ACTIVE).update(
            status=CardStatus.VOID
        )
        audit_record(
            actor=actor,
            action="card_batch.void",
            obj=batch,
            owner=owner_book_id(batch.owner),
            after={"voided": voided, "reason": reason},
        )
    return voided


# --- redemption -------------------------------------------------------------------------------


def card_redeem(*, actor, customer: Customer, pin: str, system: bool = False):
    """Redeem a card for ``customer``: its value is paid in at once (open bills first, the
    rest to the wallet).  Staff need ``receive-payment``; the customer portal passes
    ``system=True`` (``actor`` None).  Each PIN works once, also under concurrent use:
    the card row is locked and its status checked under the lock.

    Every refusal is a ``ValidationError`` on ``pin``, and nothing is changed.
    """
    if not system:
        P.require(actor, P.RECEIVE_PAYMENT, customer)
    pin = normalize_pin(pin)
    digest = pin_hash(customer.tenant_id, pin)
    with transaction.atomic():
        card = (
            RechargeCard.objects.select_for_update(of=("self",))
            .select_related("batch", "batch__owner", "batch__distributor")
            .filter(tenant_id=customer.tenant_id, pin_hash=digest)
            .first()
        )
        if card is None:
            raise ValidationError({"pin": _("No card has this PIN.")})
        if card.status == CardStatus.REDEEMED:
            raise ValidationError({"pin": _("This card has already been used.")})
        if card.status == CardStatus.VOID:
            raise ValidationError({"pin": _("This card is void.")})
        batch = card.batch
        if batch.expires_on is not None and batch.expires_on < local_today(customer.tenant):
            raise ValidationError(
                {"pin": _("This card expired on %(date)s.") % {"date": batch.expires_on}}
            )
        customer = Customer.objects.select_related("owner", "tenant").get(pk=customer.pk)
        book = owner_book_id(batch.owner)
        if book != book_of(customer):
            raise ValidationError(
                {"pin": _("This card was issued by another reseller; it cannot pay this customer.")}
            )
        distributor = batch.distributor
        party = distributor.name if distributor is not None else DIRECT_PARTY
        payment = payment_record(
            actor=actor,
            customer=customer,
            amount=card.value,
            method=PaymentMethod.CARD,
            note=_("Recharge card %(serial)s") % {"serial": card.serial},
            reference=card.serial,
            party=party,
            system=True,
        )
        card.status = CardStatus.REDEEMED
        card.redeemed_by = customer
        card.redeemed_at = timezone.now()
        card.payment = payment
        card.save(update_fields=["status", "redeemed_by", "redeemed_at", "payment"])
        commission = ZERO
        if distributor is not None and distributor.commission_percent:
            commission = money(card.value * distributor.commission_percent / 100)
        if commission:
            post_entry(
                tenant_id=customer.tenant_id,
                kind="card.commission",
                actor=actor,
                memo=f"{card.serial} {distributor.name}",
                lines=[
                    Line(code=chart.CARD_COMMISSION, amount=commission, book=book, party=party),
                    Line(code=chart.CARD_DISTRIBUTORS, amount=-commission, book=book, party=party),
                ],
            )
        audit_record(
            actor=actor,
            tenant=customer.tenant,
            action="card.redeem",
            obj=card,
            owner=customer.owner if customer.owner.role in RESELLER_ROLES else None,
            after={
                "customer": customer.pk,
                "payment": payment.pk,
                "value": card.value,
                "commission": commission,
                "by_customer": system and actor is None,
            },
        )
    return payment


# --- reads ------------------------------------------------------------------------------------


def distributor_accounts(user, distributors) -> dict[int, dict]:
    """Per distributor: what it owes (card distributors balance) and the commission it
    earned, from the ledger — one grouped query over the visible lines."""
    from django.db.models import Sum

    wanted = {(owner_book_id(d.owner), d.name): d.pk for d in distributors}
    result = {d.pk: {"owes": ZERO, "commission": ZERO} for d in distributors}
    if not wanted:
        return result
    books = {book for book, _name in wanted}
    book_q = Q()
    for book in books:
        book_q |= Q(book__isnull=True) if book is None else Q(book_id=book)
    rows = (
        JournalLine.objects.visible_to(user)
        .filter(book_q)
        .filter(
            account__code__in=(chart.CARD_DISTRIBUTORS, chart.CARD_COMMISSION),
            party__in={name for _book, name in wanted},
        )
        .values("book_id", "party", "account__code")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in rows:
        pk = wanted.get((row["book_id"], row["party"]))
        if pk is None:
            continue
        if row["account__code"] == chart.CARD_DISTRIBUTORS:
            result[pk]["owes"] += row["total"]
        else:
            result[pk]["commission"] += row["total"]
    return result
