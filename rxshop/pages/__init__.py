"""One module per page. Importing a module registers its @rx.page route."""
from . import cart, console, express, index, not_found, order, product

__all__ = ["cart", "console", "index", "express", "not_found", "order", "product"]
