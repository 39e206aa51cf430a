from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from .. import lazy
from .client import NotConfigured
from .types import PaymentError

log = logging.getLogger("rxshop.payments")

UNAVAILABLE = "We couldn't reach the payment service. Nothing was charged; please try again in a moment."
# After a charge was asked for or a card confirmed, a timeout says nothing about the money: never "nothing charged".
UNKNOWN = ("We couldn't reach the payment service, so we can't tell yet whether you were charged. Please don't pay "
           "again: if the payment went through you'll get a confirmation email; otherwise try again in a few minutes.")
MAY_HAVE_CHARGED = {"create charge", "retrieve payment intent", "retrieve checkout session"}


@asynccontextmanager
async def stripe_errors(action: str):
    """Turn SDK exceptions into PaymentError with a message fit for the shopper. Every Stripe call runs inside it,
    so it is also where the SDK is made ready off the event loop (rxshop/lazy.py)."""
    await lazy.ready()
    import stripe

    try:
        yield
    except stripe.CardError as exc:
        raise PaymentError(exc.user_message or "Your card was declined.", exc.code or "",
                           getattr(exc.error, "decline_code", "") or "", declined=True) from exc
    except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
        log.warning("stripe %s: %s", action, exc)
        raise PaymentError(UNKNOWN if action in MAY_HAVE_CHARGED else UNAVAILABLE, "unavailable") from exc
    except stripe.StripeError as exc:
        log.error("stripe %s failed: %s", action, exc)
        raise PaymentError("The payment could not be started. Please try again.", exc.code or "error") from exc
    except NotConfigured as exc:
        log.error("stripe %s: %s", action, exc)
        raise PaymentError("Payments are not configured on this shop.", "not_configured", retryable=False) from exc
