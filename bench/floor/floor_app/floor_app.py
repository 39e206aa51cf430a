"""A bare Reflex cart: what one add costs in the framework itself, with no database and no rules.

Its `add` does what the shop's add answers with, minus the shop's work: the cart's lines kept in the tab's state,
the total and a toast text formatted, one state update (the same `flash` field the shop's add sends). The bench
drives it with the same load generator as the shop, so the two are comparable in one run on one machine.
"""
import reflex as rx

PRICES = {1: 1900, 2: 2900, 3: 900, 4: 4900}


class FloorCart(rx.State):
    lines: dict[str, int] = {}
    total: str = ""
    flash: dict[str, str | int] = {}

    @rx.event
    def add(self, product_id: int, quantity: int = 1):
        if product_id not in PRICES or not 1 <= quantity <= 99:
            self.flash = {"rev": int(self.flash.get("rev", 0)) + 1, "level": "error", "text": "Not for sale."}
            return
        key = str(product_id)
        self.lines[key] = self.lines.get(key, 0) + quantity
        cents = sum(PRICES[int(k)] * n for k, n in self.lines.items())
        self.total = f"${cents // 100:,}.{cents % 100:02d}"
        self.flash = {"rev": int(self.flash.get("rev", 0)) + 1, "level": "success", "text": "Added to your cart."}


def index() -> rx.Component:
    return rx.el.div(rx.el.span(FloorCart.total), rx.el.button("Add", on_click=FloorCart.add(1, 1)))


app = rx.App()
app.add_page(index, route="/")
