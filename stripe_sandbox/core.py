"""In-memory state and Stripe business logic (no HTTP here)."""
from __future__ import annotations

import json
import random
import string
import time
from dataclasses import dataclass
from typing import Callable
from urllib.parse import quote

from . import API_VERSION, cards
from .config import SandboxConfig
from .errors import StripeError, bad_param, invalid, missing, no_such, unexpected_state

ALNUM = string.ascii_letters + string.digits
_choices = random.choices  # speed over crypto: these are test-mode ids
_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode

ZERO_DECIMAL = {"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv",
                "xaf", "xof", "xpf"}
SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥", "cad": "CA$", "aud": "A$", "chf": "CHF ",
           "inr": "₹"}
MIN_AMOUNT = {"usd": 50, "eur": 50, "gbp": 30, "cad": 50, "aud": 50, "chf": 50, "jpy": 50, "inr": 50,
              "sek": 300, "nok": 300, "dkk": 250, "pln": 200, "czk": 1500, "huf": 17500, "mxn": 1000, "brl": 50,
              "sgd": 50, "hkd": 400, "nzd": 50}

PI_CANCELABLE = ("requires_payment_method", "requires_capture", "requires_confirmation", "requires_action",
                 "processing")
AUTH_FAILED_MESSAGE = ("The provided PaymentMethod has failed authentication. You can provide payment_method_data "
                       "or a new PaymentMethod to attempt to fulfill this PaymentIntent again.")
RETURN_URL_REQUIRED_MESSAGE = (
    "A `return_url` must be specified because this Payment Intent is configured to automatically accept the payment "
    "methods enabled in the Dashboard, some of which may require a full page redirect to succeed. If you do not want "
    "to accept redirect-based payment methods, set `automatic_payment_methods[enabled]` to `true` and "
    "`automatic_payment_methods[allow_redirects]` to `never` when creating Setup Intents and Payment Intents.")
CARD_BRAND_NAMES = {"visa": "Visa", "mastercard": "MasterCard", "amex": "American Express", "discover": "Discover",
                    "jcb": "JCB", "diners": "Diners Club", "unionpay": "UnionPay", "unknown": "Unknown"}


def new_id(prefix: str, n: int = 24) -> str:
    return prefix + "".join(_choices(ALNUM, k=n))


def fmt_money(amount: int, currency: str) -> str:
    cur = currency.lower()
    value = str(amount) if cur in ZERO_DECIMAL else f"{amount / 100:,.2f}"
    sym = SYMBOLS.get(cur)
    return f"{sym}{value}" if sym else f"{value} {cur.upper()}"


# ------------------------------------------------------------------------------------------------ param helpers
def p_str(p: dict, name: str, required: bool = False, default=None):
    v = p.get(name)
    if v is None:
        if required:
            raise missing(name)
        return default
    if not isinstance(v, str):
        raise bad_param(f"Invalid string: {_short(v)}", name)
    return v


def p_int(p: dict, name: str, required: bool = False, default=None, positive: bool = False, label: str = None):
    v = p.get(name)
    if v is None or v == "":
        if required:
            raise missing(label or name)
        return default
    try:
        i = int(v)
    except (TypeError, ValueError):
        raise bad_param(f"Invalid integer: {_short(v)}", label or name, "parameter_invalid_integer")
    if positive and i <= 0:
        raise bad_param("Invalid positive integer", label or name, "parameter_invalid_integer")
    if i < 0:
        raise bad_param("This value must be greater than or equal to 0.", label or name,
                        "parameter_invalid_integer")
    return i


def p_bool(p: dict, name: str, default: bool = False) -> bool:
    v = p.get(name)
    if v is None or v == "":
        return default
    if v in ("true", True, "1"):
        return True
    if v in ("false", False, "0"):
        return False
    raise bad_param(f"Invalid boolean: {_short(v)}", name)


def p_enum(p: dict, name: str, allowed: tuple, default=None):
    v = p.get(name)
    if v is None or v == "":
        return default
    if v not in allowed:
        raise bad_param(f"Invalid {name}: must be one of {', '.join(allowed)}", name)
    return v


def p_dict(p: dict, name: str) -> dict:
    v = p.get(name)
    if v is None or v == "":
        return {}
    if not isinstance(v, dict):
        raise bad_param("Invalid object", name, "parameter_invalid_object")
    return v


def p_list(p: dict, name: str) -> list:
    v = p.get(name)
    if v is None or v == "":
        return []
    if isinstance(v, dict):
        return list(v.values())
    if not isinstance(v, list):
        return [v]
    return v


def p_currency(p: dict, name: str = "currency", required: bool = True):
    v = p_str(p, name, required)
    if v is None:
        return None
    v = v.lower()
    if len(v) != 3 or not v.isalpha():
        raise bad_param(f"Invalid currency: {v}. Stripe currently supports these currencies: usd, eur, gbp, ...",
                        name)
    return v


