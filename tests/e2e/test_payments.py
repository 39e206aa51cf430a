"""Paying in Chromium through the real shop, the Stripe sandbox (hosted page, Stripe.js, webhooks) and SQLite."""
from __future__ import annotations

import re
import sqlite3
import time

import pytest
from playwright.sync_api import Page, expect

from .conftest import open_page

CARD_FRAME = 'iframe[title="Secure card payment input frame"]'
TDS_FRAME = 'iframe[title="3D Secure authentication"]'
ORDER_URL = re.compile(r"/orders/RX-[A-Z0-9]{6}\?token=")


def badge(page: Page):
    return page.get_by_test_id("cart-count")


def add_to_cart(page: Page, shop_url: str, *names: str) -> None:
    open_page(page, shop_url + "/")
    for i, name in enumerate(names, 1):
        page.get_by_role("button", name=f"Add {name} to cart").click()
        expect(badge(page)).to_have_text(str(i))


def hosted_pay(page: Page, number: str, email: str | None = None) -> None:
    if email is not None:
        page.get_by_role("textbox", name="Email").fill(email)
    page.get_by_role("textbox", name="Card number").fill(number)
    page.get_by_role("textbox", name="Expiration").fill("12 / 34")
    page.get_by_role("textbox", name="CVC").fill("123")
    page.get_by_role("button", name="Pay").click()


HOSTED_PAGE = re.compile(r".*/c/pay/cs_test_.*")


def hold_after_paying(page: Page, text: str) -> list[str]:
    """Stripe's hosted page takes the payment, but its redirect back to the shop is kept from the browser (which
    shows `text` instead); returns the list the redirect's location is put in."""
    redirects: list[str] = []

    def hold(route):
        if route.request.method != "POST":
            return route.continue_()
        response = route.fetch(max_redirects=0)
        redirects.append(response.headers.get("location", ""))
        route.fulfill(status=200, content_type="text/html", body=f"<p>{text}</p>")

    page.route(HOSTED_PAGE, hold)
    return redirects


def express_card(page: Page, number: str) -> None:
    frame = page.frame_locator(CARD_FRAME)
    frame.get_by_label("Card number").fill(number)
    frame.get_by_label("Expiration").fill("12 / 34")
    frame.get_by_label("CVC").fill("123")


def order_row(shop, number: str) -> dict:
    con = sqlite3.connect(shop.db_path)
    con.row_factory = sqlite3.Row
    try:
        return dict(con.execute('select * from "order" where number = ?', (number,)).fetchone())
    finally:
        con.close()


def expect_paid_page(page: Page, amount: str) -> str:
    expect(page).to_have_url(ORDER_URL, timeout=20000)
    expect(page.get_by_test_id("order-paid")).to_be_visible(timeout=20000)
    expect(page.get_by_role("heading", name=f"Payment of {amount} succeeded")).to_be_visible()
    expect(page.get_by_test_id("payment-id")).to_have_text(re.compile(r"^(pi|ch)_"))
    return page.get_by_test_id("order-number").inner_text()


def test_checkout_success_shows_amount_and_emails_links(page: Page, shop, shop_url, mail):
    add_to_cart(page, shop_url, "Line Icon Pack", "Lo-fi Focus Album")
    open_page(page, shop_url + "/cart")
    page.get_by_role("button", name="Checkout", exact=True).click()
    expect(page).to_have_url(re.compile(r"/c/pay/cs_test_"), timeout=20000)
    expect(page.get_by_text("Line Icon Pack")).to_be_visible()
    hosted_pay(page, "4242424242424242", email="buyer1@example.com")
    number = expect_paid_page(page, "$28.00")
    lines = page.get_by_test_id("order-line")
    expect(lines).to_have_count(2)
    expect(page.get_by_test_id("delivery-link")).to_have_count(2)
    expect(badge(page)).to_have_text("0")

    msg = mail.wait_for("buyer1@example.com")[0]
    body = msg.get_content()
    assert number in msg["Subject"] and "Payment of $28.00 succeeded" in body
    links = re.findall(r"(http\S+/api/downloads/\S+)", body)  # signed shop links, never the raw location
    assert len(links) == 2 and "downloads.rxshop.example" not in body
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args):
            return None

    try:
        urllib.request.build_opener(NoRedirect).open(links[0], timeout=10)
        raise AssertionError("expected a redirect")
    except urllib.error.HTTPError as exc:  # the external URL is revealed only by following the link
        assert exc.code == 303 and exc.headers["Location"].startswith("https://downloads.rxshop.example/")
    row = order_row(shop, number)
    assert row["status"] == "paid" and row["total_cents"] == 2800 and row["email"] == "buyer1@example.com"


