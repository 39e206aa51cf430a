from __future__ import annotations

from datetime import datetime

from sqlmodel import AutoString, Field, SQLModel

from .base import utcnow
from .statuses import Flow, OrderStatus, PaymentKind, PaymentStatus


class Order(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(index=True, unique=True, max_length=20)  # human-friendly, e.g. RX-7K3Q9P
    access_token: str = Field(max_length=64)  # unguessable; required to view the order
    status: OrderStatus = Field(default=OrderStatus.PENDING, index=True, sa_type=AutoString(24))
    flow: Flow = Field(sa_type=AutoString(16))
    email: str = Field(default="", max_length=254)
    currency: str = Field(max_length=3)
    total_cents: int
    refunded_cents: int = 0
    cart_id: int | None = Field(default=None, index=True)  # emptied when the order is paid
    watch_token: str = Field(default="", max_length=80)  # Reflex client token of the tab showing it (server push)
    note: str = ""  # e.g. stock problems found at fulfilment, for the operator
    stripe_checkout_session_id: str | None = Field(default=None, index=True, max_length=255)
    stripe_payment_intent_id: str | None = Field(default=None, index=True, max_length=255)
    stripe_charge_id: str | None = Field(default=None, index=True, max_length=255)
    stripe_customer_id: str | None = Field(default=None, max_length=255)
    paid_at: datetime | None = None
    opener: str = Field(default="", max_length=80)  # client token of the tab that made a "Buy now" order
    expires_at: datetime | None = Field(default=None, index=True)  # still unpaid then: canceled (rxshop/expiry.py)
    failed_attempts: int = 0  # declined card payments; at RXSHOP_MAX_FAILED_PAYMENTS the order takes no more
    charging_until: datetime | None = None  # a charge attempt is running until then (one at a time)
    stock_reserved: bool = False  # its limited stock is held for it (given back when it is canceled)
    email_sent_at: datetime | None = None  # the receipt went out (see OutboxEmail)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class OrderLine(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="order.id", index=True, ondelete="CASCADE")
    product_id: int | None = Field(default=None, foreign_key="product.id", ondelete="SET NULL")
    name: str
    unit_price_cents: int
    quantity: int
    delivery_url: str = ""


class Payment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="order.id", index=True, ondelete="CASCADE")
    provider: str = Field(default="stripe", max_length=16)
    kind: PaymentKind = Field(sa_type=AutoString(24))
    provider_id: str = Field(index=True, unique=True, max_length=255)
    amount_cents: int
    currency: str = Field(max_length=3)
    status: PaymentStatus = Field(sa_type=AutoString(32))
    refunded_cents: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class PaymentStatusChange(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    payment_id: int = Field(foreign_key="payment.id", index=True, ondelete="CASCADE")
    status: PaymentStatus = Field(sa_type=AutoString(32))
    detail: str = ""
    source: str = Field(default="", max_length=64)  # e.g. webhook evt_… / confirmation page / express
    created_at: datetime = Field(default_factory=utcnow)


class WebhookEvent(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=255)  # Stripe's evt_… id: each event is processed once
    type: str = Field(max_length=100)
    order_id: int | None = Field(default=None, index=True)  # the shop order it concerns, when known
    received_at: datetime = Field(default_factory=utcnow)
    processed_at: datetime | None = None
    attempts: int = 0
    error: str = ""
