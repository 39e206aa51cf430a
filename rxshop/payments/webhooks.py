"""Stripe webhooks: verify the signature, then reduce the event to a WebhookNotice."""
from __future__ import annotations

import json

from ..settings import get_settings
from .results import from_charge, from_checkout_session, from_payment_intent
from .types import WebhookNotice


class InvalidWebhook(ValueError):
    pass


def parse_webhook(payload: bytes, signature: str | None, secret: str | None = None) -> WebhookNotice:
    secret = secret if secret is not None else get_settings().stripe_webhook_secret
    if not secret:
        raise InvalidWebhook("STRIPE_WEBHOOK_SECRET is not set")
    import stripe  # the caller on the event loop awaits lazy.ready() first

    if not signature:
        raise InvalidWebhook("missing Stripe-Signature header")
    try:
        stripe.WebhookSignature.verify_header(payload.decode("utf-8"), signature, secret,
                                              stripe.Webhook.DEFAULT_TOLERANCE)
        event = json.loads(payload)
    except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError) as exc:
        raise InvalidWebhook(str(exc)) from exc
    if not isinstance(event, dict) or not isinstance(event.get("id"), str) or not event.get("type"):
        raise InvalidWebhook("not an event")
    obj = (event.get("data") or {}).get("object") or {}
    kind = obj.get("object")
    result = None
    if kind == "checkout.session":
        result = from_checkout_session(obj)
    elif kind == "payment_intent":
        result = from_payment_intent(obj)
    elif kind == "charge":
        result = from_charge(obj)
    return WebhookNotice(event_id=event["id"], type=event["type"], result=result)
