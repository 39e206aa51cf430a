"""Product pages in the HTML (before any script), titled and carded, found through sitemap.xml; private pages noindex.
Most checks read the server's HTML with an HTML parser; the first paint is checked in Chromium without JavaScript."""
from __future__ import annotations

import contextlib
import gzip
import json
import urllib.error
import urllib.request
from email.message import Message
from xml.etree import ElementTree as ET

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, create_engine, select

from rxshop import catalog
from rxshop.db import configure_engine
from rxshop.models import Product
from rxshop.money import decimal_amount, format_money

from .conftest import open_page

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def fetch(url: str) -> tuple[int, Message, str]:
    """GET as a browser does (gzip accepted): status, headers, text."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            status, headers, body = r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        status, headers, body = e.code, e.headers, e.read()
    if headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return status, headers, body.decode()


@pytest.fixture(scope="module")
def db(shop):
    engine = configure_engine(create_engine(f"sqlite:///{shop.db_path}"))
    yield engine
    engine.dispose()


def active_products(db) -> list[Product]:
    with Session(db, expire_on_commit=False) as s:
        return catalog.list_active(s)


@contextlib.contextmanager
def operator_product(db, **values):
    """A product added to the running shop's database (as the operator console does), removed afterwards."""
    with Session(db, expire_on_commit=False) as s:
        product = Product(**values)
        s.add(product)
        s.commit()
    try:
        yield product
    finally:
        with Session(db) as s:
            s.delete(s.get(Product, product.id))
            s.commit()


def json_ld(soup: BeautifulSoup) -> list[dict]:
    return [json.loads(tag.string) for tag in soup.find_all("script", type="application/ld+json")]


def meta(soup: BeautifulSoup, key: str) -> str | None:
    tag = soup.find("meta", attrs={"name": key}) or soup.find("meta", attrs={"property": key})
    return tag["content"] if tag else None


def assert_product_page(shop_url: str, product: Product) -> BeautifulSoup:
    status, headers, html = fetch(f"{shop_url}/product/{product.slug}")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    soup = BeautifulSoup(html, "html.parser")
    url = f"{shop_url}/product/{product.slug}"
    available = product.stock is None or product.stock > 0
    # the page itself, as the first paint shows it
    detail = soup.select_one("[data-testid=product-detail]")
    assert detail.select_one("h1.product-name").get_text() == product.name
    assert detail.select_one(".product-price").get_text() == format_money(product.price_cents, product.currency)
    assert product.description in detail.get_text()
    assert detail.img["src"] == product.image and detail.img["alt"] == product.name
    buttons = {b.get_text(): b for b in detail.find_all("button")}
    assert ("Add to cart" in buttons) == available and ("Sold out" in buttons) == (not available)
    assert buttons["Buy now"].has_attr("disabled") == (not available)
    # what crawlers and link previews read
    assert soup.title.get_text() == f"{product.name} · rxshop"
    assert meta(soup, "description") and product.description.startswith(meta(soup, "description").rstrip("…"))
    assert soup.find("link", rel="canonical")["href"] == url
    assert meta(soup, "robots") is None and "X-Robots-Tag" not in headers
    assert meta(soup, "og:title") == meta(soup, "twitter:title") == product.name
    assert meta(soup, "og:url") == url and meta(soup, "og:description") == meta(soup, "description")
    assert meta(soup, "og:image") == meta(soup, "twitter:image") == shop_url + product.image
    assert len(soup.find_all("meta", property="og:image")) == 1
    assert meta(soup, "product:price:amount") == decimal_amount(product.price_cents, product.currency)
    assert meta(soup, "product:price:currency") == product.currency.upper()
    (ld,) = json_ld(soup)
    assert ld["@type"] == "Product" and ld["name"] == product.name and ld["url"] == url
    assert ld["image"] == shop_url + product.image
    assert ld["offers"]["price"] == decimal_amount(product.price_cents, product.currency)
    assert ld["offers"]["priceCurrency"] == product.currency.upper()
    assert ld["offers"]["availability"] == "https://schema.org/" + ("InStock" if available else "OutOfStock")
    return soup


def test_every_product_page_has_its_product_title_cards_and_json_ld_in_the_html(shop_url, db):
    products = active_products(db)
    assert len(products) >= 8
    for product in products:
        assert_product_page(shop_url, product)


def test_products_added_or_changed_later_get_their_pages_without_a_rebuild(shop_url, db):
    tricky = 'Tom & Jerry\'s "Live" <Mix>'
    with operator_product(db, slug="late-addition", name=tricky, description="Added while the shop runs. " * 8,
                          price_cents=123456, image="/products/lofi-focus-album.jpg", stock=0) as product:
        assert_product_page(shop_url, product)  # sold out: its own template
        with Session(db, expire_on_commit=False) as s:
            product = s.get(Product, product.id)
            product.name, product.stock, product.price_cents = "Late Addition, renamed", None, 700
            s.add(product)
            s.commit()
        assert_product_page(shop_url, product)
        assert sitemap(shop_url)[f"{shop_url}/product/late-addition"] is not None
        with Session(db) as s:
            s.get(Product, product.id).active = False
            s.commit()
        assert fetch(f"{shop_url}/product/late-addition")[0] == 404
        assert f"{shop_url}/product/late-addition" not in sitemap(shop_url)


