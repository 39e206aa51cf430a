"""Reflex state classes: thin adapters between pages and the plain-Python services.
Every public method here can be called from the browser with any arguments: validate, then look things up."""
from .cart_state import CartState
from .catalog_state import CatalogState, ProductState
from .checkout_state import CheckoutState, ExpressState
from .order_state import OrderState

__all__ = ["CartState", "CatalogState", "CheckoutState", "ExpressState", "OrderState", "ProductState"]
