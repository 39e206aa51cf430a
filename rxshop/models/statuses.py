"""The named states of orders and payments. Stored as their plain string values (no data migration needed)."""
from __future__ import annotations

from enum import StrEnum


class OrderStatus(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    CANCELED = "canceled"

    @property
    def was_paid(self) -> bool:
        """Paid, or paid and then refunded in part or in full: the buyer sees the payment and the downloads."""
        return self in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED)


class PaymentStatus(StrEnum):
    """Our record of one Stripe payment (a PaymentIntent or a Charge); its history is in PaymentStatusChange."""

    CREATED = "created"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"


class Flow(StrEnum):
    """How the shopper paid."""

    CHECKOUT = "checkout"  # Stripe's hosted Checkout page (redirect)
    EXPRESS = "express"  # card on our page, PaymentIntents
    CHARGES = "charges"  # card on our page, legacy Charges API


class PaymentKind(StrEnum):
    PAYMENT_INTENT = "payment_intent"
    CHARGE = "charge"
