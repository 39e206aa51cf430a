"""Paying: Stripe Checkout (redirect) from the cart, and the express card page (PaymentIntents or Charges).
Stripe calls run in background events (async SDK); prices and totals come only from the database."""
from __future__ import annotations

import json
import logging

import reflex as rx

from .. import carts, orders, payment_attempts, payments, ratelimit, routes
from ..carts import CartLine
from ..db import connect, one_writer, run_job, session
from ..fulfilment import fulfil
from ..orders import OrderError
from ..payments import PaymentError
from ..models import Flow, Order
from ..settings import CardApi, get_settings
from .cart_state import CartState

log = logging.getLogger("rxshop.checkout")
UNEXPECTED = "Something went wrong on our side. Please try again in a moment."


def _message(exc: Exception) -> str:
    """What the shopper reads about a failure; an unexpected one is logged and told in general terms."""
    if isinstance(exc, (OrderError, PaymentError)):
        return getattr(exc, "message", str(exc))
    log.exception("unexpected error while paying", exc_info=exc)
    return UNEXPECTED


# Database jobs of the payment handlers: each takes the process's one writing turn (db.one_writer) and runs where
# db.run_job says (on SQLite on the event loop itself, elsewhere in a worker thread).
def _checkout_order(cart_token: str, currency: str, may_create):
    """The cart's open Checkout order (reused with its session), or a new one; never one already paid."""
    with one_writer(), session() as db:
        order = payment_attempts.open_or_create_from_cart(db, cart_token, Flow.CHECKOUT, currency, "", may_create)
        return order, orders.order_ref(db, order, with_images=True)


def _express_order(source: str, slug: str, quantity: int, flow: Flow, cart_token: str, opener: str, email: str,
                   may_create):
    """This cart's (or this tab's "Buy now") open order for the flow, reused on reload; else a new one."""
    currency = get_settings().rxshop_currency
    with one_writer(), session() as db:
        if source == "product":
            order = payment_attempts.open_or_create_for_product(db, opener, slug, quantity, flow, currency, email,
                                                                may_create)
        else:
            order = payment_attempts.open_or_create_from_cart(db, cart_token, flow, currency, email, may_create)
        return order, orders.order_ref(db, order)


def _attach(order: Order, **stripe_ids: str) -> None:
    with one_writer(), connect() as conn:  # one UPDATE: no ORM session needed (on the loop, its kept connection)
        orders.attach(conn, order, **stripe_ids)


def _begin_charge(order_id: int):
    """Charges API: take the order's one charge slot; the attempt number (for the idempotency key) and the order."""
    with one_writer(), session() as db:
        order = db.get(Order, order_id) if order_id else None
        if order is None or order.flow != Flow.CHARGES:  # no order started on this page for this flow
            raise OrderError("Please press Pay again.")
        attempt = payment_attempts.begin_charge(db, order.id)
        return attempt, orders.order_ref(db, order)


def _end_charge(order_id: int, failed: bool, charge_id: str = "") -> None:
    """Give the charge slot back; a decline uses up an attempt, a success keeps the charge's id."""
    with one_writer(), session() as db:
        if charge_id:
            orders.attach(db, db.get(Order, order_id), stripe_charge_id=charge_id)
        payment_attempts.end_charge(db, order_id, failed=failed)


def _count_failure(order_id: int) -> None:
    with one_writer(), session() as db:
        payment_attempts.count_failure(db, order_id)


def _order_budget(state: rx.State):
    """A check that counts one new order against this tab's and this IP's limits (call inside `async with`)."""
    session = state.rx_router_session  # what `state.router.session` reads, without building the router twice
    token, ip = session.client_token, session.client_ip
    return lambda: ratelimit.allow_new_order(token, ip)


