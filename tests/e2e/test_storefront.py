"""A shopper in Chromium: browse, product page, cart that survives reloads, tabs and server restarts."""
import re
import time
import urllib.request
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from .conftest import METRICS_TOKEN, open_page

MONEY = re.compile(r"^\$\d{1,3}(,\d{3})*\.\d{2}$")


def badge(page: Page):
    return page.get_by_test_id("cart-count")


def test_catalog_shows_products_with_images_prices_and_links(page: Page, shop_url):
    open_page(page, shop_url + "/")
    cards = page.get_by_test_id("product-card")
    expect(cards).to_have_count(10)
    assert cards.count() >= 8
    for i in range(cards.count()):
        card = cards.nth(i)
        assert MONEY.match(card.locator(".product-price").inner_text())
        assert card.locator("a.product-name").get_attribute("href").startswith("/product/")
        card.locator("img").scroll_into_view_if_needed()
        assert card.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")
        # a card at most 400 px wide (1280 px window, 4 columns) draws the picture's 400 px copy
        assert card.locator("img").evaluate("img => img.currentSrc").endswith(".w400.jpg")
        # as wide as the card and 4:3 (a fixed pixel height would stretch it and crop the picture)
        assert card.evaluate("c => { const r = c.querySelector('img').getBoundingClientRect();"
                             " return Math.abs(r.width - c.getBoundingClientRect().width) < 1"
                             " && Math.abs(r.height * 4 / 3 - r.width) < 1; }")
    expect(page.get_by_role("button", name="Add Python Patterns eBook to cart")).to_be_enabled()


def test_catalog_is_in_the_prerendered_html(shop_url):
    import urllib.request

    html = urllib.request.urlopen(shop_url + "/").read().decode()
    assert "Python Patterns eBook" in html and "$24.00" in html
    # Only the first product image loads with the page; the others don't hold up the first paint.
    loading = re.findall(r'<img [^>]*loading="(\w+)"', html)
    assert loading[0] == "eager" and set(loading[1:]) == {"lazy"} and len(loading) == 10
    # image sizes are attributes, not a <style> tag per image in the body (each one restyles the page mid-parse)
    assert len(re.findall(r'<img [^>]*width="400"[^>]*>', html)) == 10 and "height:300px" not in html
    # each picture with its 400 px copy, and the width a card takes, for the browser to choose
    imgs = re.findall(r"<img [^>]*>", html)
    pictures = {m.group(1) for tag in imgs
                if (m := re.search(r'srcset="(/products/[a-z-]+)\.w400\.jpg 400w, \1\.jpg 800w"', tag, re.I))
                and 'sizes="(min-width: 1280px) 268px' in tag}
    assert len(imgs) == len(pictures) == 10
    assert 'rel="preload" as="image"' not in html  # the <img> tags fetch them (rxshop/build.py: paint_first)


def test_product_page_and_friendly_not_found(page: Page, shop_url):
    open_page(page, shop_url + "/")
    page.get_by_role("link", name="Lo-fi Focus Album").click()
    expect(page).to_have_url(shop_url + "/product/lofi-focus-album")
    detail = page.get_by_test_id("product-detail")
    expect(detail.get_by_role("heading", name="Lo-fi Focus Album")).to_be_visible()
    expect(detail.locator(".product-price")).to_have_text("$9.00")
    expect(detail.get_by_role("img", name="Lo-fi Focus Album")).to_be_visible()
    expect(detail.get_by_role("button", name="Buy now")).to_be_enabled()
    page.get_by_role("button", name="Increase quantity").click()
    page.get_by_role("button", name="Increase quantity").click()
    expect(page.get_by_role("spinbutton", name="quantity")).to_have_value("3")
    expect(page.get_by_role("spinbutton", name="quantity")).to_have_attribute("inputmode", "numeric")  # phone keypad
    page.get_by_role("button", name="Add to cart").click()
    expect(badge(page)).to_have_text("3")
    expect(page.get_by_text("Added Lo-fi Focus Album to your cart")).to_be_visible()

    for path in ("/product/no-such-thing", "/definitely/not/here"):
        page.goto(shop_url + path)
        nf = page.get_by_test_id("not-found")
        expect(nf).to_be_visible(timeout=15000)
        nf.get_by_role("link", name="Back to the shop").click()
        expect(page.get_by_test_id("product-card").first).to_be_visible()


