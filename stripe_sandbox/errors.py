"""Stripe-shaped errors."""
from __future__ import annotations

DOC = "https://docs.stripe.com/error-codes/"


class StripeError(Exception):
    """An API error. `cache` is False for errors raised before the endpoint starts executing (parameter
    validation): Stripe saves no idempotent result for those."""

    def __init__(self, status: int, type_: str, message: str, code: str | None = None, param: str | None = None,
                 cache: bool = True, headers: dict | None = None, **extra):
        super().__init__(message)
        self.status = status
        err: dict = {}
        if code:
            err["code"] = code
            err["doc_url"] = DOC + code.replace("_", "-")
        err["message"] = message
        if param:
            err["param"] = param
        err["type"] = type_
        err.update(extra)
        self.error = err
        self.cache = cache
        self.headers = headers or {}

    def body(self) -> dict:
        return {"error": self.error}


def invalid(message: str, param: str | None = None, code: str | None = None, cache: bool = True,
            status: int = 400, **extra) -> StripeError:
    return StripeError(status, "invalid_request_error", message, code=code, param=param, cache=cache, **extra)


def missing(param: str) -> StripeError:
    return invalid(f"Missing required param: {param}.", param=param, code="parameter_missing", cache=False)


def bad_param(message: str, param: str, code: str = "parameter_invalid_string") -> StripeError:
    return invalid(message, param=param, code=code, cache=False)


def no_such(kind: str, oid: str, param: str = "id") -> StripeError:
    """404 for the object the URL names; 400 for an object a parameter names (missing or of another kind)."""
    return invalid(f"No such {kind}: '{oid}'", param=param, code="resource_missing",
                   status=404 if param == "id" else 400)


def unexpected_state(message: str, **extra) -> StripeError:
    return invalid(message, code="payment_intent_unexpected_state", **extra)
