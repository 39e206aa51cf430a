"""Browser tests of the sandbox's Stripe.js v3 stand-in, on a merchant test page served from another origin."""
from __future__ import annotations

import pytest
import stripe
from playwright.sync_api import Page, expect

from tests.sandbox.conftest_pages import client, sandbox, shop  # noqa: F401

TIMEOUT = 10_000
CARD_FRAME = 'iframe[title="Secure card payment input frame"]'
TDS_FRAME = 'iframe[title="3D Secure authentication"]'


@pytest.fixture
def js_page(page: Page, shop) -> Page:
    page.goto(f"{shop.url}/stripejs")
    page.wait_for_function("window.ready === true", timeout=TIMEOUT)
    return page


def fill_card(page: Page, number: str, exp: str = "12 / 34", cvc: str = "123", wait_complete: bool = True) -> None:
    frame = page.frame_locator(CARD_FRAME)
    frame.get_by_label("Card number").fill(number)
    frame.get_by_label("Expiration").fill(exp)
    frame.get_by_label("CVC").fill(cvc)
    if wait_complete:
        page.wait_for_function("window.changes.length && window.changes[window.changes.length-1].complete",
                               timeout=TIMEOUT)


def run(page: Page, expr: str, arg=None):
    """Start a promise on the page, return its settled value (after any UI interaction done meanwhile)."""
    page.evaluate(f"(arg) => window.run({expr})", arg)


def result(page: Page):
    page.wait_for_function("window.__result !== undefined", timeout=TIMEOUT)
    return page.evaluate("window.__result")


def new_pi(client: stripe.StripeClient, amount: int = 1999) -> stripe.PaymentIntent:
    return client.v1.payment_intents.create(params={"amount": amount, "currency": "usd",
                                                    "automatic_payment_methods": {"enabled": True},
                                                    "metadata": {"order_id": "7"}})


CONFIRM = ("stripe.confirmCardPayment(arg, {payment_method: {card: window.card, "
           "billing_details: {email: document.getElementById('email').value}}})")


def assert_no_card_data(page: Page, *numbers: str) -> None:
    """The merchant page (DOM, messages it received, requests it sent) never contains the card number."""
    html = page.content()
    messages = " ".join(page.evaluate("window.__messages"))
    sent = " ".join(page.evaluate("window.__sent"))
    for n in numbers:
        for form in (n, " ".join(n[i:i + 4] for i in range(0, len(n), 4))):
            assert form not in html
            assert form not in messages
            assert form not in sent
    # the card inputs are in a cross-origin frame the page script cannot read
    assert page.evaluate("document.querySelector('iframe').contentDocument") is None
    assert page.evaluate("document.querySelectorAll('input[name=cardnumber], input[autocomplete=cc-number]').length") == 0


def test_change_events_report_complete_and_errors(js_page: Page):
    frame = js_page.frame_locator(CARD_FRAME)
    frame.get_by_label("Card number").fill("4242 4242 4242 4241")
    js_page.wait_for_function("window.changes.some(e => e.error && e.error.code === 'invalid_number')",
                              timeout=TIMEOUT)
    expect(js_page.locator("#card-errors")).to_have_text("Your card number is invalid.")
    frame.get_by_label("Card number").fill("4242424242424242")
    frame.get_by_label("Expiration").fill("01 / 20")
    expect(js_page.locator("#card-errors")).to_have_text("Your card's expiration year is in the past.")
    fill_card(js_page, "4242424242424242")
    last = js_page.evaluate("window.changes[window.changes.length-1]")
    assert last["complete"] is True and last["empty"] is False and last.get("error") is None
    assert last["brand"] == "visa" and last["elementType"] == "card"
    expect(js_page.locator("#card-errors")).to_have_text("")
    assert_no_card_data(js_page, "4242424242424242")


