"""The webhook runner: each event type goes to its handler, once; unknown types are recorded and ignored."""
import contextlib

import pytest
from sqlmodel import Session

from rxshop import carts, fulfilment, orders
from rxshop.models import Order, WebhookEvent
from rxshop.payments import PaymentResult, WebhookNotice


@pytest.fixture
def runner(engine, monkeypatch):
    """The runner on the unit database (receipts are only queued in the outbox: no SMTP here)."""

    @contextlib.contextmanager
    def session():
        with Session(engine, expire_on_commit=False) as s:
            yield s

    monkeypatch.setattr(fulfilment, "db_session", session)
    return session


def _order(session, products) -> Order:
    with session() as s:
        cart, _ = carts.add_item(s, None, products["mug"], 1)
        order = orders.create_from_cart(s, cart.token, "checkout", "usd", "a@example.com")
        orders.watch(s, order, "tab-1")
        return order


def _result(order: Order, **kw) -> PaymentResult:
    return PaymentResult(**{**dict(kind="payment_intent", provider_id="pi_1", status="succeeded", paid=True,
                                   amount=order.total_cents, currency="usd", order_id=order.id,
                                   order_number=order.number), **kw})


def _status(session, order: Order) -> str:
    with session() as s:
        return s.get(Order, order.id).status


def test_every_handled_type_has_a_handler_and_each_event_runs_once(runner, products):
    order = _order(runner, products)
    assert fulfilment.handle_webhook(WebhookNotice("evt_1", "payment_intent.succeeded", _result(order))) == "tab-1"
    assert _status(runner, order) == "paid"
    refund = WebhookNotice("evt_2", "charge.refunded", _result(order, amount_refunded=order.total_cents))
    assert fulfilment.handle_webhook(refund) == "tab-1"
    assert _status(runner, order) == "refunded"
    assert fulfilment.handle_webhook(refund) is None  # a replay changes nothing twice
    with runner() as s:
        assert s.get(WebhookEvent, "evt_2").attempts == 1


def test_unknown_event_type_is_recorded_and_ignored(runner, products):
    order = _order(runner, products)
    assert fulfilment.handle_webhook(WebhookNotice("evt_9", "customer.created", _result(order))) is None
    assert _status(runner, order) == "pending"
    with runner() as s:
        assert s.get(WebhookEvent, "evt_9").processed_at is not None


def test_a_failing_handler_leaves_the_event_unprocessed_for_the_retry(runner, products, monkeypatch):
    order = _order(runner, products)

    def boom(*_):
        raise RuntimeError("database went away")

    monkeypatch.setitem(fulfilment.HANDLERS, "payment_intent.succeeded", boom)
    with pytest.raises(RuntimeError):
        fulfilment.handle_webhook(WebhookNotice("evt_3", "payment_intent.succeeded", _result(order)))
    with runner() as s:
        event = s.get(WebhookEvent, "evt_3")
        assert event.processed_at is None and "database went away" in event.error