def test_checkout_decline_on_hosted_page_then_success(page: Page, shop, shop_url, mail):
    add_to_cart(page, shop_url, "Mountain Wallpapers")
    open_page(page, shop_url + "/cart")
    page.get_by_role("button", name="Checkout", exact=True).click()
    expect(page).to_have_url(re.compile(r"/c/pay/cs_test_"), timeout=20000)
    hosted_pay(page, "4000000000000002", email="buyer2@example.com")
    expect(page.get_by_role("alert")).to_have_text("Your card was declined.")
    hosted_pay(page, "4242424242424242")
    number = expect_paid_page(page, "$5.00")
    assert mail.wait_for("buyer2@example.com")[0]["Subject"].endswith(f"{number}: receipt and downloads")


def test_cancel_on_hosted_page_keeps_the_cart(page: Page, shop_url):
    add_to_cart(page, shop_url, "Weeknight Recipes", "Retro Sound Effects")
    open_page(page, shop_url + "/cart")
    page.get_by_role("button", name="Checkout", exact=True).click()
    expect(page).to_have_url(re.compile(r"/c/pay/cs_test_"), timeout=20000)
    page.get_by_role("link", name="Cancel").click()
    expect(page).to_have_url(re.compile(r"/cart/?\?canceled=RX-"))
    expect(page.get_by_test_id("cart-notice")).to_have_text(
        "Checkout was canceled. Your cart is just as you left it.")
    expect(page.get_by_test_id("cart-line")).to_have_count(2)
    expect(page.get_by_test_id("subtotal")).to_have_text("$23.00")
    expect(badge(page)).to_have_text("2")


def test_express_decline_shows_message_then_success(page: Page, shop, shop_url, mail):
    add_to_cart(page, shop_url, "Film Photo Presets")
    open_page(page, shop_url + "/cart")
    page.get_by_role("button", name="Express checkout").click()
    expect(page).to_have_url(shop_url + "/express")
    expect(page.get_by_test_id("summary-line")).to_have_text(["1 × Film Photo Presets$15.00"])
    page.get_by_label("Email").fill("buyer3@example.com")
    express_card(page, "4000000000009995")
    page.get_by_role("button", name="Pay $15.00").click()
    expect(page.get_by_test_id("pay-error")).to_have_text("Your card has insufficient funds.", timeout=15000)
    expect(page.get_by_role("button", name="Pay $15.00")).to_be_enabled()
    expect(page.get_by_label("Email")).to_have_value("buyer3@example.com")
    expect(badge(page)).to_have_text("1")
    express_card(page, "4242424242424242")
    page.get_by_role("button", name="Pay $15.00").click()
    number = expect_paid_page(page, "$15.00")
    assert page.get_by_test_id("payment-id").inner_text().startswith("pi_")
    expect(badge(page)).to_have_text("0")
    assert "Payment of $15.00 succeeded" in mail.wait_for("buyer3@example.com")[0].get_content()
    # the confirmation survives a reload, and a wrong token shows nothing of the order
    page.reload()
    expect_paid_page(page, "$15.00")
    expect(page.get_by_test_id("delivery-link")).to_have_text("Download Film Photo Presets")
    url = page.url
    page.goto(url.split("?token=")[0] + "?token=wrong-token")
    expect(page.get_by_test_id("not-found")).to_be_visible(timeout=15000)
    expect(page.get_by_text("Film Photo Presets")).to_have_count(0)
    expect(page.get_by_text(number)).to_have_count(0)


def test_express_email_is_required_and_validated(page: Page, shop_url):
    add_to_cart(page, shop_url, "Film Photo Presets")
    open_page(page, shop_url + "/express")
    page.get_by_label("Email").fill("not an email")
    express_card(page, "4242424242424242")
    page.get_by_label("Email").evaluate("el => el.type = 'text'")  # get past the browser's own check
    page.get_by_role("button", name=re.compile("^Pay")).click()
    expect(page.get_by_test_id("pay-error")).to_have_text("Please enter a valid email address.")


def test_express_page_does_not_offer_pay_for_a_sold_out_product(page: Page, shop, shop_url):
    con = sqlite3.connect(shop.db_path)
    con.execute("update product set stock = 0 where slug = 'weeknight-recipes'")
    con.commit()
    try:
        open_page(page, shop_url + "/express?product=weeknight-recipes&qty=1")
        expect(page.get_by_test_id("pay-error")).to_have_text("Weeknight Recipes is sold out.")
        expect(page.get_by_test_id("summary-line")).to_have_text(["1 × Weeknight Recipes$12.00"])
        expect(page.get_by_role("button", name=re.compile("^Pay"))).to_be_disabled()
    finally:
        con.execute("update product set stock = null where slug = 'weeknight-recipes'")
        con.commit()
        con.close()


