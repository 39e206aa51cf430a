from __future__ import annotations

import reflex as rx

from .. import routes
from ..state import CartState
from .cart_feedback import busy_on_click
from .ui import button_primary, link


# HTML attributes, not style props: Reflex turns `width=`/`height=` into a <style> tag per image in the page body
# (each one restyles the page while it parses, and its fixed pixel height stretched the 4:3 picture).
_SIZE = {"width": 400, "height": 300}
# The catalog's grid, and the width one card takes in it (for the browser's choice among a picture's sizes): the
# page is at most 72rem (1152 px) wide less 2 × 1rem of padding, columns are 1rem apart.
CATALOG_GRID = "grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-4"
_CARD_SIZES = ("(min-width: 1280px) 268px, (min-width: 1024px) calc((100vw - 64px) / 3), "
               "(min-width: 640px) calc((100vw - 48px) / 2), calc(100vw - 32px)")


def product_card(p, index=0) -> rx.Component:
    """One product in the catalog grid. `p` is a ProductCard var, `index` its place in the grid."""
    return rx.el.article(
        link(
            # Only the first image loads with the page: the others wait until laid out (they are still fetched
            # right away when on screen), so drawing them doesn't hold up the first paint of the product names.
            rx.el.img(src=p.image, src_set=p.srcset, sizes=_CARD_SIZES, alt=p.name, custom_attrs=_SIZE,
                      decoding="async",
                      loading=rx.cond(index == 0, "eager", "lazy"),
                      class_name="aspect-[4/3] w-full rounded-t-xl object-cover"),
            href=routes.product(p.slug), tab_index=-1, aria_hidden="true",
        ),
        rx.el.div(
            rx.el.h2(link(p.name, href=routes.product(p.slug), class_name="product-name hover:underline",
                          custom_attrs={"elementtiming": "product-name"}),  # Element Timing: when it was painted
                     class_name="text-base font-semibold"),
            rx.el.p(p.description, class_name="line-clamp-2 text-sm text-slate-600"),
            rx.el.div(
                rx.el.span(p.price, class_name="product-price text-lg font-bold"),
                rx.cond(p.stock_note != "", rx.el.span(p.stock_note, class_name="text-xs text-amber-700")),
                class_name="flex items-baseline justify-between",
            ),
            button_primary(
                rx.cond(p.available, "Add to cart", p.problem),
                on_click=[busy_on_click(p.id), CartState.add(p.id, 1)],
                disabled=~p.available,
                data_add=p.id,
                data_unavailable=~p.available,
                aria_label=rx.cond(p.available, "Add " + p.name + " to cart", p.name + ": " + p.problem),
                class_name="mt-auto w-full",
            ),
            class_name="flex flex-1 flex-col gap-2 p-4",
        ),
        class_name="product-card flex flex-col overflow-hidden rounded-xl bg-white shadow-sm ring-1 ring-slate-200",
        data_testid="product-card",
    )
