"""How a PaymentIntent's payment ends after confirmation: the 3-D Secure challenge is answered, or a `processing`
payment (test-only `processing_seconds`) settles."""
from __future__ import annotations

import time

from .. import cards
from ..common import Ctx
from ..errors import bad_param, unexpected_state

AUTH_FAILED_MESSAGE = ("The provided PaymentMethod has failed authentication. You can provide payment_method_data "
                       "or a new PaymentMethod to attempt to fulfill this PaymentIntent again.")


class PaymentOutcomes:
    def settle_pi(self, pid: str) -> dict | None:
        """Settle a `processing` payment (test-only `processing_seconds`): the charge and the PaymentIntent
        succeed, then a hosted Checkout session becomes paid. No-op if nothing is pending for `pid`."""
        if self.pending_settles.pop(pid, None) is None:
            return None
        pi = self.objects.get(pid)
        if pi is None or pi.get("object") != "payment_intent" or pi["status"] != "processing":
            return None
        ch = self.objects.get(pi["latest_charge"] or "")
        if ch is not None and ch["status"] == "pending":
            ch.update(status="succeeded", paid=True)
            self.emit("charge.succeeded", ch)
            self.add_balance_transaction(ch)
        pi["status"] = "succeeded"
        pi["amount_received"] = pi["amount"]
        self.emit("payment_intent.succeeded", pi)
        cs = self.objects.get(self.pi_session.get(pid, ""))
        if cs is not None and cs["status"] == "complete" and cs["payment_status"] == "unpaid":
            cs["payment_status"] = "paid"
            self.emit("checkout.session.async_payment_succeeded", cs)
        self.changed()
        return pi

    def settle_due(self) -> None:
        """Settle every pending payment whose time has come (backstop for the per-payment timers)."""
        if not self.pending_settles:
            return
        now = time.time()
        for pid, at in list(self.pending_settles.items()):
            if at <= now:
                self.settle_pi(pid)

    def resolve_3ds(self, ctx: Ctx, pid: str, outcome: str) -> dict:
        pi = self.get(pid, "payment_intent", "payment_intent")
        pm_id = self.pending_3ds.get(pid)
        if pi["status"] != "requires_action" or not pm_id:
            raise unexpected_state(f"This PaymentIntent has no pending 3-D Secure authentication (status "
                                   f"{pi['status']}).")
        del self.pending_3ds[pid]
        pm = self.objects[pm_id]
        if outcome == "complete":
            b = cards.behaviour(self.card_numbers[pm_id])
            return self._charge_pi(ctx, pi, pm, b.decline_after_3ds or b.decline, raise_on_decline=False,
                                   three_ds=True)
        if outcome != "fail":
            raise bad_param("outcome must be complete or fail", "outcome")
        pi["status"] = "requires_payment_method"
        pi["next_action"] = None
        pi["payment_method"] = None
        pi["last_payment_error"] = {
            "code": "payment_intent_authentication_failure",
            "doc_url": "https://docs.stripe.com/error-codes/payment-intent-authentication-failure",
            "message": AUTH_FAILED_MESSAGE, "payment_method": dict(pm), "type": "invalid_request_error"}
        self.emit("payment_intent.payment_failed", pi, ctx)
        return pi
