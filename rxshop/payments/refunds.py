"""Refunds, started by an operator in the console. The order changes only when the `charge.refunded` webhook
arrives (Stripe is the source of truth), like every other payment state."""
from __future__ import annotations

import dataclasses
import logging

from .client import call
from .errors import stripe_errors
from .types import PaymentError

log = logging.getLogger("rxshop.payments")


@dataclasses.dataclass
class RefundInfo:
    id: str
    status: str  # succeeded | pending | failed | requires_action | canceled
    amount: int
    currency: str


async def create_refund(payment_id: str, amount: int, idempotency_key: str) -> RefundInfo:
    """Refund `amount` minor units of a PaymentIntent (pi_…) or Charge (ch_…). The key makes a retried click or a
    network retry refund once; Stripe itself refuses more than what is left to refund."""
    if not isinstance(amount, int) or amount <= 0:
        raise PaymentError("A refund is a positive amount.", "invalid_amount", retryable=False)
    target = "payment_intent" if payment_id.startswith("pi_") else "charge"
    try:
        async with stripe_errors("create refund"):
            import stripe  # made ready by stripe_errors

            try:
                refund = await call("post", "/v1/refunds", **{target: payment_id}, amount=amount,
                                    reason="requested_by_customer", idempotency_key=idempotency_key)
            except stripe.InvalidRequestError as exc:  # e.g. more than the charge has left: Stripe's own words
                raise PaymentError(exc.user_message or (exc.error.message if exc.error else str(exc)),
                                   exc.code or "invalid_request", retryable=False) from exc
    except PaymentError as exc:
        log.warning("refund of %s (%s) refused: %s", payment_id, amount, exc.message)
        raise
    return RefundInfo(refund["id"], refund.get("status") or "", refund["amount"], refund["currency"])