class CheckoutState(rx.State):
    """Checkout answers with one message: the redirect, or the failure as the cart's flash. The button is made busy
    in the browser at the click (components/cart_feedback.py); `_busy` is the server's own guard."""

    _busy: bool = False

    @rx.event(background=True)
    async def start(self):
        """Cart → pending order → Checkout Session for exactly its lines → redirect to Stripe's hosted page."""
        async with self:
            if self._busy:
                return
            self._busy = True
            cart_token = (await self.get_state(CartState)).token
            may_create = _order_budget(self)
        s = get_settings()
        try:
            order, ref = await run_job(_checkout_order, cart_token, s.rxshop_currency, may_create)
            redirect = await payments.create_checkout_session(
                ref,
                success_url=routes.checkout_success(order.number, order.access_token),
                cancel_url=routes.checkout_cancel(order.number),
                expires_at=order.expires_at,
            )
            await run_job(_attach, order, stripe_checkout_session_id=redirect.session_id)
        except payment_attempts.AlreadyPaid as exc:
            async with self:
                self._busy = False
            yield rx.redirect(routes.order(exc.order.number, exc.order.access_token))
            return
        except Exception as exc:  # noqa: BLE001  (busy never stays stuck)
            async with self:
                self._busy = False
                (await self.get_state(CartState))._say("error", _message(exc))  # the toast; frees the button
            return
        async with self:
            self._busy = False
        yield rx.redirect(redirect.url)


