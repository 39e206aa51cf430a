"""Cards as PaymentMethods (pm_) and legacy Tokens (tok_ with a card_), and the raw card numbers behind them."""
from __future__ import annotations

import time

from .. import cards
from .. import schema
from ..common import Ctx, new_id
from ..errors import StripeError, bad_param, invalid, missing, no_such
from ..params import p_dict, p_metadata, p_str
from ..schema import BILLING_DETAILS, CARD, EXPAND, MAP, STR
from ..store import Table

# ---- parameters of each endpoint (schema.py)
PM_DATA = {"type": STR, "billing_details": BILLING_DETAILS, "metadata": MAP}   # payment_method_data (no card)
CREATE = {**PM_DATA, "card": {**CARD, "token": STR}, **EXPAND}
ATTACH = {"customer": STR, **EXPAND}
_PAGES = {k: v for k, v in schema.LIST.items() if k != "created"}
LIST = {**_PAGES, "customer": STR, "type": STR}
CUSTOMER_LIST = {**_PAGES, "type": STR}
TOKEN_CREATE = {"card": {**CARD, "name": STR, "currency": STR, "address_line1": STR, "address_line2": STR,
                         "address_city": STR, "address_state": STR, "address_zip": STR, "address_country": STR},
                **EXPAND}


CARD_BRAND_NAMES = {"visa": "Visa", "mastercard": "MasterCard", "amex": "American Express", "discover": "Discover",
                    "jcb": "JCB", "diners": "Diners Club", "unionpay": "UnionPay", "unknown": "Unknown"}


