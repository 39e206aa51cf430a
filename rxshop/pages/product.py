import reflex as rx

from .. import routes
from ..components import button_primary, button_secondary, page, quantity_stepper, served
from ..state import CartState, ProductState
from .not_found import not_found_body


# How wide the picture is drawn (for the browser's choice among its copies): the page is at most 72rem (1152 px)
# wide less 2 × 1rem of padding; from md up the picture and the text share it half and half, 1.5rem apart.
_PICTURE_SIZES = "(min-width: 1184px) 548px, (min-width: 768px) calc(50vw - 28px), calc(100vw - 32px)"


def detail() -> rx.Component:
    p = served.product  # the server's product until the state has loaded (product pages are in the HTML)
    return rx.el.article(
        rx.el.img(src=p.image, src_set=p.srcset, sizes=_PICTURE_SIZES, alt=p.name,
                  custom_attrs={"width": 800, "height": 600},
                  class_name="aspect-[4/3] w-full rounded-xl object-cover shadow-sm md:w-1/2"),
        rx.el.div(
            rx.el.h1(p.name, class_name="product-name text-3xl font-bold"),
            rx.el.p(p.price, class_name="product-price text-2xl font-semibold"),
            rx.el.p(p.description, class_name="text-slate-700"),
            # always there (hidden when empty): the page's markup may depend on availability only (product_html)
            rx.el.p(p.stock_note, class_name="text-sm text-amber-700 empty:hidden"),
            rx.el.div(
                rx.el.span("Quantity", class_name="text-sm font-medium", id="qty-label"),
                quantity_stepper(
                    ProductState.quantity,
                    on_minus=ProductState.step(-1),
                    on_plus=ProductState.step(1),
                    on_input=ProductState.set_quantity,
                    label="quantity",
                    input_key=ProductState.quantity.to_string() + "-" + ProductState.field_rev.to_string(),
                    disabled=~p.available,
                ),
                class_name="flex items-center gap-3",
            ),
            rx.el.div(
                button_primary(
                    rx.cond(p.available, "Add to cart", p.problem),
                    on_click=ProductState.add_to_cart,
                    disabled=~p.available | ProductState.adding,
                ),
                button_secondary("Buy now", on_click=ProductState.buy_now, disabled=~p.available),
                class_name="flex flex-wrap gap-3",
            ),
            class_name="flex flex-col gap-4 md:w-1/2",
        ),
        class_name="flex flex-col gap-6 md:flex-row",
        data_testid="product-detail",
    )


def title() -> rx.Var:
    p = served.product
    return rx.cond(served.found, rx.cond(p.name != "", p.name + " · rxshop", "rxshop · Product"), "Not found · rxshop")


@rx.page(route=routes.PRODUCT, title=title(), on_load=[CartState.load, ProductState.load])
def product() -> rx.Component:
    return page(
        rx.cond(
            served.loaded,
            rx.cond(
                served.found,
                detail(),
                not_found_body("We couldn't find that product. It may have been removed."),
            ),
            rx.el.p("Loading…", class_name="text-slate-500", aria_busy="true"),
        )
    )
