"""Payment guards against the real sandbox and a real database: card testing through the Charges path, a second
payment for a paid order, one open order per cart and flow, expiry, links after a refund, the cart after paying,
order/payment id binding, and the last unit of limited stock. Each test fails without its guard."""
import threading

import pytest
from sqlmodel import Session, select

from rxshop import carts, orders, payment_attempts, payments, receipts, reservations
from rxshop.models import CartItem, Order, Product
from rxshop.models.base import utcnow
from rxshop.orders import OrderError
from rxshop.payments import PaymentError
from rxshop.settings import get_settings

from .conftest import deliver, event, new_order, run


def product_id(db, slug):
    return db.exec(select(Product).where(Product.slug == slug)).one().id


def charges(stripe_client, order) -> list:
    """Every Charge the sandbox holds for this order."""
    return [c for c in stripe_client.v1.charges.list(params={"limit": 100}).data
            if c.to_dict().get("metadata", {}).get("order_number") == order.number]


def charge_with(db, order, token):
    """What the express page's Charges handler does with a token (the guard, then Stripe)."""
    attempt = payment_attempts.begin_charge(db, order.id)
    try:
        result = run(payments.create_charge(orders.order_ref(db, order), token, attempt))
    except PaymentError:
        payment_attempts.end_charge(db, order.id, failed=True)
        raise
    orders.attach(db, order, stripe_charge_id=result.charge_id)
    payment_attempts.end_charge(db, order.id, failed=False)
    return result


def test_card_testing_is_bounded_per_order(db, stripe_client, monkeypatch):
    monkeypatch.setattr(get_settings(), "rxshop_max_failed_payments", 3)
    order = new_order(db, flow="charges")
    for _ in range(3):
        with pytest.raises(PaymentError):
            charge_with(db, order, "tok_chargeDeclined")
    with pytest.raises(OrderError, match="too many failed"):
        charge_with(db, order, "tok_visa")
    assert len(charges(stripe_client, order)) == 3  # the 4th card never reached Stripe


def test_one_charge_attempt_in_flight_per_order(db, shop):
    order = new_order(db, flow="charges")
    results = []
    barrier = threading.Barrier(4)

    def attempt():
        with Session(shop, expire_on_commit=False) as s:
            barrier.wait()
            try:
                results.append(payment_attempts.begin_charge(s, order.id))
            except OrderError as exc:
                results.append(str(exc))

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(map(str, results)).count("1") == 1, results


def test_a_paid_order_is_never_charged_again(db, stripe_client):
    order = new_order(db, flow="charges")
    result = charge_with(db, order, "tok_visa")
    assert result.paid
    with pytest.raises(payment_attempts.AlreadyPaid):
        charge_with(db, order, "tok_mastercard")
    # even before fulfilment marked it paid (the webhook not there yet): the stored charge says so
    assert len(charges(stripe_client, order)) == 1


def test_no_second_payment_intent_after_success(db, stripe_client):
    order = new_order(db)
    intent = run(payments.ensure_payment_intent(orders.order_ref(db, order)))
    stripe_client.v1.payment_intents.confirm(intent.id, params={"payment_method": "pm_card_visa"})
    with pytest.raises(payments.AlreadyPaidError):
        run(payments.ensure_payment_intent(orders.order_ref(db, order), intent.id, intent.customer_id))
    intents = [pi for pi in stripe_client.v1.payment_intents.list(params={"limit": 100}).data
               if pi.to_dict().get("metadata", {}).get("order_number") == order.number]
    assert len(intents) == 1


def test_one_open_order_per_cart_and_flow(db):
    cart, _ = carts.add_item(db, None, product_id(db, "mug"), 1)
    first = payment_attempts.open_or_create_from_cart(db, cart.token, "express", "usd", "a@example.com")
    again = payment_attempts.open_or_create_from_cart(db, cart.token, "express", "usd", "a@example.com")
    assert again.id == first.id  # a reload or a second Pay reuses it
    carts.add_item(db, cart.token, product_id(db, "limited"), 1)  # the cart changed: a new order, the old canceled
    third = payment_attempts.open_or_create_from_cart(db, cart.token, "express", "usd", "a@example.com")
    assert third.id != first.id
    db.expire_all()
    pending = db.exec(select(Order).where(Order.cart_id == cart.id, Order.status == "pending")).all()
    assert [o.id for o in pending] == [third.id]


