"""Orders and the idempotent fulfil function (concurrency included), refunds, webhook verification."""
import hashlib
import hmac
import json
import threading
import time

import pytest
from sqlmodel import Session, select

from rxshop import carts
from rxshop import order_payments, orders
from rxshop.models import CartItem, Order, Payment, PaymentStatusChange, Product
from rxshop.orders import OrderError
from rxshop.payments import InvalidWebhook, PaymentResult, parse_webhook


def paid(order: Order, **kw) -> PaymentResult:
    base = dict(kind="payment_intent", provider_id="pi_123", status="succeeded", paid=True,
                amount=order.total_cents, currency="usd", order_id=order.id, order_number=order.number,
                email="b@example.com", charge_id="ch_1")
    return PaymentResult(**{**base, **kw})


@pytest.fixture
def cart_order(db, products):
    cart, _ = carts.add_item(db, None, products["mug"], 2)
    carts.add_item(db, cart.token, products["limited"], 2)
    order = orders.create_from_cart(db, cart.token, "checkout", "usd")
    return cart, order


def test_order_copies_lines_and_prices_from_database(db, cart_order, products):
    cart, order = cart_order
    assert order.total_cents == 2 * 1200 + 2 * 500 and order.status == "pending"
    assert orders._NUMBER_RE.match(order.number) and len(order.access_token) >= 32
    lines = orders.lines_of(db, order)
    assert [(ln.name, ln.unit_price_cents, ln.quantity) for ln in lines] == [("Mug", 1200, 2), ("Limited", 500, 2)]
    assert lines[0].delivery_url == "https://x/mug"
    # a later price change does not touch the order
    mug = db.get(Product, products["mug"])
    mug.price_cents = 9999
    db.add(mug)
    db.commit()
    assert orders.order_ref(db, order).total == 3400


def test_a_new_order_is_as_if_loaded_and_a_later_session_updates_it(engine, cart_order):
    """Orders are written without the model's constructor (db.new_row, db.as_loaded): the object handed back must
    hold what the database holds, defaults included, and a later session must be able to change it."""
    _, order = cart_order
    with Session(engine) as s:
        stored = s.get(Order, order.id)
        for column in Order.__table__.columns:
            assert getattr(order, column.name) == getattr(stored, column.name), column.name
    assert order.refunded_cents == 0 and order.failed_attempts == 0 and order.watch_token == ""
    assert order.created_at is not None and order.expires_at > order.created_at
    with Session(engine, expire_on_commit=False) as s:
        orders.set_email(s, order, "later@example.com")
    with Session(engine) as s:
        assert s.get(Order, order.id).email == "later@example.com"


def test_a_new_row_needs_its_required_fields_and_no_others():
    from rxshop.db import new_row

    with pytest.raises(TypeError, match="total_cents"):
        new_row(Order, number="RX-AAAAA1", access_token="t", flow="checkout", currency="usd")
    with pytest.raises(TypeError, match="colour"):
        new_row(Order, number="RX-AAAAA1", access_token="t", flow="checkout", currency="usd", total_cents=1,
                colour="red")


def test_a_taken_order_number_is_drawn_again(db, products, monkeypatch):
    first = orders.create_for_product(db, "mug", 1, "checkout", "usd")
    drawn = iter([first.number, first.number, "RX-ZZZZZ2"])  # the next order draws a taken number twice
    monkeypatch.setattr(orders, "_new_number", lambda: next(drawn))
    second = orders.create_for_product(db, "book", 1, "checkout", "usd")
    assert second.number == "RX-ZZZZZ2" and second.id != first.id
    assert [ln.name for ln in orders.lines_of(db, second)] == ["Book"]


def test_empty_or_unbuyable_cart_makes_no_order(db, products):
    with pytest.raises(OrderError):
        orders.create_from_cart(db, "nope", "checkout", "usd")
    cart, _ = carts.add_item(db, None, products["limited"], 3)
    limited = db.get(Product, products["limited"])
    limited.stock = 1
    db.add(limited)
    db.commit()
    with pytest.raises(OrderError, match="can't be bought"):
        orders.create_from_cart(db, cart.token, "checkout", "usd")
    assert db.exec(select(Order)).all() == []


@pytest.mark.parametrize("slug,qty", [("hidden", 1), ("gone", 1), ("limited", 4), ("mug", 0), ("mug", "x"),
                                      (None, 1), ("mug", 100)])
def test_buy_now_validates(db, products, slug, qty):
    with pytest.raises(OrderError):
        orders.create_for_product(db, slug, qty, "express", "usd", "a@b.co")


