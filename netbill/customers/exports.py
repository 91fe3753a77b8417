"""Customer list exports (CSV and Excel): the same selector, filters and scope as the list."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from netbill.customers import selectors
from netbill.customers.models import CustomField


def export_columns(user) -> tuple[list[str], list[CustomField]]:
    fields = list(CustomField.objects.visible_to(user))
    header = [
        _("Name"),
        _("Username"),
        _("Mobile"),
        _("Email"),
        _("Address"),
        _("Customer type"),
        _("Status"),
        _("Zone"),
        _("Package"),
        _("Billing profile"),
        _("Owner"),
        _("Static IP"),
        _("Price"),
        _("Created"),
    ]
    return header + [f.name for f in fields], fields


def export_rows(*, user, params) -> Iterator[list]:
    """One list per customer in ``user``'s scope matching the list's ``params``."""
    _header, fields = export_columns(user)
    qs = selectors.with_list_price(selectors.customer_list(user=user, params=params))
    tz = timezone.get_current_timezone()
    for c in qs.iterator(chunk_size=2000):
        row = [
            c.name,
            c.username,
            c.mobile,
            c.email,
            c.address,
            c.get_customer_type_display(),
            c.get_status_display(),
            c.zone.name if c.zone else "",
            c.package.name,
            c.billing_profile.name,
            c.owner.name,
            c.static_ip or "",
            c.list_price,
            c.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
        ]
        row += [(c.custom_fields or {}).get(f.key, "") for f in fields]
        yield row


class _Echo:
    def write(self, value):
        return value


def export_csv(*, user, params) -> Iterator[str]:
    writer = csv.writer(_Echo())
    header, _fields = export_columns(user)
    yield "\ufeff" + writer.writerow(header)  # BOM: Excel opens Bangla text correctly
    for row in export_rows(user=user, params=params):
        yield writer.writerow([_safe(v) for v in row])


def export_xlsx(*, user, params) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Customers"))
    header, _fields = export_columns(user)
    sheet.append(header)
    for row in export_rows(user=user, params=params):
        sheet.append([_safe(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _safe(value):
    """Keep spreadsheet programs from running a cell as a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
