from __future__ import annotations

import logging

import reflex as rx

from .. import catalog, routes
from ..availability import MAX_QUANTITY
from ..catalog import ProductCard
from ..db import session

log = logging.getLogger(__name__)


def _snapshot() -> list[ProductCard]:
    """The catalog as the build sees it: it becomes the prerendered HTML, so products show before hydration."""
    try:
        with session() as s:
            return catalog.catalog_cards(s)
    except Exception as exc:  # no database yet (e.g. during `reflex db migrate`): render an empty grid
        log.info("catalog snapshot unavailable: %s", exc)
        return []


class CatalogState(rx.State):
    products: list[ProductCard] = _snapshot()

    @rx.event
    def refresh(self):
        with session() as s:
            fresh = catalog.catalog_cards(s)
        if fresh != self.products:  # assign only on change: no delta for an unchanged catalog
            self.products = fresh


class ProductState(rx.State):
    product: ProductCard = ProductCard()
    found: bool = True
    loaded: bool = False
    quantity: int = 1
    field_rev: int = 0  # bumped when a typed quantity is refused, so the field shows the kept one again
    adding: bool = False

    @rx.event
    def load(self):
        slug = self.slug  # route argument of /product/[slug]
        with session() as s:
            product = catalog.get_active_by_slug(s, slug)
            card = catalog.to_card(product) if product else None
        if card is None:
            self.found, self.product = False, ProductCard()
        else:
            if card.slug != self.product.slug:
                self.quantity = 1
            self.found, self.product = True, card
        self.loaded = True

    @rx.event
    def set_quantity(self, value: str | float):
        from ..carts import CartError, parse_quantity

        try:
            self.quantity = parse_quantity(value)
        except CartError as exc:
            self.field_rev += 1
            return rx.toast.error(str(exc))

    @rx.event
    async def add_to_cart(self):
        """Add the quantity held here (server side, so a just-typed quantity is already applied)."""
        from .cart_state import CartState

        if not self.found or not self.product.id:
            yield rx.toast.error("That product is no longer available.")
            return
        self.adding = True  # the button is disabled meanwhile
        yield
        (await self.get_state(CartState))._add(self.product.id, self.quantity)  # its toast comes with the cart
        self.adding = False

    @rx.event
    def buy_now(self):
        if not self.found or not self.product.slug:
            return rx.toast.error("That product is no longer available.")
        return rx.redirect(routes.express(self.product.slug, self.quantity))

    @rx.event
    def step(self, delta: int):
        if delta in (1, -1):
            self.quantity = max(1, min(MAX_QUANTITY, self.quantity + delta))
