"""Checkout Sessions (mode=payment, hosted) and the hosted page's payments."""
from __future__ import annotations

import time

from .. import schema
from ..common import CHECKOUT_CTX, NO_CTX, Ctx, new_id
from ..errors import bad_param, invalid, missing
from ..money import check_amount
from ..params import p_dict, p_int, p_list, p_metadata, p_str
from ..schema import EMAIL, EXPAND, IMAGE_URL, INT, MAP, STR
from ..store import Table, list_obj, paginate
from .payment_intents import PI_CANCELABLE
from .products import PRICE_FIELDS

# ---- parameters of each endpoint (schema.py)
PRICE_DATA = {**PRICE_FIELDS, "product_data": {"name": STR, "description": STR, "images": [IMAGE_URL], "metadata": MAP}}
CREATE = {"mode": STR, "ui_mode": STR, "success_url": STR, "cancel_url": STR,
          "line_items": [{"price": STR, "price_data": PRICE_DATA, "quantity": INT}],
          "customer": STR, "customer_email": EMAIL, "client_reference_id": STR, "expires_at": INT,
          "payment_intent_data": {"metadata": MAP, "description": STR, "receipt_email": EMAIL, "capture_method": STR},
          "metadata": MAP, "locale": STR, "billing_address_collection": STR, "submit_type": STR,
          "payment_method_types": [STR], **EXPAND}
LIST = {**schema.LIST, "payment_intent": STR, "customer": STR, "status": STR}
LINE_ITEMS = {k: v for k, v in schema.LIST.items() if k != "created"}


