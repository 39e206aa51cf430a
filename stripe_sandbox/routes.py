"""The API's routes: (method, path pattern, handler, publishable key allowed). Handlers take
(sandbox, ctx, params, *path ids)."""
from __future__ import annotations

import re


# (method, pattern, handler(sb, ctx, params, *groups), publishable key allowed)
def _routes():
    R = []

    def r(method, pattern, fn, pk=False):
        R.append((method, pattern, fn, pk))

    r("POST", "/v1/customers", lambda s, c, p: s.customer_create(c, p))
    r("GET", "/v1/customers", lambda s, c, p: s.customer_list(c, p))
    r("GET", "/v1/customers/{id}", lambda s, c, p, i: s.customer_get(i))
    r("POST", "/v1/customers/{id}", lambda s, c, p, i: s.customer_update(c, p, i))
    r("DELETE", "/v1/customers/{id}", lambda s, c, p, i: s.customer_delete(c, p, i))
    r("GET", "/v1/customers/{id}/payment_methods",
      lambda s, c, p, i: (s.customer_get(i), s.payment_method_list(c, {**p, "customer": i}))[1])

    r("POST", "/v1/checkout/sessions", lambda s, c, p: s.session_create(c, p))
    r("GET", "/v1/checkout/sessions", lambda s, c, p: s.session_list(c, p))
    r("GET", "/v1/checkout/sessions/{id}", lambda s, c, p, i: s.session_get(i))
    r("GET", "/v1/checkout/sessions/{id}/line_items", lambda s, c, p, i: s.session_line_items(c, p, i))
    r("POST", "/v1/checkout/sessions/{id}/expire", lambda s, c, p, i: s.session_expire(c, p, i))

    r("POST", "/v1/payment_intents", lambda s, c, p: s.pi_create(c, p))
    r("GET", "/v1/payment_intents", lambda s, c, p: s.pi_list(c, p))
    r("GET", "/v1/payment_intents/{id}", lambda s, c, p, i: s.pi_get(c, i, p), True)
    r("POST", "/v1/payment_intents/{id}", lambda s, c, p, i: s.pi_update(c, p, i))
    r("POST", "/v1/payment_intents/{id}/confirm",
      lambda s, c, p, i: s.pi_public(s.pi_confirm(c, p, i)) if c.publishable else s.pi_confirm(c, p, i), True)
    r("POST", "/v1/payment_intents/{id}/cancel", lambda s, c, p, i: s.pi_cancel(c, p, i))
    r("POST", "/v1/payment_intents/{id}/capture", lambda s, c, p, i: s.pi_capture(c, p, i))

    r("POST", "/v1/payment_methods", lambda s, c, p: s.payment_method_create(c, p), True)
    r("GET", "/v1/payment_methods", lambda s, c, p: s.payment_method_list(c, p))
    r("GET", "/v1/payment_methods/{id}", lambda s, c, p, i: s.payment_method_get(i))
    r("POST", "/v1/payment_methods/{id}/attach", lambda s, c, p, i: s.payment_method_attach(c, p, i))
    r("POST", "/v1/payment_methods/{id}/detach", lambda s, c, p, i: s.payment_method_detach(c, p, i))

    r("POST", "/v1/tokens", lambda s, c, p: s.token_create(c, p), True)
    r("GET", "/v1/tokens/{id}", lambda s, c, p, i: s.token_get(i))

    r("POST", "/v1/charges", lambda s, c, p: s.charge_create(c, p))
    r("GET", "/v1/charges", lambda s, c, p: s.charge_list(c, p))
    r("GET", "/v1/charges/{id}", lambda s, c, p, i: s.charge_get(i))
    r("POST", "/v1/charges/{id}", lambda s, c, p, i: s.charge_update(c, p, i))
    r("POST", "/v1/charges/{id}/capture", lambda s, c, p, i: s.charge_capture(c, p, i))
    r("POST", "/v1/charges/{id}/refunds", lambda s, c, p, i: s.refund_create(c, {**p, "charge": i}))
    r("POST", "/v1/charges/{id}/refund", lambda s, c, p, i: (s.refund_create(c, {**p, "charge": i}),
                                                              s.charge_get(i))[1])
    r("GET", "/v1/charges/{id}/refunds", lambda s, c, p, i: (s.charge_get(i),
                                                             s.refund_list(c, {**p, "charge": i}))[1])

    r("POST", "/v1/refunds", lambda s, c, p: s.refund_create(c, p))
    r("GET", "/v1/refunds", lambda s, c, p: s.refund_list(c, p))
    r("GET", "/v1/refunds/{id}", lambda s, c, p, i: s.refund_get(i))
    r("POST", "/v1/refunds/{id}", lambda s, c, p, i: s.refund_update(c, p, i))

    r("POST", "/v1/products", lambda s, c, p: s.product_create(c, p))
    r("GET", "/v1/products", lambda s, c, p: s.list("product", "/v1/products", p))
    r("GET", "/v1/products/{id}", lambda s, c, p, i: s.get(i, "product", "product"))
    r("POST", "/v1/prices", lambda s, c, p: s.price_create(c, p))
    r("GET", "/v1/prices", lambda s, c, p: s.list("price", "/v1/prices", p))
    r("GET", "/v1/prices/{id}", lambda s, c, p, i: s.get(i, "price", "price"))

    r("GET", "/v1/events", lambda s, c, p: s.event_list(c, p))
    r("GET", "/v1/events/{id}", lambda s, c, p, i: s.event_get(i))

    r("POST", "/v1/webhook_endpoints", lambda s, c, p: s.webhook_create(c, p))
    r("GET", "/v1/webhook_endpoints", lambda s, c, p: s.list("webhook_endpoint", "/v1/webhook_endpoints", p))
    r("GET", "/v1/webhook_endpoints/{id}", lambda s, c, p, i: s.webhook_get(i))
    r("POST", "/v1/webhook_endpoints/{id}", lambda s, c, p, i: s.webhook_update(c, p, i))
    r("DELETE", "/v1/webhook_endpoints/{id}", lambda s, c, p, i: s.webhook_delete(c, p, i))
    return R


class Router:
    def __init__(self):
        self.static: dict[tuple[str, str], tuple] = {}
        self.dynamic: dict[str, list[tuple]] = {}
        for method, pattern, fn, pk in _routes():
            if "{" not in pattern:
                self.static[(method, pattern)] = (fn, pk)
            else:
                rx = re.compile("^" + pattern.replace("{id}", "([^/]+)") + "$")
                self.dynamic.setdefault(method, []).append((rx, fn, pk))

    def match(self, method: str, path: str):
        hit = self.static.get((method, path))
        if hit:
            return hit[0], hit[1], ()
        for rx, fn, pk in self.dynamic.get(method, ()):
            m = rx.match(path)
            if m:
                return fn, pk, m.groups()
        return None