def test_confirm_card_payment_success(js_page: Page, client):
    pi = new_pi(client)
    fill_card(js_page, "4242 4242 4242 4242")
    run(js_page, CONFIRM, pi.client_secret)
    r = result(js_page)
    assert "error" not in r
    assert r["paymentIntent"]["id"] == pi.id and r["paymentIntent"]["status"] == "succeeded"
    assert "metadata" not in r["paymentIntent"]          # publishable-key view
    server = client.v1.payment_intents.retrieve(pi.id, params={"expand": ["latest_charge", "payment_method"]})
    assert server.status == "succeeded" and server.latest_charge.paid
    assert server.payment_method.card.last4 == "4242"
    assert server.payment_method.billing_details.email == "shopper@example.com"
    assert_no_card_data(js_page, "4242424242424242")


def test_confirm_card_payment_decline_returns_error(js_page: Page, client):
    pi = new_pi(client)
    fill_card(js_page, "4000000000000002")
    run(js_page, CONFIRM, pi.client_secret)
    err = result(js_page)["error"]
    assert err["type"] == "card_error" and err["code"] == "card_declined"
    assert err["decline_code"] == "generic_decline" and err["message"] == "Your card was declined."
    server = client.v1.payment_intents.retrieve(pi.id)
    assert server.status == "requires_payment_method"
    assert server.last_payment_error.decline_code == "generic_decline"
    # the shopper retries with another card on the same PaymentIntent
    fill_card(js_page, "4242424242424242")
    run(js_page, CONFIRM, pi.client_secret)
    assert result(js_page)["paymentIntent"]["status"] == "succeeded"
    assert_no_card_data(js_page, "4000000000000002", "4242424242424242")


def test_confirm_card_payment_3ds_complete(js_page: Page, client):
    pi = new_pi(client)
    fill_card(js_page, "4000002500003155")
    run(js_page, CONFIRM, pi.client_secret)
    js_page.frame_locator(TDS_FRAME).get_by_role("button", name="Complete authentication").click()
    r = result(js_page)
    assert r["paymentIntent"]["status"] == "succeeded"
    expect(js_page.locator(TDS_FRAME)).to_have_count(0)
    assert client.v1.payment_intents.retrieve(pi.id).status == "succeeded"
    assert_no_card_data(js_page, "4000002500003155")


def test_confirm_card_payment_3ds_fail(js_page: Page, client):
    pi = new_pi(client)
    fill_card(js_page, "4000000000003220")
    run(js_page, CONFIRM, pi.client_secret)
    js_page.frame_locator(TDS_FRAME).get_by_role("button", name="Fail authentication").click()
    err = result(js_page)["error"]
    assert err["code"] == "payment_intent_authentication_failure"
    assert err["type"] == "invalid_request_error"
    assert err["payment_intent"]["status"] == "requires_payment_method"
    server = client.v1.payment_intents.retrieve(pi.id)
    assert server.status == "requires_payment_method" and server.latest_charge is None


def test_confirm_with_payment_method_id_and_handle_next_action(js_page: Page, client):
    pi = new_pi(client)
    run(js_page, "stripe.confirmCardPayment(arg, {payment_method: 'pm_card_visa'})", pi.client_secret)
    assert result(js_page)["paymentIntent"]["status"] == "succeeded"
    pi2 = new_pi(client)
    run(js_page, "stripe.confirmCardPayment(arg, {payment_method: 'pm_card_threeDSecure2Required'}, "
                 "{handleActions: false})", pi2.client_secret)
    r = result(js_page)
    assert r["paymentIntent"]["status"] == "requires_action"
    assert r["paymentIntent"]["next_action"]["type"] == "use_stripe_sdk"
    run(js_page, "stripe.handleNextAction({clientSecret: arg})", pi2.client_secret)
    js_page.frame_locator(TDS_FRAME).get_by_role("button", name="Complete authentication").click()
    assert result(js_page)["paymentIntent"]["status"] == "succeeded"
    run(js_page, "stripe.retrievePaymentIntent(arg)", pi2.client_secret)
    assert result(js_page)["paymentIntent"]["status"] == "succeeded"


