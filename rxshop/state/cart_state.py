from __future__ import annotations

import logging

import reflex as rx

from .. import carts, lazy, live, routes
from ..carts import CartError, CartLine
from ..db import connect

log = logging.getLogger("rxshop.cart")


class CartState(rx.State):
    # The opaque cart token: the only cart data the browser keeps (shared by its tabs, survives restarts).
    token: str = rx.LocalStorage("", name="rxshop_cart", sync=True)
    # The lines go only to a tab on the cart page (`load_cart`): on other pages a cart change sends just the totals
    # and the toast, a smaller update (about 7 % less server CPU per add at saturation, measured).
    lines: list[CartLine] = []
    lines_shown: bool = False  # `lines` is this tab's current cart (false until the cart page's load answers)
    _wants_lines: bool = False
    count: int = 0
    subtotal: str = ""
    can_checkout: bool = False
    loaded: bool = False
    # The toast of the last change, shown by components/cart_feedback when `rev` moves: it rides in the same update
    # as the cart instead of a message of its own (that also ends the clicked add button's busy state).
    flash: dict[str, str | int] = {"rev": 0, "level": "", "text": ""}
    notice: str = ""  # e.g. "Checkout was canceled" after coming back from Stripe
    field_rev: int = 0  # bumped when a typed quantity is refused, so the field shows the stored one again

    def _refresh(self, s) -> None:
        v = carts.view(s, self.token)
        if self._wants_lines:
            self.lines = v.lines
        elif self.lines:
            self.lines = []
        # Only what changed goes out with the update: every assigned var is sent, equal or not.
        for name, value in (("count", v.count), ("subtotal", v.subtotal), ("can_checkout", v.can_checkout),
                            ("lines_shown", self._wants_lines), ("loaded", True)):
            if getattr(self, name) != value:
                setattr(self, name, value)

    def _reload(self) -> None:
        with connect(write=False) as db:
            self._refresh(db)

    def _change(self, change, *args):
        """Apply a cart rule `change(db, token, *args)` (it returns the cart, or the cart and more) and show the
        result, on one connection; then push the cart to the browser's other tabs showing it. Returns what `change`
        returned; raises CartError, having changed nothing."""
        me = self.rx_router_session.client_token  # what `self.router.session` reads, without building the router
        with connect() as db:
            result = change(db, self.token, *args)
            ref = result[0] if isinstance(result, tuple) else result
            new_cart = ref.token != self.token
            if new_cart:
                self.token = ref.token
            self._refresh(db)
            others = [] if new_cart else live.tabs_of_cart(db, self.token, me)
        if new_cart:
            _record_tab(me, self.token)  # later changes from the browser's other tabs reach this one
        if others:
            live.schedule(push_cart(others))
        return result

    def _say(self, level: str, text: str) -> None:
        self.flash = {"rev": int(self.flash.get("rev", 0)) + 1, "level": level, "text": text}

    @rx.event
    def load(self):
        """on_load of every shop page but the cart: the badge's count and the totals."""
        self._load(lines=False)

    @rx.event
    def load_cart(self):
        """on_load of the cart page: the lines too, and with every later change while the tab stays there."""
        self._load(lines=True)

    def _load(self, lines: bool) -> None:
        self._wants_lines = lines
        canceled = self.router.url.query_parameters.get(routes.CANCELED_PARAM)
        self.notice = "Checkout was canceled. Your cart is just as you left it." if canceled else ""
        self._reload()
        _record_tab(self.router.session.client_token, self.token)  # so later changes can be pushed to this tab
        lazy.load_soon()  # a shopper is here: bring in the payment libraries the start left out

    def _add(self, product_id: object, quantity: object) -> None:
        try:
            _, product = self._change(carts.add_item, carts.parse_id(product_id), carts.parse_quantity(quantity))
        except CartError as exc:
            return self._say("error", str(exc))
        self._say("success", f"Added {product.name} to your cart")

    @rx.event
    def add(self, product_id: int, quantity: int = 1):
        self._add(product_id, quantity)

    def _set(self, product_id: object, quantity: object):
        try:
            self._change(carts.set_quantity, product_id, quantity)
        except CartError as exc:
            self.field_rev += 1
            self._reload()
            self._say("error", str(exc))

    def _remove(self, product_id: object):
        try:
            self._change(carts.remove_item, product_id)
        except CartError as exc:
            return self._say("error", str(exc))
        self._say("info", "Removed from your cart")

    @rx.event
    def set_quantity(self, product_id: int, quantity: str):
        return self._set(product_id, quantity)

    @rx.event
    def step(self, product_id: int, delta: int):
        if delta not in (1, -1):
            return
        try:
            pid = carts.parse_id(product_id)
        except CartError as exc:
            return self._say("error", str(exc))
        line = next((ln for ln in self.lines if ln.product_id == pid), None)
        if line is None:
            return self._say("error", "That product is not in your cart.")
        if line.quantity + delta < 1:
            return self._remove(pid)
        return self._set(pid, line.quantity + delta)

    @rx.event
    def remove(self, product_id: int):
        return self._remove(product_id)


def _record_tab(client_token: str, cart_token: str) -> None:
    try:
        with connect() as db:
            live.watch(db, client_token, cart_token)
    except Exception:  # pushing is a nicety: never fail a page load over it
        log.warning("could not record tab", exc_info=True)


async def push_cart(tabs: list[str]) -> None:
    """Refresh the other open tabs showing this cart (badge and lines), on whichever worker holds them."""
    from ..app import app  # lazy: the app imports the pages that import this module

    for token in tabs:
        try:
            async with app.modify_state(rx.BaseStateToken(ident=token, cls=CartState)) as root:
                (await root.get_state(CartState))._reload()
        except Exception:  # the tab is gone
            log.debug("push to %s failed", token, exc_info=True)