class Checkout:
    TABLES = {
        "line_items": Table(),        # cs id -> items
        "session_errors": Table(),    # cs id -> last message shown on the hosted page
        "session_pi_data": Table(),   # cs id -> payment_intent_data
        "session_emails": Table(),    # cs id -> email typed on the hosted page
    }
    EXPANDERS = {("checkout.session", "line_items"): "line_items_list"}
    def session_create(self, ctx: Ctx, p: dict) -> dict:
        mode = p_str(p, "mode", required=True)
        if mode != "payment":
            raise bad_param(f"The stripe sandbox only implements mode=payment (got {mode!r}).", "mode")
        ui_mode = p_str(p, "ui_mode", default="hosted")
        if ui_mode != "hosted":
            raise bad_param("The stripe sandbox only implements ui_mode=hosted.", "ui_mode")
        for t in (t for t in p_list(p, "payment_method_types") if t):  # Stripe's older samples pass ["card"]
            if t != "card":
                raise bad_param(f"The payment method type \"{t}\" is invalid or not supported by the stripe "
                                f"sandbox (only \"card\").", "payment_method_types")
        success_url = p_str(p, "success_url")
        cancel_url = p_str(p, "cancel_url")
        for name, u in (("success_url", success_url), ("cancel_url", cancel_url)):
            if u is not None and not (u.startswith("http://") or u.startswith("https://")):
                raise bad_param("Not a valid URL", name, "url_invalid")
        raw_items = p_list(p, "line_items")
        if not raw_items:
            raise missing("line_items")
        customer = p_str(p, "customer")
        customer_email = p_str(p, "customer_email")
        if customer:
            cus = self.get(customer, "customer", "customer", "customer")
            if customer_email:
                raise bad_param("You may only specify one of these parameters: customer, customer_email.",
                                "customer_email")
        now = int(time.time())
        expires_at = p_int(p, "expires_at")
        if expires_at is None:
            expires_at = now + 24 * 3600
        else:
            if expires_at < now + 30 * 60 - 120:
                raise bad_param("The `expires_at` timestamp must be at least 30 minutes from Checkout Session "
                                "creation.", "expires_at", "parameter_invalid_integer")
            if expires_at > now + 24 * 3600 + 120:
                raise bad_param("The `expires_at` timestamp must be less than 24 hours from Checkout Session "
                                "creation.", "expires_at", "parameter_invalid_integer")
        cs_id = new_id("cs_test_a", 58)
        items, currency, subtotal = [], None, 0
        for i, it in enumerate(raw_items):
            pre = f"line_items[{i}]"
            if not isinstance(it, dict):
                raise bad_param("Invalid object", pre, "parameter_invalid_object")
            qty = p_int(it, "quantity", label=f"{pre}[quantity]")
            if qty is None:
                raise missing(f"{pre}[quantity]")
            if qty < 1:
                raise bad_param("Quantity must be at least 1", f"{pre}[quantity]", "parameter_invalid_integer")
            if it.get("price"):
                price = self.get(it["price"], "price", "price", f"{pre}[price]")
            elif it.get("price_data"):
                pd = p_dict(it, "price_data")
                price = self.price_create(ctx, pd, f"{pre}[price_data][", inline=True)
            else:
                raise invalid(f"You must specify either `price` or `price_data` for each line item "
                              f"({pre}).", param=f"{pre}[price]", code="parameter_missing", cache=False)
            if currency and price["currency"] != currency:
                raise bad_param("All line items must have the same currency.", f"{pre}[price_data][currency]")
            currency = price["currency"]
            amount = price["unit_amount"] * qty
            subtotal += amount
            prod = self.objects.get(price["product"], {})
            items.append({"id": new_id("li_"), "object": "item", "amount_discount": 0, "amount_subtotal": amount,
                          "amount_tax": 0, "amount_total": amount, "currency": currency,
                          "description": prod.get("name"), "price": price, "quantity": qty})
        if subtotal > 0:
            check_amount(subtotal, currency, "line_items")
        pid = p_dict(p, "payment_intent_data")
        cs = {
            "id": cs_id, "object": "checkout.session", "adaptive_pricing": None, "after_expiration": None,
            "allow_promotion_codes": None, "amount_subtotal": subtotal, "amount_total": subtotal,
            "automatic_tax": {"enabled": False, "liability": None, "status": None},
            "billing_address_collection": p_str(p, "billing_address_collection"), "cancel_url": cancel_url,
            "client_reference_id": p_str(p, "client_reference_id"), "client_secret": None, "collected_information": None,
            "consent": None, "consent_collection": None, "created": now, "currency": currency,
            "custom_fields": [], "custom_text": {"after_submit": None, "shipping_address": None, "submit": None,
                                                 "terms_of_service_acceptance": None},
            "customer": customer, "customer_creation": None if customer else "if_required",
            "customer_details": ({"address": cus.get("address"), "email": cus.get("email"), "name": cus.get("name"),
                                  "phone": None, "tax_exempt": "none", "tax_ids": []} if customer else None),
            "customer_email": customer_email, "discounts": [], "expires_at": expires_at, "invoice": None,
            "invoice_creation": None, "livemode": False, "locale": p_str(p, "locale"), "metadata": p_metadata(p),
            "mode": "payment", "payment_intent": None, "payment_link": None,
            "payment_method_collection": "if_required", "payment_method_configuration_details": None,
            "payment_method_options": {}, "payment_method_types": ["card"], "payment_status": "unpaid",
            "phone_number_collection": {"enabled": False}, "recovered_from": None, "saved_payment_method_options": None,
            "setup_intent": None, "shipping_address_collection": None, "shipping_cost": None, "shipping_options": [],
            "status": "open", "submit_type": p_str(p, "submit_type"), "subscription": None,
            "success_url": success_url, "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
            "ui_mode": "hosted", "url": f"{self.config.base_url}/c/pay/{cs_id}",
        }
        self.put(cs)
        self.line_items[cs_id] = items
        self.session_pi_data[cs_id] = pid if pid else {}
        return cs

    def session_get(self, cs_id: str) -> dict:
        cs = self.get(cs_id, "checkout.session", "checkout.session")
        self._maybe_expire(cs)
        return cs

    def _maybe_expire(self, cs: dict) -> None:
        if cs["status"] == "open" and time.time() >= cs["expires_at"]:
            self._expire_session(NO_CTX, cs)

    def sweep_expired(self) -> None:
        now = time.time()
        for cs_id in self.index.get("checkout.session", ()):
            cs = self.objects[cs_id]
            if cs["status"] == "open" and now >= cs["expires_at"]:
                self._expire_session(NO_CTX, cs)

    def session_expire(self, ctx: Ctx, p: dict, cs_id: str) -> dict:
        cs = self.session_get(cs_id)
        if cs["status"] != "open":
            raise invalid(f"Only Checkout Sessions with a status in [\"open\"] can be expired (this one is "
                          f"{cs['status']}).")
        return self._expire_session(ctx, cs)

    def _expire_session(self, ctx: Ctx, cs: dict) -> dict:
        cs["status"] = "expired"
        cs["url"] = None
        pid = cs["payment_intent"]
        if pid:
            pi = self.objects[pid]
            if pi["status"] in PI_CANCELABLE:
                self._cancel_pi(ctx, pi, "abandoned")
        self.emit("checkout.session.expired", cs, ctx)
        self.changed()
        return cs

    def session_line_items(self, ctx: Ctx, p: dict, cs_id: str) -> dict:
        self.get(cs_id, "checkout.session", "checkout.session")
        out, more = paginate(self.line_items.get(cs_id, []), p, "line item")
        return list_obj(self.expand_data(out, p), f"/v1/checkout/sessions/{cs_id}/line_items", more)

    def line_items_list(self, cs: dict) -> dict:
        """`expand[]=line_items` on a session."""
        return list_obj(self.line_items.get(cs["id"], []), f"/v1/checkout/sessions/{cs['id']}/line_items")

    def session_list(self, ctx: Ctx, p: dict) -> dict:
        pi, cus = p_str(p, "payment_intent"), p_str(p, "customer")
        st = p_str(p, "status")
        return self.list("checkout.session", "/v1/checkout/sessions", p,
                         lambda o: (not pi or o["payment_intent"] == pi) and (not cus or o["customer"] == cus)
                         and (not st or o["status"] == st))

    def session_pay(self, cs_id: str, email: str, card: dict) -> dict:
        """A payment attempt from the hosted page. Returns the PaymentIntent; raises StripeError on errors."""
        ctx = CHECKOUT_CTX
        cs = self.session_get(cs_id)
        if cs["status"] != "open":
            raise invalid(f"This Checkout Session is {cs['status']}.")
        number, month, year, cvc = self._card_from_params(card)
        pm = self._new_pm(number, month, year, cvc, {"email": email})
        pid = cs["payment_intent"]
        pi = self.objects.get(pid) if pid else None
        if pi is None or pi["status"] in ("canceled",):
            pd = self.session_pi_data.get(cs_id, {})
            params = {"amount": str(cs["amount_total"]), "currency": cs["currency"],
                      "payment_method_types": ["card"], "metadata": pd.get("metadata") or {}}
            if cs["customer"]:
                params["customer"] = cs["customer"]
            for f in ("description", "receipt_email", "capture_method"):
                if pd.get(f):
                    params[f] = pd[f]
            pi = self.pi_create(ctx, params, session_id=cs_id)
            cs["payment_intent"] = pi["id"]
        self.session_emails[cs_id] = email
        try:
            return self.pi_confirm(ctx, {"payment_method": pm["id"]}, pi["id"])
        finally:
            self.changed()

    def _complete_session(self, ctx: Ctx, cs_id: str, pi: dict, pm: dict, paid: bool = True) -> None:
        cs = self.objects.get(cs_id)
        if cs is None or cs["status"] != "open":
            return
        email = (self.session_emails.get(cs_id) or cs["customer_email"]
                 or (pm.get("billing_details") or {}).get("email"))
        cd = cs["customer_details"] or {"address": None, "email": None, "name": None, "phone": None,
                                       "tax_exempt": "none", "tax_ids": []}
        cd = dict(cd)
        billing = pm.get("billing_details") or {}
        cd["email"] = email or cd.get("email")
        cd["name"] = cd.get("name") or billing.get("name")
        cd["address"] = cd.get("address") or dict(billing.get("address") or {})
        cs.update(status="complete", payment_status="paid" if paid else "unpaid", payment_intent=pi["id"], url=None,
                  customer_details=cd)
        self.session_errors.pop(cs_id, None)
        self.emit("checkout.session.completed", cs, ctx)
