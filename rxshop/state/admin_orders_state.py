"""Console: orders list (filters, paging, live), one order's details, CSV export, refunds, re-sending links."""
from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import reflex as rx

from .. import delivery, live, payments, receipts
from ..admin import order_refunds, order_views
from ..admin.audit import record
from ..admin.order_refunds import RefundError
from ..admin.order_views import FilterError, OrderDetail, OrderFilter, OrderRow
from ..db import session
from ..models import Order
from ..payments import PaymentError
from ..settings import get_settings
from .admin_state import AdminState, admin_event


class OrdersAdminState(AdminState):
    rows: list[OrderRow] = []
    total: int = 0
    page_no: int = 0
    filter_error: str = ""
    detail: OrderDetail = OrderDetail()
    refund_error: str = ""
    refund_notice: str = ""
    refunding: bool = False
    _filter: OrderFilter = OrderFilter()

    @rx.var
    def pages(self) -> int:
        return max(1, (self.total + order_views.PAGE_SIZE - 1) // order_views.PAGE_SIZE)

    def _list(self) -> None:
        with session() as db:
            self.rows, self.total = order_views.page(db, self._filter, self.page_no)

    def _show(self, order_id: int) -> None:
        with session() as db:
            self.detail = order_views.detail(db, order_id) or OrderDetail()

    def _refresh_from_db(self) -> None:
        """Server push after a webhook: only for a tab whose operator is still signed in."""
        if self._current_operator() is None:
            return
        self._list()
        if self.detail.id:
            self._show(self.detail.id)

    @admin_event
    def load(self):
        with session() as db:
            live.watch(db, self.router.session.client_token, "", live.ORDERS)
        self.detail, self.refund_error, self.refund_notice = OrderDetail(), "", ""
        self._list()

    @admin_event
    def apply_filter(self, form_data: dict):
        try:
            self._filter = order_views.parse_filter(form_data)
        except FilterError as exc:
            self.filter_error = str(exc)
            return
        self.filter_error, self.page_no = "", 0
        self._list()

    @admin_event
    def go_page(self, delta: int):
        if delta in (-1, 1):
            self.page_no = max(0, min(self.pages - 1, self.page_no + delta))
            self._list()

    @admin_event
    def open(self, order_id: int):
        if not isinstance(order_id, int) or isinstance(order_id, bool) or order_id <= 0:
            return None
        self.refund_error, self.refund_notice = "", ""
        self._show(order_id)
        if not self.detail.id:
            return rx.toast.error("No such order.")

    @admin_event
    def close(self):
        self.detail = OrderDetail()

    @admin_event
    def export_csv(self):
        with session() as db:
            text = order_views.export_csv(db, self._filter)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
        return rx.download(data=text, filename=f"orders-{stamp}.csv")

    @admin_event(background=True)
    async def refund(self, form_data: dict):
        async with self:
            if self.refunding:
                return
            self.refunding, self.refund_error, self.refund_notice = True, "", ""
            who, order_id = self._current_operator(), self.detail.id
        amount = form_data.get("amount") if isinstance(form_data, dict) else None
        error, notice = "", ""
        try:
            with session() as db:
                p = order_refunds.plan(db, order_id, amount)
            refund = await payments.create_refund(p.payment_id, p.amount, p.idempotency_key)
            with session() as db:
                order_refunds.requested(db, who, p, refund.id, refund.status)
            notice = (f"Refund {refund.id} ({refund.status}) requested; the order shows it when Stripe confirms "
                      "(charge.refunded).")
        except (RefundError, PaymentError) as exc:
            error = getattr(exc, "message", None) or str(exc)
        async with self:
            self.refunding, self.refund_error, self.refund_notice = False, error, notice
            self._show(order_id)
        if notice:
            yield rx.toast.success("Refund requested.")

    @admin_event(background=True)
    async def resend(self):
        """Email the receipt again with fresh download links, and give the buyer the full download count again."""
        async with self:
            who, order_id = self._current_operator(), self.detail.id
        try:
            number = await asyncio.to_thread(_resend, who, order_id)
        except ValueError as exc:
            yield rx.toast.error(str(exc))
            return
        except Exception:
            yield rx.toast.error("The email could not be queued; try again later.")
            return
        async with self:
            self._show(order_id)
        yield rx.toast.success(f"Receipt and download links for {number} queued to be sent again.")


def _resend(who, order_id: int) -> str:
    with session() as db:
        order = db.get(Order, order_id) if order_id else None
        if order is None or not order.email:
            raise ValueError("This order has no email address to send to.")
        if not delivery.may_deliver(order):
            raise ValueError("Downloads are not available for this order (not paid, or refunded).")
        delivery.reset_counts(db, order)
        receipts.send_again(db, order, get_settings().rxshop_name, "operator")
        record(db, who, "order.resend", f"order:{order.number}", f"receipt with fresh links to {order.email}")
        db.commit()
        return order.number
