"""One module per page. Importing a module registers its @rx.page route."""
from . import cart, catalog, not_found, product

__all__ = ["cart", "catalog", "not_found", "product"]
