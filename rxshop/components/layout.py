from __future__ import annotations

import reflex as rx

from .. import routes
from ..settings import get_settings
from ..state import CartState
from .cart_feedback import cart_feedback
from .ui import link


def header() -> rx.Component:
    return rx.el.header(
        rx.el.div(
            link(get_settings().rxshop_name, href=routes.INDEX, class_name="text-xl font-bold tracking-tight text-slate-900"),
            rx.el.nav(
                link(
                    rx.el.span("Cart"),
                    rx.el.span(
                        CartState.count,
                        class_name="cart-count ml-2 inline-flex min-w-6 justify-center rounded-full bg-indigo-600 "
                        "px-2 py-0.5 text-xs font-bold text-white",
                        data_testid="cart-count",
                    ),
                    href=routes.CART,
                    aria_label="Cart, " + CartState.count.to_string() + " items",
                    data_cart_ready=CartState.loaded,  # tests and scripts wait on this: hydrated + cart loaded
                    class_name="flex items-center rounded-lg px-3 py-2 text-sm font-semibold text-slate-900 "
                    "hover:bg-slate-100",
                ),
                aria_label="Main",
            ),
            cart_feedback(),
            class_name="mx-auto flex max-w-6xl items-center justify-between px-4 py-3",
        ),
        class_name="sticky top-0 z-10 border-b border-slate-200 bg-white/95",
    )


def page(*children, **props) -> rx.Component:
    return rx.el.div(
        header(),
        rx.el.main(*children, class_name="mx-auto w-full max-w-6xl flex-1 px-4 py-6", **props),
        rx.el.footer(
            rx.el.p(f"{get_settings().rxshop_name} · built with Python and Reflex · payments by Stripe",
                    class_name="mx-auto max-w-6xl px-4 py-6 text-xs text-slate-500"),
        ),
        class_name="flex min-h-screen flex-col bg-slate-50 text-slate-900",
    )
