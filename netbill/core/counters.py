"""Running numbers per tenant: ``next_numbers(tenant_id, "bill", 500)`` reserves a block."""

from django.db import IntegrityError, transaction
from django.db.models import F

from netbill.core.models import Counter


def next_numbers(tenant_id: int, name: str, count: int = 1) -> range:
    """Reserve ``count`` consecutive numbers (locked until the caller's transaction ends)."""
    with transaction.atomic():
        updated = Counter.objects.filter(tenant_id=tenant_id, name=name).update(
            value=F("value") + count
        )
        if not updated:
            try:
                with transaction.atomic():
                    Counter.objects.create(tenant_id=tenant_id, name=name, value=count)
                    return range(1, count + 1)
            except IntegrityError:
                Counter.objects.filter(tenant_id=tenant_id, name=name).update(
                    value=F("value") + count
                )
        end = Counter.objects.get(tenant_id=tenant_id, name=name).value
    return range(end - count + 1, end + 1)
