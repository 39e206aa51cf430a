"""Browser tests of the sandbox's hosted Checkout page (session.url)."""
from __future__ import annotations

import re

import pytest
import stripe
from playwright.sync_api import Page, expect

from tests.sandbox.conftest_pages import client, events_of, sandbox, shop  # noqa: F401

TIMEOUT = 10_000


def make_session(client: stripe.StripeClient, shop, **extra) -> stripe.checkout.Session:
    params = {
        "mode": "payment",
        "line_items": [
            {"quantity": 2, "price_data": {"currency": "usd", "unit_amount": 1250,
                                           "product_data": {"name": "Blue Mug", "images": []}}},
            {"quantity": 1, "price_data": {"currency": "usd", "unit_amount": 899,
                                           "product_data": {"name": "Tea Towel"}}},
        ],
        "success_url": f"{shop.url}/success?session_id={{CHECKOUT_SESSION_ID}}",
        "cancel_url": f"{shop.url}/cancel",
        "customer_email": "shopper@example.com",
        "client_reference_id": "order-42",
        "metadata": {"order_id": "42"},
    }
    params.update(extra)
    return client.v1.checkout.sessions.create(params=params)


def pay(page: Page, number: str, exp: str = "12 / 34", cvc: str = "123") -> None:
    page.get_by_role("textbox", name="Card number").fill(number)
    page.get_by_role("textbox", name="Expiration").fill(exp)
    page.get_by_role("textbox", name="CVC").fill(cvc)
    page.get_by_role("button", name="Pay").click()


def expect_success(page: Page, shop, cs_id: str) -> None:
    page.wait_for_url(re.compile(re.escape(f"{shop.url}/success?session_id={cs_id}") + "$"), timeout=TIMEOUT)
    expect(page.locator("#landed")).to_have_text("success")


def test_page_shows_items_total_and_prefilled_email(page: Page, client, shop):
    cs = make_session(client, shop)
    page.goto(cs.url)
    expect(page.get_by_text("Blue Mug")).to_be_visible()
    expect(page.get_by_text("Tea Towel")).to_be_visible()
    expect(page.get_by_text("Qty 2 × $12.50")).to_be_visible()
    expect(page.locator("#total")).to_have_text("$33.99")
    expect(page.get_by_role("textbox", name="Email")).to_have_value("shopper@example.com")
    assert cs.amount_total == 3399 and cs.status == "open" and cs.payment_status == "unpaid"


def test_success_redirects_with_real_session_id_and_completes(page: Page, client, shop):
    cs = make_session(client, shop)
    page.goto(cs.url)
    pay(page, "4242 4242 4242 4242")
    expect_success(page, shop, cs.id)
    done = client.v1.checkout.sessions.retrieve(cs.id, params={"expand": ["payment_intent.latest_charge"]})
    assert (done.status, done.payment_status) == ("complete", "paid")
    assert done.payment_intent.status == "succeeded"
    assert done.payment_intent.latest_charge.paid is True
    assert done.customer_details.email == "shopper@example.com"
    completed = [e for e in events_of(client, "checkout.session.completed") if e.data.object.id == cs.id]
    assert len(completed) == 1
    obj = completed[0].data.object
    assert obj.metadata["order_id"] == "42" and obj.client_reference_id == "order-42"
    assert obj.payment_intent == done.payment_intent.id and obj.amount_total == 3399
    assert obj.customer_details.email == "shopper@example.com"
    assert any(e.data.object.payment_intent == done.payment_intent.id for e in events_of(client, "charge.succeeded"))
    assert any(e.data.object.id == done.payment_intent.id for e in events_of(client, "payment_intent.succeeded"))


