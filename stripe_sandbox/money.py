"""Amounts: minor units per currency, Stripe's minimum and maximum charge amounts, display."""
from __future__ import annotations

from .errors import invalid

ZERO_DECIMAL = {"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv",
                "xaf", "xof", "xpf"}
SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥", "cad": "CA$", "aud": "A$", "chf": "CHF ",
           "inr": "₹"}
MIN_AMOUNT = {"usd": 50, "eur": 50, "gbp": 30, "cad": 50, "aud": 50, "chf": 50, "jpy": 50, "inr": 50,
              "sek": 300, "nok": 300, "dkk": 250, "pln": 200, "czk": 1500, "huf": 17500, "mxn": 1000, "brl": 50,
              "sgd": 50, "hkd": 400, "nzd": 50}
MAX_AMOUNT = 99999999


def fmt_money(amount: int, currency: str) -> str:
    cur = currency.lower()
    value = str(amount) if cur in ZERO_DECIMAL else f"{amount / 100:,.2f}"
    sym = SYMBOLS.get(cur)
    return f"{sym}{value}" if sym else f"{value} {cur.upper()}"


def check_amount(amount: int, currency: str, param: str = "amount") -> None:
    m = MIN_AMOUNT.get(currency, 1)
    if amount < m:
        raise invalid(f"Amount must be at least {fmt_money(m, currency)} {currency}", param=param,
                      code="amount_too_small", cache=False)
    if amount > MAX_AMOUNT:
        raise invalid(f"Amount must be no more than {fmt_money(MAX_AMOUNT, currency)}", param=param,
                      code="amount_too_large", cache=False)
