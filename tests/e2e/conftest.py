import os
import secrets

import pytest
from playwright.sync_api import Page, expect

from .server import MailSink, Sandbox, ShopServer


# webhooks are delivered messily (duplicates, out of order); set the env var to replay a failing run's seed
MESSY_SEED = int(os.environ.get("STRIPE_SANDBOX_MESSY_WEBHOOKS") or secrets.randbelow(10**6))


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line(f"e2e: the Stripe sandbox delivered webhooks messily with seed {MESSY_SEED} "
                                f"(replay: STRIPE_SANDBOX_MESSY_WEBHOOKS={MESSY_SEED})")


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


METRICS_TOKEN = "e2e-" + secrets.token_hex(8)


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """The real shop (production build) + the Stripe sandbox + an SMTP sink, once per test session."""
    workdir = tmp_path_factory.mktemp("shop")
    secret = "whsec_" + secrets.token_hex(16)
    mail = MailSink(workdir)
    shop = ShopServer(workdir, {
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(mail.port),
        "STRIPE_SECRET_KEY": "sk_test_sandbox", "STRIPE_PUBLISHABLE_KEY": "pk_test_sandbox", "STRIPE_WEBHOOK_SECRET": secret,
        # every browser of the suite comes from 127.0.0.1 (the per-IP limit is tested in unit tests), and the bench
        # smoke test starts 25 orders per websocket: test_forged_events.py reads the per-tab limit from here
        "RXSHOP_ORDER_LIMIT_IP": "1000/10 minutes", "RXSHOP_ORDER_LIMIT_CLIENT": "30/10 minutes",
        "RXSHOP_METRICS_TOKEN": METRICS_TOKEN,
    })
    sandbox = Sandbox(workdir, shop.url + "/api/stripe/webhook", secret, MESSY_SEED)
    started = []
    try:
        mail.start()
        started.append(mail)
        sandbox.start()
        started.append(sandbox)
        shop.env.update({"STRIPE_API_BASE": sandbox.url, "STRIPE_JS_URL": sandbox.url + "/v3/"})
        shop.prepare()
        shop.start()
        started.append(shop)
        yield shop, sandbox, mail
    finally:
        for proc in reversed(started):
            proc.stop()


@pytest.fixture(scope="session")
def shop(stack):
    return stack[0]


@pytest.fixture(scope="session")
def sandbox(stack):
    return stack[1]


@pytest.fixture(scope="session")
def mail(stack):
    return stack[2]


@pytest.fixture
def shop_url(shop) -> str:
    return shop.url


def open_page(page: Page, url: str) -> Page:
    """Navigate and wait until the page is hydrated and the cart is loaded from the server."""
    page.goto(url)
    expect(page.locator("[data-cart-ready=true]")).to_be_attached(timeout=15000)
    return page
