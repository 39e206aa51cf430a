import reflex as rx

from .. import routes
from ..components import link, page
from ..state import CartState


def not_found_body(message: str = "We couldn't find that page.") -> rx.Component:
    return rx.el.section(
        rx.el.h1("Not found", class_name="text-2xl font-bold"),
        rx.el.p(message, class_name="text-slate-600"),
        link("← Back to the shop", href=routes.INDEX, class_name="font-semibold text-indigo-700 hover:underline"),
        class_name="flex flex-col items-start gap-3 py-12",
        data_testid="not-found",
    )


@rx.page(route=routes.NOT_FOUND, title="Not found · rxshop", on_load=CartState.load)
def not_found() -> rx.Component:
    return page(not_found_body())
