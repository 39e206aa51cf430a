from __future__ import annotations

import asyncio
import logging

import reflex as rx

from .. import carts, live, routes
from ..carts import CartError, CartLine
from ..db import session

log = logging.getLogger("rxshop.cart")


class CartState(rx.State):
    # The opaque cart token: the only cart data the browser keeps (shared by its tabs, survives restarts).
    token: str = rx.LocalStorage("", name="rxshop_cart", sync=True)
    lines: list[CartLine] = []
    count: int = 0
    subtotal: str = ""
    can_checkout: bool = False
    loaded: bool = False
    busy_id: int = 0  # product whose add/change is running: its buttons are disabled meanwhile
    notice: str = ""  # e.g. "Checkout was canceled" after coming back from Stripe
    field_rev: int = 0  # bumped when a typed quantity is refused, so the field shows the stored one again

    def _refresh(self, s) -> None:
        v = carts.view(s, self.token)
        self.lines, self.count, self.subtotal, self.can_checkout = v.lines, v.count, v.subtotal, v.can_checkout
        self.loaded = True

    def _reload(self) -> None:
        with session() as s:
            self._refresh(s)

    def _changed(self) -> None:
        """This tab changed the cart: push it to the browser's other tabs showing the same cart."""
        me = self.router.session.client_token
        _record_tab(me, self.token)
        live.schedule(push_cart(self.token, me))

    @rx.event
    def load(self):
        canceled = self.router.url.query_parameters.get(routes.CANCELED_PARAM)
        self.notice = "Checkout was canceled. Your cart is just as you left it." if canceled else ""
        self._reload()
        _record_tab(self.router.session.client_token, self.token)  # so later changes can be pushed to this tab

    def _add(self, product_id: object, quantity: object):
        """Add to the cart; returns the toast to show."""
        try:
            with session() as s:
                cart, product = carts.add_item(s, self.token, product_id, quantity)
                if cart.token != self.token:
                    self.token = cart.token
                self._refresh(s)
                name = product.name
        except CartError as exc:
            return rx.toast.error(str(exc))
        self._changed()
        return rx.toast.success(f"Added {name} to your cart", duration=2000)

    @rx.event
    def add(self, product_id: int, quantity: int = 1):
        try:
            pid, qty = carts.parse_id(product_id), carts.parse_quantity(quantity)
        except CartError as exc:
            yield rx.toast.error(str(exc))
            return
        self.busy_id = pid
        yield
        toast = self._add(pid, qty)
        self.busy_id = 0
        yield toast

    def _set(self, product_id: object, quantity: object):
        try:
            with session() as s:
                carts.set_quantity(s, self.token, product_id, quantity)
                self._refresh(s)
        except CartError as exc:
            self.field_rev += 1
            self._reload()
            return rx.toast.error(str(exc))
        self._changed()

    def _remove(self, product_id: object):
        try:
            with session() as s:
                carts.remove_item(s, self.token, product_id)
                self._refresh(s)
        except CartError as exc:
            return rx.toast.error(str(exc))
        self._changed()
        return rx.toast.info("Removed from your cart", duration=2000)

    @rx.event
    def set_quantity(self, product_id: int, quantity: str):
        return self._set(product_id, quantity)

    @rx.event
    def step(self, product_id: int, delta: int):
        if delta not in (1, -1):
            return None
        try:
            pid = carts.parse_id(product_id)
        except CartError as exc:
            return rx.toast.error(str(exc))
        line = next((ln for ln in self.lines if ln.product_id == pid), None)
        if line is None:
            return rx.toast.error("That product is not in your cart.")
        if line.quantity + delta < 1:
            return self._remove(pid)
        return self._set(pid, line.quantity + delta)

    @rx.event
    def remove(self, product_id: int):
        return self._remove(product_id)


def _record_tab(client_token: str, cart_token: str) -> None:
    try:
        with session() as db:
            live.watch(db, client_token, cart_token)
    except Exception:  # pushing is a nicety: never fail a page load over it
        log.warning("could not record tab", exc_info=True)


def _cart_tabs(cart_token: str, but: str) -> list[str]:
    with session() as db:
        return live.tabs_of_cart(db, cart_token, but)


async def push_cart(cart_token: str, but: str) -> None:
    """Refresh the other open tabs showing this cart (badge and lines), on whichever worker holds them."""
    from ..app import app  # lazy: the app imports the pages that import this module

    for token in await asyncio.to_thread(_cart_tabs, cart_token, but):
        try:
            async with app.modify_state(rx.BaseStateToken(ident=token, cls=CartState)) as root:
                (await root.get_state(CartState))._reload()
        except Exception:  # the tab is gone
            log.debug("push to %s failed", token, exc_info=True)
