"""SQLModel tables. Importing this package registers every table for Alembic (`reflex db makemigrations`)."""
from .cart import Cart, CartItem
from .catalog import Product
from .orders import Order, OrderLine, Payment, PaymentStatusChange, WebhookEvent

__all__ = ["Cart", "CartItem", "Order", "OrderLine", "Payment", "PaymentStatusChange", "Product", "WebhookEvent"]
