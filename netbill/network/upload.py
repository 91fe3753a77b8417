"""Bulk upload of PPPoE profiles from a spreadsheet (``.xlsx`` or ``.csv``).

Columns (first row, any order, case and spaces ignored): name, local address, IPv4 pool,
IPv6 pool, rate limit, DNS, only one.  Pools are named as on the IP pools page.  All or
nothing: every row goes through :func:`netbill.network.services.profile_create` inside one
transaction, and one bad cell refuses the whole file with the row and column of each
mistake.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from netbill.core import permissions as P
from netbill.core.permissions import require
from netbill.network.models import IpPool, PoolKind, PppoeProfile
from netbill.network.services import profile_create

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 1000
MAX_MESSAGES = 50

# field -> (column title, accepted spellings after normalising)
COLUMNS: dict[str, tuple] = {
    "name": (gettext_lazy("Name"), {"name", "profile", "profilename"}),
    "local_address": (gettext_lazy("Local address"), {"localaddress", "local"}),
    "pool_v4": (
        gettext_lazy("IPv4 pool"),
        {"ipv4pool", "pool", "pool4", "poolv4", "remoteaddress", "ippool"},
    ),
    "pool_v6": (
        gettext_lazy("IPv6 pool"),
        {"ipv6pool", "pool6", "poolv6", "remoteipv6prefixpool", "dhcpv6pdpool"},
    ),
    "rate_limit": (gettext_lazy("Rate limit"), {"ratelimit", "rate", "speed"}),
    "dns_server": (
        gettext_lazy("DNS"),
        {"dns", "dnsserver", "dnsservers", "dnsserver1"},
    ),
    "only_one": (gettext_lazy("Only one"), {"onlyone", "onesession"}),
}
TEMPLATE_ROWS = [
    ["name", "local address", "IPv4 pool", "IPv6 pool", "rate limit", "DNS", "only one"],
    ["Home-10M", "10.20.0.1", "Home-A", "", "5M/10M", "8.8.8.8,1.1.1.1", "yes"],
]
TRUE = {"yes", "y", "true", "1", "on", "default"}
FALSE = {"no", "n", "false", "0", "off"}


def _key(title) -> str:
    return re.sub(r"[^a-z0-9]", "", str(title or "").lower())


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _file_error(message) -> ValidationError:
    return ValidationError({"file": [message]})


def read_rows(upload) -> list[list[str]]:
    """Every row of the uploaded file as text cells (the first row holds the titles)."""
    name = (getattr(upload, "name", "") or "").lower()
    if getattr(upload, "size", 0) and upload.size > MAX_BYTES:
        raise _file_error(_("The file is larger than 2 MB."))
    data = upload.read()
    if not data:
        raise _file_error(_("The file is empty."))
    if name.endswith(".xls"):
        raise _file_error(_("Save the sheet as Excel (.xlsx) or CSV; the old .xls is not read."))
    if name.endswith(".xlsx") or data[:2] == b"PK":
        return _xlsx_rows(data)
    return _csv_rows(data)


def _xlsx_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise _file_error(_("The file is not an Excel (.xlsx) workbook.")) from exc
    try:
        sheet = book.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append([_cell(v) for v in row])
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        book.close()


def _csv_rows(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _file_error(_("Save the CSV file as UTF-8.")) from exc
    if "\x00" in text:
        raise _file_error(_("The file is not an Excel (.xlsx) or CSV file."))
    first = text.splitlines()[0] if text.splitlines() else ""
    delimiter = max(",;\t", key=first.count)
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _columns(titles: list[str]) -> tuple[dict[int, str], list[str]]:
    """Column index -> field, and the mistakes in the title row."""
    wanted = {}
    for field, (_title, spellings) in COLUMNS.items():
        for spelling in spellings:
            wanted[spelling] = field
    mapping, errors, seen = {}, [], {}
    for index, title in enumerate(titles):
        if not title:
            continue
        field = wanted.get(_key(title))
        if field is None:
            errors.append(
                _("Column “%(title)s” is not known. The columns are: %(columns)s.")
                % {"title": title, "columns": ", ".join(TEMPLATE_ROWS[0])}
            )
        elif field in seen:
            errors.append(
                _("Columns “%(a)s” and “%(b)s” are both “%(field)s”.")
                % {"a": seen[field], "b": title, "field": COLUMNS[field][0]}
            )
        else:
            seen[field] = title
            mapping[index] = field
    if "name" not in seen:
        errors.append(
            _("The first row must have a “%(column)s” column.") % {"column": TEMPLATE_ROWS[0][0]}
        )
    return mapping, errors


def _where(row: int, field: str) -> str:
    return _("Row %(row)s, column “%(column)s”") % {"row": row, "column": COLUMNS[field][0]}


def _parse_row(number, cells, mapping, pools_by_name) -> tuple[dict, list[str]]:
    values = {field: (cells[i] if i < len(cells) else "") for i, field in mapping.items()}
    data: dict = {"name": values.get("name", "")}
    errors = []
    if not data["name"]:
        errors.append(f"{_where(number, 'name')}: {_('give the profile name.')}")
    if "local_address" in values:
        data["local_address"] = values["local_address"] or None
    for field, version in (("pool_v4", 4), ("pool_v6", 6)):
        name = values.get(field, "")
        if not name:
            continue
        pool = pools_by_name.get((version, name.lower()))
        if pool is None:
            errors.append(
                f"{_where(number, field)}: "
                + _("there is no IPv%(v)s pool for customers named “%(name)s”.")
                % {"v": version, "name": name}
            )
        else:
            data[field] = pool
    for field in ("rate_limit", "dns_server"):
        if field in values:
            data[field] = values[field]
    if "only_one" in values:
        flag = values["only_one"].strip().lower()
        if flag in TRUE or flag == "":
            data["only_one"] = True
        elif flag in FALSE:
            data["only_one"] = False
        else:
            errors.append(
                f"{_where(number, 'only_one')}: "
                + _("write yes or no, not “%(value)s”.") % {"value": values["only_one"]}
            )
    return data, errors


def _raise(errors: list[str]) -> None:
    if len(errors) > MAX_MESSAGES:
        more = len(errors) - MAX_MESSAGES
        errors = errors[:MAX_MESSAGES] + [_("… and %(n)s more mistakes.") % {"n": more}]
    raise ValidationError({"file": errors})


def profiles_upload(*, actor, upload) -> list[PppoeProfile]:
    """Create every profile of the uploaded sheet, or none (``manage-ip-pools``)."""
    require(actor, P.MANAGE_IP_POOLS)
    rows = read_rows(upload)
    while rows and not any(rows[0]):
        rows.pop(0)
    if not rows:
        raise _file_error(_("The file is empty."))
    mapping, errors = _columns(rows[0])
    if errors:
        _raise(errors)
    body = [(n, cells) for n, cells in enumerate(rows[1:], start=2) if any(cells)]
    if not body:
        raise _file_error(_("The file has no profiles under its title row."))
    if len(body) > MAX_ROWS:
        raise _file_error(_("Upload at most %(n)s profiles at once.") % {"n": MAX_ROWS})
    pools_by_name = {
        (p.version, p.name.lower()): p
        for p in IpPool.objects.visible_to(actor).filter(kind=PoolKind.CUSTOMER)
    }
    parsed, first_row_of = [], {}
    for number, cells in body:
        data, row_errors = _parse_row(number, cells, mapping, pools_by_name)
        name_key = data["name"].lower()
        if name_key and name_key in first_row_of:
            row_errors.append(
                f"{_where(number, 'name')}: "
                + _("“%(name)s” is already on row %(row)s.")
                % {"name": data["name"], "row": first_row_of[name_key]}
            )
        first_row_of.setdefault(name_key, number)
        errors += row_errors
        parsed.append((number, data))
    if errors:
        _raise(errors)
    created = []
    with transaction.atomic():
        for number, data in parsed:
            try:
                with transaction.atomic():
                    created.append(profile_create(actor=actor, **data))
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    where = (
                        _where(number, field)
                        if field in COLUMNS
                        else _("Row %(row)s") % {"row": number}
                    )
                    errors += [f"{where}: {m}" for m in messages]
        if errors:
            _raise(errors)  # rolls back every profile of the file
    return created


def template_csv() -> str:
    out = io.StringIO()
    csv.writer(out).writerows(TEMPLATE_ROWS)
    return out.getvalue()
