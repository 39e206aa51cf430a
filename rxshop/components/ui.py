"""Small styled building blocks (plain elements + Tailwind; no Radix Themes, see rxconfig.py)."""
from __future__ import annotations

import reflex as rx
from reflex_components_core.react_router.dom import ReactRouterLink

from ..availability import MAX_QUANTITY

BTN = (
    "inline-flex items-center justify-center gap-2 rounded-lg px-4 py-2 text-sm font-semibold "
    "transition focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 "
    "disabled:opacity-50 disabled:cursor-not-allowed cursor-pointer"
)
PRIMARY = BTN + " bg-indigo-600 text-white hover:bg-indigo-700 focus-visible:outline-indigo-600"
SECONDARY = BTN + " bg-white text-slate-900 ring-1 ring-inset ring-slate-300 hover:bg-slate-50"


def button_primary(*children, class_name: str = "", **props) -> rx.Component:
    return rx.el.button(*children, class_name=f"{PRIMARY} {class_name}", type=props.pop("type", "button"), **props)


def button_secondary(*children, class_name: str = "", **props) -> rx.Component:
    return rx.el.button(*children, class_name=f"{SECONDARY} {class_name}", type=props.pop("type", "button"), **props)


def link(*children, href, class_name: str = "", **props) -> rx.Component:
    """Client-side navigation inside the shop (no full page reload)."""
    return ReactRouterLink.create(*children, to=href, class_name=class_name, **props)


def quantity_stepper(value, on_minus, on_plus, on_input, label, input_key=None, disabled=False) -> rx.Component:
    """−/+ buttons around a number field. `on_input` gets the typed value when the field loses focus."""
    small = "h-9 w-9 rounded-lg ring-1 ring-inset ring-slate-300 bg-white text-lg hover:bg-slate-50 disabled:opacity-50"
    return rx.el.div(
        rx.el.button("−", on_click=on_minus, aria_label=f"Decrease {label}", class_name=small, type="button",
                     disabled=disabled),
        rx.el.input(
            type="number", min=1, max=MAX_QUANTITY, custom_attrs={"inputMode": "numeric"},
            default_value=value.to_string(),
            key=input_key if input_key is not None else value.to_string(),
            on_blur=on_input, aria_label=label,
            class_name="h-9 w-14 rounded-lg border border-slate-300 text-center text-sm",
        ),
        rx.el.button("+", on_click=on_plus, aria_label=f"Increase {label}", class_name=small, type="button",
                     disabled=disabled),
        class_name="flex items-center gap-1",
    )
