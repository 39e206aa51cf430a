"""Offline Stripe test-mode sandbox: wire-compatible API, hosted Checkout page, Stripe.js v3 stand-in, webhooks."""
__version__ = "1.0.0"
API_VERSION = "2026-10-28.endive"
