"""The money rules under real concurrency on PostgreSQL (row locks, READ COMMITTED), where SQLite's one-writer-at-
a-time would hide a race: fulfilment, stock, webhook dedupe and cart updates from many threads at once."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy
from sqlmodel import Session, select

from rxshop import carts, db as shop_db, migrations, order_payments, orders, reservations
from rxshop.fulfilment import handle_webhook
from rxshop.models import CartItem, Order, OrderLine, OutboxEmail, Payment, Product, WebhookEvent
from rxshop.payments import PaymentResult
from rxshop.payments.types import WebhookNotice


@pytest.fixture
def pg(pg_url, monkeypatch):
    engine = sqlalchemy.create_engine(pg_url, pool_size=10, max_overflow=10)
    migrations.upgrade(engine)
    monkeypatch.setattr(shop_db, "get_engine", lambda: engine)
    with Session(engine) as s:
        s.add_all([Product(slug="a", name="A", price_cents=1000, stock=1),
                   Product(slug="b", name="B", price_cents=500, stock=10),
                   Product(slug="c", name="C", price_cents=700)])
        s.commit()
    yield engine
    engine.dispose()


def product(engine, slug: str) -> Product:
    with Session(engine) as s:
        return s.exec(select(Product).where(Product.slug == slug)).one()


def new_order(engine, *items: tuple[str, int]) -> Order:
    with Session(engine) as s:
        cart = None
        for slug, qty in items:
            cart, _ = carts.add_item(s, cart.token if cart else None, product(engine, slug).id, qty)
        return orders.create_from_cart(s, cart.token, "checkout", "usd", email="x@example.com")


def paid(order: Order, pi: str) -> PaymentResult:
    return PaymentResult(kind="payment_intent", provider_id=pi, status="succeeded", paid=True,
                         amount=order.total_cents, currency="usd", order_id=order.id, order_number=order.number)


def at_once(n: int, fn) -> list:
    barrier = threading.Barrier(n)

    def run(i):
        barrier.wait()
        return fn(i)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


def test_concurrent_fulfilment_of_one_payment_pays_once(pg):
    order = new_order(pg, ("b", 2))

    def fulfil(_):
        with Session(pg, expire_on_commit=False) as s:
            return order_payments.fulfil(s, paid(order, "pi_once"), "test").newly_paid

    assert sorted(at_once(8, fulfil)) == [False] * 7 + [True]
    with Session(pg) as s:
        assert s.get(Order, order.id).status == "paid"
        assert len(s.exec(select(Payment)).all()) == 1
    assert product(pg, "b").stock == 8


def test_two_orders_race_for_the_last_unit_one_gets_it(pg):
    """The last unit is reserved when the order is made: of two shoppers ordering it at once, one gets an order."""
    with Session(pg) as s:
        tokens = [carts.add_item(s, None, product(pg, "a").id, 1)[0].token for _ in range(2)]

    def order(i):
        with Session(pg, expire_on_commit=False) as s:
            try:
                return orders.create_from_cart(s, tokens[i], "checkout", "usd", email="x@example.com")
            except orders.OrderError:
                return None

    made = [o for o in at_once(2, order) if o is not None]
    assert len(made) == 1 and product(pg, "a").stock == 0
    with Session(pg, expire_on_commit=False) as s:
        assert order_payments.fulfil(s, paid(made[0], "pi_race"), "test").newly_paid
    assert product(pg, "a").stock == 0


def test_concurrent_deliveries_of_one_webhook_event_fulfil_once(pg):
    order = new_order(pg, ("b", 1))
    notice = WebhookNotice(event_id="evt_pg_1", type="payment_intent.succeeded", result=paid(order, "pi_hook"))
    at_once(6, lambda _: handle_webhook(notice))
    with Session(pg) as s:
        event = s.get(WebhookEvent, "evt_pg_1")
        assert event.processed_at is not None
        assert len(s.exec(select(Payment)).all()) == 1
        assert [e.kind for e in s.exec(select(OutboxEmail))] == ["receipt"]  # one receipt queued
    assert product(pg, "b").stock == 9


def test_outbox_senders_on_every_instance_send_each_email_once(pg):
    from email.message import EmailMessage

    from rxshop import outbox

    orders_ = [new_order(pg, ("c", 1)) for _ in range(5)]
    with Session(pg) as s:
        for o in orders_:
            msg = EmailMessage()
            msg["To"], msg["Subject"] = f"{o.number}@example.com", o.number
            msg.set_content("receipt")
            assert outbox.enqueue(s, o.id, "receipt", msg)
    sent, lock = [], threading.Lock()

    def send(msg):
        with lock:
            sent.append(msg["To"])

    def sender(_):
        with Session(pg, expire_on_commit=False) as s:
            return outbox.deliver_due(s, send)

    assert sum(at_once(6, sender)) == 5
    assert sorted(sent) == sorted(f"{o.number}@example.com" for o in orders_)  # each exactly once
    with Session(pg) as s:
        assert {e.status for e in s.exec(select(OutboxEmail))} == {"sent"}


def test_concurrent_adds_to_one_cart_lose_no_update(pg):
    with Session(pg) as s:
        token = carts.add_item(s, None, product(pg, "c").id, 1)[0].token

    def add(_):
        with Session(pg) as s:
            carts.add_item(s, token, product(pg, "c").id, 1)

    at_once(8, add)
    with Session(pg) as s:
        assert s.exec(select(CartItem)).one().quantity == 9


def test_stock_is_taken_in_product_order_so_two_payments_cannot_deadlock(pg, monkeypatch):
    """Row locks taken in one global order (product id): two orders with the same products in opposite order
    can't wait on each other. Stock is taken when the order is made (reserved)."""
    a, b = product(pg, "b"), product(pg, "c")
    seen = []
    take = reservations._TAKE.run  # the stock UPDATE runs on the driver (db.Statement): watched where it is issued

    def capture(db, params):
        seen.append(params["id"])
        return take(db, params)

    monkeypatch.setattr(reservations._TAKE, "run", capture)
    order = new_order(pg, ("c", 1), ("b", 1))  # lines in reverse id order
    with Session(pg) as s:
        assert [ln.product_id for ln in s.exec(select(OrderLine).order_by(OrderLine.id))] == [b.id, a.id]
    assert seen == sorted(seen) == [a.id, b.id]
    assert order.stock_reserved