class PaymentMethods:
    TABLES = {"card_numbers": Table()}   # pm_/card_/tok_ id -> number (private, never rendered)
    def _card_from_params(self, card: dict, prefix: str = "card") -> tuple[str, int, int, str | None]:
        if not isinstance(card, dict):
            raise bad_param("Invalid object", prefix, "parameter_invalid_object")
        for f in ("number", "exp_month", "exp_year"):
            if card.get(f) in (None, ""):
                raise missing(f"{prefix}[{f}]")
        try:
            number, month, year = cards.validate(card["number"], card["exp_month"], card["exp_year"],
                                                 card.get("cvc"))
        except cards.CardInvalid as e:
            raise StripeError(402, "card_error", e.message, code=e.code, param=e.param, cache=True)
        return number, month, year, card.get("cvc") or None

    def _new_pm(self, number: str, month: int, year: int, cvc: str | None, billing: dict | None = None,
                metadata: dict | None = None) -> dict:
        details = cards.card_details(number, month, year)
        b = billing or {}
        addr = b.get("address") if isinstance(b.get("address"), dict) else {}
        pm = {
            "id": new_id("pm_"), "object": "payment_method", "allow_redisplay": "unspecified",
            "billing_details": {
                "address": {k: addr.get(k) or None for k in
                            ("city", "country", "line1", "line2", "postal_code", "state")},
                "email": b.get("email") or None, "name": b.get("name") or None, "phone": b.get("phone") or None,
                "tax_id": None,
            },
            "card": {
                "brand": details["brand"],
                "checks": {"address_line1_check": None, "address_postal_code_check": None,
                           "cvc_check": "pass" if cvc else None},
                "country": "US", "display_brand": details["brand"], "exp_month": month, "exp_year": year,
                "fingerprint": details["fingerprint"], "funding": details["funding"], "generated_from": None,
                "last4": details["last4"], "networks": {"available": [details["brand"]], "preferred": None},
                "regulated_status": "unregulated", "three_d_secure_usage": {"supported": True}, "wallet": None,
            },
            "created": int(time.time()), "customer": None, "livemode": False, "metadata": metadata or {},
            "type": "card",
        }
        self.card_numbers[pm["id"]] = number
        return self.put(pm)

    def payment_method_create(self, ctx: Ctx, p: dict) -> dict:
        type_ = p_str(p, "type", required=True)
        if type_ != "card":
            raise bad_param(f"The payment method type `{type_}` is not supported by the stripe sandbox (only "
                            f"`card`).", "type", "payment_method_invalid_parameter")
        card = p_dict(p, "card")
        if not card:
            raise missing("card")
        billing = p_dict(p, "billing_details")
        if card.get("token"):
            tok = card["token"]
            number = self._token_number(tok, "card[token]")
            month, year = 12, time.gmtime().tm_year + 3
            t = self.objects.get(tok)
            if t:
                month, year = t["card"]["exp_month"], t["card"]["exp_year"]
            return self._new_pm(number, month, year, None, billing, p_metadata(p))
        number, month, year, cvc = self._card_from_params(card)
        return self._new_pm(number, month, year, cvc, billing, p_metadata(p))

    def _resolve_pm(self, pm_id: str, param: str = "payment_method") -> dict:
        """A PaymentMethod by id; pm_card_* test ids create a fresh PaymentMethod as Stripe does."""
        obj = self.objects.get(pm_id)
        if obj is not None and obj.get("object") == "payment_method":
            return obj
        num = cards.test_id_number(pm_id) if pm_id.startswith("pm_card_") else None
        if num:
            return self._new_pm(num, 12, time.gmtime().tm_year + 3, "123")
        raise no_such("PaymentMethod", pm_id, param)

    def payment_method_get(self, pm_id: str) -> dict:
        return self._resolve_pm(pm_id, "id")

    def payment_method_attach(self, ctx: Ctx, p: dict, pm_id: str) -> dict:
        pm = self._resolve_pm(pm_id, "payment_method")
        cid = p_str(p, "customer", required=True)
        cus = self.get(cid, "customer", "customer", "customer")
        if pm["customer"] and pm["customer"] != cid:
            raise invalid("The payment method you provided has already been attached to a customer.",
                          param="payment_method", code="payment_method_unexpected_state")
        pm["customer"] = cus["id"]
        self.emit("payment_method.attached", pm, ctx)
        return pm

    def payment_method_detach(self, ctx: Ctx, p: dict, pm_id: str) -> dict:
        pm = self._resolve_pm(pm_id, "payment_method")
        if not pm["customer"]:
            raise invalid("The payment method you provided is not attached to a customer so detachment is "
                          "impossible.", param="payment_method", code="payment_method_unexpected_state")
        pm["customer"] = None
        self.emit("payment_method.detached", pm, ctx)
        return pm

    def payment_method_list(self, ctx: Ctx, p: dict) -> dict:
        cid = p_str(p, "customer")
        type_ = p_str(p, "type")
        return self.list("payment_method", "/v1/payment_methods", p,
                         lambda o: (not cid or o["customer"] == cid) and (not type_ or o["type"] == type_))

    # ================================================================================================ tokens
    def token_create(self, ctx: Ctx, p: dict) -> dict:
        card = p_dict(p, "card")
        if not card:
            if p.get("card"):   # card=tok_.. / card id reuse is not supported
                raise bad_param("Invalid card object", "card", "parameter_invalid_object")
            raise missing("card")
        number, month, year, cvc = self._card_from_params(card)
        tok = self._new_token(number, month, year, cvc, card)
        return tok

    def _new_token(self, number: str, month: int, year: int, cvc: str | None, card: dict | None = None) -> dict:
        card = card or {}
        d = cards.card_details(number, month, year)
        card_obj = {
            "id": new_id("card_"), "object": "card",
            "address_city": card.get("address_city"), "address_country": card.get("address_country"),
            "address_line1": card.get("address_line1"), "address_line1_check": None,
            "address_line2": card.get("address_line2"), "address_state": card.get("address_state"),
            "address_zip": card.get("address_zip"), "address_zip_check": None,
            "brand": CARD_BRAND_NAMES[d["brand"]], "country": "US",
            "cvc_check": "unchecked" if cvc else None, "dynamic_last4": None, "exp_month": month, "exp_year": year,
            "fingerprint": d["fingerprint"], "funding": d["funding"], "last4": d["last4"], "metadata": {},
            "name": card.get("name"), "networks": {"preferred": None}, "regulated_status": "unregulated",
            "tokenization_method": None,
        }
        tok = {"id": new_id("tok_"), "object": "token", "card": card_obj, "client_ip": None,
               "created": int(time.time()), "livemode": False, "type": "card", "used": False}
        self.card_numbers[tok["id"]] = number
        self.card_numbers[card_obj["id"]] = number
        return self.put(tok)

    def token_get(self, tid: str) -> dict:
        obj = self.objects.get(tid)
        if obj is None and tid.startswith("tok_") and cards.test_id_number(tid):
            num = cards.test_id_number(tid)
            return self._new_token(num, 12, time.gmtime().tm_year + 3, "123")
        return self.get(tid, "token", "token")

    def _token_number(self, tok: str, param: str) -> str:
        obj = self.objects.get(tok)
        if obj is not None and obj.get("object") == "token":
            if obj["used"]:
                raise invalid(f"You cannot use a Stripe token more than once: {tok}.", param=param,
                              code="token_already_used")
            obj["used"] = True
            return self.card_numbers[tok]
        num = cards.test_id_number(tok) if tok.startswith("tok_") else None
        if num is None:
            raise no_such("token", tok, param)
        return num
