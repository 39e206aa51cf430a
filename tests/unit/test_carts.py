"""Cart rules: arithmetic, validation of untrusted input, stock, tokens."""
import pytest

from rxshop import carts
from rxshop.carts import CartError
from rxshop.models import CartItem
from sqlmodel import select


def test_add_creates_cart_with_fresh_token_and_prices_from_db(db, products):
    cart, product = carts.add_item(db, "", products["mug"], 2)
    assert carts.is_valid_token(cart.token) and product.name == "Mug"
    carts.add_item(db, cart.token, products["book"], "1")
    v = carts.view(db, cart.token)
    assert [(ln.name, ln.quantity, ln.line_total) for ln in v.lines] == [("Mug", 2, "$24.00"), ("Book", 1, "$25.50")]
    assert v.count == 3 and v.subtotal_cents == 4950 and v.subtotal == "$49.50" and v.can_checkout


def test_adding_again_accumulates(db, products):
    cart, _ = carts.add_item(db, None, products["mug"], 1)
    carts.add_item(db, cart.token, products["mug"], 4)
    assert carts.view(db, cart.token).lines[0].quantity == 5


def test_unknown_or_forged_token_gets_a_new_cart(db, products):
    mine, _ = carts.add_item(db, None, products["mug"], 1)
    other, _ = carts.add_item(db, "x" * 40, products["book"], 1)  # well-formed but unknown: not adopted
    assert other.token not in (mine.token, "x" * 40)
    forged, _ = carts.add_item(db, "'; drop table cart; --", products["book"], 1)
    assert carts.is_valid_token(forged.token)
    assert carts.view(db, mine.token).count == 1


@pytest.mark.parametrize("qty", [0, -1, 100, "abc", "", "1.5", 1.5, True, None, [1], {"a": 1}, "9" * 50])
def test_bad_quantities_are_rejected_and_change_nothing(db, products, qty):
    cart, _ = carts.add_item(db, None, products["mug"], 1)
    with pytest.raises(CartError):
        carts.add_item(db, cart.token, products["mug"], qty)
    with pytest.raises(CartError):
        carts.set_quantity(db, cart.token, products["mug"], qty)
    assert carts.view(db, cart.token).lines[0].quantity == 1


@pytest.mark.parametrize("pid", [0, -3, 99999, "abc", None, True, 1.5])
def test_bad_product_ids_are_rejected(db, products, pid):
    with pytest.raises(CartError):
        carts.add_item(db, None, pid, 1)
    assert not db.exec(select(CartItem)).all()


def test_inactive_and_sold_out_products_cannot_be_added(db, products):
    with pytest.raises(CartError, match="no longer available"):
        carts.add_item(db, None, products["hidden"], 1)
    with pytest.raises(CartError, match="sold out"):
        carts.add_item(db, None, products["gone"], 1)
    assert not db.exec(select(CartItem)).all()


def test_stock_and_max_quantity_limits(db, products):
    cart, _ = carts.add_item(db, None, products["limited"], 2)
    with pytest.raises(CartError, match="Only 3"):
        carts.add_item(db, cart.token, products["limited"], 2)
    with pytest.raises(CartError, match="Only 3"):
        carts.set_quantity(db, cart.token, products["limited"], 4)
    carts.set_quantity(db, cart.token, products["limited"], 3)
    carts.add_item(db, cart.token, products["mug"], 99)
    with pytest.raises(CartError, match="at most 99"):
        carts.add_item(db, cart.token, products["mug"], 1)
    v = carts.view(db, cart.token)
    assert [ln.quantity for ln in v.lines] == [3, 99]


def test_set_quantity_and_remove(db, products):
    cart, _ = carts.add_item(db, None, products["mug"], 1)
    carts.add_item(db, cart.token, products["book"], 1)
    carts.set_quantity(db, cart.token, products["mug"], " 7 ")
    carts.remove_item(db, cart.token, products["book"])
    v = carts.view(db, cart.token)
    assert [(ln.name, ln.quantity) for ln in v.lines] == [("Mug", 7)] and v.subtotal_cents == 8400
    with pytest.raises(CartError):
        carts.remove_item(db, cart.token, products["book"])
    with pytest.raises(CartError):
        carts.set_quantity(db, "not-a-token", products["mug"], 2)


def test_view_reprices_and_flags_changes_after_adding(db, products):
    cart, _ = carts.add_item(db, None, products["mug"], 2)
    carts.add_item(db, cart.token, products["limited"], 3)
    before = carts.view(db, cart.token)
    assert before.lines[0].line_total == "$24.00"
    assert carts.view(db, cart.token).lines[0] is before.lines[0]  # unchanged lines are rendered once
    from rxshop.models import Product

    mug, limited = db.get(Product, products["mug"]), db.get(Product, products["limited"])
    mug.price_cents, limited.stock = 1500, 1  # the operator changes a price and stock runs low
    db.add_all([mug, limited])
    db.commit()
    v = carts.view(db, cart.token)
    assert v.lines[0].line_total == "$30.00" and v.lines[0].available
    assert v.lines[1].problem == "Only 1 left" and not v.can_checkout
    assert v.subtotal_cents == 3000 and v.count == 2
    limited.active = False
    db.add(limited)
    db.commit()
    assert carts.view(db, cart.token).lines[1].problem == "No longer available"


def test_empty_or_missing_cart_view(db, products):
    v = carts.view(db, None)
    assert v.lines == [] and v.count == 0 and v.subtotal == "$0.00" and not v.can_checkout
