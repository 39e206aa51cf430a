"""Card payments on the shop's own page: PaymentIntents (confirmed by Stripe.js) or legacy Charges."""
from __future__ import annotations

import hashlib

from .client import call
from .errors import stripe_errors
from .results import from_charge, from_payment_intent
from .types import AlreadyPaidError, IntentInfo, OrderRef, PaymentResult


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _metadata(order: OrderRef) -> dict:
    return {"order_id": str(order.id), "order_number": order.number}


async def ensure_payment_intent(order: OrderRef, existing_id: str = "", customer_id: str = "") -> IntentInfo:
    """The order's PaymentIntent: reused while it can still be paid (a declined card may retry), else a new one."""
    if existing_id:
        async with stripe_errors("retrieve payment intent"):
            pi = await call("get", "/v1/payment_intents/{}", existing_id)
        if pi["status"] in ("succeeded", "processing"):  # paid (or being paid): never a second PaymentIntent
            raise AlreadyPaidError(from_payment_intent(pi))
        if pi["status"] in ("requires_payment_method", "requires_confirmation", "requires_action") \
                and pi["amount"] == order.total and (pi.get("receipt_email") or "") == order.email:
            return _intent(pi, customer_id)
        if pi["status"] != "canceled":  # replaced (the email changed): the old one must not be paid any more
            old = await cancel_payment_intent(existing_id)
            if old.status in ("succeeded", "processing"):
                raise AlreadyPaidError(old)
    if not customer_id:
        async with stripe_errors("create customer"):
            customer = await call("post", "/v1/customers", email=order.email, metadata=_metadata(order),
                                  idempotency_key=f"order-{order.number}-customer-{_digest(order.email)}")
        customer_id = customer["id"]
    attempt = existing_id or "first"
    async with stripe_errors("create payment intent"):
        pi = await call("post", "/v1/payment_intents", amount=order.total, currency=order.currency,
                        customer=customer_id, receipt_email=order.email, description=f"Order {order.number}",
                        metadata=_metadata(order), payment_method_types=["card"],
                        idempotency_key=f"order-{order.number}-payment-intent-after-{attempt}")
    return _intent(pi, customer_id)


def _intent(pi: dict, customer_id: str) -> IntentInfo:
    return IntentInfo(pi["id"], pi["client_secret"], pi["status"], pi["amount"], pi["currency"], customer_id)


async def retrieve_payment_intent(payment_intent_id: str) -> PaymentResult:
    async with stripe_errors("retrieve payment intent"):
        pi = await call("get", "/v1/payment_intents/{}", payment_intent_id)
    return from_payment_intent(pi)


async def cancel_payment_intent(payment_intent_id: str) -> PaymentResult:
    """Cancel an unpaid PaymentIntent; one that succeeded or is processing is returned as it is (not canceled)."""
    async with stripe_errors("retrieve payment intent"):
        pi = await call("get", "/v1/payment_intents/{}", payment_intent_id)
    if pi.get("status") in ("succeeded", "processing", "canceled"):
        return from_payment_intent(pi)
    async with stripe_errors("cancel payment intent"):
        pi = await call("post", "/v1/payment_intents/{}/cancel", payment_intent_id, cancellation_reason="abandoned",
                        idempotency_key=f"cancel-{payment_intent_id}")
    return from_payment_intent(pi)


async def create_charge(order: OrderRef, token: str, attempt: int) -> PaymentResult:
    """A Charge for the order with a Stripe.js card token. Declines raise PaymentError with Stripe's message.
    The idempotency key is per order and attempt (not per token): a second token for the same attempt can't make
    a second charge; a new attempt number is only given after a known decline (rxshop/payment_attempts.py)."""
    async with stripe_errors("create charge"):
        charge = await call("post", "/v1/charges", amount=order.total, currency=order.currency, source=token,
                            receipt_email=order.email, description=f"Order {order.number}",
                            metadata=_metadata(order), idempotency_key=f"order-{order.number}-charge-{attempt}")
    return from_charge(charge)
