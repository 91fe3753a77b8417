"""The Customer Payments download (CSV): the list's selector, filters and scope."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.utils import timezone
from django.utils.translation import gettext as _

from netbill.payments import selectors


class _Echo:
    def write(self, value):
        return value


def _safe(value):
    """Keep spreadsheet programs from running a cell as a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def header() -> list[str]:
    return [
        _("Receipt"),
        _("Received"),
        _("Customer"),
        _("Username"),
        _("Amount"),
        _("Method"),
        _("Collected by"),
        _("Owner"),
        _("Status"),
        _("Void reason"),
        _("Note"),
        _("Reference"),
    ]


def payment_rows(*, user, params) -> Iterator[list]:
    tz = timezone.get_current_timezone()
    qs = selectors.payment_list(user=user, params=params)
    for p in qs.iterator(chunk_size=2000):
        yield [
            p.receipt_number,
            p.received_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            p.customer.name,
            p.customer.username,
            p.amount,
            p.get_method_display(),
            p.collected_by.name if p.collected_by else "",
            p.owner.name,
            _("Void") if p.voided_at else _("Live"),
            p.void_reason,
            p.note,
            p.reference,
        ]


def payments_csv(*, user, params) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header())  # BOM: Excel opens Bangla text correctly
    for row in payment_rows(user=user, params=params):
        yield writer.writerow([_safe(v) for v in row])
