"""Feedback on a cart change without a websocket message of its own.

A Reflex toast returned by an event is a second message after the state update, and a busy flag set before the
work is a third: on a cart add that is most of what the server spends (measured in README "Benchmarks"). Here the
toast rides in the state update itself (`CartState.flash`: rev, level, text), and an add button is made busy in the
browser the moment it is clicked; both end when the update carrying a new `flash.rev` arrives.
"""
from __future__ import annotations

import reflex as rx
from reflex.vars.base import Var, VarData
from reflex_base.utils.imports import ImportVar

from ..state import CartState

PENDING = "data-pending"  # on an add button between its click and the update that answers it
SAFETY_MS = 10000  # a button whose answer never came (server error, lost socket) is enabled again after this


# Enable a busy add button `b` again (unless its product can't be sold: `data-unavailable`, which React keeps).
_RELEASE = f"b.removeAttribute('{PENDING}'); b.disabled = b.dataset.unavailable === 'true';"


def _pending_on_click(selector: Var) -> rx.event.EventSpec:
    """Disable the button `selector` (a JS string expression) in the browser at once, before its event is sent."""
    mark = (f"((b) => {{ if (!b) return; b.setAttribute('{PENDING}', ''); b.setAttribute('aria-busy', 'true'); "
            "b.disabled = true; const release = () => { b.removeAttribute('aria-busy'); " + _RELEASE + " }; "
            f"setTimeout(() => {{ if (b.hasAttribute('{PENDING}')) release(); }}, {SAFETY_MS}); "
            # back from the next page through the browser's cache: the button works again
            "window.addEventListener('pageshow', (e) => { if (e.persisted) release(); }, { once: true }); })"
            "(document.querySelector(")
    return rx.call_script(rx.Var.create(mark) + selector + "))")


def busy_on_click(product_id: Var) -> rx.event.EventSpec:
    """The first event of an add button's click (the button carries `data-add=<product id>`)."""
    return _pending_on_click(rx.Var.create("'button[data-add=\"") + product_id.to_string() + "\"]'")


def checkout_on_click() -> rx.event.EventSpec:
    """The first event of the Checkout button's click (`data-checkout`): busy until the page leaves for Stripe, or
    until a failure's message arrives as the cart's flash."""
    return _pending_on_click(rx.Var.create("'button[data-checkout]'"))


class CartFeedback(rx.Fragment):
    """Placed once per page (in the header): shows the toast of each new `CartState.flash` and ends busy buttons."""

    def add_hooks(self) -> list[Var | str]:
        flash, hydrated = CartState.flash, rx.State.is_hydrated
        seen = "rxshopFlashSeen"
        effect = (
            f"const {seen} = useRef(null);\n"
            "useEffect(() => {\n"
            f"  const f = {flash!s};\n"
            # The state kept from before a reload arrives before hydration ends: not news, no toast.
            f"  if (!{hydrated!s}) {{ {seen}.current = null; return; }}\n"
            f"  const before = {seen}.current;\n"
            f"  {seen}.current = f.rev;\n"
            "  if (before === null || before === f.rev) return;  // first hydrated render, or nothing new\n"
            f"  document.querySelectorAll('button[{PENDING}]').forEach((b) => {{ b.removeAttribute('aria-busy'); {_RELEASE} }});\n"
            "  if (f.text) refs['__toast']?.[f.level]?.(f.text, { duration: f.level === 'error' ? 4000 : 2000 });\n"
            f"}}, [{flash!s}.rev, {hydrated!s}]);"
        )
        return [Var(
            _js_expr=effect,
            _var_data=VarData.merge(
                flash._get_all_var_data(), hydrated._get_all_var_data(),
                VarData(imports={"react": [ImportVar(tag="useEffect"), ImportVar(tag="useRef")],
                                 "$/utils/state": [ImportVar(tag="refs")]}),
            ),
        )]


def cart_feedback() -> rx.Component:
    return CartFeedback.create()
