import pytest
from playwright.sync_api import Page, expect

from .server import ShopServer


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def shop(tmp_path_factory):
    server = ShopServer(tmp_path_factory.mktemp("shop"))
    server.prepare()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def shop_url(shop) -> str:
    return shop.url


def open_page(page: Page, url: str) -> Page:
    """Navigate and wait until the page is hydrated and the cart is loaded from the server."""
    page.goto(url)
    expect(page.locator("[data-cart-ready=true]")).to_be_attached(timeout=15000)
    return page
