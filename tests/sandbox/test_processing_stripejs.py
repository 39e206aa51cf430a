"""Browser test: with the test-only `processing_seconds`, Stripe.js confirmCardPayment resolves {paymentIntent} with
status "processing" (no error), and the payment settles to succeeded afterwards."""
from __future__ import annotations


import httpx
import pytest
from playwright.sync_api import Page

from scripts.processes import wait_until
from tests.sandbox.conftest_pages import client, sandbox, shop  # noqa: F401
from tests.sandbox.test_stripejs import CONFIRM, TDS_FRAME, assert_no_card_data, fill_card, new_pi, result, run

TIMEOUT = 10_000


@pytest.fixture
def processing(sandbox):  # noqa: F811
    r = httpx.post(f"{sandbox.url}/_sandbox/config", json={"processing_seconds": 1.0}, timeout=10)
    assert r.status_code == 200
    yield sandbox
    httpx.post(f"{sandbox.url}/_sandbox/config", json={"processing_seconds": 0}, timeout=10)


@pytest.fixture
def js_page(page: Page, shop, processing) -> Page:  # noqa: F811
    page.goto(f"{shop.url}/stripejs")
    page.wait_for_function("window.ready === true", timeout=TIMEOUT)
    return page


def wait_status(client, pid: str, status: str, timeout: float = 5.0) -> None:  # noqa: F811
    wait_until(lambda: client.v1.payment_intents.retrieve(pid).status == status, timeout,
               message=f"{pid} never reached {status}")


def test_confirm_card_payment_resolves_processing(js_page: Page, client):  # noqa: F811
    pi = new_pi(client)
    fill_card(js_page, "4242 4242 4242 4242")
    run(js_page, CONFIRM, pi.client_secret)
    r = result(js_page)
    assert "error" not in r
    assert r["paymentIntent"]["id"] == pi.id and r["paymentIntent"]["status"] == "processing"
    assert client.v1.payment_intents.retrieve(pi.id).status == "processing"
    # retrievePaymentIntent (the "still being confirmed" page polling) sees it settle
    wait_status(client, pi.id, "succeeded")
    run(js_page, "stripe.retrievePaymentIntent(arg)", pi.client_secret)
    assert result(js_page)["paymentIntent"]["status"] == "succeeded"
    assert_no_card_data(js_page, "4242424242424242")


def test_confirm_card_payment_3ds_then_processing(js_page: Page, client):  # noqa: F811
    pi = new_pi(client)
    fill_card(js_page, "4000002500003155")
    run(js_page, CONFIRM, pi.client_secret)
    js_page.frame_locator(TDS_FRAME).get_by_role("button", name="Complete authentication").click()
    r = result(js_page)
    assert "error" not in r and r["paymentIntent"]["status"] == "processing"
    wait_status(client, pi.id, "succeeded")
