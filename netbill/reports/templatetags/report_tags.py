"""Template filters for money in reports and invoices."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def money(value, places: int = 2) -> str:
    """``1234.5`` → ``1,234.50`` (the same figures as the exports, grouped for reading)."""
    if value is None or value == "":
        return ""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return f"{number:,.{int(places)}f}"