@pytest.mark.parametrize("outcome", ["complete", "fail"])
def test_express_3d_secure(page: Page, shop, shop_url, mail, outcome):
    email = f"buyer-3ds-{outcome}@example.com"
    open_page(page, shop_url + "/product/python-patterns-ebook")
    page.get_by_role("button", name="Buy now").click()
    expect(page).to_have_url(shop_url + "/express?product=python-patterns-ebook&qty=1")
    expect(page.get_by_test_id("summary-line")).to_have_text(["1 × Python Patterns eBook$24.00"])
    page.get_by_label("Email").fill(email)
    express_card(page, "4000002500003155")
    page.get_by_role("button", name="Pay $24.00").click()
    challenge = page.frame_locator(TDS_FRAME)
    if outcome == "complete":
        challenge.get_by_role("button", name="Complete authentication").click()
        expect_paid_page(page, "$24.00")
        mail.wait_for(email)
    else:
        challenge.get_by_role("button", name="Fail authentication").click()
        expect(page.get_by_test_id("pay-error")).to_contain_text("unable to authenticate", timeout=15000)
        expect(page.get_by_role("button", name="Pay $24.00")).to_be_enabled()
        expect(page).to_have_url(shop_url + "/express?product=python-patterns-ebook&qty=1")
        # Then the shopper pays with another card and address: that receipt arriving shows mail works and that
        # the failed attempt (which happened first) sent nothing.
        page.get_by_label("Email").fill("buyer-3ds-retry@example.com")
        express_card(page, "4242424242424242")
        page.get_by_role("button", name="Pay $24.00").click()
        number = expect_paid_page(page, "$24.00")
        assert number in mail.wait_for("buyer-3ds-retry@example.com")[0]["Subject"]
        assert mail.messages(email) == []


def test_tab_closed_after_paying_is_fulfilled_by_webhook(page: Page, shop, shop_url, mail):
    add_to_cart(page, shop_url, "Grotesk Font Family")
    open_page(page, shop_url + "/cart")
    page.get_by_role("button", name="Checkout", exact=True).click()
    expect(page).to_have_url(re.compile(r"/c/pay/cs_test_"), timeout=20000)
    redirects = hold_after_paying(page, "tab closed")  # Stripe takes the payment; its redirect never reaches us
    hosted_pay(page, "4242424242424242", email="buyer-gone@example.com")
    expect(page.get_by_text("tab closed")).to_be_visible()
    number = re.search(r"/orders/(RX-[A-Z0-9]{6})", redirects[0]).group(1)
    page.close()
    msg = mail.wait_for("buyer-gone@example.com")[0]
    assert number in msg["Subject"]
    row = order_row(shop, number)
    assert row["status"] == "paid" and row["stripe_payment_intent_id"].startswith("pi_")
    assert row["paid_at"] is not None
    con = sqlite3.connect(shop.db_path)
    sources = [r[0] for r in con.execute(
        "select c.source from paymentstatuschange c join payment p on p.id = c.payment_id where p.order_id = ?",
        (row["id"],))]
    con.close()
    assert sources and all(src.startswith("webhook evt_") for src in sources)


def test_late_webhook_turns_open_page_to_paid(page: Page, shop, sandbox, shop_url, mail):
    sandbox.post("/_sandbox/config", {"processing_seconds": 1.0, "webhook_delay": 3.0})
    try:
        open_page(page, shop_url + "/product/retro-sound-effects")
        page.get_by_role("button", name="Buy now").click()
        page.get_by_label("Email").fill("buyer-late@example.com")
        express_card(page, "4242424242424242")
        page.get_by_role("button", name="Pay $11.00").click()
        expect(page.get_by_test_id("order-pending")).to_be_visible(timeout=15000)
        expect(page.get_by_text("This page updates by itself")).to_be_visible()
        url = page.url
        expect(page.get_by_test_id("order-paid")).to_be_visible(timeout=20000)  # pushed by the server
        assert page.url == url  # no reload, no navigation
        expect(page.get_by_role("heading", name="Payment of $11.00 succeeded")).to_be_visible()
        mail.wait_for("buyer-late@example.com")
    finally:
        sandbox.post("/_sandbox/config", {"processing_seconds": 0, "webhook_delay": 0})


