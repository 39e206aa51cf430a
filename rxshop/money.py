"""Money is integer minor units everywhere; this module only formats it for display."""
from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from babel.numbers import format_currency, get_currency_precision


def format_money(minor_units: int, currency: str = "usd", locale: str = "en_US") -> str:
    """Format integer minor units (e.g. cents) as a currency string: 1050, "usd" -> "$10.50"."""
    if not isinstance(minor_units, int) or isinstance(minor_units, bool):
        raise TypeError("money must be an int of minor units")
    return _format(minor_units, currency.upper(), locale)


@lru_cache(maxsize=8192)  # Babel costs ~40 µs a call; a shop shows the same few amounts over and over
def _format(minor_units: int, code: str, locale: str) -> str:
    amount = Decimal(minor_units).scaleb(-get_currency_precision(code))
    return format_currency(amount, code, locale=locale)


def decimal_amount(minor_units: int, currency: str = "usd") -> str:
    """The amount as a plain decimal string in major units, as schema.org and Open Graph want it: 2400 -> "24.00"."""
    if not isinstance(minor_units, int) or isinstance(minor_units, bool):
        raise TypeError("money must be an int of minor units")
    return str(Decimal(minor_units).scaleb(-get_currency_precision(currency.upper())))
