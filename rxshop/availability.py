"""Whether a quantity of a product can be sold, and why not: the one rule the cart, the catalog, the express page
and order creation all ask. Plain Python: no Reflex, no Stripe."""
from __future__ import annotations

import dataclasses

from .models import Product
from .settings import get_settings

MAX_QUANTITY = 99  # the most of one product in one cart or order
LOW_STOCK = 5  # at or below this many left, pages say "Only N left"


@dataclasses.dataclass(frozen=True)
class Availability:
    ok: bool
    problem: str = ""  # short, for a cart line or a product card: "Sold out", "Only 3 left"
    message: str = ""  # a sentence for the shopper: "Only 3 of Mug left in stock."


SELLABLE = Availability(True)


def shop_currency() -> str:
    return get_settings().rxshop_currency


def check(product: Product | None, quantity: int = 1, currency: str | None = None) -> Availability:
    """Can `quantity` of `product` be sold in `currency` (default: the shop's) right now?"""
    currency = currency or shop_currency()
    if product is None or not product.active:
        return Availability(False, "No longer available", "That product is no longer available.")
    if product.currency != currency:
        return Availability(False, "Not sold in this currency",
                            f"{product.name} can't be bought in this shop's currency.")
    if product.stock is not None and product.stock <= 0:
        return Availability(False, "Sold out", f"{product.name} is sold out.")
    if quantity > MAX_QUANTITY:
        return Availability(False, f"At most {MAX_QUANTITY}", f"You can buy at most {MAX_QUANTITY} of {product.name}.")
    if quantity < 1:
        return Availability(False, f"1 to {MAX_QUANTITY}", quantity_message())
    if product.stock is not None and quantity > product.stock:
        return Availability(False, f"Only {product.stock} left", f"Only {product.stock} of {product.name} left in stock.")
    return SELLABLE


def quantity_message() -> str:
    return f"Quantity must be a whole number from 1 to {MAX_QUANTITY}."


def stock_note(product: Product, currency: str | None = None) -> str:
    """What a product card says about stock: why it can't be sold, or that few are left."""
    available = check(product, 1, currency)
    if not available.ok:
        return available.problem
    if product.stock is not None and product.stock <= LOW_STOCK:
        return f"Only {product.stock} left"
    return ""