class ExpressState(rx.State):
    """The express page: order summary, email, card (Stripe.js element) and Pay."""

    source: str = "cart"  # cart | product
    lines: list[CartLine] = []
    total: str = ""
    email: str = ""
    error: str = ""
    busy: bool = False
    ready: bool = False  # the summary is loaded and can be paid
    card_api: str = CardApi.PAYMENT_INTENTS
    _product_slug: str = ""
    _quantity: int = 1
    _order_id: int = 0
    _cart_token: str = ""

    def _summary(self) -> None:
        self.lines, self.total, self.ready = [], "", False
        with session() as db:
            if self.source == "product":
                view, problem = carts.buy_now(db, self._product_slug, self._quantity)
                self.error = self.error or problem
            else:
                view = carts.view(db, self._cart_token)
                if not view.lines:
                    self.error = "Your cart is empty."
                elif not view.can_checkout:
                    self.error = "Some items in your cart can't be bought right now. Please review your cart."
        self.lines, self.total, self.ready = view.lines, view.subtotal if view.lines else "", view.can_checkout

    @rx.event
    async def load(self):
        params = self.router.url.query_parameters
        self.error, self.busy = "", False
        self._order_id = 0
        self.card_api = get_settings().rxshop_card_api
        self._cart_token = (await self.get_state(CartState)).token
        if params.get("product"):
            self.source, self._product_slug = "product", params.get("product", "")[:80]
            try:
                self._quantity = carts.parse_quantity(params.get("qty", "1"))
            except carts.CartError as exc:
                self._quantity, self.error = 1, str(exc)
        else:
            self.source = "cart"
        self._summary()
        s = get_settings()
        return rx.call_script(f"window.rxshopPay && window.rxshopPay.mount({json.dumps(s.stripe_publishable_key)}, "
                              f"{json.dumps(s.stripe_js_url)}, {json.dumps(self.card_api)})")

    def _flow(self) -> Flow:
        return Flow.CHARGES if self.card_api == CardApi.CHARGES else Flow.EXPRESS

    @rx.event(background=True)
    async def pay(self, form_data: dict):
        """Validate, create the order (server-side amounts), then let Stripe.js collect and confirm the card."""
        async with self:
            if self.busy:
                return
            self.busy, self.error = True, ""
        try:
            email = orders.valid_email((form_data or {}).get("email", "") if isinstance(form_data, dict) else "")
            async with self:  # the state lock is held only to read and write the state, not around the database
                self.email = email
                where = (self.source, self._product_slug, self._quantity, self._flow(), self._cart_token,
                         self.router.session.client_token)
                may_create, card_api = _order_budget(self), self.card_api
            order, ref = await run_job(_express_order, *where, email, may_create)
            async with self:
                self._order_id = order.id
            if card_api == CardApi.CHARGES:
                yield rx.call_script("window.rxshopPay.createToken()", callback=ExpressState.token_created)
                return
            # the order's own PaymentIntent (kept in the database) is reused; a paid one is never replaced
            intent = await payments.ensure_payment_intent(ref, order.stripe_payment_intent_id or "",
                                                          order.stripe_customer_id or "")
            await run_job(_attach, order, stripe_payment_intent_id=intent.id,
                          stripe_customer_id=intent.customer_id)
            yield rx.call_script(f"window.rxshopPay.confirmCard({json.dumps(intent.client_secret)}, "
                                 f"{json.dumps(email)})", callback=ExpressState.card_confirmed)
        except payment_attempts.AlreadyPaid as exc:  # go to its confirmation page, never pay twice
            yield rx.redirect(routes.order(exc.order.number, exc.order.access_token))
        except payments.AlreadyPaidError as exc:
            yield await self._finish(exc.result, exc.result.order_id or 0)
        except Exception as exc:  # noqa: BLE001  (busy never stays stuck)
            async with self:
                self.busy, self.error = False, _message(exc)

    @staticmethod
    async def _finish(result, order_id: int):
        """After Stripe says the payment went through: fulfil (idempotent) and go to the confirmation page."""
        if result.paid:
            try:
                await run_job(fulfil, result, "express page")
            except Exception:  # the confirmation page and the webhook finish the job
                log.exception("fulfilment after payment %s failed", result.provider_id)
        with session() as db:
            order = db.get(Order, order_id)
            return rx.redirect(routes.order(order.number, order.access_token))

    @rx.event(background=True)
    async def card_confirmed(self, outcome: dict):
        """Stripe.js finished confirmCardPayment. Its word is only a hint: the PaymentIntent is retrieved here."""
        outcome = outcome if isinstance(outcome, dict) else {}
        async with self:
            order_id = self._order_id
        with session() as db:
            order = db.get(Order, order_id) if order_id else None
            intent_id = order.stripe_payment_intent_id if order is not None else ""
        if get_settings().rxshop_card_api != CardApi.PAYMENT_INTENTS:
            intent_id = ""  # this flow is switched off: nothing to check
        if outcome.get("error") or not intent_id:
            async with self:
                self.busy = False
                self.error = str(outcome.get("error") or "The payment did not go through.")[:300]
            return
        try:
            result = await payments.retrieve_payment_intent(intent_id)
        except Exception as exc:  # noqa: BLE001  (busy never stays stuck)
            async with self:
                self.busy, self.error = False, _message(exc)
            return
        if result.order_id != order_id or result.status not in ("succeeded", "processing"):
            if result.order_id == order_id and result.failure_message:  # a decline the server saw itself
                await run_job(_count_failure, order_id)
            async with self:
                self.busy = False
                self.error = result.failure_message or "The payment did not go through. Please try again."
            return
        yield await self._finish(result, order_id)

    @rx.event(background=True)
    async def token_created(self, outcome: dict):
        """Charges API: Stripe.js made a card token; the server charges it, one attempt at a time per order, a
        bounded number of declines, never after a success (rxshop/payment_attempts.py)."""
        outcome = outcome if isinstance(outcome, dict) else {}
        token = outcome.get("token")
        if get_settings().rxshop_card_api != CardApi.CHARGES:
            token, outcome = None, {"error": "Please reload the page and pay again."}  # the flow is switched off
        if outcome.get("error") or not isinstance(token, str) or not token.startswith("tok_") or len(token) > 255:
            async with self:
                self.busy = False
                self.error = str(outcome.get("error") or "The card could not be read.")[:300]
            return
        async with self:
            order_id = self._order_id
        try:
            attempt, ref = await run_job(_begin_charge, order_id)
        except payment_attempts.AlreadyPaid as exc:
            yield rx.redirect(routes.order(exc.order.number, exc.order.access_token))
            return
        except Exception as exc:  # noqa: BLE001  (busy never stays stuck)
            async with self:
                self.busy, self.error = False, _message(exc)
            return
        try:
            result = await payments.create_charge(ref, token, attempt)
        except Exception as exc:  # noqa: BLE001  (busy never stays stuck)
            # only a decline uses up an attempt (an unknown outcome keeps the same key)
            await run_job(_end_charge, order_id, getattr(exc, "declined", False))
            async with self:
                self.busy, self.error = False, _message(exc)
            return
        await run_job(_end_charge, order_id, False, result.charge_id)
        yield await self._finish(result, order_id)
