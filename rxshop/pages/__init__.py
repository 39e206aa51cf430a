"""One module per page. Importing a module registers its @rx.page route."""
from . import cart, catalog, express, not_found, order, product

__all__ = ["cart", "catalog", "express", "not_found", "order", "product"]
