"""SQLModel tables. Importing this package registers every table for Alembic (`reflex db makemigrations`)."""
from .cart_tables import Cart, CartItem
from .catalog_tables import Product
from .catalog_version_table import CatalogVersion
from .delivery_tables import DownloadGrant, ProductFile
from .live_tables import LiveTab
from .operator_tables import AuditEntry, Operator, OperatorSession
from .order_tables import Order, OrderLine, Payment, PaymentStatusChange, WebhookEvent
from .outbox_tables import OutboxEmail
from .statuses import Flow, OrderStatus, PaymentKind, PaymentStatus

__all__ = [
    "AuditEntry", "Cart", "CartItem", "CatalogVersion", "DownloadGrant", "Flow", "LiveTab", "Operator",
    "OperatorSession", "Order", "OrderLine", "OrderStatus", "OutboxEmail", "Payment", "PaymentKind", "PaymentStatus",
    "PaymentStatusChange", "Product", "ProductFile", "WebhookEvent",
]
