"""Reflex state classes: thin adapters between pages and the plain-Python services.
Every public method here can be called from the browser with any arguments: validate, then look things up."""
from .cart import CartState
from .catalog import CatalogState, ProductState
from .checkout import CheckoutState, ExpressState
from .order import OrderState

__all__ = ["CartState", "CatalogState", "CheckoutState", "ExpressState", "OrderState", "ProductState"]
