"""Helpers of the billing tests: customers activated on a given day, ledger checks."""

from __future__ import annotations

import datetime

from django.db import connection

from netbill.billing import calendar as cal
from netbill.catalog.models import BillingProfile
from netbill.core.testing import make_customer
from netbill.customers.models import Customer

DHAKA = cal.tenant_tz(None)


def activated(world, on: datetime.date, owner=None, **extra) -> Customer:
    """A customer (made directly, no service) whose activation was at 10:00 on ``on``."""
    customer = make_customer(world, owner=owner or world.admin, **extra)
    created = datetime.datetime.combine(on, datetime.time(10), tzinfo=DHAKA)
    Customer.objects.filter(pk=customer.pk).update(created_at=created)
    customer.refresh_from_db()
    return customer


def profile(world, name: str, **fields) -> BillingProfile:
    """A billing profile of the world's tenant, assigned to its resellers."""
    values = {"billing_type": "monthly", "due_day": 1, "grace_days": 0} | fields
    bp = BillingProfile.objects.create(tenant=world.tenant, name=name, **values)
    bp.resellers.add(world.operator, world.operator2, world.sub_operator)
    return bp


def unbalanced_entries(tenant_id=None) -> list:
    """(entry, book, sum) of every journal entry that does not balance in a book."""
    sql = (
        "SELECT entry_id, book_id, sum(amount) FROM ledger_journalline "
        + ("WHERE tenant_id = %s " if tenant_id else "")
        + "GROUP BY entry_id, book_id HAVING sum(amount) <> 0"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [tenant_id] if tenant_id else [])
        return cursor.fetchall()


def end_of(day: datetime.date) -> datetime.datetime:
    return cal.day_end(day, DHAKA)


def utc(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=datetime.UTC)
