"""The production topology in Chromium: nginx in front of two shop instances (separate processes) that share
PostgreSQL and Redis. No sticky sessions: any request or websocket may land on either instance."""
from __future__ import annotations

import json
import re
import time
import urllib.request

from playwright.sync_api import Browser, Page, expect

from scripts.processes import wait_until
from tests.e2e.conftest import open_page
from tests.e2e.test_payments import add_to_cart, badge, express_card, expect_paid_page, hosted_pay

ORDER_NUMBER = re.compile(r"/orders/(RX-[A-Z0-9]{6})")


def signed_post(url: str, payload: bytes, secret: str) -> int:
    """Deliver a webhook the way Stripe does, to one chosen address (signature scheme: Stripe's docs)."""
    import hashlib
    import hmac

    t = int(time.time())
    sig = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    req = urllib.request.Request(url, data=payload, method="POST", headers={
        "Content-Type": "application/json", "Stripe-Signature": f"t={t},v1={sig}"})
    with urllib.request.urlopen(req, timeout=20) as r:
        return r.status


def wait_event(sandbox, order_number: str, event_type: str, timeout: float = 20) -> dict:
    def found() -> dict | None:
        req = urllib.request.Request(sandbox.url + "/v1/events?limit=100",
                                     headers={"Authorization": "Bearer sk_test_sandbox"})
        with urllib.request.urlopen(req, timeout=10) as r:
            for event in json.loads(r.read())["data"]:
                meta = event["data"]["object"].get("metadata") or {}
                if event["type"] == event_type and meta.get("order_number") == order_number:
                    return event
        return None

    return wait_until(found, timeout, interval=0.2, message=f"no {event_type} for {order_number}")


def paid_once(topology, number: str, email: str) -> None:
    """Fulfilled exactly once: one payment row, one receipt, the order paid."""
    rows = topology.sql('select o.status, count(p.id) as payments from "order" o left join payment p '
                        'on p.order_id = o.id where o.number = :n group by o.status', n=number)
    assert [dict(r) for r in rows] == [{"status": "paid", "payments": 1}]
    assert len(topology.mail.wait_for(email)) == 1
    # sent and recorded as sent: no later delivery can claim the receipt again
    wait_until(lambda: topology.sql('select email_sent_at from "order" where number = :n', n=number)[0]["email_sent_at"],
               10, message="the receipt was not recorded as sent")


def test_cart_checkout_and_express_through_nginx(browser: Browser, topology):
    ctx = browser.new_context()
    page = ctx.new_page()
    try:
        add_to_cart(page, topology.url, "Line Icon Pack", "Lo-fi Focus Album")
        open_page(page, topology.url + "/cart")
        page.get_by_role("button", name="Checkout", exact=True).click()
        expect(page).to_have_url(re.compile(r"/c/pay/cs_test_"), timeout=20000)
        hosted_pay(page, "4242424242424242", email="topo-checkout@example.com")
        number = expect_paid_page(page, "$28.00")
        expect(badge(page)).to_have_text("0")
        paid_once(topology, number, "topo-checkout@example.com")

        open_page(page, topology.url + "/product/python-patterns-ebook")
        page.get_by_role("button", name="Buy now").click()
        page.get_by_label("Email").fill("topo-express@example.com")
        express_card(page, "4242424242424242")
        page.get_by_role("button", name="Pay $24.00").click()
        number = expect_paid_page(page, "$24.00")
        paid_once(topology, number, "topo-express@example.com")
    finally:
        ctx.close()


def test_webhook_on_one_instance_updates_the_page_held_by_the_other(browser: Browser, topology):
    sandbox = topology.sandbox
    # the payment settles a second after the page shows; the sandbox holds its own webhook delivery back
    sandbox.post("/_sandbox/config", {"processing_seconds": 1.0, "webhook_delay": 120})
    ctx = browser.new_context()
    page = ctx.new_page()
    try:
        open_page(page, topology.url + "/product/retro-sound-effects")
        page.get_by_role("button", name="Buy now").click()
        page.get_by_label("Email").fill("topo-push@example.com")
        express_card(page, "4242424242424242")
        page.get_by_role("button", name="Pay $11.00").click()
        expect(page.get_by_test_id("order-pending")).to_be_visible(timeout=15000)
        number = ORDER_NUMBER.search(page.url).group(1)
        url = page.url
        counts = topology.holder(1)
        holder = next(p for p, n in counts.items() if n == 1)
        other = next(p for p in topology.ports if p != holder)
        event = wait_event(sandbox, number, "payment_intent.succeeded")
        assert signed_post(f"http://127.0.0.1:{other}/api/stripe/webhook", json.dumps(event).encode(),
                           topology.secret) == 200
        expect(page.get_by_test_id("order-paid")).to_be_visible(timeout=20000)  # pushed across instances
        assert page.url == url
        assert topology.holder(1)[holder] == 1  # the tab never moved: the push crossed over through Redis
        expect(page.get_by_role("heading", name="Payment of $11.00 succeeded")).to_be_visible()
        paid_once(topology, number, "topo-push@example.com")
        # the instance that took the webhook logged it as JSON with the event id and the order number
        lines = [x for x in topology.json_logs(other) if x.get("event_id") == event["id"]]
        assert lines and lines[-1]["order_number"] == number and lines[-1]["message"].startswith("webhook")
        for port in topology.ports:  # never a card number or a secret, in any line of any instance
            text = topology.log(port).read_text(errors="replace")
            assert "4242424242424242" not in text and topology.secret not in text
    finally:
        sandbox.post("/_sandbox/config", {"processing_seconds": 0, "webhook_delay": 0})
        ctx.close()


