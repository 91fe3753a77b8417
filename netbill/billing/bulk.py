"""Fast inserts of many plain rows for the billing run (bills, bill lines, wallet
allocations, outbox messages) — never ledger rows, which only ``ledger.posting`` writes.

On PostgreSQL the rows are streamed with ``COPY … FROM STDIN`` with ids reserved up front
from the table's sequence (one query), so callers know every id before anything is
written and no model instance is built; elsewhere (the SQLite demo) they go through
``bulk_create``.  Values not given take the field's default (``auto_now_add`` fields:
now), exactly as ``Model.objects.create`` would store them.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import JSONField
from django.utils import timezone


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def reserve_ids(model, count: int) -> list[int]:
    """``count`` fresh primary keys of ``model``'s table (PostgreSQL)."""
    if count <= 0:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _columns(model):
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    defaults = {}
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            defaults[field.attname] = now
        else:  # the declared default, "" for text fields, None otherwise
            defaults[field.attname] = field.get_default()
    return fields, defaults


def insert_rows(model, rows: list[dict]) -> list[int]:
    """Insert ``rows`` (dicts by attname, optionally with ``id``); returns their ids in order.

    Rows without ``id`` get one (reserved on PostgreSQL, returned by ``bulk_create``
    elsewhere).
    """
    if not rows:
        return []
    fields, defaults = _columns(model)
    if not is_postgres():
        objs = [model(**{**defaults, **row}) for row in rows]
        model.objects.bulk_create(objs)
        return [obj.pk for obj in objs]
    from psycopg.types.json import Jsonb

    missing = [row for row in rows if "id" not in row]
    for row, pk in zip(missing, reserve_ids(model, len(missing)), strict=True):
        row["id"] = pk
    names = [f.attname for f in fields]
    json_names = {f.attname for f in fields if isinstance(f, JSONField)}
    columns = ", ".join(["id", *(connection.ops.quote_name(f.column) for f in fields)])
    with connection.cursor() as cursor:
        copy_sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
        with cursor.cursor.copy(copy_sql) as copy:
            for row in rows:
                values = [row["id"]]
                for name in names:
                    value = row.get(name, defaults[name])
                    if name in json_names:
                        value = Jsonb(value)
                    values.append(value)
                copy.write_row(values)
    return [row["id"] for row in rows]
