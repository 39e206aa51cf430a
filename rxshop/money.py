"""Money is integer minor units everywhere; this module only formats it for display."""
from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency, get_currency_precision


def format_money(minor_units: int, currency: str = "usd", locale: str = "en_US") -> str:
    """Format integer minor units (e.g. cents) as a currency string: 1050, "usd" -> "$10.50"."""
    if not isinstance(minor_units, int) or isinstance(minor_units, bool):
        raise TypeError("money must be an int of minor units")
    code = currency.upper()
    amount = Decimal(minor_units).scaleb(-get_currency_precision(code))
    return format_currency(amount, code, locale=locale)


def decimal_amount(minor_units: int, currency: str = "usd") -> str:
    """The amount as a plain decimal string in major units, as schema.org and Open Graph want it: 2400 -> "24.00"."""
    if not isinstance(minor_units, int) or isinstance(minor_units, bool):
        raise TypeError("money must be an int of minor units")
    return str(Decimal(minor_units).scaleb(-get_currency_precision(currency.upper())))
