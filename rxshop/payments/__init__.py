"""Everything Stripe-shaped. This package alone imports `stripe`; the rest of the shop sees the plain dataclasses
in `types.py` and the functions below."""
from .card import cancel_payment_intent, create_charge, ensure_payment_intent, retrieve_payment_intent
from .checkout import create_checkout_session, expire_checkout_session, retrieve_checkout_session
from .refunds import RefundInfo, create_refund
from .types import (
    AlreadyPaidError,
    CheckoutRedirect,
    IntentInfo,
    OrderRef,
    PaymentError,
    PaymentResult,
    WebhookNotice,
)
from .webhooks import InvalidWebhook, parse_webhook

__all__ = [
    "AlreadyPaidError", "CheckoutRedirect", "IntentInfo", "InvalidWebhook", "OrderRef", "PaymentError",
    "PaymentResult", "RefundInfo", "WebhookNotice", "cancel_payment_intent", "create_charge",
    "create_checkout_session", "create_refund", "ensure_payment_intent", "expire_checkout_session", "parse_webhook",
    "retrieve_checkout_session", "retrieve_payment_intent",
]
