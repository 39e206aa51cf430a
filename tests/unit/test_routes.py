"""Every shop URL comes from rxshop/routes.py; these pin their shape (links in sent emails must keep working)."""
import reflex as rx

from rxshop import routes
from rxshop.models import OrderStatus
from rxshop.settings import get_settings


def test_paths():
    assert routes.product("mug") == "/product/mug"
    assert routes.cart() == "/cart" and routes.cart(canceled_order="RX-ABCDEF") == "/cart?canceled=RX-ABCDEF"
    assert routes.express() == "/express"
    assert routes.express("python-patterns-ebook", 2) == "/express?product=python-patterns-ebook&qty=2"
    assert routes.order("RX-ABCDEF", "tok_-x") == "/orders/RX-ABCDEF?token=tok_-x"


def test_absolute_urls_for_stripe_and_email(monkeypatch):
    monkeypatch.setattr(get_settings(), "rxshop_base_url", "https://shop.example/")
    assert routes.checkout_success("RX-ABCDEF", "t") == \
        "https://shop.example/orders/RX-ABCDEF?token=t&session_id={CHECKOUT_SESSION_ID}"
    assert routes.checkout_cancel("RX-ABCDEF") == "https://shop.example/cart?canceled=RX-ABCDEF"


def test_product_link_from_a_reflex_var():
    href = routes.product(rx.Var.create("mug"))
    assert isinstance(href, rx.Var) and "/product/" in str(href)


def test_paid_statuses():
    assert [s for s in OrderStatus if s.was_paid] == [OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED,
                                                      OrderStatus.REFUNDED]
    assert OrderStatus("paid") == "paid"  # stored as the plain string
