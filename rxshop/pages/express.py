import reflex as rx

from .. import routes
from ..components import button_primary, link, page
from ..state import CartState, ExpressState


def summary_line(line) -> rx.Component:
    return rx.el.li(
        rx.el.span(line.quantity.to_string() + " × " + line.name, class_name="min-w-0 flex-1"),
        rx.el.span(line.line_total, class_name="font-semibold"),
        class_name="flex justify-between gap-3 py-2",
        data_testid="summary-line",
    )


@rx.page(route=routes.EXPRESS, title="Express checkout · rxshop", on_load=[CartState.load, ExpressState.load])
def express() -> rx.Component:
    return page(
        rx.el.h1("Express checkout", class_name="mb-4 text-2xl font-bold"),
        rx.el.div(
            rx.el.section(
                rx.el.h2("Order summary", class_name="text-lg font-semibold"),
                rx.el.ul(rx.foreach(ExpressState.lines, summary_line), class_name="divide-y divide-slate-200"),
                rx.el.p(rx.el.span("Total"), rx.el.span(ExpressState.total, data_testid="express-total"),
                        class_name="flex justify-between border-t border-slate-300 pt-2 text-lg font-bold"),
                class_name="flex flex-col gap-2 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200 md:w-1/2",
            ),
            rx.el.form(
                rx.el.label("Email", html_for="express-email", class_name="text-sm font-medium"),
                rx.el.input(id="express-email", name="email", type="email", required=True, autocomplete="email",
                            default_value=ExpressState.email, placeholder="you@example.com",
                            class_name="h-10 rounded-lg border border-slate-300 px-3"),
                rx.el.span("Card", id="card-label", class_name="text-sm font-medium"),
                # Stripe.js mounts its card iframe here; React never renders children into it.
                rx.el.div(id="card-element", aria_labelledby="card-label",
                          class_name="min-h-10 rounded-lg border border-slate-300 bg-white px-3 py-2"),
                rx.el.p(id="card-errors", role="alert", class_name="min-h-5 text-sm text-red-700"),
                rx.cond(ExpressState.error != "",
                        rx.el.p(ExpressState.error, role="alert", data_testid="pay-error",
                                class_name="rounded-lg bg-red-50 p-3 text-sm font-medium text-red-800")),
                button_primary(
                    rx.cond(ExpressState.busy, "Processing…", "Pay " + ExpressState.total),
                    type="submit", disabled=ExpressState.busy | ~ExpressState.ready, aria_busy=ExpressState.busy,
                ),
                rx.el.p("Card details go straight to Stripe; they never touch our servers.",
                        class_name="text-xs text-slate-500"),
                link("← Back to your cart", href=routes.CART, class_name="text-sm text-indigo-700 hover:underline"),
                on_submit=ExpressState.pay,
                class_name="flex flex-col gap-2 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200 md:w-1/2",
            ),
            class_name="flex flex-col gap-6 md:flex-row",
        ),
    )
