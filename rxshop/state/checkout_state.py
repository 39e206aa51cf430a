"""Paying: Stripe Checkout (redirect) from the cart, and the express card page (PaymentIntents or Charges).
Stripe calls run in background events (async SDK); prices and totals come only from the database."""
from __future__ import annotations

import asyncio
import json
import logging

import reflex as rx

from .. import carts, orders, payments, routes
from ..carts import CartLine
from ..db import session
from ..fulfilment import fulfil
from ..orders import OrderError
from ..payments import PaymentError
from ..models import Flow, Order, OrderStatus
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


# Database work of the payment handlers runs in a worker thread: an order's commit waits for the disk (about 10 ms
# on a busy disk), and the event loop serves every other shopper meanwhile.
def _cart_order(cart_token: str, currency: str):
    with session() as db:
        order = orders.create_from_cart(db, cart_token, Flow.CHECKOUT, currency)
        return order, orders.order_ref(db, order, with_images=True)


def _attach(order: Order, **stripe_ids: str) -> None:
    with session() as db:
        orders.attach(db, order, **stripe_ids)


def _express_order(order_id: int, source: str, slug: str, quantity: int, flow: Flow, cart_token: str, email: str):
    """The express page's order: the pending one it already made (with this email), or a new one."""
    currency = get_settings().rxshop_currency
    with session() as db:
        if order_id:
            order = db.get(Order, order_id)
            if order is not None and order.status == OrderStatus.PENDING:
                orders.set_email(db, order, email)
                return order, orders.order_ref(db, order)
        if source == "product":
            order = orders.create_for_product(db, slug, quantity, flow, currency, email)
        else:
            order = orders.create_from_cart(db, cart_token, flow, currency, email)
        return order, orders.order_ref(db, order)


class CheckoutState(rx.State):
    busy: bool = False

    @rx.event(background=True)
    async def start(self):
        """Cart → pending order → Checkout Session for exactly its lines → redirect to Stripe's hosted page."""
        async with self:
            if self.busy:
                return
            self.busy = True
            cart_token = (await self.get_state(CartState)).token
        s = get_settings()
        try:
            order, ref = await asyncio.to_thread(_cart_order, cart_token, s.rxshop_currency)
            redirect = await payments.create_checkout_session(
                ref,
                success_url=routes.checkout_success(order.number, order.access_token),
                cancel_url=routes.checkout_cancel(order.number),
            )
            await asyncio.to_thread(_attach, order, stripe_checkout_session_id=redirect.session_id)
        except Exception as exc:  # noqa: BLE001  (busy never stays stuck)
            async with self:
                self.busy = False
            yield rx.toast.error(_message(exc), duration=8000)
            return
        async with self:
            self.busy = False
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
    _intent_id: str = ""
    _customer_id: str = ""
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
        self._order_id, self._intent_id, self._customer_id = 0, "", ""
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
                where = (self._order_id, self.source, self._product_slug, self._quantity, self._flow(),
                         self._cart_token)
                card_api, intent_id, customer_id = self.card_api, self._intent_id, self._customer_id
            order, ref = await asyncio.to_thread(_express_order, *where, email)
            async with self:
                self._order_id = order.id
            if card_api == CardApi.CHARGES:
                yield rx.call_script("window.rxshopPay.createToken()", callback=ExpressState.token_created)
                return
            intent = await payments.ensure_payment_intent(ref, intent_id, customer_id)
            await asyncio.to_thread(_attach, order, stripe_payment_intent_id=intent.id,
                                    stripe_customer_id=intent.customer_id)
            async with self:
                self._intent_id, self._customer_id = intent.id, intent.customer_id
            yield rx.call_script(f"window.rxshopPay.confirmCard({json.dumps(intent.client_secret)}, "
                                 f"{json.dumps(email)})", callback=ExpressState.card_confirmed)
        except Exception as exc:  # noqa: BLE001  (busy never stays stuck)
            async with self:
                self.busy, self.error = False, _message(exc)

    @staticmethod
    async def _finish(result, order_id: int):
        """After Stripe says the payment went through: fulfil (idempotent) and go to the confirmation page."""
        if result.paid:
            try:
                await asyncio.to_thread(fulfil, result, "express page")
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
            intent_id, order_id = self._intent_id, self._order_id
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
            async with self:
                self.busy = False
                self.error = result.failure_message or "The payment did not go through. Please try again."
            return
        yield await self._finish(result, order_id)

    @rx.event(background=True)
    async def token_created(self, outcome: dict):
        """Charges API: Stripe.js made a card token; the server charges it (idempotency key per order+token)."""
        outcome = outcome if isinstance(outcome, dict) else {}
        token = outcome.get("token")
        if outcome.get("error") or not isinstance(token, str) or not token.startswith("tok_"):
            async with self:
                self.busy = False
                self.error = str(outcome.get("error") or "The card could not be read.")[:300]
            return
        async with self:
            order_id = self._order_id
        with session() as db:
            order = db.get(Order, order_id) if order_id else None
            ref = orders.order_ref(db, order) if order is not None and order.status == OrderStatus.PENDING else None
        if ref is None:  # no order started on this page (or already paid): nothing to charge
            async with self:
                self.busy, self.error = False, "Please press Pay again."
            return
        try:
            result = await payments.create_charge(ref, token)
        except Exception as exc:  # noqa: BLE001  (busy never stays stuck)
            async with self:
                self.busy, self.error = False, _message(exc)
            return
        with session() as db:
            orders.attach(db, db.get(Order, order_id), stripe_charge_id=result.charge_id)
        yield await self._finish(result, order_id)
