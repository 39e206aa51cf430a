"""PaymentIntents: create, confirm (3-D Secure, declines), capture, cancel, delayed settlement."""
from __future__ import annotations

import time
from typing import Callable
from urllib.parse import quote

from .. import cards
from .. import schema
from ..common import Ctx, new_id
from ..errors import StripeError, bad_param, invalid, missing, unexpected_state
from ..money import check_amount
from ..params import p_bool, p_currency, p_dict, p_enum, p_int, p_list, p_metadata, p_str
from ..schema import BOOL, CARD, CURRENCY, EMAIL, EXPAND, INT, MAP, STR
from ..store import Table
from .payment_methods import PM_DATA

# ---- parameters of each endpoint (schema.py)
CONFIRM = {"payment_method": STR, "payment_method_data": PM_DATA, "return_url": STR, "off_session": BOOL,
           "receipt_email": EMAIL, "setup_future_usage": STR, "use_stripe_sdk": BOOL, "client_secret": STR, **EXPAND}
# Stripe.js (publishable key) may also send the card itself in payment_method_data[card], outside the public spec
CONFIRM_PUBLISHABLE = {**CONFIRM, "payment_method_data": {**PM_DATA, "card": {**CARD, "token": STR}}}
CREATE = {"amount": INT, "currency": CURRENCY, "customer": STR, "description": STR, "receipt_email": EMAIL,
          "metadata": MAP, "automatic_payment_methods": {"enabled": BOOL, "allow_redirects": STR},
          "payment_method_types": [STR], "payment_method": STR, "payment_method_data": PM_DATA, "confirm": BOOL,
          "off_session": BOOL, "return_url": STR, "capture_method": STR, "setup_future_usage": STR,
          "statement_descriptor": STR, "statement_descriptor_suffix": STR, "use_stripe_sdk": BOOL, **EXPAND}
RETRIEVE = {"client_secret": STR, **EXPAND}
UPDATE = {"amount": INT, "currency": CURRENCY, "customer": STR, "description": STR, "receipt_email": EMAIL,
          "metadata": MAP, "payment_method": STR, "setup_future_usage": STR, **EXPAND}
CANCEL = {"cancellation_reason": STR, **EXPAND}
CAPTURE = {"amount_to_capture": INT, **EXPAND}
LIST = {**schema.LIST, "customer": STR}


PI_CANCELABLE = ("requires_payment_method", "requires_capture", "requires_confirmation", "requires_action",
                 "processing")
RETURN_URL_REQUIRED_MESSAGE = (
    "A `return_url` must be specified because this Payment Intent is configured to automatically accept the payment "
    "methods enabled in the Dashboard, some of which may require a full page redirect to succeed. If you do not want "
    "to accept redirect-based payment methods, set `automatic_payment_methods[enabled]` to `true` and "
    "`automatic_payment_methods[allow_redirects]` to `never` when creating Setup Intents and Payment Intents.")