def test_decline_then_retry_with_another_card(page: Page, client, shop):
    cs = make_session(client, shop)
    page.goto(cs.url)
    pay(page, "4000 0000 0000 0002")
    expect(page.get_by_role("alert")).to_have_text("Your card was declined.")
    unpaid = client.v1.checkout.sessions.retrieve(cs.id)
    assert (unpaid.status, unpaid.payment_status) == ("open", "unpaid")
    expect(page.get_by_role("textbox", name="Email")).to_have_value("shopper@example.com")
    pay(page, "4242424242424242")
    expect_success(page, shop, cs.id)
    assert client.v1.checkout.sessions.retrieve(cs.id).payment_status == "paid"


@pytest.mark.parametrize("number, message", [
    ("4000000000009995", "Your card has insufficient funds."),
    ("4000000000000069", "Your card has expired."),
    ("4000000000000127", "Your card's security code is incorrect."),
    ("4242424242424241", "Your card number is incorrect."),
])
def test_other_declines_are_shown(page: Page, client, shop, number, message):
    cs = make_session(client, shop)
    page.goto(cs.url)
    pay(page, number)
    expect(page.get_by_role("alert")).to_have_text(message)
    assert client.v1.checkout.sessions.retrieve(cs.id).payment_status == "unpaid"


def test_3ds_complete_pays(page: Page, client, shop):
    cs = make_session(client, shop)
    page.goto(cs.url)
    pay(page, "4000 0025 0000 3155")
    page.get_by_role("button", name="Complete authentication").click()
    expect_success(page, shop, cs.id)
    done = client.v1.checkout.sessions.retrieve(cs.id, params={"expand": ["payment_intent"]})
    assert done.payment_status == "paid" and done.payment_intent.status == "succeeded"


def test_3ds_fail_shows_error_and_does_not_pay(page: Page, client, shop):
    cs = make_session(client, shop)
    page.goto(cs.url)
    pay(page, "4000 0000 0000 3220")
    page.get_by_role("button", name="Fail authentication").click()
    expect(page.get_by_role("alert")).to_contain_text("unable to authenticate your payment method")
    s = client.v1.checkout.sessions.retrieve(cs.id, params={"expand": ["payment_intent"]})
    assert (s.status, s.payment_status) == ("open", "unpaid")
    assert s.payment_intent.status == "requires_payment_method"
    assert s.payment_intent.last_payment_error.code == "payment_intent_authentication_failure"


def test_3ds_then_decline(page: Page, client, shop):
    cs = make_session(client, shop)
    page.goto(cs.url)
    pay(page, "4000 0084 0000 1629")
    page.get_by_role("button", name="Complete authentication").click()
    expect(page.get_by_role("alert")).to_have_text("Your card was declined.")
    assert client.v1.checkout.sessions.retrieve(cs.id).payment_status == "unpaid"


def test_cancel_link_goes_to_cancel_url(page: Page, client, shop):
    cs = make_session(client, shop)
    page.goto(cs.url)
    page.get_by_role("link", name="Cancel").click()
    page.wait_for_url(f"{shop.url}/cancel", timeout=TIMEOUT)
    assert client.v1.checkout.sessions.retrieve(cs.id).status == "open"


def test_completed_session_cannot_be_paid_again(page: Page, client, shop):
    cs = make_session(client, shop)
    page.goto(cs.url)
    pay(page, "4242424242424242")
    expect_success(page, shop, cs.id)
    page.goto(cs.url)
    expect(page.get_by_role("heading", name="Payment complete")).to_be_visible()
    expect(page.get_by_text("can't be paid again")).to_be_visible()
    expect(page.get_by_role("button", name="Pay")).to_have_count(0)
    charges = client.v1.charges.list(params={"payment_intent": client.v1.checkout.sessions.retrieve(cs.id)
                                             .payment_intent})
    assert len(charges.data) == 1


def test_expired_session_shows_clear_page(page: Page, client, shop):
    cs = make_session(client, shop)
    expired = client.v1.checkout.sessions.expire(cs.id)
    assert expired.status == "expired" and expired.url is None
    page.goto(cs.url)
    expect(page.get_by_role("heading", name="Session expired")).to_be_visible()
    expect(page.get_by_role("button", name="Pay")).to_have_count(0)