def test_an_unknown_product_is_a_404_page_that_is_not_indexed(shop_url):
    for slug in ("no-such-thing", "__rxshop_in_stock__", "%3Cscript%3E"):
        status, headers, html = fetch(f"{shop_url}/product/{slug}")
        assert status == 404, slug
        soup = BeautifulSoup(html, "html.parser")
        assert soup.select_one("[data-testid=not-found]") and soup.title.get_text() == "Not found · rxshop"
        assert meta(soup, "robots") == "noindex, nofollow" and not json_ld(soup)
        assert "<script>" not in soup.select_one("main").decode()


def test_the_catalog_has_its_own_description_card_and_json_ld(shop_url, db):
    status, _, html = fetch(shop_url + "/")
    soup = BeautifulSoup(html, "html.parser")
    assert status == 200 and soup.title.get_text() == "rxshop · Shop"
    assert soup.find("link", rel="canonical")["href"] == shop_url + "/"
    assert meta(soup, "description") and meta(soup, "og:type") == "website" and meta(soup, "robots") is None
    assert meta(soup, "og:image").startswith(shop_url + "/") and len(soup.find_all("meta", property="og:image")) == 1
    (ld,) = json_ld(soup)
    assert ld["@type"] == "ItemList"
    assert [e["url"] for e in ld["itemListElement"]] == [f"{shop_url}/product/{p.slug}" for p in active_products(db)]


def sitemap(shop_url: str) -> dict[str, str | None]:
    status, headers, body = fetch(shop_url + "/sitemap.xml")
    assert status == 200 and "xml" in headers["Content-Type"]
    root = ET.fromstring(body)
    return {u.findtext("s:loc", namespaces=SITEMAP_NS): u.findtext("s:lastmod", namespaces=SITEMAP_NS)
            for u in root.findall("s:url", SITEMAP_NS)}


def test_sitemap_lists_the_catalog_and_every_active_product_with_its_last_change(shop_url, db):
    products = active_products(db)
    entries = sitemap(shop_url)
    assert set(entries) == {shop_url + "/", *(f"{shop_url}/product/{p.slug}" for p in products)}
    for p in products:
        assert entries[f"{shop_url}/product/{p.slug}"].startswith(p.updated_at.strftime("%Y-%m-%dT%H:%M:%S"))
    assert all(entries.values())


@pytest.mark.parametrize("path, prefix", [("/cart", "/cart"), ("/express", "/express"),
                                          ("/orders/RX-NOPE99?token=x", "/orders"), ("/admin", "/admin")])
def test_private_pages_are_noindex_and_robots_keeps_crawlers_out(shop_url, path, prefix):
    status, headers, html = fetch(shop_url + path)
    assert headers["X-Robots-Tag"] == "noindex, nofollow"
    if status == 200:  # a page of the shop (the operator console may not be there): noindex in its HTML too
        assert meta(BeautifulSoup(html, "html.parser"), "robots") == "noindex, nofollow"
    robots = fetch(shop_url + "/robots.txt")[2].splitlines()
    assert f"Disallow: {prefix}" in robots and f"Sitemap: {shop_url}/sitemap.xml" in robots


def test_product_page_first_paint_needs_no_javascript(browser: Browser, shop_url, db):
    products = active_products(db)
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        for product in (products[0], products[-1]):
            page.goto(f"{shop_url}/product/{product.slug}")
            detail = page.get_by_test_id("product-detail")
            expect(detail.get_by_role("heading", name=product.name)).to_be_visible()
            expect(detail.locator(".product-price")).to_have_text(format_money(product.price_cents, product.currency))
            expect(detail.get_by_role("img", name=product.name)).to_be_visible()
            expect(detail.get_by_role("button", name="Buy now")).to_be_visible()
            expect(page.locator("[data-cart-ready=true]")).to_have_count(0)  # no script has run
    finally:
        context.close()


MARK_SERVER_HEADING = """document.addEventListener('DOMContentLoaded', () => {
  window.__serverHeading = document.querySelector('main h1'); });"""


@pytest.mark.parametrize("case", ["in stock", "sold out", "unknown"])
def test_hydration_keeps_the_servers_product_page_and_makes_it_live(page: Page, shop_url, db, case):
    errors = []  # e.g. React's hydration mismatch; the 404 status of an unknown product's document is expected
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "status of 404" not in m.text
            else None)
    page.add_init_script(MARK_SERVER_HEADING)
    with contextlib.ExitStack() as stack:
        heading = {"in stock": "Lo-fi Focus Album", "sold out": "Gone Already", "unknown": "Not found"}[case]
        slug = {"in stock": "lofi-focus-album", "sold out": "gone-already", "unknown": "never-was"}[case]
        if case == "sold out":
            stack.enter_context(operator_product(db, slug=slug, name=heading, price_cents=100, stock=0,
                                                 image="/products/lofi-focus-album.jpg"))
        open_page(page, f"{shop_url}/product/{slug}")
        # the heading painted from the server's HTML is still the one on screen: React hydrated it, no re-render
        assert page.evaluate("window.__serverHeading === document.querySelector('main h1')")
        assert page.evaluate("window.__serverHeading.isConnected && window.__serverHeading.textContent") == heading
        if case == "in stock":
            before = int(page.get_by_test_id("cart-count").inner_text())
            page.get_by_role("button", name="Add to cart").click()
            expect(page.get_by_test_id("cart-count")).to_have_text(str(before + 1))
        elif case == "sold out":
            expect(page.get_by_role("button", name="Sold out")).to_be_disabled()
            expect(page.get_by_role("button", name="Buy now")).to_be_disabled()
        else:
            page.get_by_role("link", name="Back to the shop").click()
            expect(page.get_by_test_id("product-card").first).to_be_visible()
    assert errors == []
