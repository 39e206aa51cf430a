import reflex as rx

from .. import routes
from ..components import link, page
from ..models import OrderStatus
from ..state import CartState, OrderState
from ..state.order_state import CHECKING, NOT_FOUND
from .not_found import not_found_body


def order_line(line) -> rx.Component:
    return rx.el.li(
        rx.el.div(
            rx.el.span(line.quantity.to_string() + " × " + line.name, class_name="font-medium"),
            rx.el.span(line.line_total, class_name="font-semibold"),
            class_name="flex justify-between gap-3",
        ),
        rx.cond(line.delivery_url != "",
                rx.el.a("Download " + line.name, href=line.delivery_url, target="_blank", rel="noopener",
                        class_name="text-sm font-semibold text-indigo-700 hover:underline", data_testid="delivery-link")),
        class_name="flex flex-col gap-1 py-2",
        data_testid="order-line",
    )


def details() -> rx.Component:
    return rx.el.div(
        rx.el.p("Order number ", rx.el.strong(OrderState.number, data_testid="order-number")),
        rx.cond(OrderState.payment_id != "",
                rx.el.p("Stripe payment ", rx.el.code(OrderState.payment_id, data_testid="payment-id"))),
        rx.el.ul(rx.foreach(OrderState.lines, order_line), class_name="divide-y divide-slate-200"),
        rx.el.p(rx.el.span("Total"), rx.el.span(OrderState.total),
                class_name="flex justify-between border-t border-slate-300 pt-2 text-lg font-bold"),
        rx.cond(OrderState.can_resend,
                rx.el.button("Email my download links again", type="button", on_click=OrderState.resend_links,
                             disabled=OrderState.sending,
                             class_name="self-start text-sm font-semibold text-indigo-700 hover:underline")),
        class_name="flex flex-col gap-2 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200",
    )


def status_banner() -> rx.Component:
    return rx.match(
        OrderState.phase,
        (OrderStatus.PAID, rx.el.div(
            rx.el.h1("Payment of " + OrderState.total + " succeeded", class_name="text-2xl font-bold text-green-800"),
            # The email can come after the payment (Checkout's own event brings it): the server pushes it here.
            rx.el.p(rx.cond(OrderState.email != "",
                            "Thank you! A receipt with your download links was sent to " + OrderState.email + ".",
                            "Thank you! A receipt with your download links is on its way to the email address you "
                            "gave at checkout."), data_testid="receipt-note"),
            class_name="flex flex-col gap-1", data_testid="order-paid")),
        (OrderStatus.PENDING, rx.el.div(
            rx.el.h1("We're confirming your payment…", class_name="text-2xl font-bold"),
            rx.el.p("Stripe hasn't confirmed it yet. This page updates by itself; there's no need to reload."),
            class_name="flex flex-col gap-1", data_testid="order-pending")),
        (OrderStatus.REFUNDED, rx.el.h1("This order was refunded (" + OrderState.refunded + ")",
                              class_name="text-2xl font-bold", data_testid="order-refunded")),
        (OrderStatus.PARTIALLY_REFUNDED, rx.el.h1(OrderState.refunded + " of this order was refunded",
                                        class_name="text-2xl font-bold", data_testid="order-refunded")),
        (OrderStatus.CANCELED, rx.el.h1("This order was canceled", class_name="text-2xl font-bold")),
        rx.el.h1("Order", class_name="text-2xl font-bold"),
    )


@rx.page(route=routes.ORDER, title="Your order · rxshop", on_load=[CartState.load, OrderState.load])
def order() -> rx.Component:
    return page(
        rx.match(
            OrderState.phase,
            (CHECKING, rx.el.p("Checking your payment with Stripe…", aria_busy="true", class_name="text-slate-600",
                                 data_testid="order-checking")),
            (NOT_FOUND, not_found_body("We couldn't find that order. Check the link in your email.")),
            rx.el.section(
                status_banner(),
                rx.cond(OrderState.notice != "", rx.el.p(OrderState.notice, role="status",
                                                         class_name="rounded-lg bg-amber-50 p-3 text-sm")),
                details(),
                link("Continue shopping", href=routes.INDEX, class_name="font-semibold text-indigo-700 hover:underline"),
                class_name="flex flex-col gap-4",
            ),
        )
    )