def test_only_a_tab_on_the_cart_page_is_sent_the_cart_lines(page: Page, shop_url):
    """Elsewhere an add answers with the totals and the toast only (a smaller update per click)."""
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on(
        "framereceived", lambda f: frames.append(f if isinstance(f, str) else f.decode(errors="replace"))))
    open_page(page, shop_url + "/")
    page.get_by_role("button", name="Add Python Patterns eBook to cart").click()
    expect(badge(page)).to_have_text("1")
    assert not any('"line_total"' in f for f in frames)  # no cart line went to the catalog
    page.get_by_role("link", name=re.compile(r"^Cart")).click()
    expect(page.get_by_test_id("cart-line")).to_have_count(1)
    # the line's 96 px picture is drawn from the 400 px copy
    page.wait_for_function("img => img.complete && img.currentSrc.endsWith('/python-patterns-ebook.w400.jpg')",
                           arg=page.get_by_test_id("cart-line").locator("img").element_handle())
    page.get_by_role("button", name="Increase quantity of Python Patterns eBook").click()
    expect(page.get_by_test_id("subtotal")).to_have_text("$48.00")
    assert sum('"line_total"' in f for f in frames) >= 2  # the cart page's load, then the change
    page.get_by_role("link", name="rxshop").click()  # back to the catalog: the lines leave the tab's state
    expect(page.get_by_test_id("product-card").first).to_be_visible()
    page.get_by_role("button", name="Add Line Icon Pack to cart").click()
    expect(badge(page)).to_have_text("3")
    page.get_by_role("link", name=re.compile(r"^Cart")).click()  # never the stale lines: loading, then both
    expect(page.get_by_test_id("cart-line")).to_have_count(2)


def test_cart_survives_reload_second_tab_and_server_restart(page: Page, shop, shop_url):
    open_page(page, shop_url + "/")
    page.get_by_role("button", name="Add Python Patterns eBook to cart").click()
    expect(badge(page)).to_have_text("1")
    page.get_by_role("button", name="Add Line Icon Pack to cart").click()
    expect(badge(page)).to_have_text("2")
    page.get_by_role("link", name=re.compile(r"^Cart")).click()
    expect(page).to_have_url(shop_url + "/cart")
    lines = page.get_by_test_id("cart-line")
    expect(lines).to_have_count(2)

    page.get_by_role("button", name="Increase quantity of Python Patterns eBook").click()
    expect(page.get_by_test_id("subtotal")).to_have_text("$67.00")  # 2 x 24.00 + 19.00
    qty = page.get_by_role("spinbutton", name="quantity of Line Icon Pack")
    qty.fill("4")
    qty.press("Tab")
    expect(page.get_by_test_id("subtotal")).to_have_text("$124.00")  # 48 + 4 x 19
    expect(badge(page)).to_have_text("6")
    qty = page.get_by_role("spinbutton", name="quantity of Line Icon Pack")
    qty.fill("0")
    qty.press("Tab")
    expect(page.get_by_text("Quantity must be a whole number from 1 to 99.")).to_be_visible()
    expect(page.get_by_role("spinbutton", name="quantity of Line Icon Pack")).to_have_value("4")
    page.get_by_role("button", name="Remove Line Icon Pack from cart").click()
    expect(lines).to_have_count(1)
    expect(page.get_by_test_id("subtotal")).to_have_text("$48.00")

    def assert_same_cart(p: Page):
        expect(p.get_by_test_id("cart-line")).to_have_count(1)
        expect(p.get_by_test_id("cart-line").locator(".line-name")).to_have_text("Python Patterns eBook")
        expect(p.get_by_role("spinbutton", name="quantity of Python Patterns eBook")).to_have_value("2")
        expect(p.get_by_test_id("subtotal")).to_have_text("$48.00")
        expect(badge(p)).to_have_text("2")

    page.reload()
    assert_same_cart(page)
    tab = page.context.new_page()
    open_page(tab, shop_url + "/cart")
    assert_same_cart(tab)
    tab.close()

    shop.restart()
    open_page(page, shop_url + "/cart")
    assert_same_cart(page)
    page.get_by_role("button", name="Remove Python Patterns eBook from cart").click()
    expect(page.get_by_test_id("empty-cart")).to_be_visible()
    expect(badge(page)).to_have_text("0")
    page.get_by_role("link", name="Browse the shop").click()
    expect(page.get_by_test_id("product-card").first).to_be_visible()


def _mapped(pid: int, library: str) -> bool:
    """Whether the process has loaded a library's compiled extension (its file is in the process's memory map)."""
    return f"/site-packages/{library}/" in Path(f"/proc/{pid}/maps").read_text()


def test_a_fresh_start_leaves_the_http_clients_out_until_a_shopper_comes(page: Page, shop, shop_url):
    shop.restart()
    pid = shop.process.proc.pid
    # aiohttp (the Stripe client's) and requests (charset_normalizer is its) were not imported to start serving
    assert not _mapped(pid, "aiohttp") and not _mapped(pid, "charset_normalizer")
    open_page(page, shop_url + "/")
    page.get_by_role("button", name="Add Mountain Wallpapers to cart").click()
    expect(badge(page)).to_have_text("1")
    deadline = time.monotonic() + 30  # the page load started importing them on a thread
    while not (_mapped(pid, "aiohttp") and _mapped(pid, "charset_normalizer")):
        assert time.monotonic() < deadline, "the payment libraries were not imported after a shopper came"
        time.sleep(0.05)


