from .layout import page
from .product_card import product_card
from .ui import button_primary, button_secondary, link, quantity_stepper

__all__ = ["page", "product_card", "button_primary", "button_secondary", "link", "quantity_stepper"]
