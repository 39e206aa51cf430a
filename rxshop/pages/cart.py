import reflex as rx

from .. import routes
from ..components import button_primary, button_secondary, link, page, quantity_stepper
from ..components.cart_feedback import checkout_on_click
from ..state import CartState, CheckoutState


def cart_line(line) -> rx.Component:
    return rx.el.li(
        rx.el.img(src=line.image, src_set=line.srcset, sizes="96px", alt="", custom_attrs={"width": 96, "height": 72},
                  class_name="h-18 w-24 rounded-lg object-cover"),
        rx.el.div(
            link(line.name, href=routes.product(line.slug), class_name="line-name font-semibold hover:underline"),
            rx.el.p(line.unit_price + " each", class_name="text-sm text-slate-600"),
            rx.cond(line.problem != "", rx.el.p(line.problem, class_name="text-sm font-semibold text-red-700")),
            class_name="flex min-w-0 flex-1 flex-col",
        ),
        rx.el.div(
            quantity_stepper(
                line.quantity,
                on_minus=CartState.step(line.product_id, -1),
                on_plus=CartState.step(line.product_id, 1),
                on_input=lambda v: CartState.set_quantity(line.product_id, v),
                label="quantity of " + line.name,
                input_key=line.product_id.to_string() + "-" + line.quantity.to_string() + "-"
                + CartState.field_rev.to_string(),
            ),
            rx.el.p(line.line_total, class_name="line-total w-24 text-right font-semibold"),
            rx.el.button("Remove", on_click=CartState.remove(line.product_id), type="button",
                         aria_label="Remove " + line.name + " from cart",
                         class_name="text-sm font-medium text-red-700 hover:underline"),
            class_name="col-span-2 flex items-center justify-between gap-3 sm:justify-end",
        ),
        class_name="cart-line grid grid-cols-[6rem_1fr] items-center gap-3 border-b border-slate-200 py-3 "
        "sm:flex",
        data_testid="cart-line",
    )


def summary() -> rx.Component:
    return rx.el.div(
        rx.el.div(
            rx.el.span("Subtotal", class_name="text-lg"),
            rx.el.span(CartState.subtotal, class_name="cart-subtotal text-lg font-bold", data_testid="subtotal"),
            class_name="flex justify-between",
        ),
        rx.el.div(
            # Busy from the click until the page leaves for Stripe (set in the browser: no message of its own).
            button_primary(rx.el.span("Checkout", class_name="group-data-[pending]:hidden"),
                           rx.el.span("Redirecting to Stripe…", class_name="hidden group-data-[pending]:inline"),
                           disabled=~CartState.can_checkout, class_name="group flex-1", data_checkout="",
                           data_unavailable=~CartState.can_checkout,
                           on_click=[checkout_on_click(), CheckoutState.start]),
            button_secondary("Express checkout", disabled=~CartState.can_checkout, class_name="flex-1",
                             on_click=rx.redirect(routes.express())),
            class_name="flex flex-wrap gap-3",
        ),
        class_name="mt-4 flex flex-col gap-4 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200",
    )


@rx.page(route=routes.CART, title="rxshop · Cart", on_load=CartState.load_cart)
def cart() -> rx.Component:
    return page(
        rx.el.h1("Your cart", class_name="mb-4 text-2xl font-bold"),
        rx.cond(CartState.notice != "", rx.el.p(CartState.notice, role="status", data_testid="cart-notice",
                                                class_name="mb-4 rounded-lg bg-amber-50 p-3 text-sm text-amber-900")),
        rx.cond(
            CartState.lines_shown,
            rx.cond(
                CartState.lines.length() > 0,
                rx.el.div(rx.el.ul(rx.foreach(CartState.lines, cart_line)), summary()),
                rx.el.div(
                    rx.el.p("Your cart is empty.", class_name="text-slate-600"),
                    link("Browse the shop", href=routes.INDEX, class_name="font-semibold text-indigo-700 hover:underline"),
                    class_name="flex flex-col items-start gap-2",
                    data_testid="empty-cart",
                ),
            ),
            rx.el.p("Loading…", class_name="text-slate-500", aria_busy="true"),
        ),
    )
