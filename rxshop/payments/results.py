"""Stripe objects (dicts) → PaymentResult."""
from __future__ import annotations

from typing import Any

from .types import PaymentResult


def _id(value: Any) -> str:
    if isinstance(value, dict):
        return value.get("id") or ""
    return value or ""


def _order_id(metadata: Any, fallback: Any = None) -> int | None:
    raw = (metadata or {}).get("order_id") or fallback
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def _order_number(metadata: Any) -> str:
    value = (metadata or {}).get("order_number") or ""
    return value[:20] if isinstance(value, str) else ""


def from_checkout_session(s: dict) -> PaymentResult:
    pi = s.get("payment_intent")
    return PaymentResult(
        kind="checkout_session",
        provider_id=_id(pi),
        status=s.get("status") or "",
        paid=s.get("payment_status") == "paid",
        amount=int(s.get("amount_total") or 0),
        currency=s.get("currency") or "",
        order_id=_order_id(s.get("metadata"), s.get("client_reference_id")),
        order_number=_order_number(s.get("metadata")),
        email=((s.get("customer_details") or {}).get("email") or s.get("customer_email") or ""),
        checkout_session_id=s.get("id") or "",
        charge_id=_id(pi.get("latest_charge")) if isinstance(pi, dict) else "",
    )


def from_payment_intent(pi: dict) -> PaymentResult:
    err = pi.get("last_payment_error") or {}
    return PaymentResult(
        kind="payment_intent",
        provider_id=pi.get("id") or "",
        status=pi.get("status") or "",
        paid=pi.get("status") == "succeeded",
        amount=int(pi.get("amount") or 0),
        currency=pi.get("currency") or "",
        order_id=_order_id(pi.get("metadata")),
        order_number=_order_number(pi.get("metadata")),
        email=pi.get("receipt_email") or "",
        charge_id=_id(pi.get("latest_charge")),
        failure_message=err.get("message") or "",
    )


def from_charge(ch: dict) -> PaymentResult:
    pi = _id(ch.get("payment_intent"))
    return PaymentResult(
        kind="charge" if not pi else "payment_intent",
        provider_id=pi or ch.get("id") or "",
        status=ch.get("status") or "",
        paid=bool(ch.get("paid")) and ch.get("status") == "succeeded",
        amount=int(ch.get("amount") or 0),
        currency=ch.get("currency") or "",
        order_id=_order_id(ch.get("metadata")),
        order_number=_order_number(ch.get("metadata")),
        email=ch.get("receipt_email") or (ch.get("billing_details") or {}).get("email") or "",
        charge_id=ch.get("id") or "",
        amount_refunded=int(ch.get("amount_refunded") or 0),
        failure_message=ch.get("failure_message") or "",
    )
