import reflex as rx

from .. import routes
from ..components import page, product_card
from ..components.product_card import CATALOG_GRID
from ..state import CartState, CatalogState


@rx.page(route=routes.INDEX, title="rxshop · Shop", on_load=[CartState.load, CatalogState.refresh])
def index() -> rx.Component:
    return page(
        rx.el.h1("Shop", class_name="mb-4 text-2xl font-bold"),
        rx.cond(
            CatalogState.products.length() > 0,
            rx.el.div(
                rx.foreach(CatalogState.products, product_card),
                class_name=CATALOG_GRID,
            ),
            rx.el.p("No products yet. Run the seed command or add products in the admin.",
                    class_name="text-slate-600"),
        ),
    )