def test_instance_killed_mid_session(browser: Browser, topology):
    stock_before = topology.sql("select stock from product where slug = 'signed-art-print'")[0]["stock"]
    shopper, payer = browser.new_context(), browser.new_context()
    page, pay_page = shopper.new_page(), payer.new_page()
    try:
        add_to_cart(page, topology.url, "Mountain Wallpapers", "Weeknight Recipes")
        add_to_cart(pay_page, topology.url, "Signed Art Print (Limited)")
        open_page(pay_page, topology.url + "/cart")
        pay_page.get_by_role("button", name="Checkout", exact=True).click()
        expect(pay_page).to_have_url(re.compile(r"/c/pay/cs_test_"), timeout=20000)  # on Stripe's page now
        counts = topology.holder(1)
        victim = next(p for p, n in counts.items() if n == 1)

        topology.kill_instance(victim)  # the instance holding the shopper's websocket dies
        try:
            hosted_pay(pay_page, "4242424242424242", email="topo-killed@example.com")
            number = expect_paid_page(pay_page, "$35.00")  # webhook and redirect reach the survivor

            page.get_by_role("button", name="Add Film Photo Presets to cart").click()
            expect(badge(page)).to_have_text("3", timeout=30000)  # the tab reconnected through nginx
            survivor = next(p for p in topology.ports if p != victim)
            assert topology.holder(2)[survivor] == 2  # both tabs (the payer is back on the shop) on the survivor
            page.reload()
            expect(page.locator("[data-cart-ready=true]")).to_be_attached(timeout=15000)
            expect(badge(page)).to_have_text("3")
        finally:
            topology.start_instance(victim)
        paid_once(topology, number, "topo-killed@example.com")
        stock = topology.sql("select stock from product where slug = 'signed-art-print'")[0]["stock"]
        assert stock == stock_before - 1
    finally:
        shopper.close()
        payer.close()


def on_other_instance(topology, page: Page, taken: int) -> int:
    """Reload until this tab's websocket is on the instance other than `taken` (round robin, no stickiness).
    A page load makes the same number of requests each time, so the extra requests in between alternate between one
    and two: whatever that number is, the websocket's turn moves to the other instance within two reloads. An
    instance restarted by the test before stays out of nginx's rotation for its fail_timeout (5 s) after a failed
    request: reloads go on until a deadline, not for a number of tries."""
    deadline, attempt = time.monotonic() + 45, 0
    while True:
        counts = topology.holder(2)
        if counts[taken] == 1:
            return next(p for p in topology.ports if p != taken)
        if time.monotonic() > deadline:
            raise AssertionError(f"could not get a websocket onto the second instance: {counts}")
        for _ in range(1 + attempt % 2):
            urllib.request.urlopen(topology.url + "/api/health/live", timeout=10).close()
        attempt += 1
        page.reload()
        expect(page.locator("[data-cart-ready=true]")).to_be_attached(timeout=15000)


def test_two_shoppers_on_different_instances_race_for_the_last_unit(browser: Browser, topology):
    topology.sql("update product set stock = 1 where slug = 'grotesk-font-family'")
    a, b = browser.new_context(), browser.new_context()
    pa, pb = a.new_page(), b.new_page()
    try:
        add_to_cart(pa, topology.url, "Grotesk Font Family")
        first = next(p for p, n in topology.holder(1).items() if n == 1)
        add_to_cart(pb, topology.url, "Grotesk Font Family")
        on_other_instance(topology, pb, first)
        for page in (pa, pb):
            open_page(page, page.url.split("/", 3)[0] + "//" + page.url.split("/", 3)[2] + "/cart")
        for page in (pa, pb):
            page.get_by_role("button", name="Checkout", exact=True).click()
        paying = []
        for page, email in ((pa, "topo-race-a@example.com"), (pb, "topo-race-b@example.com")):
            try:
                expect(page).to_have_url(re.compile(r"/c/pay/cs_test_"), timeout=20000)
                paying.append((page, email))
            except AssertionError:
                pass  # refused before paying: the unit is taken
        for page, email in paying:
            page.get_by_role("textbox", name="Email").fill(email)
            page.get_by_role("textbox", name="Card number").fill("4242424242424242")
            page.get_by_role("textbox", name="Expiration").fill("12 / 34")
            page.get_by_role("textbox", name="CVC").fill("123")
        for page, _ in paying:  # both Pay clicks go out together
            page.get_by_role("button", name="Pay").click(no_wait_after=True)
        for page, _ in paying:
            expect(page).to_have_url(ORDER_NUMBER, timeout=30000)
            expect(page.get_by_test_id("order-paid")).to_be_visible(timeout=30000)  # fulfilled (or oversold)
        rows = topology.sql("select status, note from \"order\" o where email like 'topo-race-%'")
        delivered = [r for r in rows if r["status"] == "paid" and not r["note"].startswith("Oversold")]
        assert len(delivered) == 1, rows
        assert topology.sql("select stock from product where slug = 'grotesk-font-family'")[0]["stock"] == 0
    finally:
        a.close()
        b.close()
        topology.sql("update product set stock = null where slug = 'grotesk-font-family'")