def test_email_arriving_after_the_payment_reaches_the_open_page(page: Page, shop, sandbox, shop_url, mail):
    """payment_intent.succeeded (no email) can come before checkout.session.completed (the email Checkout
    collected): the paid page says nothing false meanwhile and shows the address when it arrives, without reload."""
    import json

    sandbox.post("/_sandbox/config", {"webhook_delay": 60.0})  # the test delivers the two events itself, in order
    try:
        add_to_cart(page, shop_url, "Film Photo Presets")
        open_page(page, shop_url + "/cart")
        page.get_by_role("button", name="Checkout", exact=True).click()
        expect(page).to_have_url(re.compile(r"/c/pay/cs_test_"), timeout=20000)
        redirects = hold_after_paying(page, "held")  # the browser stays away until the first event is in
        hosted_pay(page, "4242424242424242", email="buyer-email-late@example.com")
        expect(page.get_by_text("held")).to_be_visible()
        number = re.search(r"/orders/(RX-[A-Z0-9]{6})", redirects[0]).group(1)
        events = {e["type"]: e for e in _events_for(sandbox, number)}
        secret, url = shop.env["STRIPE_WEBHOOK_SECRET"], shop_url + "/api/stripe/webhook"
        succeeded = events["payment_intent.succeeded"]
        assert "buyer-email-late@example.com" not in json.dumps(succeeded)
        assert _signed_post(url, json.dumps(succeeded).encode(), secret) == 200
        assert order_row(shop, number)["status"] == "paid" and order_row(shop, number)["email"] == ""

        page.unroute(HOSTED_PAGE)
        page.goto(redirects[0])
        expect(page.get_by_test_id("order-paid")).to_be_visible(timeout=20000)
        note = page.get_by_test_id("receipt-note")
        expect(note).to_have_text("Thank you! A receipt with your download links is on its way to the email address "
                                  "you gave at checkout.")
        assert _signed_post(url, json.dumps(events["checkout.session.completed"]).encode(), secret) == 200
        expect(note).to_have_text("Thank you! A receipt with your download links was sent to "
                                  "buyer-email-late@example.com.", timeout=20000)  # pushed by the server
        mail.wait_for("buyer-email-late@example.com")
    finally:
        sandbox.post("/_sandbox/config", {"webhook_delay": 0})


def _signed_post(url: str, payload: bytes, secret: str) -> int:
    import hashlib
    import hmac
    import urllib.error
    import urllib.request

    t = int(time.time())
    sig = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    req = urllib.request.Request(url, data=payload, method="POST", headers={
        "Content-Type": "application/json", "Stripe-Signature": f"t={t},v1={sig}"})
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _events_for(sandbox, order_number: str) -> list[dict]:
    import json
    import urllib.request

    req = urllib.request.Request(sandbox.url + "/v1/events?limit=100",
                                 headers={"Authorization": "Bearer sk_test_sandbox"})
    with urllib.request.urlopen(req, timeout=10) as r:
        events = json.loads(r.read())["data"]
    return [e for e in events if (e["data"]["object"].get("metadata") or {}).get("order_number") == order_number]


def test_replayed_and_concurrent_webhooks_fulfil_once(page: Page, shop, sandbox, shop_url, mail):
    import json
    from concurrent.futures import ThreadPoolExecutor

    con = sqlite3.connect(shop.db_path)
    stock_before = con.execute("select stock from product where slug = 'signed-art-print'").fetchone()[0]
    con.close()
    add_to_cart(page, shop_url, "Signed Art Print (Limited)")
    open_page(page, shop_url + "/cart")
    page.get_by_role("button", name="Checkout", exact=True).click()
    expect(page).to_have_url(re.compile(r"/c/pay/cs_test_"), timeout=20000)
    hosted_pay(page, "4242424242424242", email="buyer-replay@example.com")
    number = expect_paid_page(page, "$35.00")
    mail.wait_for("buyer-replay@example.com")
    events = _events_for(sandbox, number)
    completed = next(e for e in events if e["type"] == "checkout.session.completed")
    secret = shop.env["STRIPE_WEBHOOK_SECRET"]
    url = shop_url + "/api/stripe/webhook"
    # the same event again, twice at once; then a new event id for the same payment (passes the id check)
    fresh = dict(completed, id=completed["id"] + "x")
    payloads = [json.dumps(completed).encode()] * 2 + [json.dumps(fresh).encode()] * 2
    with ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(lambda body: _signed_post(url, body, secret), payloads))
    assert statuses == [200, 200, 200, 200]  # answered after handling, receipt email included (sent or not)
    assert len(mail.messages("buyer-replay@example.com")) == 1
    con = sqlite3.connect(shop.db_path)
    assert con.execute("select stock from product where slug = 'signed-art-print'").fetchone()[0] == stock_before - 1
    assert con.execute("select count(*) from payment p join \"order\" o on o.id = p.order_id where o.number = ?",
                       (number,)).fetchone()[0] == 1
    con.close()


