"""The order confirmation page. It says nothing before the server has checked the payment with Stripe, and a
webhook that fulfils the order later pushes the change to the open tab."""
from __future__ import annotations

import logging

import reflex as rx

from .. import lazy, orders, payments, receipts
from ..db import run_job, session
from ..fulfilment import fulfil
from ..models import Order, OrderStatus
from ..money import format_money
from ..receipts import OrderLineView
from ..payments import PaymentError
from .cart_state import CartState

log = logging.getLogger("rxshop.order")

CHECKING, NOT_FOUND = "checking", "not_found"  # page phases before an order is shown; then its status


class OrderState(rx.State):
    phase: str = CHECKING  # CHECKING | NOT_FOUND | an OrderStatus
    number: str = ""
    total: str = ""
    refunded: str = ""
    payment_id: str = ""
    email: str = ""
    lines: list[OrderLineView] = []
    notice: str = ""
    can_resend: bool = False  # downloads available: the buyer may have the receipt emailed again
    sending: bool = False
    _order_id: int = 0

    def _show(self, order: Order | None) -> None:
        if order is None:
            self.phase, self._order_id, self.number, self.lines = NOT_FOUND, 0, "", []
            return
        with session() as db:
            order = db.get(Order, order.id)
            paid = OrderStatus(order.status).was_paid
            self._order_id, self.number = order.id, order.number
            self.total = format_money(order.total_cents, order.currency)
            self.refunded = format_money(order.refunded_cents, order.currency) if order.refunded_cents else ""
            self.payment_id = receipts.payment_id(order) if paid else ""
            self.email = order.email
            self.lines = receipts.line_views(db, order, with_links=receipts.shows_links(order))
            self.can_resend = any(ln.delivery_url for ln in self.lines)
            self.phase = order.status

    @rx.event(background=True)
    async def load(self):
        async with self:
            self.phase, self.notice = CHECKING, ""
            number = self.router.url.path.rstrip("/").rsplit("/", 1)[-1]
            token = self.router.url.query_parameters.get("token", "")
            client_token = self.router.session.client_token
        with session() as db:
            order = orders.find_for_viewer(db, number, token)
            if order is not None and (order.status == OrderStatus.PENDING or not order.email):
                orders.watch(db, order, client_token)  # a later webhook pushes the payment (or the email) here
        if order is None:
            async with self:
                self._show(None)
            return
        if order.status == OrderStatus.PENDING:
            try:
                result = await self._check_with_stripe(order)
                if result is not None and result.paid:
                    await run_job(fulfil, result, "confirmation page")
            except PaymentError as exc:
                async with self:
                    self.notice = "We couldn't check your payment with Stripe just now: " + exc.message
        async with self:
            self._show(order)
            if self.phase == OrderStatus.PAID:
                (await self.get_state(CartState))._reload()  # the header badge shows the emptied cart

    @staticmethod
    async def _check_with_stripe(order: Order):
        if order.stripe_checkout_session_id:
            return await payments.retrieve_checkout_session(order.stripe_checkout_session_id)
        if order.stripe_payment_intent_id:
            return await payments.retrieve_payment_intent(order.stripe_payment_intent_id)
        return None  # a Charge is confirmed synchronously when it is made

    async def refresh_from_db(self) -> None:
        with session() as db:
            order = db.get(Order, self._order_id) if self._order_id else None
        if order is not None:
            self._show(order)
            if self.phase == OrderStatus.PAID:
                (await self.get_state(CartState))._reload()

    @rx.event(background=True)
    async def resend_links(self):
        """Email the receipt (fresh download links) again to the order's own address; a few times per hour."""
        from ..admin import throttle
        from ..settings import get_settings

        async with self:
            if self.sending:
                return
            order_id, self.sending = self._order_id, True
        await lazy.ready()  # the throttle's library, off the event loop
        message = ""
        try:
            with session() as db:
                order = db.get(Order, order_id) if order_id else None
                if order is None:
                    message = "Open the order from the link in your receipt first."
                elif not throttle.resend_allowed(order.number):
                    message = "The links were sent a few times already; please check your inbox and spam folder."
                else:
                    receipts.send_again(db, order, get_settings().rxshop_name, "buyer")
        except ValueError as exc:
            message = str(exc)
        async with self:
            self.sending = False
        yield rx.toast.error(message) if message else rx.toast.success("Your download links are on their way.")


async def push_order_update(client_token: str) -> None:
    """Called after a webhook changed an order: refresh that tab's confirmation page, if it is still open."""
    from ..app import app

    try:
        async with app.modify_state(rx.BaseStateToken(ident=client_token, cls=OrderState)) as root:
            state = await root.get_state(OrderState)
            await state.refresh_from_db()
    except Exception:  # the tab is gone or never connected: nothing to update
        log.debug("push to %s failed", client_token, exc_info=True)
