"""Signed download links: per order line, expiring, counted, stopped by a full refund, never the raw location."""
import io
import time

import pytest

from rxshop import carts, delivery, order_payments, orders, receipts
from rxshop.admin import media
from rxshop.admin import products as admin_products
from rxshop.delivery import DownloadRefused
from rxshop.models import Order, OrderStatus
from rxshop.payments import PaymentResult
from rxshop.settings import get_settings


@pytest.fixture
def paid_order(db, products, tmp_path, monkeypatch):
    """An order for a product with an uploaded file and one with an external URL, paid."""
    s = get_settings()
    monkeypatch.setattr(s, "rxshop_files_dir", str(tmp_path / "files"))
    monkeypatch.setattr(s, "rxshop_secret_key", "unit-test-secret")
    delivery._secret.cache_clear()
    stored, size = media.save_file(io.BytesIO(b"%PDF book"))
    products_ = products
    admin_products.set_file(db, None, products_["book"], stored, "book.pdf", size, "application/pdf")
    cart, _ = carts.add_item(db, None, products_["mug"], 1)
    carts.add_item(db, cart.token, products_["book"], 1)
    order = orders.create_from_cart(db, cart.token, "checkout", "usd")
    result = PaymentResult(kind="payment_intent", provider_id="pi_1", status="succeeded", paid=True,
                           amount=order.total_cents, currency="usd", order_id=order.id, order_number=order.number,
                           email="b@example.com",
                           charge_id="ch_1")
    order_payments.fulfil(db, result, "test")
    yield db.get(Order, order.id), result
    delivery._secret.cache_clear()


def _token(url: str) -> str:
    return url.rsplit("/", 1)[-1]


def test_links_are_signed_shop_links_never_the_raw_location(db, paid_order):
    order, _ = paid_order
    views = receipts.line_views(db, order, with_links=True)
    assert [v.name for v in views] == ["Mug", "Book"]
    for v in views:
        assert "/api/downloads/" in v.delivery_url and "x/mug" not in v.delivery_url
    mug, book = (delivery.open_download(db, _token(v.delivery_url)) for v in views)
    assert mug.redirect == "https://x/mug"
    assert book.path.read_bytes() == b"%PDF book" and book.filename == "book.pdf"
    body = receipts.receipt_email(db, order, "shop").get_content()
    assert "/api/downloads/" in body and "https://x/mug" not in body and "files" not in body


def test_forged_expired_and_overused_links_are_refused(db, paid_order, monkeypatch):
    order, _ = paid_order
    url = receipts.line_views(db, order, with_links=True)[1].delivery_url
    token = _token(url)
    for forged in (token[:-2] + "xx", "abc", "", None, "a" * 600):
        with pytest.raises(DownloadRefused) as exc:
            delivery.open_download(db, forged)
        assert exc.value.status == 404
    limit = get_settings().rxshop_download_limit
    for _ in range(limit):
        delivery.open_download(db, token)
    with pytest.raises(DownloadRefused) as exc:
        delivery.open_download(db, token)
    assert exc.value.status == 429
    delivery.reset_counts(db, order)  # the operator re-sent the links
    delivery.open_download(db, token)
    monkeypatch.setattr(get_settings(), "rxshop_download_days", 1 / 86400)
    time.sleep(2.1)
    with pytest.raises(DownloadRefused) as exc:
        delivery.open_download(db, token)
    assert exc.value.status == 410


def test_full_refund_stops_links_partial_does_not(db, paid_order):
    order, result = paid_order
    token = _token(receipts.line_views(db, order, with_links=True)[0].delivery_url)
    order_payments.record_refund(db, _with(result, 100), "test")
    assert db.get(Order, order.id).status == OrderStatus.PARTIALLY_REFUNDED
    delivery.open_download(db, token)
    order_payments.record_refund(db, _with(result, order.total_cents), "test")
    assert db.get(Order, order.id).status == OrderStatus.REFUNDED
    with pytest.raises(DownloadRefused) as exc:
        delivery.open_download(db, token)
    assert exc.value.status == 403
    assert all(v.delivery_url == "" for v in receipts.line_views(db, db.get(Order, order.id), with_links=True))


def _with(result, refunded):
    import dataclasses

    return dataclasses.replace(result, amount_refunded=refunded)