def test_create_token_then_server_side_charge(js_page: Page, client):
    fill_card(js_page, "4242424242424242")
    run(js_page, "stripe.createToken(window.card, {name: 'Ada Shopper'})")
    tok = result(js_page)["token"]
    assert tok["id"].startswith("tok_") and tok["card"]["last4"] == "4242" and tok["card"]["name"] == "Ada Shopper"
    ch = client.v1.charges.create(params={"amount": 1500, "currency": "usd", "source": tok["id"],
                                          "receipt_email": "shopper@example.com", "description": "order 9"})
    assert ch.status == "succeeded" and ch.paid is True and ch.receipt_url
    with pytest.raises(stripe.InvalidRequestError) as e:       # tokens are single-use
        client.v1.charges.create(params={"amount": 1500, "currency": "usd", "source": tok["id"]})
    assert e.value.code == "token_already_used"
    fill_card(js_page, "4000000000000002")
    run(js_page, "stripe.createToken(window.card)")
    declined = result(js_page)["token"]["id"]
    with pytest.raises(stripe.CardError) as e:
        client.v1.charges.create(params={"amount": 1500, "currency": "usd", "source": declined})
    assert e.value.code == "card_declined" and e.value.error.decline_code == "generic_decline"
    assert_no_card_data(js_page, "4242424242424242", "4000000000000002")


def test_create_payment_method_then_confirm_server_side(js_page: Page, client):
    fill_card(js_page, "5555 5555 5555 4444")
    run(js_page, "stripe.createPaymentMethod({type: 'card', card: window.card, "
                 "billing_details: {email: 'shopper@example.com'}})")
    pm = result(js_page)["paymentMethod"]
    assert pm["id"].startswith("pm_") and pm["card"]["last4"] == "4444" and pm["card"]["brand"] == "mastercard"
    pi = client.v1.payment_intents.create(params={"amount": 2500, "currency": "usd", "payment_method": pm["id"],
                                                  "confirm": True, "payment_method_types": ["card"]})
    assert pi.status == "succeeded"
    assert_no_card_data(js_page, "5555555555554444")


def test_incomplete_card_is_a_validation_error(js_page: Page):
    fill_card(js_page, "4242 4242", wait_complete=False)
    run(js_page, "stripe.createPaymentMethod({type: 'card', card: window.card})")
    err = result(js_page)["error"]
    assert err["type"] == "validation_error" and err["code"] == "incomplete_number"


def test_unmount_and_destroy(js_page: Page):
    js_page.evaluate("window.card.unmount()")
    expect(js_page.locator(CARD_FRAME)).to_have_count(0)
    js_page.evaluate("window.card.mount('#card-element')")
    expect(js_page.locator(CARD_FRAME)).to_have_count(1)
    js_page.evaluate("window.card.destroy()")
    expect(js_page.locator(CARD_FRAME)).to_have_count(0)
    assert js_page.evaluate("window.elements.getElement('card')") is None


def test_redirect_to_checkout(js_page: Page, client, shop):
    cs = client.v1.checkout.sessions.create(params={
        "mode": "payment", "success_url": f"{shop.url}/success?session_id={{CHECKOUT_SESSION_ID}}",
        "line_items": [{"quantity": 1, "price_data": {"currency": "eur", "unit_amount": 500,
                                                      "product_data": {"name": "Sticker"}}}]})
    js_page.evaluate("(id) => { stripe.redirectToCheckout({sessionId: id}); }", cs.id)
    js_page.wait_for_url(cs.url, timeout=TIMEOUT)
    expect(js_page.get_by_text("Sticker")).to_be_visible()


def test_merchant_page_cannot_reset_the_sandbox(js_page: Page, client, sandbox):
    client.v1.customers.create(params={"email": "keep@example.com"})
    status = js_page.evaluate("""(url) => fetch(url + '/_sandbox/reset', {method: 'POST', mode: 'no-cors'})
                                 .then(() => 'sent', () => 'failed')""", sandbox.url)
    assert status == "sent"                   # the browser sent it; the sandbox refused it
    assert len(client.v1.customers.list().data) == 1
