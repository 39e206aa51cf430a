"""Refunds."""
from __future__ import annotations

import time

from .. import schema
from ..common import Ctx, new_id
from ..errors import bad_param, invalid
from ..money import fmt_money
from ..params import p_enum, p_int, p_metadata, p_str
from ..schema import EXPAND, INT, MAP, STR
from ..store import list_obj

# ---- parameters of each endpoint (schema.py)
CREATE = {"amount": INT, "charge": STR, "payment_intent": STR, "reason": STR, "metadata": MAP, **EXPAND}
CHARGE_REFUND = {"amount": INT, "reason": STR, "metadata": MAP, **EXPAND}
UPDATE = {"metadata": MAP, **EXPAND}
LIST = {**schema.LIST, "charge": STR, "payment_intent": STR}
CHARGE_REFUNDS = {k: v for k, v in schema.LIST.items() if k != "created"}


class Refunds:
    EXPANDERS = {("charge", "refunds"): "refunds_list"}

    def refunds_list(self, ch: dict) -> dict:
        """`expand[]=refunds` on a charge: its refunds, newest first."""
        refunds = [self.objects[r] for r in reversed(self.index.get("refund", []))
                   if self.objects[r]["charge"] == ch["id"]]
        return list_obj(refunds, f"/v1/charges/{ch['id']}/refunds")

    def refund_create(self, ctx: Ctx, p: dict) -> dict:
        ch_id, pi_id = p_str(p, "charge"), p_str(p, "payment_intent")
        amount = p_int(p, "amount", positive=True)
        reason = p_enum(p, "reason", ("duplicate", "fraudulent", "requested_by_customer"))
        if ch_id and pi_id:
            raise bad_param("You cannot specify both `charge` and `payment_intent`.", "payment_intent")
        if not ch_id and not pi_id:
            raise invalid("One of the following params should be provided for this request: payment_intent or "
                          "charge.", code="parameter_missing", cache=False)
        if pi_id:
            pi = self.get(pi_id, "payment_intent", "payment_intent", "payment_intent")
            if pi["status"] != "succeeded" or not pi["latest_charge"]:
                raise invalid(f"This PaymentIntent ({pi_id}) does not have a successful charge to refund.",
                              param="payment_intent")
            ch = self.objects[pi["latest_charge"]]
        else:
            ch = self.get(ch_id, "charge", "charge", "charge")
            if ch["status"] != "succeeded":
                raise invalid(f"Charge {ch['id']} cannot be refunded because it has a status of {ch['status']}.",
                              param="charge", code="charge_not_refundable")
        remaining = ch["amount_captured"] - ch["amount_refunded"]
        if remaining <= 0:
            raise invalid(f"Charge {ch['id']} has already been refunded.", code="charge_already_refunded")
        if amount is None:
            amount = remaining
        if amount > remaining:
            cur = ch["currency"]
            if ch["amount_refunded"]:
                msg = (f"Refund amount ({fmt_money(amount, cur)}) is greater than unrefunded amount on charge "
                       f"({fmt_money(remaining, cur)})")
            else:
                msg = (f"Refund amount ({fmt_money(amount, cur)}) is greater than charge amount "
                       f"({fmt_money(remaining, cur)})")
            raise invalid(msg, param="amount", code="amount_too_large")
        re_ = {
            "id": new_id("re_3", 23), "object": "refund", "amount": amount, "balance_transaction": new_id("txn_"),
            "charge": ch["id"], "created": int(time.time()), "currency": ch["currency"],
            "destination_details": {"card": {"reference_status": "pending",
                                             "reference_type": "acquirer_reference_number", "type": "refund"},
                                    "type": "card"},
            "metadata": p_metadata(p), "payment_intent": ch["payment_intent"],
            "payment_method": ch["payment_method"], "reason": reason,
            "receipt_number": None, "source_transfer_reversal": None, "status": "succeeded",
            "transfer_reversal": None,
        }
        self.put(re_)
        ch["amount_refunded"] += amount
        ch["refunded"] = ch["amount_refunded"] >= ch["amount_captured"]
        ch["refunds"] = self.refunds_list(ch)
        self.emit("charge.refunded", ch, ctx)
        self.emit("refund.created", re_, ctx)
        return re_

    def refund_get(self, rid: str) -> dict:
        return self.get(rid, "refund", "refund")

    def refund_update(self, ctx: Ctx, p: dict, rid: str) -> dict:
        re_ = self.get(rid, "refund", "refund")
        before = self.copy_of(re_)
        re_["metadata"] = p_metadata(p, re_["metadata"])
        self.emit_updated("refund.updated", re_, before, ctx)
        return re_

    def refund_list(self, ctx: Ctx, p: dict) -> dict:
        ch, pi = p_str(p, "charge"), p_str(p, "payment_intent")
        return self.list("refund", "/v1/refunds", p,
                         lambda o: (not ch or o["charge"] == ch) and (not pi or o["payment_intent"] == pi))
