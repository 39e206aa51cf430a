"""Plain dataclasses between the payments package and the rest of the shop (no SDK objects leak out)."""
from __future__ import annotations

import dataclasses


class PaymentError(Exception):
    """A payment problem to show the shopper (Stripe's own message for card errors)."""

    def __init__(self, message: str, code: str = "", decline_code: str = "", retryable: bool = True,
                 declined: bool = False):
        super().__init__(message)
        self.message, self.code, self.decline_code, self.retryable = message, code, decline_code, retryable
        self.declined = declined  # Stripe refused the card: nothing was charged, for certain


class AlreadyPaidError(PaymentError):
    """The PaymentIntent succeeded or is processing: never make another one for the order."""

    def __init__(self, result: "PaymentResult"):
        super().__init__("This order is already paid.", "already_paid", retryable=False)
        self.result = result


@dataclasses.dataclass
class OrderLineRef:
    name: str
    unit_amount: int
    quantity: int
    image_url: str = ""


@dataclasses.dataclass
class OrderRef:
    """What Stripe needs to know about an order."""

    id: int
    number: str
    currency: str
    total: int
    email: str = ""
    lines: list[OrderLineRef] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class CheckoutRedirect:
    session_id: str
    url: str


@dataclasses.dataclass
class IntentInfo:
    id: str
    client_secret: str
    status: str
    amount: int
    currency: str
    customer_id: str = ""


@dataclasses.dataclass
class PaymentResult:
    """A payment as Stripe reports it (retrieved server-side, never taken from the browser)."""

    kind: str  # payment_intent | charge | checkout_session
    provider_id: str  # pi_… or ch_… (the payment itself)
    status: str  # Stripe's status of that object
    paid: bool
    amount: int
    currency: str
    order_id: int | None = None
    order_number: str = ""  # metadata.order_number: must match the order's (with its stored Stripe ids)
    email: str = ""
    checkout_session_id: str = ""
    charge_id: str = ""
    amount_refunded: int = 0
    failure_message: str = ""


@dataclasses.dataclass
class WebhookNotice:
    """A verified webhook event, reduced to what the shop acts on."""

    event_id: str
    type: str
    result: PaymentResult | None = None