def test_stock_limit_and_bad_quantity_get_clear_messages(page: Page, shop, shop_url):
    import sqlite3

    con = sqlite3.connect(shop.db_path)
    stock = con.execute("select stock from product where slug = 'signed-art-print'").fetchone()[0]
    con.close()
    assert 1 <= stock <= 5
    open_page(page, shop_url + "/product/signed-art-print")
    expect(page.get_by_text(f"Only {stock} left")).to_be_visible()
    field = page.get_by_role("spinbutton", name="quantity")
    field.fill(str(stock + 1))
    field.press("Tab")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_text(f"Only {stock} of Signed Art Print (Limited) left in stock.")).to_be_visible()
    expect(badge(page)).to_have_text("0")
    field.fill("150")
    field.press("Tab")
    expect(page.get_by_text("Quantity must be a whole number from 1 to 99.")).to_be_visible()
    expect(page.get_by_role("spinbutton", name="quantity")).to_have_value(str(stock + 1))


def test_mobile_layout_375px(page: Page, shop_url):
    page.set_viewport_size({"width": 375, "height": 812})
    open_page(page, shop_url + "/")
    page.get_by_role("button", name="Add Mountain Wallpapers to cart").click()
    expect(badge(page)).to_have_text("1")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # no horizontal scrolling
    page.screenshot(path="test-results/catalog-375px.png", full_page=True)
    open_page(page, shop_url + "/cart")
    expect(page.get_by_test_id("cart-line")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path="test-results/cart-375px.png", full_page=True)


def test_accessibility_audit(page: Page, shop_url):
    axe = Axe()
    open_page(page, shop_url + "/")
    page.get_by_role("button", name="Add Weeknight Recipes to cart").click()
    expect(badge(page)).to_have_text("1")
    for path, content in (("/", "product-card"), ("/product/weeknight-recipes", "product-detail"),
                          ("/cart", "cart-line")):
        open_page(page, shop_url + path)
        expect(page.get_by_test_id(content).first).to_be_visible()  # the page's own content has rendered
        result = axe.run(page)
        bad = [v for v in result.response["violations"] if v["impact"] in ("serious", "critical")]
        assert not bad, f"{path}: " + "; ".join(f"{v['id']}: {v['help']}" for v in bad)


def test_add_button_is_busy_until_answered_and_its_toast_shows_once(page: Page, shop_url):
    """The toast rides in the cart's own update (no message of its own); the clicked button is disabled in the
    browser at the click and enabled again by that update; a reload doesn't show the toast again."""
    open_page(page, shop_url + "/")
    button = page.get_by_role("button", name="Add Python Patterns eBook to cart")
    button.evaluate("""(b) => { window.busySeen = [];
        new MutationObserver(() => window.busySeen.push(b.disabled)).observe(b, {attributeFilter: ['disabled']}); }""")
    before = int(badge(page).inner_text())
    button.click()
    expect(badge(page)).to_have_text(str(before + 1))
    toast = page.get_by_text("Added Python Patterns eBook to your cart")
    expect(toast).to_have_count(1)
    expect(button).to_be_enabled()
    assert page.evaluate("window.busySeen") == [True, False]  # disabled at the click, enabled by the answer
    page.reload()
    expect(page.locator("[data-cart-ready=true]")).to_be_attached()
    expect(badge(page)).to_have_text(str(before + 1))
    expect(toast).to_have_count(0)


def _timed_adds(shop_url: str) -> float:
    """`rxshop_event_handler_seconds_count{handler="add"}` as /api/metrics reports it now."""
    req = urllib.request.Request(shop_url + "/api/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        text = r.read().decode()
    found = re.search(r'^rxshop_event_handler_seconds_count\{handler="add"\} (\S+)$', text, re.M)
    return float(found.group(1)) if found else 0.0


def test_the_event_handler_times_reach_the_metrics(page: Page, shop_url):
    """A real add over the websocket is timed by the app's middleware (Reflex 0.10 never calls `postprocess`)."""
    before = _timed_adds(shop_url)
    open_page(page, shop_url + "/")
    page.get_by_role("button", name="Add Python Patterns eBook to cart").click()
    expect(badge(page)).not_to_have_text("0")
    deadline = time.monotonic() + 10
    while _timed_adds(shop_url) <= before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _timed_adds(shop_url) > before
