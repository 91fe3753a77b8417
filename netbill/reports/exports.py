"""Report downloads (CSV and Excel): the tables the page shows, every row (not one page)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.utils.translation import gettext as _
from openpyxl import Workbook

from netbill.reports.registry import Result, Table, export_value


class _Echo:
    def write(self, value):
        return value


def _safe(value):
    """Keep spreadsheet programs from running a cell as a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _cells(table: Table, row: list, *, spreadsheet: bool) -> list:
    return [
        _safe(export_value(value, column.kind, spreadsheet=spreadsheet))
        for value, column in zip(row, table.columns, strict=False)
    ]


def _summary_rows(result: Result, *, spreadsheet: bool) -> list[list]:
    return [
        [label, export_value(value, kind, spreadsheet=spreadsheet)]
        for label, value, kind in result.summary
    ]


def export_csv(result: Result) -> Iterator[str]:
    """CSV: the summary lines (if any), then each table: its title when there are several,
    the header, the rows and the totals line."""
    writer = csv.writer(_Echo())
    yield "\ufeff"  # BOM: Excel opens Bangla text correctly
    for row in _summary_rows(result, spreadsheet=False):
        yield writer.writerow([_safe(v) for v in row])
    if result.summary:
        yield writer.writerow([])
    many = len(result.tables) > 1
    for index, table in enumerate(result.tables):
        if many:
            if index:
                yield writer.writerow([])
            yield writer.writerow([_safe(table.title)])
        yield writer.writerow([c.label for c in table.columns])
        for row in table.iter_rows():
            yield writer.writerow(_cells(table, row, spreadsheet=False))
        if table.totals is not None:
            yield writer.writerow(_cells(table, table.totals, spreadsheet=False))


def _sheet_title(title: str, used: set[str]) -> str:
    clean = "".join(ch for ch in str(title) if ch not in "[]:*?/\\")[:31] or _("Report")
    name, n = clean, 2
    while name in used:
        suffix = f" ({n})"
        name = clean[: 31 - len(suffix)] + suffix
        n += 1
    used.add(name)
    return name


def export_xlsx(result: Result) -> bytes:
    """Excel: one sheet per table (the summary above the first table)."""
    book = Workbook(write_only=True)
    used: set[str] = set()
    for index, table in enumerate(result.tables):
        sheet = book.create_sheet(_sheet_title(table.title, used))
        if index == 0 and result.summary:
            for row in _summary_rows(result, spreadsheet=True):
                sheet.append([_safe(v) for v in row])
            sheet.append([])
        sheet.append([c.label for c in table.columns])
        for row in table.iter_rows():
            sheet.append(_cells(table, row, spreadsheet=True))
        if table.totals is not None:
            sheet.append(_cells(table, table.totals, spreadsheet=True))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
