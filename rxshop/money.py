"""Money is integer minor units everywhere; this module only formats it for display."""
from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

from babel.numbers import format_currency, get_currency_precision


def format_money(minor_units: int, currency: str = "usd", locale: str = "en_US") -> str:
    """Format integer minor units (e.g. cents) as a currency string: 1050, "usd" -> "$10.50"."""
    if not isinstance(minor_units, int) or isinstance(minor_units, bool):
        raise TypeError("money must be an int of minor units")
    return _format(minor_units, currency.upper(), locale)


@lru_cache(maxsize=8192)  # a shop shows the same few amounts over and over
def _format(minor_units: int, code: str, locale: str) -> str:
    fast = _layout(code, locale)
    return fast(minor_units) if fast is not None and minor_units >= 0 else _babel(minor_units, code, locale)


def _babel(minor_units: int, code: str, locale: str) -> str:
    amount = Decimal(minor_units).scaleb(-get_currency_precision(code))
    return format_currency(amount, code, locale=locale)


_PROBES = (0, 5, 99, 100, 1050, 99999, 100000, 123456789, 1000000000007)


@lru_cache(maxsize=64)
def _layout(code: str, locale: str):
    """Babel's layout of this currency in this locale, read once from what Babel prints for a probe amount, as a
    function of the minor units; None when the layout isn't plain prefix, groups of three, decimals, suffix (e.g.
    India's lakh grouping). Every amount a cart sums to is new, so the cache alone misses; Babel stays the reference:
    the function is used only if it prints exactly what Babel prints for every probe (tests/unit/test_money.py)."""
    digits = get_currency_precision(code)
    sample = _babel(1234567 * 10 ** digits + (10 ** digits - 11 if digits else 0), code, locale)  # 1,234,567.89
    m = re.fullmatch(r"(\D*)1(\D?)234(\D?)567(?:(\D)\d+)?(\D*)", sample)
    if m is None or m.group(2) != m.group(3):
        return None
    prefix, sep, point, suffix = m.group(1), m.group(2), m.group(4) or "", m.group(5)

    def fmt(minor_units: int) -> str:
        major, minor = divmod(minor_units, 10 ** digits) if digits else (minor_units, 0)
        text = f"{major:,}".replace(",", sep)
        return prefix + text + (f"{point}{minor:0{digits}d}" if digits else "") + suffix

    ok = all(fmt(n) == _babel(n, code, locale) for n in _PROBES)
    return fmt if ok else None


def decimal_amount(minor_units: int, currency: str = "usd") -> str:
    """The amount as a plain decimal string in major units, as schema.org and Open Graph want it: 2400 -> "24.00"."""
    if not isinstance(minor_units, int) or isinstance(minor_units, bool):
        raise TypeError("money must be an int of minor units")
    return str(Decimal(minor_units).scaleb(-get_currency_precision(currency.upper())))
