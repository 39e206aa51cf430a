"""The console's frame: navigation, who is signed in, log out. Nothing shows before the server said who you are."""
from __future__ import annotations

import reflex as rx

from .. import routes
from ..state.admin_state import AdminState
from .ui import SECONDARY, link

NAV = (("Dashboard", routes.ADMIN), ("Products", routes.ADMIN_PRODUCTS), ("Orders", routes.ADMIN_ORDERS),
       ("Audit log", routes.ADMIN_AUDIT))
INPUT = "w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm"
TABLE = "w-full text-left text-sm"
TH = "border-b border-slate-300 px-2 py-2 font-semibold text-slate-700"
TD = "border-b border-slate-200 px-2 py-2 align-top"


def admin_page(title: str, *children) -> rx.Component:
    nav = rx.el.nav(*[link(text, href=href, class_name="rounded-lg px-3 py-2 text-sm font-semibold "
                           "hover:bg-slate-100") for text, href in NAV], aria_label="Console",
                    class_name="flex flex-wrap gap-1")
    return rx.el.div(
        rx.el.header(
            rx.el.div(
                rx.el.span("rxshop console", class_name="text-lg font-bold"),
                nav,
                rx.el.div(
                    rx.el.span(AdminState.operator_email, class_name="text-sm text-slate-600",
                               data_testid="operator-email"),
                    rx.el.button("Log out", on_click=AdminState.logout, type="button", class_name=SECONDARY),
                    class_name="flex items-center gap-3",
                ),
                class_name="mx-auto flex max-w-7xl flex-wrap items-center justify-between gap-3 px-4 py-3",
            ),
            class_name="border-b border-slate-200 bg-white",
        ),
        rx.el.main(
            rx.cond(
                AdminState.operator_email != "",
                rx.el.div(rx.el.h1(title, class_name="mb-4 text-2xl font-bold"), *children,
                          data_admin_ready=True),
                rx.el.p("Checking your session…", class_name="text-slate-600"),
            ),
            class_name="mx-auto w-full max-w-7xl flex-1 px-4 py-6",
        ),
        class_name="flex min-h-screen flex-col bg-slate-50 text-slate-900",
    )