class PaymentIntents:
    TABLES = {
        "pending_3ds": Table(),       # pi id -> pm id awaiting the challenge
        "pending_settles": Table(),   # pi id -> unix time its `processing` payment settles
        "pi_session": Table(),        # pi id -> cs id of the Checkout Session that made it
        "pi_origins": Table(),        # pi id -> origin of the page that used its client_secret (3-D Secure answers)
    }
    on_settle_scheduled: Callable[[str, float], None] | None = None  # set by the settler (a timer per payment)
    def pi_create(self, ctx: Ctx, p: dict, session_id: str | None = None) -> dict:
        amount = p_int(p, "amount", required=True)
        currency = p_currency(p)
        check_amount(amount, currency)
        customer = p_str(p, "customer")
        if customer:
            self.get(customer, "customer", "customer", "customer")
        apm = p_dict(p, "automatic_payment_methods")
        pmt = [t for t in p_list(p, "payment_method_types") if t]
        if apm and pmt:
            raise bad_param("You may only specify one of these parameters: automatic_payment_methods, "
                            "payment_method_types.", "automatic_payment_methods")
        for t in pmt:
            if t != "card":
                raise bad_param(f"The payment method type \"{t}\" is invalid or not supported by the stripe "
                                f"sandbox (only \"card\").", "payment_method_types")
        capture = p_enum(p, "capture_method", ("automatic", "automatic_async", "manual"), "automatic_async")
        pm_param = p_str(p, "payment_method")
        confirm = p_bool(p, "confirm")
        pm_data = p_dict(p, "payment_method_data")
        if not confirm and p.get("return_url"):
            raise bad_param("You may only specify `return_url` when confirming the PaymentIntent.", "return_url")
        auto_pm = ({"allow_redirects": apm.get("allow_redirects", "always"),
                    "enabled": apm.get("enabled") in ("true", True)} if apm else
                   (None if pmt else {"allow_redirects": "always", "enabled": True}))
        if confirm:
            # checked before anything is created: Stripe creates no PaymentIntent for this request
            self._check_return_url(ctx, auto_pm, p)
        pm = self._resolve_pm(pm_param) if pm_param else None
        now = int(time.time())
        pid = new_id("pi_3", 23)
        pi = {
            "id": pid, "object": "payment_intent", "amount": amount, "amount_capturable": 0,
            "amount_details": {"tip": {}}, "amount_received": 0, "application": None,
            "application_fee_amount": None,
            "automatic_payment_methods": auto_pm,
            "canceled_at": None, "cancellation_reason": None, "capture_method": capture,
            "client_secret": f"{pid}_secret_{new_id('', 25)}", "confirmation_method": "automatic",
            "created": now, "currency": currency, "customer": customer, "description": p_str(p, "description"),
            "excluded_payment_method_types": None, "last_payment_error": None, "latest_charge": None,
            "livemode": False, "metadata": p_metadata(p), "next_action": None, "on_behalf_of": None,
            "payment_method": pm["id"] if pm else None, "payment_method_configuration_details": None,
            "payment_method_options": {"card": {"installments": None, "mandate_options": None, "network": None,
                                                "request_three_d_secure": "automatic"}},
            "payment_method_types": ["card"], "processing": None, "receipt_email": p_str(p, "receipt_email"),
            "review": None, "setup_future_usage": p_str(p, "setup_future_usage"), "shipping": None,
            "statement_descriptor": p_str(p, "statement_descriptor"),
            "statement_descriptor_suffix": p_str(p, "statement_descriptor_suffix"),
            "status": "requires_confirmation" if pm else "requires_payment_method",
            "transfer_data": None, "transfer_group": None,
        }
        self.put(pi)
        if session_id:
            self.pi_session[pid] = session_id
        self.emit("payment_intent.created", pi, ctx)
        if confirm:
            cp = {k: p[k] for k in ("return_url", "off_session", "use_stripe_sdk") if k in p}
            if pm_data:
                cp["payment_method_data"] = pm_data
            return self.pi_confirm(ctx, cp, pid)
        return pi

    def pi_get(self, ctx: Ctx, pid: str, p: dict) -> dict:
        pi = self.get(pid, "payment_intent", "payment_intent")
        if ctx.publishable:
            self._check_client_secret(pi, p)
            self._note_origin(ctx, pi)
            return self.pi_public(pi)
        return pi

    def _note_origin(self, ctx: Ctx, pi: dict) -> None:
        """The page that holds this PaymentIntent's client_secret; the 3-D Secure page reports only to it."""
        if ctx.origin and ctx.origin != "null":
            self.pi_origins[pi["id"]] = ctx.origin

    @staticmethod
    def pi_public(pi: dict) -> dict:
        """The subset Stripe returns to a publishable key (no metadata, customer, ...)."""
        hidden = ("metadata", "customer", "application", "application_fee_amount", "on_behalf_of",
                  "transfer_data", "transfer_group", "statement_descriptor", "statement_descriptor_suffix", "review")
        return {k: v for k, v in pi.items() if k not in hidden}

    def _check_client_secret(self, pi: dict, p: dict) -> None:
        cs = p.get("client_secret")
        if not cs:
            raise missing("client_secret")
        if cs != pi["client_secret"]:
            raise invalid("The client_secret provided does not match the client_secret associated with the "
                          "PaymentIntent.", param="client_secret", code="payment_intent_invalid_parameter")

    def pi_update(self, ctx: Ctx, p: dict, pid: str) -> dict:
        pi = self.get(pid, "payment_intent", "payment_intent")
        if pi["status"] in ("succeeded", "canceled", "processing") and set(p) - {"metadata", "description", "expand"}:
            raise unexpected_state(f"This PaymentIntent's {', '.join(k for k in p if k != 'expand')} could not be "
                                   f"updated because it has a status of {pi['status']}. You may only update the "
                                   f"metadata of a PaymentIntent with one of the following statuses: "
                                   f"requires_payment_method, requires_confirmation, requires_action.")
        if "amount" in p:
            pi["amount"] = p_int(p, "amount")
            check_amount(pi["amount"], pi["currency"])
        if "currency" in p:
            pi["currency"] = p_currency(p)
        for f in ("description", "receipt_email", "setup_future_usage"):
            if f in p:
                pi[f] = p[f] or None
        if "customer" in p:
            if p["customer"]:
                self.get(p["customer"], "customer", "customer", "customer")
            pi["customer"] = p["customer"] or None
        if p.get("payment_method"):
            pi["payment_method"] = self._resolve_pm(p["payment_method"])["id"]
            if pi["status"] in ("requires_payment_method", "requires_action"):
                pi["status"] = "requires_confirmation"
                pi["next_action"] = None
                self.pending_3ds.pop(pid, None)
        pi["metadata"] = p_metadata(p, pi["metadata"])
        return pi

    def pi_confirm(self, ctx: Ctx, p: dict, pid: str) -> dict:
        pi = self.get(pid, "payment_intent", "payment_intent")
        if ctx.publishable:
            self._check_client_secret(pi, p)
            self._note_origin(ctx, pi)
        st = pi["status"]
        if st == "succeeded":
            raise unexpected_state("You cannot confirm this PaymentIntent because it has already succeeded after "
                                   "being previously confirmed.", payment_intent=self._err_pi(ctx, pi))
        if st == "canceled":
            raise unexpected_state("You cannot confirm this PaymentIntent because it has a status of canceled. "
                                   "Only a PaymentIntent with one of the following statuses may be confirmed: "
                                   "requires_confirmation, requires_payment_method, requires_action.",
                                   payment_intent=self._err_pi(ctx, pi))
        if st in ("requires_capture", "processing"):
            raise unexpected_state(f"You cannot confirm this PaymentIntent because it has a status of {st}. Only a "
                                   f"PaymentIntent with one of the following statuses may be confirmed: "
                                   f"requires_confirmation, requires_payment_method, requires_action.",
                                   payment_intent=self._err_pi(ctx, pi))
        if pid in self.pi_session and not ctx.hosted_checkout:
            raise unexpected_state("This PaymentIntent is managed by a Checkout Session and cannot be confirmed "
                                   "directly; pay on the session's hosted page.")
        self._check_return_url(ctx, pi["automatic_payment_methods"], p)
        pm_param = p_str(p, "payment_method")
        pm_data = p_dict(p, "payment_method_data")
        if pm_param:
            pm = self._resolve_pm(pm_param)
        elif pm_data:
            pm = self.payment_method_create(ctx, pm_data)
        elif pi["payment_method"]:
            pm = self.objects[pi["payment_method"]]
        else:
            raise unexpected_state("You cannot confirm this PaymentIntent because it's missing a payment method. You "
                                   "can either update the PaymentIntent with a payment method and then confirm it "
                                   "again, or confirm it again directly with a payment method.",
                                   payment_intent=self._err_pi(ctx, pi))
        for f in ("receipt_email", "setup_future_usage"):
            if p.get(f):
                pi[f] = p[f]
        pi["payment_method"] = pm["id"]
        pi["last_payment_error"] = None
        pi["next_action"] = None
        self.pending_3ds.pop(pid, None)
        number = self.card_numbers[pm["id"]]
        b = cards.behaviour(number)
        off_session = p_bool(p, "off_session")
        if b.three_ds and not off_session:
            return_url = p_str(p, "return_url")
            url = f"{self.config.base_url}/3ds/{pid}?client_secret={quote(pi['client_secret'])}"
            if return_url:
                url += "&return_url=" + quote(return_url, safe="")
                pi["next_action"] = {"redirect_to_url": {"return_url": return_url, "url": url},
                                     "type": "redirect_to_url"}
            else:
                pi["next_action"] = {"type": "use_stripe_sdk",
                                     "use_stripe_sdk": {"type": "three_d_secure_redirect", "stripe_js": url,
                                                        "source": new_id("src_")}}
            pi["status"] = "requires_action"
            self.pending_3ds[pid] = pm["id"]
            self.emit("payment_intent.requires_action", pi, ctx)
            return pi
        decline = b.decline or (cards.AUTH_REQUIRED if b.three_ds else None)
        return self._charge_pi(ctx, pi, pm, decline, raise_on_decline=True)

    @staticmethod
    def _check_return_url(ctx: Ctx, auto_pm: dict | None, p: dict) -> None:
        """Stripe refuses a server-side (secret key) confirm without `return_url` when the PaymentIntent accepts
        automatic payment methods that may redirect (`allow_redirects` "always", the default, also when neither
        `payment_method_types` nor `automatic_payment_methods` was given). Browser confirms (publishable key +
        client_secret, i.e. Stripe.js, which passes a return_url itself for redirect methods) and the hosted
        Checkout page are not subject to it. Raised before anything changes; a missing-parameter error, so no
        idempotent result is saved."""
        if ctx.publishable or ctx.hosted_checkout or not auto_pm or not auto_pm.get("enabled"):
            return
        if auto_pm.get("allow_redirects", "always") == "never" or p_str(p, "return_url"):
            return
        raise invalid(RETURN_URL_REQUIRED_MESSAGE, param="return_url", cache=False)

    def _err_pi(self, ctx: Ctx, pi: dict) -> dict:
        return self.pi_public(pi) if ctx.publishable else dict(pi)

    def _charge_pi(self, ctx: Ctx, pi: dict, pm: dict, decline: tuple | None, raise_on_decline: bool,
                   three_ds: bool = False) -> dict:
        number = self.card_numbers[pm["id"]]
        manual = pi["capture_method"] == "manual"
        delay = float(self.config.processing_seconds or 0)
        processing = decline is None and not manual and delay > 0
        ch = self._new_charge(ctx, amount=pi["amount"], currency=pi["currency"], number=number, pm=pm,
                              card_obj=None, decline=decline, pi=pi, customer=pi["customer"],
                              description=pi["description"], receipt_email=pi["receipt_email"],
                              metadata=pi["metadata"], capture=not manual, three_ds="done" if three_ds else None,
                              pending=processing)
        pi["latest_charge"] = ch["id"]
        pi["next_action"] = None
        if decline:
            code, dcode, msg, param = decline
            err = {"charge": ch["id"], "code": code, "decline_code": dcode,
                   "doc_url": "https://docs.stripe.com/error-codes/" + code.replace("_", "-"), "message": msg,
                   "payment_method": dict(pm), "type": "card_error"}
            if param:
                err["param"] = param
            pi["last_payment_error"] = err
            pi["payment_method"] = None
            pi["status"] = "requires_payment_method"
            self.emit("payment_intent.payment_failed", pi, ctx)
            if raise_on_decline:
                self.changed()
                raise StripeError(402, "card_error", msg, code=code, param=param, decline_code=dcode,
                                  charge=ch["id"], payment_intent=self._err_pi(ctx, pi), payment_method=dict(pm))
            return pi
        if manual:
            pi["status"] = "requires_capture"
            pi["amount_capturable"] = pi["amount"]
            self.emit("payment_intent.amount_capturable_updated", pi, ctx)
            return pi
        cs = self.pi_session.get(pi["id"])
        if processing:
            # test-only `processing_seconds`: the payment settles later (settle_pi), like a delayed-notification
            # payment method; a hosted Checkout session completes now with payment_status "unpaid".
            pi["status"] = "processing"
            at = time.time() + delay
            self.pending_settles[pi["id"]] = at
            self.emit("payment_intent.processing", pi, ctx)
            if cs:
                self._complete_session(ctx, cs, pi, pm, paid=False)
            if self.on_settle_scheduled:
                self.on_settle_scheduled(pi["id"], at)
            return pi
        pi["status"] = "succeeded"
        pi["amount_received"] = pi["amount"]
        self.emit("payment_intent.succeeded", pi, ctx)
        if cs:
            self._complete_session(ctx, cs, pi, pm)
        return pi

    def pi_cancel(self, ctx: Ctx, p: dict, pid: str) -> dict:
        pi = self.get(pid, "payment_intent", "payment_intent")
        reason = p_enum(p, "cancellation_reason", ("duplicate", "fraudulent", "requested_by_customer", "abandoned"))
        if pi["status"] not in PI_CANCELABLE:
            raise unexpected_state(f"You cannot cancel this PaymentIntent because it has a status of {pi['status']}."
                                   f" Only a PaymentIntent with one of the following statuses may be canceled: "
                                   f"{', '.join(PI_CANCELABLE)}.", payment_intent=dict(pi))
        if pid in self.pi_session and not ctx.hosted_checkout:
            cs = self.objects.get(self.pi_session[pid])
            if cs and cs["status"] == "open":
                raise unexpected_state("This PaymentIntent is managed by an open Checkout Session; expire the "
                                       "session instead.")
        return self._cancel_pi(ctx, pi, reason)

    def _cancel_pi(self, ctx: Ctx, pi: dict, reason: str | None) -> dict:
        pi.update(status="canceled", canceled_at=int(time.time()), cancellation_reason=reason, next_action=None,
                  amount_capturable=0)
        self.pending_3ds.pop(pi["id"], None)
        if self.pending_settles.pop(pi["id"], None) is not None:
            ch = self.objects.get(pi["latest_charge"] or "")
            if ch is not None and ch["status"] == "pending":
                ch.update(status="failed", paid=False, captured=False, amount_captured=0)
        self.emit("payment_intent.canceled", pi, ctx)
        return pi

    def pi_capture(self, ctx: Ctx, p: dict, pid: str) -> dict:
        pi = self.get(pid, "payment_intent", "payment_intent")
        if pi["status"] != "requires_capture":
            raise unexpected_state(f"This PaymentIntent could not be captured because it has a status of "
                                   f"{pi['status']}. Only a PaymentIntent with one of the following statuses may be "
                                   f"captured: requires_capture.", payment_intent=dict(pi))
        amt = p_int(p, "amount_to_capture", default=pi["amount"])
        if amt > pi["amount_capturable"]:
            raise invalid("The amount to capture must be less than or equal to the amount capturable.",
                          param="amount_to_capture", code="amount_too_large")
        ch = self.objects[pi["latest_charge"]]
        ch.update(captured=True, amount_captured=amt, balance_transaction=new_id("txn_"))
        pi.update(status="succeeded", amount_received=amt, amount_capturable=0)
        self.emit("charge.captured", ch, ctx)
        self.emit("payment_intent.succeeded", pi, ctx)
        return pi

    def pi_list(self, ctx: Ctx, p: dict) -> dict:
        cid = p_str(p, "customer")
        return self.list("payment_intent", "/v1/payment_intents", p, (lambda o: o["customer"] == cid) if cid else None)
