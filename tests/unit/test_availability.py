"""The one availability rule, and every caller that must agree with it."""
import pytest

from rxshop import availability, catalog
from rxshop import carts
from rxshop import orders
from rxshop.availability import MAX_QUANTITY
from rxshop.carts import CartError
from rxshop.models import Product
from rxshop.orders import OrderError


@pytest.mark.parametrize("slug,qty,problem", [
    ("mug", 1, ""), ("mug", MAX_QUANTITY, ""), ("limited", 3, ""),
    ("hidden", 1, "No longer available"), ("gone", 1, "Sold out"), ("limited", 4, "Only 3 left"),
    ("mug", MAX_QUANTITY + 1, f"At most {MAX_QUANTITY}"), ("mug", 0, f"1 to {MAX_QUANTITY}"),
])
def test_check(db, products, slug, qty, problem):
    verdict = availability.check(db.get(Product, products[slug]), qty, "usd")
    assert verdict.ok == (problem == "") and verdict.problem == problem
    assert bool(verdict.message) == (problem != "")


def test_unknown_product_and_other_currency(db, products):
    assert availability.check(None, 1).message == "That product is no longer available."
    mug = db.get(Product, products["mug"])
    verdict = availability.check(mug, 1, "eur")
    assert not verdict.ok and verdict.message == "Mug can't be bought in this shop's currency."
    assert availability.check(mug, 1).ok  # the shop's currency (usd) by default


def test_a_product_in_another_currency_is_refused_everywhere(db, products):
    eur = Product(slug="eur", name="Euro thing", price_cents=100, currency="eur")
    db.add(eur)
    db.commit()
    with pytest.raises(CartError, match="currency"):
        carts.add_item(db, None, eur.id, 1)
    with pytest.raises(OrderError, match="currency"):
        orders.create_for_product(db, "eur", 1, "express", "usd")
    card = catalog.to_card(eur)
    assert not card.available and card.problem == "Not sold in this currency"
    view, problem = carts.buy_now(db, "eur", 1)
    assert not view.can_checkout and "currency" in problem


def test_buy_now_summary_of_a_sold_out_product_cannot_be_paid(db, products):
    view, problem = carts.buy_now(db, "gone", 1)
    assert [ln.problem for ln in view.lines] == ["Sold out"] and not view.can_checkout
    assert problem == "Gone is sold out." and view.subtotal_cents == 0
    view, problem = carts.buy_now(db, "limited", 4)
    assert not view.can_checkout and problem == "Only 3 of Limited left in stock."
    view, problem = carts.buy_now(db, "limited", 2)
    assert view.can_checkout and problem == "" and view.subtotal == "$10.00" and view.count == 2
    view, problem = carts.buy_now(db, "hidden", 1)
    assert view.lines == [] and problem == "That product is no longer available."


def test_cart_line_and_buy_now_line_are_the_same(db, products):
    cart, _ = carts.add_item(db, None, products["book"], 2)
    assert carts.view(db, cart.token).lines == carts.buy_now(db, "book", 2)[0].lines


def test_set_quantity_on_a_sold_out_product_says_sold_out(db, products):
    cart, _ = carts.add_item(db, None, products["limited"], 1)
    limited = db.get(Product, products["limited"])
    limited.stock = 0
    db.add(limited)
    db.commit()
    with pytest.raises(CartError, match="Limited is sold out"):
        carts.set_quantity(db, cart.token, products["limited"], 1)
    assert carts.view(db, cart.token).lines[0].problem == "Sold out"
