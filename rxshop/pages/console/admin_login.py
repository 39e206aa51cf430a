import reflex as rx

from ... import routes
from ...components.admin_frame import INPUT
from ...components.ui import PRIMARY
from ...state.admin_state import AdminState


@rx.page(route=routes.ADMIN_LOGIN, title="Sign in · rxshop console", on_load=AdminState.login_page)
def login() -> rx.Component:
    return rx.el.main(
        rx.el.form(
            rx.el.h1("Operator sign in", class_name="text-2xl font-bold"),
            rx.el.label("Email", rx.el.input(name="email", type="email", auto_complete="username", required=True,
                                             class_name=INPUT), class_name="flex flex-col gap-1 text-sm"),
            rx.el.label("Password", rx.el.input(name="password", type="password", required=True,
                                                auto_complete="current-password", class_name=INPUT),
                        class_name="flex flex-col gap-1 text-sm"),
            rx.cond(AdminState.login_error != "",
                    rx.el.p(AdminState.login_error, role="alert", data_testid="login-error",
                            class_name="text-sm font-semibold text-red-700")),
            rx.el.button(rx.cond(AdminState.signing_in, "Signing in…", "Sign in"), type="submit",
                         disabled=AdminState.signing_in, class_name=PRIMARY),
            on_submit=AdminState.login,
            method="post",  # a submit before hydration must never put the password in the URL
            data_login_ready=AdminState.login_ready,
            class_name="flex w-full max-w-sm flex-col gap-4 rounded-xl bg-white p-6 shadow-sm ring-1 ring-slate-200",
        ),
        class_name="flex min-h-screen items-center justify-center bg-slate-50 px-4",
    )
