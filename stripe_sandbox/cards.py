"""Stripe's documented test cards, test PaymentMethod / Token ids, and card validation."""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

# ----------------------------------------------------------------------------------------------------------------
# Outcomes. "decline" entries are (code, decline_code, message, param).
DECLINED = ("card_declined", "generic_decline", "Your card was declined.", None)
INSUFFICIENT = ("card_declined", "insufficient_funds", "Your card has insufficient funds.", None)
LOST = ("card_declined", "lost_card", "Your card was declined.", None)
STOLEN = ("card_declined", "stolen_card", "Your card was declined.", None)
EXPIRED = ("expired_card", "expired_card", "Your card has expired.", "exp_month")
INCORRECT_CVC = ("incorrect_cvc", "incorrect_cvc", "Your card's security code is incorrect.", "cvc")
PROCESSING = ("processing_error", "processing_error",
              "An error occurred while processing your card. Try again in a little bit.", None)
AUTH_REQUIRED = ("authentication_required", "authentication_required",
                 "Your card was declined. This transaction requires authentication.", None)


@dataclass(frozen=True)
class Behaviour:
    decline: tuple | None = None          # declined when charged
    three_ds: bool = False                # needs 3-D Secure for on-session payments
    decline_after_3ds: tuple | None = None  # 3-D Secure completes, then this decline
    funding: str = "credit"


SPECIAL: dict[str, Behaviour] = {
    "4000000000000002": Behaviour(decline=DECLINED),
    "4000000000009995": Behaviour(decline=INSUFFICIENT),
    "4000000000009987": Behaviour(decline=LOST),
    "4000000000009979": Behaviour(decline=STOLEN),
    "4000000000000069": Behaviour(decline=EXPIRED),
    "4000000000000127": Behaviour(decline=INCORRECT_CVC),
    "4000000000000119": Behaviour(decline=PROCESSING),
    "4000000000000341": Behaviour(decline=DECLINED),  # attaching succeeds, charging fails
    "4000002500003155": Behaviour(three_ds=True),
    "4000000000003220": Behaviour(three_ds=True),
    "4000000000003063": Behaviour(three_ds=True),
    "4000002760003184": Behaviour(three_ds=True),
    "4000008400001629": Behaviour(three_ds=True, decline_after_3ds=DECLINED),
    "4000056655665556": Behaviour(funding="debit"),
    "5200828282828210": Behaviour(funding="debit"),
    "5105105105105100": Behaviour(funding="prepaid"),
}
OK = Behaviour()

# Test PaymentMethod ids (pm_card_*) and Token ids (tok_*): suffix -> card number
TEST_IDS: dict[str, str] = {
    "visa": "4242424242424242",
    "visa_debit": "4000056655665556",
    "mastercard": "5555555555554444",
    "mastercard_debit": "5200828282828210",
    "mastercard_prepaid": "5105105105105100",
    "amex": "378282246310005",
    "discover": "6011111111111117",
    "diners": "3056930009020004",
    "jcb": "3566002020360505",
    "unionpay": "6200000000000005",
    "chargeDeclined": "4000000000000002",
    "chargeDeclinedInsufficientFunds": "4000000000009995",
    "chargeDeclinedLostCard": "4000000000009987",
    "chargeDeclinedStolenCard": "4000000000009979",
    "chargeDeclinedExpiredCard": "4000000000000069",
    "chargeDeclinedIncorrectCvc": "4000000000000127",
    "chargeDeclinedProcessingError": "4000000000000119",
    "chargeCustomerFail": "4000000000000341",
    "threeDSecure2Required": "4000000000003220",
    "threeDSecureRequired": "4000000000003063",
    "authenticationRequired": "4000002760003184",
    "authenticationRequiredOnSetup": "4000002500003155",
}


def test_id_number(test_id: str) -> str | None:
    """pm_card_visa / tok_visa -> card number, else None."""
    if test_id.startswith("pm_card_"):
        return TEST_IDS.get(test_id[8:])
    if test_id.startswith("tok_"):
        return TEST_IDS.get(test_id[4:])
    return None


def behaviour(number: str) -> Behaviour:
    return SPECIAL.get(number, OK)


def luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def brand(number: str) -> str:
    if number.startswith("4"):
        return "visa"
    two = int(number[:2] or 0)
    four = int(number[:4] or 0)
    if 51 <= two <= 55 or 2221 <= four <= 2720:
        return "mastercard"
    if two in (34, 37):
        return "amex"
    if number.startswith(("6011", "65", "644", "645", "646", "647", "648", "649")):
        return "discover"
    if two == 35:
        return "jcb"
    if two in (30, 36, 38, 39):
        return "diners"
    if two == 62:
        return "unionpay"
    return "unknown"


def fingerprint(number: str) -> str:
    return hashlib.sha256(b"sbx" + number.encode()).hexdigest()[:16]


class CardInvalid(Exception):
    """Raised for a card that Stripe refuses at tokenisation (402 card_error)."""

    def __init__(self, code: str, message: str, param: str):
        super().__init__(message)
        self.code, self.message, self.param = code, message, param


def validate(number: str, exp_month, exp_year, cvc) -> tuple[str, int, int]:
    """Return (digits, exp_month, exp_year) or raise CardInvalid, as Stripe does on Token/PaymentMethod create."""
    digits = "".join(ch for ch in str(number or "") if ch not in " -")
    if not digits.isdigit() or not 12 <= len(digits) <= 19:
        raise CardInvalid("invalid_number", "Your card number is not a valid credit card number.", "number")
    if not luhn_ok(digits):
        raise CardInvalid("incorrect_number", "Your card number is incorrect.", "number")
    try:
        month = int(exp_month)
    except (TypeError, ValueError):
        raise CardInvalid("invalid_expiry_month", "Your card's expiration month is invalid.", "exp_month")
    if not 1 <= month <= 12:
        raise CardInvalid("invalid_expiry_month", "Your card's expiration month is invalid.", "exp_month")
    try:
        year = int(exp_year)
    except (TypeError, ValueError):
        raise CardInvalid("invalid_expiry_year", "Your card's expiration year is invalid.", "exp_year")
    if year < 100:
        year += 2000
    now = time.gmtime()
    if year < now.tm_year or year > now.tm_year + 50:
        raise CardInvalid("invalid_expiry_year", "Your card's expiration year is invalid.", "exp_year")
    if year == now.tm_year and month < now.tm_mon:
        raise CardInvalid("invalid_expiry_month", "Your card's expiration month is invalid.", "exp_month")
    if cvc not in (None, ""):
        c = str(cvc)
        want = (4,) if brand(digits) == "amex" else (3,)
        if not c.isdigit() or len(c) not in want + (3, 4):
            raise CardInvalid("invalid_cvc", "Your card's security code is invalid.", "cvc")
    return digits, month, year


def card_details(number: str, exp_month: int, exp_year: int) -> dict:
    """The public card hash (no number)."""
    return {
        "brand": brand(number),
        "country": "US",
        "exp_month": exp_month,
        "exp_year": exp_year,
        "fingerprint": fingerprint(number),
        "funding": behaviour(number).funding,
        "last4": number[-4:],
    }
