"""SQLModel tables. Importing this package registers every table for Alembic (`reflex db makemigrations`)."""
from .cart_tables import Cart, CartItem
from .catalog_tables import Product
from .order_tables import Order, OrderLine, Payment, PaymentStatusChange, WebhookEvent

__all__ = ["Cart", "CartItem", "Order", "OrderLine", "Payment", "PaymentStatusChange", "Product", "WebhookEvent"]