def test_webhook_rejects_missing_or_wrong_signature(shop_url):
    import urllib.error
    import urllib.request

    body = b'{"id": "evt_forged", "type": "checkout.session.completed", "data": {"object": {}}}'
    for headers in ({}, {"Stripe-Signature": "t=1,v1=deadbeef"}):
        req = urllib.request.Request(shop_url + "/api/stripe/webhook", data=body, method="POST", headers=headers)
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(req, timeout=10)
        assert err.value.code == 400
    assert _signed_post(shop_url + "/api/stripe/webhook", body, "whsec_wrong") == 400


def test_crash_between_payment_and_fulfilment_is_repaired_by_webhook_retry(page: Page, shop, shop_url, mail):
    add_to_cart(page, shop_url, "Reflex Video Course")
    open_page(page, shop_url + "/cart")
    page.get_by_role("button", name="Checkout", exact=True).click()
    expect(page).to_have_url(re.compile(r"/c/pay/cs_test_"), timeout=20000)
    shop.stop()  # the shop is down while the shopper pays: webhook deliveries fail and are retried
    try:
        with page.expect_event("requestfailed"):
            hosted_pay(page, "4242424242424242", email="buyer-crash@example.com")
    finally:
        shop.start()
    # Stripe retries 5 min, 30 min, 2 h later (here 3 s, 18 s, 72 s): one of them finds the shop up again
    msg = mail.wait_for("buyer-crash@example.com", timeout=120)[0]
    number = re.search(r"RX-[A-Z0-9]{6}", msg["Subject"]).group(0)
    assert order_row(shop, number)["status"] == "paid"


@pytest.fixture
def charges_api(shop):
    shop.stop()
    shop.env["RXSHOP_CARD_API"] = "charges"
    shop.start()
    yield shop
    shop.stop()
    shop.env.pop("RXSHOP_CARD_API")
    shop.start()


def test_charges_api_decline_then_success(page: Page, charges_api, shop_url, mail):
    open_page(page, shop_url + "/product/lofi-focus-album")
    page.get_by_role("button", name="Increase quantity").click()
    page.get_by_role("button", name="Buy now").click()
    expect(page).to_have_url(shop_url + "/express?product=lofi-focus-album&qty=2")
    page.get_by_label("Email").fill("buyer-charges@example.com")
    express_card(page, "4000000000000002")
    page.get_by_role("button", name="Pay $18.00").click()
    expect(page.get_by_test_id("pay-error")).to_have_text("Your card was declined.", timeout=15000)
    express_card(page, "4242424242424242")
    page.get_by_role("button", name="Pay $18.00").click()
    expect_paid_page(page, "$18.00")
    expect(page.get_by_test_id("payment-id")).to_have_text(re.compile(r"^ch_"))
    body = mail.wait_for("buyer-charges@example.com")[0].get_content()
    assert "Payment of $18.00 succeeded (Stripe payment ch_" in body


def test_unexpected_failure_never_leaves_checkout_stuck(page: Page, shop, shop_url):
    """The database refuses the order's write (another process holds its write lock past the busy timeout): the
    shopper reads a general message, and the Checkout button works again once the database is back."""
    add_to_cart(page, shop_url, "Line Icon Pack")
    open_page(page, shop_url + "/cart")
    con = sqlite3.connect(shop.db_path, isolation_level=None)
    con.execute("BEGIN EXCLUSIVE")  # writers wait 5 s (busy_timeout), then fail; readers go on (WAL)
    try:
        button = page.locator("button[data-checkout]")
        button.click()
        # busy from the click (set in the browser), while the server waits for the database
        expect(page.get_by_role("button", name="Redirecting to Stripe…", exact=True)).to_be_disabled()
        expect(button).to_have_attribute("aria-busy", "true")
        expect(page.get_by_text("Something went wrong on our side")).to_be_visible(timeout=30000)
        # the failure's message frees the button at once (not the 10 s safety timer)
        expect(page.get_by_role("button", name="Checkout", exact=True)).to_be_enabled(timeout=1000)
    finally:
        con.execute("ROLLBACK")
        con.close()
    expect(button).not_to_have_attribute("aria-busy", "true")
    button.click()
    expect(page).to_have_url(re.compile(r"/c/pay/cs_test_"), timeout=20000)