def test_find_for_viewer_needs_the_token(db, cart_order):
    _, order = cart_order
    assert orders.find_for_viewer(db, order.number, order.access_token).id == order.id
    for number, token in [(order.number, "wrong"), (order.number, ""), ("RX-AAAAAA", order.access_token),
                          (order.number, None), ("../etc", order.access_token)]:
        assert orders.find_for_viewer(db, number, token) is None


def test_fulfil_is_idempotent(db, cart_order, products):
    cart, order = cart_order
    first = order_payments.fulfil(db, paid(order), "test")
    assert first.paid and first.newly_paid and first.email_due
    db.expire_all()
    assert db.get(Order, order.id).status == "paid"
    assert db.get(Order, order.id).email == "b@example.com"
    assert db.get(Product, products["limited"]).stock == 1
    assert db.exec(select(CartItem).where(CartItem.cart_id == cart.id)).all() == []
    again = order_payments.fulfil(db, paid(order, kind="checkout_session"), "test again")
    assert again.paid and not again.newly_paid
    db.expire_all()
    assert db.get(Product, products["limited"]).stock == 1
    assert len(db.exec(select(Payment)).all()) == 1
    assert [c.status for c in db.exec(select(PaymentStatusChange))] == ["succeeded"]


def test_fulfil_concurrently_from_many_threads(engine, products):
    with Session(engine) as db:
        cart, _ = carts.add_item(db, None, products["limited"], 1)
        order = orders.create_from_cart(db, cart.token, "express", "usd", "c@example.com")
    results, barrier = [], threading.Barrier(6)

    def run():
        with Session(engine) as s:
            barrier.wait()
            results.append(order_payments.fulfil(s, paid(order), "thread"))

    threads = [threading.Thread(target=run) for _ in range(6)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sum(r.newly_paid for r in results) == 1 and all(r.paid for r in results)
    with Session(engine) as db:
        assert db.get(Product, products["limited"]).stock == 2
        assert results[0].email_due  # the receipt is queued once (tests/unit/test_outbox.py)


def test_unpaid_or_mismatched_payment_changes_nothing(db, cart_order, products):
    _, order = cart_order
    assert order_payments.fulfil(db, paid(order, paid=False, status="processing"), "t").paid is False
    out = order_payments.fulfil(db, paid(order, amount=1), "t")
    assert out.paid is False
    db.expire_all()
    o = db.get(Order, order.id)
    assert o.status == "pending" and "does not match" in o.note
    assert db.get(Product, products["limited"]).stock == 1  # 2 of 3 reserved by the order, no more
    assert order_payments.fulfil(db, paid(order, order_id=None), "t") is None


def test_failure_and_refunds_are_recorded(db, cart_order):
    _, order = cart_order
    order_payments.record_failure(db, paid(order, paid=False, status="requires_payment_method",
                                   failure_message="Your card was declined."), "webhook evt_1")
    order_payments.fulfil(db, paid(order), "webhook evt_2")
    order_payments.record_refund(db, paid(order, kind="payment_intent", amount_refunded=1000), "webhook evt_3")
    db.expire_all()
    assert db.get(Order, order.id).status == "partially_refunded"
    order_payments.record_refund(db, paid(order, amount_refunded=order.total_cents), "webhook evt_4")
    db.expire_all()
    o = db.get(Order, order.id)
    assert o.status == "refunded" and o.refunded_cents == order.total_cents
    history = [(c.status, c.source) for c in db.exec(select(PaymentStatusChange).order_by(PaymentStatusChange.id))]
    assert history == [("failed", "webhook evt_1"), ("succeeded", "webhook evt_2"),
                       ("partially_refunded", "webhook evt_3"), ("refunded", "webhook evt_4")]


def _sign(payload: bytes, secret: str, t: int | None = None) -> str:
    t = t or int(time.time())
    return f"t={t},v1=" + hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()


def test_parse_webhook_verifies_signature():
    secret = "whsec_unit"
    event = {"id": "evt_1", "type": "payment_intent.succeeded", "data": {"object": {
        "object": "payment_intent", "id": "pi_9", "status": "succeeded", "amount": 500, "currency": "usd",
        "metadata": {"order_id": "7"}, "latest_charge": "ch_9"}}}
    body = json.dumps(event).encode()
    notice = parse_webhook(body, _sign(body, secret), secret)
    assert notice.event_id == "evt_1" and notice.result.paid and notice.result.order_id == 7
    assert notice.result.provider_id == "pi_9" and notice.result.charge_id == "ch_9"
    for bad_body, header, sec in [(body + b" ", _sign(body, secret), secret), (body, None, secret),
                                  (body, _sign(body, "whsec_other"), secret), (body, _sign(body, secret), ""),
                                  (body, _sign(body, secret, t=int(time.time()) - 3600), secret),
                                  (b"[]", _sign(b"[]", secret), secret)]:
        with pytest.raises(InvalidWebhook):
            parse_webhook(bad_body, header, sec)
