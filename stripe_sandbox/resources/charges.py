"""Charges: made by the Charges API (POST /v1/charges) and by confirming a PaymentIntent."""
from __future__ import annotations

import time

from .. import cards
from .. import schema
from ..common import NO_CTX, Ctx, new_id
from ..errors import StripeError, invalid, no_such
from ..money import check_amount
from ..params import p_bool, p_currency, p_int, p_metadata, p_str
from ..schema import BOOL, CURRENCY, EMAIL, EXPAND, INT, MAP, STR
from ..store import list_obj

# ---- parameters of each endpoint (schema.py)
CREATE = {"amount": INT, "currency": CURRENCY, "source": STR, "customer": STR, "description": STR,
          "receipt_email": EMAIL, "metadata": MAP, "capture": BOOL, "statement_descriptor": STR,
          "statement_descriptor_suffix": STR,
          **EXPAND}
UPDATE = {"description": STR, "receipt_email": EMAIL, "metadata": MAP, **EXPAND}
CAPTURE = {"amount": INT, **EXPAND}
LIST = {**schema.LIST, "customer": STR, "payment_intent": STR}


class Charges:
    def _new_charge(self, ctx: Ctx, *, amount: int, currency: str, number: str, pm: dict | None,
                    card_obj: dict | None, decline: tuple | None, pi: dict | None, customer, description,
                    receipt_email, metadata: dict, capture: bool = True, three_ds: str | None = None,
                    pending: bool = False) -> dict:
        ch_id = new_id("ch_")
        now = int(time.time())
        d = cards.card_details(number, (pm or {}).get("card", {}).get("exp_month") or (card_obj or {}).get(
            "exp_month", 12), (pm or {}).get("card", {}).get("exp_year") or (card_obj or {}).get("exp_year", 2030))
        ok = decline is None
        if ok:
            outcome = {"advice_code": None, "network_advice_code": None, "network_decline_code": None,
                       "network_status": "approved_by_network", "reason": None, "risk_level": "normal",
                       "risk_score": 32, "seller_message": "Payment complete.", "type": "authorized"}
        else:
            outcome = {"advice_code": "try_again_later" if decline[0] == "processing_error" else "do_not_try_again",
                       "network_advice_code": None, "network_decline_code": None,
                       "network_status": "declined_by_network", "reason": decline[1], "risk_level": "normal",
                       "risk_score": 32,
                       "seller_message": "The bank did not return any further details with this decline.",
                       "type": "issuer_declined"}
        billing = (pm or {}).get("billing_details") or {
            "address": {k: None for k in ("city", "country", "line1", "line2", "postal_code", "state")},
            "email": None, "name": (card_obj or {}).get("name"), "phone": None, "tax_id": None}
        captured = ok and capture
        # automatic_async capture (PaymentIntents' default): the balance transaction comes after charge.succeeded
        later = captured and pi is not None and pi["capture_method"] == "automatic_async"
        ch = {
            "id": ch_id, "object": "charge", "amount": amount, "amount_captured": amount if captured else 0,
            "amount_refunded": 0, "application": None, "application_fee": None, "application_fee_amount": None,
            "balance_transaction": new_id("txn_") if captured and not later else None, "billing_details": billing,
            "calculated_statement_descriptor": "SANDBOX", "captured": captured, "created": now,
            "currency": currency, "customer": customer, "description": description, "disputed": False, "failure_balance_transaction": None,
            "failure_code": None if ok else decline[0], "failure_message": None if ok else decline[2],
            "fraud_details": {}, "livemode": False, "metadata": dict(metadata or {}), "on_behalf_of": None,
            "outcome": outcome, "paid": ok and not pending,
            "payment_intent": pi["id"] if pi else None,
            "payment_method": pm["id"] if pm else (card_obj or {}).get("id"),
            "payment_method_details": {
                "card": {
                    "amount_authorized": amount if ok else None, "brand": d["brand"],
                    "checks": {"address_line1_check": None, "address_postal_code_check": None,
                               "cvc_check": "pass"},
                    "country": "US", "exp_month": d["exp_month"], "exp_year": d["exp_year"],
                    "fingerprint": d["fingerprint"], "funding": d["funding"], "installments": None,
                    "last4": d["last4"], "mandate": None, "network": d["brand"],
                    "three_d_secure": ({"authentication_flow": "challenge", "result": "authenticated",
                                        "result_reason": None, "version": "2.2.0"} if three_ds else None),
                    "wallet": None,
                },
                "type": "card",
            },
            "receipt_email": receipt_email, "receipt_number": None,
            "receipt_url": f"{self.config.base_url}/receipts/{ch_id}" if ok else None,
            "refunded": False, "refunds": list_obj([], f"/v1/charges/{ch_id}/refunds"), "review": None,
            "shipping": None,
            "source_transfer": None, "statement_descriptor": None,
            "statement_descriptor_suffix": None,
            "status": ("pending" if pending else "succeeded") if ok else "failed", "transfer_data": None,
            "transfer_group": None,
        }
        self.put(ch)
        self.emit(("charge.pending" if pending else "charge.succeeded") if ok else "charge.failed", ch, ctx)
        if later and not pending:
            self.add_balance_transaction(ch, ctx)
        return ch

    def add_balance_transaction(self, ch: dict, ctx: Ctx = NO_CTX) -> None:
        """Asynchronous capture: the charge's balance transaction arrives after it succeeded (charge.updated)."""
        if ch["balance_transaction"] is None and ch["captured"]:
            ch["balance_transaction"] = new_id("txn_")
            self.emit("charge.updated", ch, ctx, {"balance_transaction": None})

    def charge_create(self, ctx: Ctx, p: dict) -> dict:
        amount = p_int(p, "amount", required=True)
        currency = p_currency(p)
        check_amount(amount, currency)
        source = p_str(p, "source")
        customer = p_str(p, "customer")
        if customer:
            self.get(customer, "customer", "customer", "customer")
        if not source:
            if customer:
                raise invalid("Cannot charge a customer that has no active card", param="card",
                              code="missing")
            raise invalid("Must provide source or customer.", code="parameter_missing", cache=False)
        card_obj = None
        if source.startswith("tok_"):
            number = self._token_number(source, "source")
            tok = self.objects.get(source)
            if tok is None or tok.get("object") != "token":
                tok = self._new_token(number, 12, time.gmtime().tm_year + 3, "123")
                tok["used"] = True
            card_obj = dict(tok["card"])
            card_obj["customer"] = None
        elif source.startswith("pm_card_") or source.startswith("pm_"):
            raise invalid("The PaymentMethods API is not compatible with the Charges API: pass a PaymentMethod to "
                          "a PaymentIntent instead.", param="source")
        else:
            number = self.card_numbers.get(source)
            if number is None:
                raise no_such("source", source, "source")
        b = cards.behaviour(number)
        decline = b.decline or (cards.AUTH_REQUIRED if b.three_ds else None)
        ch = self._new_charge(ctx, amount=amount, currency=currency, number=number, pm=None, card_obj=card_obj,
                              decline=decline, pi=None, customer=customer, description=p_str(p, "description"),
                              receipt_email=p_str(p, "receipt_email"), metadata=p_metadata(p),
                              capture=p_bool(p, "capture", True))
        if decline:
            self.changed()
            code, dcode, msg, param = decline
            raise StripeError(402, "card_error", msg, code=code, param=param, decline_code=dcode, charge=ch["id"])
        return ch

    def charge_get(self, cid: str) -> dict:
        return self.get(cid, "charge", "charge")

    def charge_update(self, ctx: Ctx, p: dict, cid: str) -> dict:
        ch = self.get(cid, "charge", "charge")
        before = self.copy_of(ch)
        for f in ("description", "receipt_email"):
            if f in p:
                ch[f] = p[f] or None
        ch["metadata"] = p_metadata(p, ch["metadata"])
        self.emit_updated("charge.updated", ch, before, ctx)
        return ch

    def charge_capture(self, ctx: Ctx, p: dict, cid: str) -> dict:
        ch = self.get(cid, "charge", "charge")
        if ch["captured"] or ch["status"] != "succeeded":
            raise invalid(f"Charge {cid} has already been captured.", code="charge_already_captured")
        amt = p_int(p, "amount", default=ch["amount"])
        ch.update(captured=True, amount_captured=amt, balance_transaction=new_id("txn_"))
        self.emit("charge.captured", ch, ctx)
        return ch

    def charge_list(self, ctx: Ctx, p: dict) -> dict:
        cid, pi = p_str(p, "customer"), p_str(p, "payment_intent")
        return self.list("charge", "/v1/charges", p,
                         lambda o: (not cid or o["customer"] == cid) and (not pi or o["payment_intent"] == pi))
