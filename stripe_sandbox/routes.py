"""The API's routes: method, path pattern, handler, the endpoint's parameter table (schema.py), and whether a
publishable key may call it. Handlers take (sandbox, ctx, params, *path ids)."""
from __future__ import annotations

import re

from . import events as ev
from .resources import charges as ch, checkout as cs, customers as cus, payment_intents as pi
from .resources import payment_methods as pm, products as prod, refunds as re_
from .schema import EXPAND

NONE: dict = {}


def _routes():
    """`params` is the endpoint's parameter table, or (for secret keys, for publishable keys)."""
    R = []

    def r(method, pattern, fn, params, pk=False):
        R.append((method, pattern, fn, params, pk))

    r("POST", "/v1/customers", lambda s, c, p: s.customer_create(c, p), cus.CREATE)
    r("GET", "/v1/customers", lambda s, c, p: s.customer_list(c, p), cus.LIST)
    r("GET", "/v1/customers/{id}", lambda s, c, p, i: s.customer_get(i), EXPAND)
    r("POST", "/v1/customers/{id}", lambda s, c, p, i: s.customer_update(c, p, i), cus.UPDATE)
    r("DELETE", "/v1/customers/{id}", lambda s, c, p, i: s.customer_delete(c, p, i), NONE)
    r("GET", "/v1/customers/{id}/payment_methods",
      lambda s, c, p, i: (s.customer_get(i), s.payment_method_list(c, {**p, "customer": i}))[1], pm.CUSTOMER_LIST)

    r("POST", "/v1/checkout/sessions", lambda s, c, p: s.session_create(c, p), cs.CREATE)
    r("GET", "/v1/checkout/sessions", lambda s, c, p: s.session_list(c, p), cs.LIST)
    r("GET", "/v1/checkout/sessions/{id}", lambda s, c, p, i: s.session_get(i), EXPAND)
    r("GET", "/v1/checkout/sessions/{id}/line_items", lambda s, c, p, i: s.session_line_items(c, p, i),
      cs.LINE_ITEMS)
    r("POST", "/v1/checkout/sessions/{id}/expire", lambda s, c, p, i: s.session_expire(c, p, i), EXPAND)

    r("POST", "/v1/payment_intents", lambda s, c, p: s.pi_create(c, p), pi.CREATE)
    r("GET", "/v1/payment_intents", lambda s, c, p: s.pi_list(c, p), pi.LIST)
    r("GET", "/v1/payment_intents/{id}", lambda s, c, p, i: s.pi_get(c, i, p), pi.RETRIEVE, True)
    r("POST", "/v1/payment_intents/{id}", lambda s, c, p, i: s.pi_update(c, p, i), pi.UPDATE)
    r("POST", "/v1/payment_intents/{id}/confirm",
      lambda s, c, p, i: s.pi_public(s.pi_confirm(c, p, i)) if c.publishable else s.pi_confirm(c, p, i),
      (pi.CONFIRM, pi.CONFIRM_PUBLISHABLE), True)
    r("POST", "/v1/payment_intents/{id}/cancel", lambda s, c, p, i: s.pi_cancel(c, p, i), pi.CANCEL)
    r("POST", "/v1/payment_intents/{id}/capture", lambda s, c, p, i: s.pi_capture(c, p, i), pi.CAPTURE)

    r("POST", "/v1/payment_methods", lambda s, c, p: s.payment_method_create(c, p), pm.CREATE, True)
    r("GET", "/v1/payment_methods", lambda s, c, p: s.payment_method_list(c, p), pm.LIST)
    r("GET", "/v1/payment_methods/{id}", lambda s, c, p, i: s.payment_method_get(i), EXPAND)
    r("POST", "/v1/payment_methods/{id}/attach", lambda s, c, p, i: s.payment_method_attach(c, p, i), pm.ATTACH)
    r("POST", "/v1/payment_methods/{id}/detach", lambda s, c, p, i: s.payment_method_detach(c, p, i), EXPAND)

    r("POST", "/v1/tokens", lambda s, c, p: s.token_create(c, p), pm.TOKEN_CREATE, True)
    r("GET", "/v1/tokens/{id}", lambda s, c, p, i: s.token_get(i), EXPAND)

    r("POST", "/v1/charges", lambda s, c, p: s.charge_create(c, p), ch.CREATE)
    r("GET", "/v1/charges", lambda s, c, p: s.charge_list(c, p), ch.LIST)
    r("GET", "/v1/charges/{id}", lambda s, c, p, i: s.charge_get(i), EXPAND)
    r("POST", "/v1/charges/{id}", lambda s, c, p, i: s.charge_update(c, p, i), ch.UPDATE)
    r("POST", "/v1/charges/{id}/capture", lambda s, c, p, i: s.charge_capture(c, p, i), ch.CAPTURE)
    r("POST", "/v1/charges/{id}/refunds", lambda s, c, p, i: s.refund_create(c, {**p, "charge": i}),
      re_.CHARGE_REFUND)
    r("POST", "/v1/charges/{id}/refund", lambda s, c, p, i: (s.refund_create(c, {**p, "charge": i}),
                                                              s.charge_get(i))[1], re_.CHARGE_REFUND)
    r("GET", "/v1/charges/{id}/refunds", lambda s, c, p, i: (s.charge_get(i),
                                                             s.refund_list(c, {**p, "charge": i}))[1],
      re_.CHARGE_REFUNDS)

    r("POST", "/v1/refunds", lambda s, c, p: s.refund_create(c, p), re_.CREATE)
    r("GET", "/v1/refunds", lambda s, c, p: s.refund_list(c, p), re_.LIST)
    r("GET", "/v1/refunds/{id}", lambda s, c, p, i: s.refund_get(i), EXPAND)
    r("POST", "/v1/refunds/{id}", lambda s, c, p, i: s.refund_update(c, p, i), re_.UPDATE)

    r("POST", "/v1/products", lambda s, c, p: s.product_create(c, p), prod.PRODUCT_CREATE)
    r("GET", "/v1/products", lambda s, c, p: s.list("product", "/v1/products", p), prod.LIST)
    r("GET", "/v1/products/{id}", lambda s, c, p, i: s.get(i, "product", "product"), EXPAND)
    r("POST", "/v1/prices", lambda s, c, p: s.price_create(c, p), prod.PRICE_CREATE)
    r("GET", "/v1/prices", lambda s, c, p: s.list("price", "/v1/prices", p), prod.LIST)
    r("GET", "/v1/prices/{id}", lambda s, c, p, i: s.get(i, "price", "price"), EXPAND)

    r("GET", "/v1/events", lambda s, c, p: s.event_list(c, p), ev.EVENT_LIST)
    r("GET", "/v1/events/{id}", lambda s, c, p, i: s.event_get(i), EXPAND)

    r("POST", "/v1/webhook_endpoints", lambda s, c, p: s.webhook_create(c, p), ev.WEBHOOK_CREATE)
    r("GET", "/v1/webhook_endpoints", lambda s, c, p: s.list("webhook_endpoint", "/v1/webhook_endpoints", p),
      ev.WEBHOOK_LIST)
    r("GET", "/v1/webhook_endpoints/{id}", lambda s, c, p, i: s.webhook_get(i), EXPAND)
    r("POST", "/v1/webhook_endpoints/{id}", lambda s, c, p, i: s.webhook_update(c, p, i), ev.WEBHOOK_UPDATE)
    r("DELETE", "/v1/webhook_endpoints/{id}", lambda s, c, p, i: s.webhook_delete(c, p, i), NONE)
    return R


ROUTES = _routes()


class Router:
    def __init__(self):
        self.static: dict[tuple[str, str], tuple] = {}
        self.dynamic: dict[str, list[tuple]] = {}
        for method, pattern, fn, params, pk in ROUTES:
            if "{" not in pattern:
                self.static[(method, pattern)] = (fn, params, pk)
            else:
                rx = re.compile("^" + pattern.replace("{id}", "([^/]+)") + "$")
                self.dynamic.setdefault(method, []).append((rx, fn, params, pk))

    def match(self, method: str, path: str):
        """(handler, parameter table, publishable allowed, path ids) or None."""
        hit = self.static.get((method, path))
        if hit:
            return (*hit, ())
        for rx, fn, params, pk in self.dynamic.get(method, ()):
            m = rx.match(path)
            if m:
                return fn, params, pk, m.groups()
        return None
