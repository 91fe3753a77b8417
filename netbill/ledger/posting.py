"""The one writer of the ledger.  Every money event posts one balanced journal entry here.

``post_entry`` checks that the lines balance within each book before writing, and writes
all of an entry's lines in one INSERT statement, which PostgreSQL's statement trigger
checks again (migration ``ledger.0002``), so an unbalanced entry cannot be stored even by
code that bypasses this module.  Posted lines are never updated or deleted (a trigger
refuses it): a correction is :func:`reverse_entry`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date as date_type
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from netbill.core.money import ZERO
from netbill.ledger.chart import CHART
from netbill.ledger.models import Account, JournalEntry, JournalLine


class UnbalancedEntry(ValidationError):
    pass


@dataclass
class Line:
    """One leg of an entry: ``amount`` > 0 debits, < 0 credits ``code`` in ``book``."""

    code: str
    amount: Decimal
    book: object = None  # reseller User, or None for the ISP's own book
    customer: object = None
    reseller: object = None
    staff: object = None
    party: str = ""
    extra: dict = field(default_factory=dict)


def _id(obj):
    return getattr(obj, "pk", obj)


def account_for(tenant_id: int, book_id: int | None, code: str) -> Account:
    """The account ``code`` of a book, created from the chart on first use."""
    name, type_ = CHART[code]
    account = Account.objects.filter(tenant_id=tenant_id, book_id=book_id, code=code).first()
    if account is None:
        account, _ = Account.objects.get_or_create(
            tenant_id=tenant_id,
            book_id=book_id,
            code=code,
            defaults={"name": str(name), "type": type_},
        )
    return account


class AccountCache:
    """Account rows by (book, code) for bulk posting (one query per new pair)."""

    def __init__(self, tenant_id: int):
        self.tenant_id = tenant_id
        self._cache: dict[tuple[int | None, str], Account] = {}

    def get(self, book_id: int | None, code: str) -> Account:
        key = (book_id, code)
        if key not in self._cache:
            self._cache[key] = account_for(self.tenant_id, book_id, code)
        return self._cache[key]


def check_balanced(lines: list[Line]) -> None:
    totals: dict[int | None, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        if line.amount == 0:
            raise UnbalancedEntry("A journal line cannot be zero.")
        totals[_id(line.book)] += line.amount
    bad = {book: total for book, total in totals.items() if total != 0}
    if bad:
        raise UnbalancedEntry(f"Journal entry does not balance: {bad}")


def build_entry(
    *,
    tenant_id: int,
    kind: str,
    lines: list[Line],
    actor=None,
    memo: str = "",
    on: date_type | None = None,
    reverses: JournalEntry | None = None,
    accounts: AccountCache | None = None,
) -> tuple[JournalEntry, list[JournalLine]]:
    """Unsaved entry and lines (for bulk posting); ``lines`` must balance per book."""
    lines = [line for line in lines if line.amount != 0]
    check_balanced(lines)
    now = timezone.now()
    on = on or timezone.localdate()
    accounts = accounts or AccountCache(tenant_id)
    entry = JournalEntry(
        tenant_id=tenant_id,
        posted_at=now,
        date=on,
        kind=kind,
        memo=memo[:300],
        actor=actor if getattr(actor, "pk", None) else None,
        reverses=reverses,
    )
    rows = [
        JournalLine(
            tenant_id=tenant_id,
            entry=entry,
            account=accounts.get(_id(line.book), line.code),
            book_id=_id(line.book),
            amount=line.amount,
            customer_id=_id(line.customer),
            reseller_id=_id(line.reseller),
            staff_id=_id(line.staff),
            party=line.party[:80],
            date=on,
        )
        for line in lines
    ]
    return entry, rows


def post_entries(built: list[tuple[JournalEntry, list[JournalLine]]]) -> list[JournalEntry]:
    """Write built entries: entries in one INSERT, all their lines in one INSERT."""
    if not built:
        return []
    with transaction.atomic():
        entries = JournalEntry.objects.bulk_create([e for e, _ in built])
        lines = []
        for entry, rows in built:
            for row in rows:
                row.entry = entry
                lines.append(row)
        JournalLine.objects.bulk_create(lines)
    return entries


def post_entry(
    *,
    tenant_id: int,
    kind: str,
    lines: list[Line],
    actor=None,
    memo: str = "",
    on: date_type | None = None,
    reverses: JournalEntry | None = None,
) -> JournalEntry:
    """Post one balanced entry (call inside the action's transaction)."""
    built = build_entry(
        tenant_id=tenant_id,
        kind=kind,
        lines=lines,
        actor=actor,
        memo=memo,
        on=on,
        reverses=reverses,
    )
    return post_entries([built])[0]


def reverse_entry(*, entry: JournalEntry, actor=None, memo: str = "", on=None) -> JournalEntry:
    """Post the mirror image of ``entry`` (each line negated).  An entry is reversed once."""
    if JournalEntry.objects.filter(reverses=entry).exists():
        raise ValidationError({"entry": "This entry has already been reversed."})
    lines = [
        Line(
            code=row.account.code,
            amount=-row.amount,
            book=row.book_id,
            customer=row.customer_id,
            reseller=row.reseller_id,
            staff=row.staff_id,
            party=row.party,
        )
        for row in entry.lines.select_related("account")
    ]
    return post_entry(
        tenant_id=entry.tenant_id,
        kind=f"{entry.kind}.reversal",
        lines=lines,
        actor=actor,
        memo=memo or f"Reversal of #{entry.pk}",
        on=on,
        reverses=entry,
    )
