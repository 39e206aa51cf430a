"""Amounts: minor units per currency, Stripe's minimum and maximum charge amounts, display."""
from __future__ import annotations

from .errors import invalid

# https://docs.stripe.com/currencies (presentment currencies for card payments)
SUPPORTED_CURRENCIES = frozenset("""
usd aed afn all amd ang aoa ars aud awg azn bam bbd bdt bgn bhd bif bmd bnd bob brl bsd bwp byn bzd cad cdf chf clp
cny cop crc cve czk djf dkk dop dzd egp etb eur fjd fkp gbp gel gip gmd gnf gtq gyd hkd hnl htg huf idr ils inr isk
jmd jod jpy kes kgs khr kmf krw kwd kyd kzt lak lbp lkr lrd lsl mad mdl mga mkd mmk mnt mop mur mvr mwk mxn myr mzn
nad ngn nio nok npr nzd omr pab pen pgk php pkr pln pyg qar ron rsd rub rwf sar sbd scr sek sgd shp sle sos srd std
szl thb tjs tnd top try ttd twd tzs uah ugx uyu uzs vnd vuv wst xaf xcd xof xpf yer zar zmw""".split())
# amounts in the currency's whole units (https://docs.stripe.com/currencies#zero-decimal)
ZERO_DECIMAL = {"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv",
                "xaf", "xof", "xpf"}
SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥", "cad": "CA$", "aud": "A$", "chf": "CHF ",
           "inr": "₹"}
# three decimals, but card amounts must end in 0 (https://docs.stripe.com/currencies#three-decimal)
THREE_DECIMAL = {"bhd", "jod", "kwd", "omr", "tnd"}
# minimum charge per currency in minor units (https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts)
MIN_AMOUNT = {"usd": 50, "aed": 200, "aud": 50, "bgn": 100, "brl": 50, "cad": 50, "chf": 50, "czk": 1500, "dkk": 250,
              "eur": 50, "gbp": 30, "hkd": 400, "huf": 17500, "inr": 50, "jpy": 50, "mxn": 1000, "myr": 200,
              "nok": 300, "nzd": 50, "pln": 200, "ron": 200, "sek": 300, "sgd": 50, "thb": 1000}
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
    if currency in THREE_DECIMAL and amount % 10:
        raise invalid(f"Amounts in {currency.upper()} must be a multiple of 10 (the last of its three decimals is "
                      f"0 for card payments).", param=param, code="invalid_amount", cache=False)
    if amount > MAX_AMOUNT:
        raise invalid(f"Amount must be no more than {fmt_money(MAX_AMOUNT, currency)}", param=param,
                      code="amount_too_large", cache=False)
