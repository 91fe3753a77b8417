"""Money: ``Decimal`` with the project's precision, rounded to the currency's minor unit."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# Minor units per ISO 4217 for the currencies an ISP here bills in; others default to 2.
MINOR_UNITS = {"BDT": 2, "INR": 2, "USD": 2, "NPR": 2, "PKR": 2, "JPY": 0, "KWD": 3}
ZERO = Decimal("0.00")
MONEY_FIELD = {"max_digits": 14, "decimal_places": 2}


def quantum(currency: str = "BDT") -> Decimal:
    return Decimal(1).scaleb(-MINOR_UNITS.get(currency.upper(), 2))


def money(value, currency: str = "BDT") -> Decimal:
    """Round half up to the currency's minor unit (VAT 5 % of 333.33 → 16.67)."""
    return Decimal(str(value)).quantize(quantum(currency), rounding=ROUND_HALF_UP)