@pytest.mark.parametrize("source", ["cart", "product"])
def test_an_open_order_out_of_attempts_is_not_taken_up_again(db, monkeypatch, source):
    """A reload or a second Pay must not hand back an order that used up its attempts (a new order has none used)."""
    monkeypatch.setattr(get_settings(), "rxshop_max_failed_payments", 2)
    cart, _ = carts.add_item(db, None, product_id(db, "mug"), 1)

    def take():
        if source == "cart":
            return payment_attempts.open_or_create_from_cart(db, cart.token, "charges", "usd", "")
        return payment_attempts.open_or_create_for_product(db, "tab-1", "mug", 1, "charges", "usd", "")

    order = take()
    for _ in range(2):
        payment_attempts.count_failure(db, order.id)
    with pytest.raises(OrderError, match="too many failed"):
        take()


def test_only_a_new_order_spends_the_callers_order_budget(db):
    cart, _ = carts.add_item(db, None, product_id(db, "mug"), 1)
    spent = []

    def budget(allow):
        return lambda: spent.append(allow) or allow

    with pytest.raises(OrderError):  # over the limit: no new order
        payment_attempts.open_or_create_from_cart(db, cart.token, "express", "usd", "", budget(False))
    assert db.exec(select(Order).where(Order.cart_id == cart.id)).all() == []
    first = payment_attempts.open_or_create_from_cart(db, cart.token, "express", "usd", "", budget(True))
    again = payment_attempts.open_or_create_from_cart(db, cart.token, "express", "usd", "b@example.com",
                                                      budget(False))
    assert again.id == first.id and again.email == "b@example.com"  # reuse costs nothing and takes the new address
    assert spent == [False, True]
    with pytest.raises(OrderError):  # "Buy now" is bounded the same way
        payment_attempts.open_or_create_for_product(db, "tab-1", "mug", 1, "express", "usd", "", budget(False))


def test_expired_orders_are_canceled_at_stripe_and_give_stock_back(db, stripe_client):
    from rxshop import expiry

    order = new_order(db, slug="limited")
    limited = db.get(Product, product_id(db, "limited"))
    db.refresh(limited)
    assert limited.stock == 0  # reserved by the pending order
    intent = run(payments.ensure_payment_intent(orders.order_ref(db, order)))
    orders.attach(db, order, stripe_payment_intent_id=intent.id, expires_at=utcnow())
    assert run(expiry.sweep_once()) == 1
    db.expire_all()
    assert db.get(Order, order.id).status == "canceled"
    assert db.get(Product, limited.id).stock == 1
    assert stripe_client.v1.payment_intents.retrieve(intent.id).status == "canceled"


def test_checkout_session_expired_event_cancels_the_order(db, stripe_client):
    order = new_order(db, slug="limited", flow="checkout")
    redirect = run(payments.create_checkout_session(orders.order_ref(db, order), "http://shop.test/ok",
                                                    "http://shop.test/cart"))
    orders.attach(db, order, stripe_checkout_session_id=redirect.session_id)
    expired = stripe_client.v1.checkout.sessions.expire(redirect.session_id).to_dict()
    assert deliver(event(expired, "checkout.session.expired")).status_code == 200
    db.expire_all()
    assert db.get(Order, order.id).status == "canceled"
    assert db.get(Product, product_id(db, "limited")).stock == 1


def paid_by_intent(db, stripe_client, order):
    intent = run(payments.ensure_payment_intent(orders.order_ref(db, order)))
    orders.attach(db, order, stripe_payment_intent_id=intent.id)
    return stripe_client.v1.payment_intents.confirm(intent.id, params={"payment_method": "pm_card_visa"}).to_dict()


def test_a_fully_refunded_order_shows_no_links_even_when_the_refund_came_first(db, stripe_client):
    order = new_order(db)
    pi = paid_by_intent(db, stripe_client, order)
    stripe_client.v1.refunds.create(params={"payment_intent": pi["id"]})
    charge = stripe_client.v1.charges.retrieve(pi["latest_charge"]).to_dict()
    assert deliver(event(charge, "charge.refunded")).status_code == 200  # before any success event
    assert deliver(event(pi, "payment_intent.succeeded")).status_code == 200
    db.expire_all()
    got = db.get(Order, order.id)
    assert got.status == "refunded" and not receipts.shows_links(got)
    assert all(v.delivery_url == "" for v in receipts.line_views(db, got, receipts.shows_links(got)))
    from rxshop import outbox
    assert outbox.for_order(db, order.id) == []  # no receipt with links