def p_metadata(p: dict, existing: dict | None = None, name: str = "metadata") -> dict:
    v = p.get(name)
    md = dict(existing or {})
    if v is None:
        return md
    if v == "":
        return {}
    if not isinstance(v, dict):
        raise bad_param("Invalid object", name, "parameter_invalid_object")
    for k, val in v.items():
        if not isinstance(val, str):
            val = _dumps(val)
        if val == "":
            md.pop(k, None)
        else:
            if len(k) > 40:
                raise bad_param(f"Metadata keys can have up to 40 characters: {k}", f"{name}[{k}]")
            if len(val) > 500:
                raise bad_param("Metadata values can have up to 500 characters", f"{name}[{k}]")
            md[k] = val
    if len(md) > 50:
        raise bad_param("You can have up to 50 metadata keys", name)
    return md


def _short(v) -> str:
    s = v if isinstance(v, str) else _dumps(v)
    return s[:80]


def p_expand(p: dict) -> list:
    return [e for e in p_list(p, "expand") if isinstance(e, str)]


def _created_filter(p: dict):
    c = p.get("created")
    if c is None:
        return None
    if isinstance(c, str):
        v = int(c)
        return lambda t: t == v
    ops = {k: int(v) for k, v in c.items()}
    def pred(t):
        return (("gt" not in ops or t > ops["gt"]) and ("gte" not in ops or t >= ops["gte"])
                and ("lt" not in ops or t < ops["lt"]) and ("lte" not in ops or t <= ops["lte"]))
    return pred


class Raw(str):
    """A response body that is already JSON."""


@dataclass
class Ctx:
    key: str = ""
    publishable: bool = False
    request_id: str | None = None
    idem_key: str | None = None


NO_CTX = Ctx()


# ------------------------------------------------------------------------------------------------ the sandbox
class Sandbox:
    def __init__(self, config: SandboxConfig):
        self.config = config
        self.on_event: Callable[[dict], None] | None = None   # set by the webhook dispatcher
        self.on_change: Callable[[], None] | None = None      # set by the persister
        self.on_settle_scheduled: Callable[[str, float], None] | None = None  # set by the app (timer per payment)
        self.reset()

    # ---- state
    def reset(self) -> None:
        self.objects: dict[str, dict] = {}          # every API object by id
        self.index: dict[str, list[str]] = {}       # object kind -> ids, oldest first
        self.events: dict[str, dict] = {}           # evt id -> record
        self.event_ids: list[str] = []
        self.card_numbers: dict[str, str] = {}      # pm_/card_/tok_ id -> number (private, never rendered)
        self.token_cards: dict[str, str] = {}       # tok id -> card_ id
        self.pending_3ds: dict[str, str] = {}       # pi id -> pm id awaiting the challenge
        self.pending_settles: dict[str, float] = {}  # pi id -> unix time its `processing` payment settles
        self.pi_session: dict[str, str] = {}        # pi id -> cs id
        self.line_items: dict[str, list[dict]] = {}  # cs id -> items
        self.session_errors: dict[str, str] = {}    # cs id -> last message shown on the hosted page
        self.session_pi_data: dict[str, dict] = {}  # cs id -> payment_intent_data
        self.session_emails: dict[str, str] = {}    # cs id -> email typed on the hosted page
        self.idem: dict[tuple, tuple] = {}          # (api key, idem key) -> (method, path, params, status, body, rid)
        self.webhook_secrets: dict[str, str] = {}   # we id -> whsec
        self.cli_endpoints: list[str] = []
        for url, secret in self.config.webhooks:
            we = self._new_webhook_endpoint(url, ["*"], secret=secret, description="registered by CLI")
            self.cli_endpoints.append(we["id"])

    def snapshot(self) -> dict:
        return {
            "objects": self.objects, "index": self.index, "events": self.events, "event_ids": self.event_ids,
            "card_numbers": self.card_numbers, "token_cards": self.token_cards, "pending_3ds": self.pending_3ds,
            "pending_settles": self.pending_settles,
            "pi_session": self.pi_session, "line_items": self.line_items, "session_errors": self.session_errors,
            "session_pi_data": self.session_pi_data, "session_emails": self.session_emails,
            "idem": [[list(k), [*v[:4], v[4].decode() if isinstance(v[4], bytes) else v[4], v[5]]]
                     for k, v in self.idem.items()], "webhook_secrets": self.webhook_secrets,
        }

    def restore(self, data: dict) -> None:
        current = [(self.objects[i], self.webhook_secrets[i]) for i in self.cli_endpoints if i in self.objects]
        for name in ("objects", "index", "events", "event_ids", "card_numbers", "token_cards", "pending_3ds",
                     "pi_session", "line_items", "session_errors", "webhook_secrets", "session_pi_data",
                     "session_emails", "pending_settles"):
            if name in data:
                setattr(self, name, data[name])
        self.idem = {tuple(k): tuple(v) for k, v in data.get("idem", [])}
        # endpoints registered by this run's CLI flags replace saved ones (same url or saved as CLI endpoints)
        urls = {we["url"] for we, _ in current}
        for wid in list(self.index.get("webhook_endpoint", [])):
            we = self.objects.get(wid)
            if we and (we["url"] in urls or we.get("description") == "registered by CLI"):
                self._delete(wid)
                self.webhook_secrets.pop(wid, None)
        self.cli_endpoints = []
        for we, secret in current:
            self._store(we)
            self.webhook_secrets[we["id"]] = secret
            self.cli_endpoints.append(we["id"])

    def reset_keep_cli(self) -> None:
        keep = [(self.objects[i], self.webhook_secrets[i]) for i in self.cli_endpoints if i in self.objects]
        cfg_hooks = self.config.webhooks
        self.config.webhooks = []
        self.reset()
        self.config.webhooks = cfg_hooks
        for we, secret in keep:
            self._store(we)
            self.webhook_secrets[we["id"]] = secret
            self.cli_endpoints.append(we["id"])

    def _store(self, obj: dict, kind: str | None = None) -> dict:
        self.objects[obj["id"]] = obj
        self.index.setdefault(kind or obj["object"], []).append(obj["id"])
        return obj

    def _delete(self, oid: str) -> None:
        obj = self.objects.pop(oid, None)
        if obj is not None:
            try:
                self.index[obj["object"]].remove(oid)
            except (KeyError, ValueError):
                pass

    def _get(self, oid, kind: str, label: str, param: str = "id") -> dict:
        obj = self.objects.get(oid) if isinstance(oid, str) else None
        if obj is None or obj.get("object") != kind:
            raise no_such(label, oid if isinstance(oid, str) else _short(oid), param)
        return obj

    def changed(self) -> None:
        if self.on_change:
            self.on_change()

    # ---- events
    def emit(self, type_: str, obj: dict, ctx: Ctx = NO_CTX) -> dict:
        eid = new_id("evt_")
        endpoints = self.matching_endpoints(type_)
        rec = {
            "id": eid, "type": type_, "created": int(time.time()),
            "request": {"id": ctx.request_id, "idempotency_key": ctx.idem_key},
            "pending": len(endpoints), "obj": _dumps(obj),
        }
        self.events[eid] = rec
        self.event_ids.append(eid)
        if endpoints and self.on_event:
            self.on_event(rec, endpoints)
        return rec

    @staticmethod
    def render_event(rec: dict) -> str:
        return ('{"id":"%s","object":"event","api_version":"%s","created":%d,"data":{"object":%s},'
                '"livemode":false,"pending_webhooks":%d,"request":%s,"type":"%s"}'
                % (rec["id"], API_VERSION, rec["created"], rec["obj"], rec["pending"], _dumps(rec["request"]),
                   rec["type"]))

    def matching_endpoints(self, type_: str) -> list[dict]:
        out = []
        for wid in self.index.get("webhook_endpoint", ()):
            we = self.objects[wid]
            if we["status"] != "enabled":
                continue
            ev = we["enabled_events"]
            if "*" in ev or type_ in ev or (type_.split(".")[0] + ".*") in ev:
                out.append(we)
        return out

    # ---- expansion / lists
    def expand(self, obj: dict, paths: list[str]) -> dict:
        if not paths:
            return obj
        obj = dict(obj)
        for path in paths:
            self._expand_path(obj, path.split("."), path)
        return obj

    def _expand_path(self, o: dict, parts: list[str], full: str) -> None:
        key, rest = parts[0], parts[1:]
        if o.get("object") == "list" and key == "data":
            o["data"] = [dict(x) for x in o["data"]]
            if rest:
                for x in o["data"]:
                    self._expand_path(x, rest, full)
            return
        val = o.get(key)
        kind = o.get("object")
        if key == "line_items" and kind == "checkout.session":
            val = self._list_obj(self.line_items.get(o["id"], []), f"/v1/checkout/sessions/{o['id']}/line_items")
        elif key == "refunds" and kind == "charge":
            refunds = [self.objects[r] for r in reversed(self.index.get("refund", [])) if
                       self.objects[r]["charge"] == o["id"]]
            val = self._list_obj(refunds, f"/v1/charges/{o['id']}/refunds")
        elif isinstance(val, str) and val in self.objects:
            val = dict(self.objects[val])
        elif isinstance(val, dict):
            val = dict(val)
        elif val is None and key in o:
            return
        else:
            raise invalid(f"This property cannot be expanded ({full}).", param="expand", cache=False)
        o[key] = val
        if rest:
            self._expand_path(val, rest, full)

    @staticmethod
    def _list_obj(items: list, url: str, has_more: bool = False) -> dict:
        return {"object": "list", "data": items, "has_more": has_more, "url": url}

    def list(self, kind: str, url: str, p: dict, pred: Callable[[dict], bool] | None = None) -> dict:
        limit = p_int(p, "limit", default=10)
        if not 1 <= limit <= 100:
            raise bad_param("This value must be between 1 and 100.", "limit", "parameter_invalid_integer")
        cpred = _created_filter(p)
        ids = self.index.get(kind, [])
        sa, eb = p.get("starting_after"), p.get("ending_before")
        out: list[dict] = []
        matched = []
        for oid in reversed(ids):
            obj = self.objects.get(oid)
            if obj is None or (pred and not pred(obj)) or (cpred and not cpred(obj.get("created", 0))):
                continue
            matched.append(obj)
        if sa:
            pos = next((i for i, o in enumerate(matched) if o["id"] == sa), None)
            if pos is None:
                raise no_such(kind, sa, "starting_after")
            matched = matched[pos + 1:]
            out, more = matched[:limit], len(matched) > limit
        elif eb:
            pos = next((i for i, o in enumerate(matched) if o["id"] == eb), None)
            if pos is None:
                raise no_such(kind, eb, "ending_before")
            before = matched[:pos]
            out, more = before[-limit:], len(before) > limit
        else:
            out, more = matched[:limit], len(matched) > limit
        exp = p_expand(p)
        if exp:
            out = [self.expand(o, [e[5:] for e in exp if e.startswith("data.")]) for o in out]
        return self._list_obj(out, url, more)

    # ================================================================================================ customers
    def customer_create(self, ctx: Ctx, p: dict) -> dict:
        email = p_str(p, "email")
        cus = {
            "id": new_id("cus_", 14), "object": "customer", "address": p_dict(p, "address") or None, "balance": 0,
            "created": int(time.time()), "currency": None, "default_source": None, "delinquent": False,
            "description": p_str(p, "description"), "discount": None, "email": email,
            "invoice_prefix": "".join(_choices(string.ascii_uppercase + string.digits, k=8)),
            "invoice_settings": {"custom_fields": None, "default_payment_method": None, "footer": None,
                                 "rendering_options": None},
            "livemode": False, "metadata": p_metadata(p), "name": p_str(p, "name"), "next_invoice_sequence": 1,
            "phone": p_str(p, "phone"), "preferred_locales": p_list(p, "preferred_locales"), "shipping": None,
            "tax_exempt": "none", "test_clock": None,
        }
        self._store(cus)
        pm = p_str(p, "payment_method")
        if pm:
            self.payment_method_attach(ctx, {"customer": cus["id"]}, pm)
        self.emit("customer.created", cus, ctx)
        return cus

    def customer_get(self, cid: str) -> dict:
        obj = self.objects.get(cid)
        if obj is not None and obj.get("object") == "customer" and obj.get("deleted"):
            return obj
        return self._get(cid, "customer", "customer")

    def customer_update(self, ctx: Ctx, p: dict, cid: str) -> dict:
        cus = self._get(cid, "customer", "customer")
        if cus.get("deleted"):
            raise invalid(f"No such customer: '{cid}'", param="id", code="resource_missing", status=404)
        for f in ("email", "name", "phone", "description"):
            if f in p:
                cus[f] = p[f] or None
        if "address" in p:
            cus["address"] = p_dict(p, "address") or None
        if "invoice_settings" in p:
            dpm = p_dict(p, "invoice_settings").get("default_payment_method")
            if dpm is not None:
                cus["invoice_settings"]["default_payment_method"] = dpm or None
        cus["metadata"] = p_metadata(p, cus["metadata"])
        self.emit("customer.updated", cus, ctx)
        return cus

    def customer_delete(self, ctx: Ctx, p: dict, cid: str) -> dict:
        cus = self._get(cid, "customer", "customer")
        if cus.get("deleted"):
            raise no_such("customer", cid)
        self.emit("customer.deleted", cus, ctx)
        gone = {"id": cid, "object": "customer", "deleted": True}
        self._delete(cid)
        self.objects[cid] = gone
        return gone

    def customer_list(self, ctx: Ctx, p: dict) -> dict:
        email = p_str(p, "email")
        return self.list("customer", "/v1/customers", p,
                         (lambda o: o.get("email") == email) if email else (lambda o: not o.get("deleted")))

    # ================================================================================================ cards
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

    def _number_of(self, source_id: str) -> str | None:
        return self.card_numbers.get(source_id) or cards.test_id_number(source_id)

    # ================================================================================================ payment methods
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
        return self._store(pm)

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
        cus = self._get(cid, "customer", "customer", "customer")
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
            "tokenization_method": None, "wallet": None,
        }
        tok = {"id": new_id("tok_"), "object": "token", "card": card_obj, "client_ip": None,
               "created": int(time.time()), "livemode": False, "type": "card", "used": False}
        self.card_numbers[tok["id"]] = number
        self.card_numbers[card_obj["id"]] = number
        self.token_cards[tok["id"]] = card_obj["id"]
        return self._store(tok)

    def token_get(self, tid: str) -> dict:
        obj = self.objects.get(tid)
        if obj is None and tid.startswith("tok_") and cards.test_id_number(tid):
            num = cards.test_id_number(tid)
            return self._new_token(num, 12, time.gmtime().tm_year + 3, "123")
        return self._get(tid, "token", "token")

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

    # ================================================================================================ charges
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
        ch = {
            "id": ch_id, "object": "charge", "amount": amount, "amount_captured": amount if captured else 0,
            "amount_refunded": 0, "application": None, "application_fee": None, "application_fee_amount": None,
            "balance_transaction": new_id("txn_") if captured else None, "billing_details": billing,
            "calculated_statement_descriptor": "SANDBOX", "captured": captured, "created": now,
            "currency": currency, "customer": customer, "description": description, "destination": None,
            "dispute": None, "disputed": False, "failure_balance_transaction": None,
            "failure_code": None if ok else decline[0], "failure_message": None if ok else decline[2],
            "fraud_details": {}, "livemode": False, "metadata": dict(metadata or {}), "on_behalf_of": None,
            "order": None, "outcome": outcome, "paid": ok and not pending,
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
            "refunded": False, "review": None, "shipping": None,
            "source": card_obj, "source_transfer": None, "statement_descriptor": None,
            "statement_descriptor_suffix": None,
            "status": ("pending" if pending else "succeeded") if ok else "failed", "transfer_data": None,
            "transfer_group": None,
        }
        self._store(ch)
        self.emit(("charge.pending" if pending else "charge.succeeded") if ok else "charge.failed", ch, ctx)
        return ch

    def charge_create(self, ctx: Ctx, p: dict) -> dict:
        amount = p_int(p, "amount", required=True)
        currency = p_currency(p)
        self._check_amount(amount, currency)
        source = p_str(p, "source")
        customer = p_str(p, "customer")
        if customer:
            self._get(customer, "customer", "customer", "customer")
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
        return self._get(cid, "charge", "charge")

    def charge_update(self, ctx: Ctx, p: dict, cid: str) -> dict:
        ch = self._get(cid, "charge", "charge")
        for f in ("description", "receipt_email"):
            if f in p:
                ch[f] = p[f] or None
        ch["metadata"] = p_metadata(p, ch["metadata"])
        self.emit("charge.updated", ch, ctx)
        return ch

    def charge_capture(self, ctx: Ctx, p: dict, cid: str) -> dict:
        ch = self._get(cid, "charge", "charge")
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

    def _check_amount(self, amount: int, currency: str, param: str = "amount") -> None:
        m = MIN_AMOUNT.get(currency, 1)
        if amount < m:
            raise invalid(f"Amount must be at least {fmt_money(m, currency)} {currency}", param=param,
                          code="amount_too_small", cache=False)
        if amount > 99999999:
            raise invalid(f"Amount must be no more than {fmt_money(99999999, currency)}", param=param,
                          code="amount_too_large", cache=False)

    # ================================================================================================ payment intents
    def pi_create(self, ctx: Ctx, p: dict, session_id: str | None = None) -> dict:
        amount = p_int(p, "amount", required=True)
        currency = p_currency(p)
        self._check_amount(amount, currency)
        customer = p_str(p, "customer")
        if customer:
            self._get(customer, "customer", "customer", "customer")
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
            "source": None, "statement_descriptor": p_str(p, "statement_descriptor"),
            "statement_descriptor_suffix": p_str(p, "statement_descriptor_suffix"),
            "status": "requires_confirmation" if pm else "requires_payment_method",
            "transfer_data": None, "transfer_group": None,
        }
        self._store(pi)
        if session_id:
            self.pi_session[pid] = session_id
        self.emit("payment_intent.created", pi, ctx)
        if confirm:
            cp = {k: p[k] for k in ("return_url", "off_session", "use_stripe_sdk") if k in p}
            if pm_data:
                cp["payment_method_data"] = pm_data
            return self.pi_confirm(ctx, cp, pid, internal=True)
        return pi

    def pi_get(self, ctx: Ctx, pid: str, p: dict) -> dict:
        pi = self._get(pid, "payment_intent", "payment_intent")
        if ctx.publishable:
            self._check_client_secret(pi, p)
            return self.pi_public(pi)
        return pi

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
        pi = self._get(pid, "payment_intent", "payment_intent")
        if pi["status"] in ("succeeded", "canceled", "processing") and set(p) - {"metadata", "description", "expand"}:
            raise unexpected_state(f"This PaymentIntent's {', '.join(k for k in p if k != 'expand')} could not be "
                                   f"updated because it has a status of {pi['status']}. You may only update the "
                                   f"metadata of a PaymentIntent with one of the following statuses: "
                                   f"requires_payment_method, requires_confirmation, requires_action.")
        if "amount" in p:
            pi["amount"] = p_int(p, "amount")
            self._check_amount(pi["amount"], pi["currency"])
        if "currency" in p:
            pi["currency"] = p_currency(p)
        for f in ("description", "receipt_email", "setup_future_usage"):
            if f in p:
                pi[f] = p[f] or None
        if "customer" in p:
            if p["customer"]:
                self._get(p["customer"], "customer", "customer", "customer")
            pi["customer"] = p["customer"] or None
        if p.get("payment_method"):
            pi["payment_method"] = self._resolve_pm(p["payment_method"])["id"]
            if pi["status"] in ("requires_payment_method", "requires_action"):
                pi["status"] = "requires_confirmation"
                pi["next_action"] = None
                self.pending_3ds.pop(pid, None)
        pi["metadata"] = p_metadata(p, pi["metadata"])
        return pi

    def pi_confirm(self, ctx: Ctx, p: dict, pid: str, internal: bool = False) -> dict:
        pi = self._get(pid, "payment_intent", "payment_intent")
        if ctx.publishable and not internal:
            self._check_client_secret(pi, p)
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
        if pid in self.pi_session and not internal and ctx.key != "__checkout__":
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
        if ctx.publishable or ctx.key == "__checkout__" or not auto_pm or not auto_pm.get("enabled"):
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

    def settle_pi(self, pid: str) -> dict | None:
        """Settle a `processing` payment (test-only `processing_seconds`): the charge and the PaymentIntent
        succeed, then a hosted Checkout session becomes paid. No-op if nothing is pending for `pid`."""
        if self.pending_settles.pop(pid, None) is None:
            return None
        pi = self.objects.get(pid)
        if pi is None or pi.get("object") != "payment_intent" or pi["status"] != "processing":
            return None
        ch = self.objects.get(pi["latest_charge"] or "")
        if ch is not None and ch["status"] == "pending":
            ch.update(status="succeeded", paid=True)
            self.emit("charge.succeeded", ch)
        pi["status"] = "succeeded"
        pi["amount_received"] = pi["amount"]
        self.emit("payment_intent.succeeded", pi)
        cs = self.objects.get(self.pi_session.get(pid, ""))
        if cs is not None and cs["status"] == "complete" and cs["payment_status"] == "unpaid":
            cs["payment_status"] = "paid"
            self.emit("checkout.session.async_payment_succeeded", cs)
        self.changed()
        return pi

    def settle_due(self) -> None:
        """Settle every pending payment whose time has come (backstop for the per-payment timers)."""
        if not self.pending_settles:
            return
        now = time.time()
        for pid, at in list(self.pending_settles.items()):
            if at <= now:
                self.settle_pi(pid)

    def resolve_3ds(self, ctx: Ctx, pid: str, outcome: str) -> dict:
        pi = self._get(pid, "payment_intent", "payment_intent")
        pm_id = self.pending_3ds.get(pid)
        if pi["status"] != "requires_action" or not pm_id:
            raise unexpected_state(f"This PaymentIntent has no pending 3-D Secure authentication (status "
                                   f"{pi['status']}).")
        del self.pending_3ds[pid]
        pm = self.objects[pm_id]
        if outcome == "complete":
            b = cards.behaviour(self.card_numbers[pm_id])
            return self._charge_pi(ctx, pi, pm, b.decline_after_3ds or b.decline, raise_on_decline=False,
                                   three_ds=True)
        if outcome != "fail":
            raise bad_param("outcome must be complete or fail", "outcome")
        pi["status"] = "requires_payment_method"
        pi["next_action"] = None
        pi["payment_method"] = None
        pi["last_payment_error"] = {
            "code": "payment_intent_authentication_failure",
            "doc_url": "https://docs.stripe.com/error-codes/payment-intent-authentication-failure",
            "message": AUTH_FAILED_MESSAGE, "payment_method": dict(pm), "type": "invalid_request_error"}
        self.emit("payment_intent.payment_failed", pi, ctx)
        return pi

    def pi_cancel(self, ctx: Ctx, p: dict, pid: str) -> dict:
        pi = self._get(pid, "payment_intent", "payment_intent")
        reason = p_enum(p, "cancellation_reason", ("duplicate", "fraudulent", "requested_by_customer", "abandoned"))
        if pi["status"] not in PI_CANCELABLE:
            raise unexpected_state(f"You cannot cancel this PaymentIntent because it has a status of {pi['status']}."
                                   f" Only a PaymentIntent with one of the following statuses may be canceled: "
                                   f"{', '.join(PI_CANCELABLE)}.", payment_intent=dict(pi))
        if pid in self.pi_session and ctx.key != "__checkout__":
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
        pi = self._get(pid, "payment_intent", "payment_intent")
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

    # ================================================================================================ refunds
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
            pi = self._get(pi_id, "payment_intent", "payment_intent", "payment_intent")
            if pi["status"] != "succeeded" or not pi["latest_charge"]:
                raise invalid(f"This PaymentIntent ({pi_id}) does not have a successful charge to refund.",
                              param="payment_intent")
            ch = self.objects[pi["latest_charge"]]
        else:
            ch = self._get(ch_id, "charge", "charge", "charge")
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
                msg = f"Refund amount ({fmt_money(amount, cur)}) is greater than charge amount ({fmt_money(remaining, cur)})"
            raise invalid(msg, param="amount", code="amount_too_large")
        re_ = {
            "id": new_id("re_3", 23), "object": "refund", "amount": amount, "balance_transaction": new_id("txn_"),
            "charge": ch["id"], "created": int(time.time()), "currency": ch["currency"],
            "destination_details": {"card": {"reference_status": "pending",
                                             "reference_type": "acquirer_reference_number", "type": "refund"},
                                    "type": "card"},
            "metadata": p_metadata(p), "payment_intent": ch["payment_intent"], "reason": reason,
            "receipt_number": None, "source_transfer_reversal": None, "status": "succeeded",
            "transfer_reversal": None,
        }
        self._store(re_)
        ch["amount_refunded"] += amount
        ch["refunded"] = ch["amount_refunded"] >= ch["amount_captured"]
        self.emit("charge.refunded", ch, ctx)
        self.emit("refund.created", re_, ctx)
        return re_

    def refund_get(self, rid: str) -> dict:
        return self._get(rid, "refund", "refund")

    def refund_update(self, ctx: Ctx, p: dict, rid: str) -> dict:
        re_ = self._get(rid, "refund", "refund")
        re_["metadata"] = p_metadata(p, re_["metadata"])
        self.emit("refund.updated", re_, ctx)
        return re_

    def refund_list(self, ctx: Ctx, p: dict) -> dict:
        ch, pi = p_str(p, "charge"), p_str(p, "payment_intent")
        return self.list("refund", "/v1/refunds", p,
                         lambda o: (not ch or o["charge"] == ch) and (not pi or o["payment_intent"] == pi))

    # ================================================================================================ products/prices
    def product_create(self, ctx: Ctx, p: dict, name: str | None = None, inline: bool = False) -> dict:
        now = int(time.time())
        prod = {"id": new_id("prod_", 14), "object": "product", "active": p_bool(p, "active", True),
                "created": now, "default_price": None, "description": p_str(p, "description"),
                "images": [i for i in p_list(p, "images") if i], "livemode": False,
                "marketing_features": [], "metadata": p_metadata(p),
                "name": name or p_str(p, "name", required=True), "package_dimensions": None, "shippable": None,
                "statement_descriptor": None, "tax_code": None, "type": "service", "unit_label": None,
                "updated": now, "url": p_str(p, "url")}
        self._store(prod)
        if not inline:
            self.emit("product.created", prod, ctx)
        return prod

    def price_create(self, ctx: Ctx, p: dict, param_prefix: str = "", inline: bool = False) -> dict:
        currency = p_currency(p, "currency")
        ua = p.get("unit_amount")
        if ua is None and p.get("unit_amount_decimal") is not None:
            try:
                ua = int(float(p["unit_amount_decimal"]))
            except ValueError:
                raise bad_param("Invalid decimal", param_prefix + "unit_amount_decimal")
        if ua is None:
            raise missing(param_prefix + "unit_amount")
        unit_amount = p_int({"x": ua}, "x", label=param_prefix + "unit_amount")
        product = p_str(p, "product")
        pdata = p_dict(p, "product_data")
        if product:
            self._get(product, "product", "product", param_prefix + "product")
        elif pdata:
            if not pdata.get("name"):
                raise missing(param_prefix + "product_data[name]")
            product = self.product_create(ctx, pdata, inline=inline)["id"]
        else:
            raise missing(param_prefix + "product")
        rec = p_dict(p, "recurring")
        price = {"id": new_id("price_"), "object": "price", "active": True, "billing_scheme": "per_unit",
                 "created": int(time.time()), "currency": currency, "custom_unit_amount": None, "livemode": False,
                 "lookup_key": p_str(p, "lookup_key"), "metadata": p_metadata(p), "nickname": p_str(p, "nickname"),
                 "product": product,
                 "recurring": ({"interval": rec.get("interval"), "interval_count": int(rec.get("interval_count", 1)),
                                "usage_type": "licensed"} if rec else None),
                 "tax_behavior": p_str(p, "tax_behavior", default="unspecified"), "tiers_mode": None,
                 "transform_quantity": None, "type": "recurring" if rec else "one_time",
                 "unit_amount": unit_amount, "unit_amount_decimal": str(unit_amount)}
        self._store(price)
        if not inline:
            self.emit("price.created", price, ctx)
        return price

    # ================================================================================================ checkout
    def session_create(self, ctx: Ctx, p: dict) -> dict:
        mode = p_str(p, "mode", required=True)
        if mode != "payment":
            raise bad_param(f"The stripe sandbox only implements mode=payment (got {mode!r}).", "mode")
        ui_mode = p_str(p, "ui_mode", default="hosted")
        if ui_mode != "hosted":
            raise bad_param("The stripe sandbox only implements ui_mode=hosted.", "ui_mode")
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
            cus = self._get(customer, "customer", "customer", "customer")
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
                price = self._get(it["price"], "price", "price", f"{pre}[price]")
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
            self._check_amount(subtotal, currency, "line_items")
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
            "customer_details": ({"address": None, "email": cus.get("email"), "name": cus.get("name"),
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
        self._store(cs)
        self.line_items[cs_id] = items
        self.session_pi_data[cs_id] = pid if pid else {}
        return cs

    def session_get(self, cs_id: str) -> dict:
        cs = self._get(cs_id, "checkout.session", "checkout.session")
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
        self._get(cs_id, "checkout.session", "checkout.session")
        items = self.line_items.get(cs_id, [])
        limit = p_int(p, "limit", default=10)
        sa = p.get("starting_after")
        if sa:
            idx = next((i for i, it in enumerate(items) if it["id"] == sa), -1)
            items = items[idx + 1:]
        out = items[:limit]
        exp = [e[5:] for e in p_expand(p) if e.startswith("data.")]
        if exp:
            out = [self.expand(o, exp) for o in out]
        return self._list_obj(out, f"/v1/checkout/sessions/{cs_id}/line_items", len(items) > limit)

    def session_list(self, ctx: Ctx, p: dict) -> dict:
        pi, cus = p_str(p, "payment_intent"), p_str(p, "customer")
        st = p_str(p, "status")
        return self.list("checkout.session", "/v1/checkout/sessions", p,
                         lambda o: (not pi or o["payment_intent"] == pi) and (not cus or o["customer"] == cus)
                         and (not st or o["status"] == st))

    def session_pay(self, cs_id: str, email: str, card: dict) -> dict:
        """A payment attempt from the hosted page. Returns the PaymentIntent; raises StripeError on errors."""
        ctx = Ctx(key="__checkout__")
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
        cs["customer_email"] = cs["customer_email"] or None
        self.session_emails[cs_id] = email
        try:
            return self.pi_confirm(ctx, {"payment_method": pm["id"]}, pi["id"], internal=True)
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
        cd["email"] = email or cd.get("email")
        cd["name"] = cd.get("name") or (pm.get("billing_details") or {}).get("name")
        cs.update(status="complete", payment_status="paid" if paid else "unpaid", payment_intent=pi["id"], url=None,
                  customer_details=cd)
        self.session_errors.pop(cs_id, None)
        self.emit("checkout.session.completed", cs, ctx)

    # ================================================================================================ webhooks
    def _new_webhook_endpoint(self, url: str, events: list, secret: str | None = None, description=None,
                              metadata=None, api_version=None) -> dict:
        we = {"id": new_id("we_"), "object": "webhook_endpoint", "api_version": api_version, "application": None,
              "created": int(time.time()), "description": description, "enabled_events": events,
              "livemode": False, "metadata": metadata or {}, "status": "enabled", "url": url}
        self._store(we)
        self.webhook_secrets[we["id"]] = secret or ("whsec_" + new_id("", 32))
        return we

    def webhook_create(self, ctx: Ctx, p: dict) -> dict:
        url = p_str(p, "url", required=True)
        if not (url.startswith("http://") or url.startswith("https://")):
            raise bad_param("Invalid URL: must be an http(s) URL", "url", "url_invalid")
        events = [e for e in p_list(p, "enabled_events") if e]
        if not events:
            raise missing("enabled_events")
        we = self._new_webhook_endpoint(url, events, description=p_str(p, "description"), metadata=p_metadata(p),
                                        api_version=p_str(p, "api_version"))
        out = dict(we)
        out["secret"] = self.webhook_secrets[we["id"]]
        return out

    def webhook_update(self, ctx: Ctx, p: dict, wid: str) -> dict:
        we = self._get(wid, "webhook_endpoint", "webhook endpoint")
        if "url" in p:
            we["url"] = p_str(p, "url")
        if "enabled_events" in p:
            we["enabled_events"] = [e for e in p_list(p, "enabled_events") if e]
        if "disabled" in p:
            we["status"] = "disabled" if p_bool(p, "disabled") else "enabled"
        if "description" in p:
            we["description"] = p["description"] or None
        we["metadata"] = p_metadata(p, we["metadata"])
        return we

    def webhook_delete(self, ctx: Ctx, p: dict, wid: str) -> dict:
        self._get(wid, "webhook_endpoint", "webhook endpoint")
        self._delete(wid)
        if wid in self.cli_endpoints:
            self.cli_endpoints.remove(wid)
        return {"id": wid, "object": "webhook_endpoint", "deleted": True}

    # ================================================================================================ events
    def event_get(self, eid: str) -> Raw:
        rec = self.events.get(eid)
        if rec is None:
            raise no_such("event", eid)
        return Raw(self.render_event(rec))

    def event_list(self, ctx: Ctx, p: dict) -> Raw:
        limit = p_int(p, "limit", default=10)
        if not 1 <= limit <= 100:
            raise bad_param("This value must be between 1 and 100.", "limit", "parameter_invalid_integer")
        types = set(t for t in p_list(p, "types") if t)
        t1 = p_str(p, "type")
        cpred = _created_filter(p)

        def want(rec):
            t = rec["type"]
            if t1 and not (t == t1 or (t1.endswith("*") and t.startswith(t1[:-1]))):
                return False
            if types and t not in types:
                return False
            return not cpred or cpred(rec["created"])

        matched = [self.events[e] for e in reversed(self.event_ids) if want(self.events[e])]
        sa, eb = p.get("starting_after"), p.get("ending_before")
        if sa:
            pos = next((i for i, r in enumerate(matched) if r["id"] == sa), None)
            if pos is None:
                raise no_such("event", sa, "starting_after")
            rest = matched[pos + 1:]
            out, more = rest[:limit], len(rest) > limit
        elif eb:
            pos = next((i for i, r in enumerate(matched) if r["id"] == eb), None)
            if pos is None:
                raise no_such("event", eb, "ending_before")
            before = matched[:pos]
            out, more = before[-limit:], len(before) > limit
        else:
            out, more = matched[:limit], len(matched) > limit
        return Raw('{"object":"list","data":[%s],"has_more":%s,"url":"/v1/events"}'
                   % (",".join(self.render_event(r) for r in out), "true" if more else "false"))