def test_paying_empties_only_the_ordered_lines(db, stripe_client):
    cart, _ = carts.add_item(db, None, product_id(db, "mug"), 2)
    order = orders.create_from_cart(db, cart.token, "express", "usd", "b@example.com")
    carts.add_item(db, cart.token, product_id(db, "limited"), 1)  # added after the order was made
    carts.add_item(db, cart.token, product_id(db, "mug"), 1)  # one more mug than was ordered
    assert deliver(event(paid_by_intent(db, stripe_client, order), "payment_intent.succeeded")).status_code == 200
    db.expire_all()
    left = {i.product_id: i.quantity for i in db.exec(select(CartItem).where(CartItem.cart_id == cart.id))}
    assert left == {product_id(db, "limited"): 1, product_id(db, "mug"): 1}


def test_a_payment_not_bound_to_the_order_fulfils_nothing(db, stripe_client):
    order = new_order(db)
    paid_by_intent(db, stripe_client, order)  # the order's own PaymentIntent is stored
    for metadata in ({"order_id": str(order.id), "order_number": order.number},  # another PI naming the order
                     {"order_id": str(order.id), "order_number": "RX-ZZZZZZ"}):  # the id of one, number of another
        other = stripe_client.v1.payment_intents.create(params={
            "amount": order.total_cents, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True,
            "payment_method_types": ["card"], "metadata": metadata})
        assert deliver(event(other.to_dict(), "payment_intent.succeeded")).status_code == 200
        db.expire_all()
        got = db.get(Order, order.id)
        assert got.status == "pending" and "does not belong" in got.note


def test_two_shoppers_racing_for_the_last_unit(shop, db, stripe_client):
    limited = product_id(db, "limited")  # stock 1
    tokens = [carts.add_item(db, None, limited, 1)[0].token for _ in range(2)]
    made, refused, barrier = [], [], threading.Barrier(2)

    def shopper(token):
        with Session(shop, expire_on_commit=False) as s:
            barrier.wait()
            try:
                made.append(orders.create_from_cart(s, token, "express", "usd", "race@example.com"))
            except OrderError as exc:
                refused.append(str(exc))

    threads = [threading.Thread(target=shopper, args=(t,)) for t in tokens]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(made) == 1 and len(refused) == 1, (made, refused)
    winner = made[0]
    assert deliver(event(paid_by_intent(db, stripe_client, winner), "payment_intent.succeeded")).status_code == 200
    db.expire_all()
    assert db.get(Order, winner.id).status == "paid" and db.get(Product, limited).stock == 0


def test_a_replaced_payment_intent_is_canceled_first(db, stripe_client):
    order = new_order(db)
    first = run(payments.ensure_payment_intent(orders.order_ref(db, order)))
    orders.set_email(db, order, "changed@example.com")  # the shopper corrected the email: a new PaymentIntent
    second = run(payments.ensure_payment_intent(orders.order_ref(db, order), first.id, first.customer_id))
    assert second.id != first.id
    assert stripe_client.v1.payment_intents.retrieve(first.id).status == "canceled"  # the old secret pays nothing


def test_expired_checkout_orders_are_expired_at_stripe_and_give_stock_back(db, stripe_client):
    from rxshop import expiry

    order = new_order(db, slug="limited", flow="checkout")
    redirect = run(payments.create_checkout_session(orders.order_ref(db, order), "http://shop.test/ok",
                                                    "http://shop.test/cart"))
    orders.attach(db, order, stripe_checkout_session_id=redirect.session_id, expires_at=utcnow())
    assert run(expiry.sweep_once()) == 1
    db.expire_all()
    assert db.get(Order, order.id).status == "canceled"
    assert db.get(Product, product_id(db, "limited")).stock == 1
    assert stripe_client.v1.checkout.sessions.retrieve(redirect.session_id).status == "expired"
    seen = run(payments.retrieve_checkout_session(redirect.session_id))
    assert (seen.status, seen.checkout_session_id, seen.order_id, seen.paid) == (
        "expired", redirect.session_id, order.id, False)
