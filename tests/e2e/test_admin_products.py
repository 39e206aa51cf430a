"""Products in the console: create, image and file uploads, and the storefront's open tabs follow at once."""
import io
import re

from PIL import Image
from playwright.sync_api import Browser, Page, expect

from .admin_helpers import create_operator, sign_in
from .conftest import open_page


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1000, 750), (200, 30, 90)).save(out, "PNG")  # wider than 800 px: it gets both copies
    return out.getvalue()


def test_product_created_in_console_shows_in_open_catalog_tab(page: Page, browser: Browser, shop, shop_url):
    from .test_admin_orders import deactivate

    try:
        product_created_in_console_shows_in_open_catalog_tab(page, browser, shop, shop_url)
    finally:
        deactivate(shop, "E2E Poster")


def product_created_in_console_shows_in_open_catalog_tab(page: Page, browser: Browser, shop, shop_url):
    create_operator(shop, "catalog@example.com")
    shopper = browser.new_context().new_page()  # another browser: a shopper with the catalog open
    open_page(shopper, shop_url + "/")
    cards = shopper.get_by_test_id("product-card")
    poster = cards.filter(has_text="E2E Poster")
    expect(poster).to_have_count(0)

    sign_in(page, shop_url, "catalog@example.com")
    expect(page).to_have_url(re.compile(r"/admin/?$"))
    page.get_by_role("link", name="Products").click()
    expect(page.get_by_test_id("product-row").first).to_be_visible()  # the list is loaded (on_load ran)
    page.get_by_role("button", name="New product").click()
    editor = page.get_by_test_id("product-editor")
    editor.get_by_label("Name").fill("E2E Poster")
    editor.get_by_label("Description").fill("A poster made by the end-to-end test.")
    editor.get_by_label("Price").fill("7.25")
    editor.get_by_label("Stock (empty = unlimited)").fill("3")
    editor.get_by_label("Price").press("Enter")  # submits the form
    expect(page.get_by_test_id("product-row").filter(has_text="E2E Poster")).to_be_visible()

    expect(poster).to_have_count(1)  # pushed to the shopper's open tab: no reload
    expect(poster).to_contain_text("$7.25")
    expect(poster).to_contain_text("Only 3 left")

    # A bad price is refused with a clear message, nothing changes.
    editor.get_by_label("Price").fill("7.255")
    editor.get_by_label("Price").press("Enter")
    expect(page.get_by_test_id("product-error")).to_contain_text("at most 2 decimal places")

    page.get_by_test_id("image-uploader").locator("input[type=file]").set_input_files(
        files=[{"name": "notes.png", "mimeType": "image/png", "buffer": b"not really a png"}])
    page.get_by_role("button", name="Upload image").click()
    expect(page.get_by_test_id("product-error")).to_contain_text("not an image")

    page.get_by_test_id("image-uploader").locator("input[type=file]").set_input_files(
        files=[{"name": "poster.png", "mimeType": "image/png", "buffer": png_bytes()}])
    page.get_by_role("button", name="Upload image").click()
    expect(poster.locator("img")).to_have_attribute("src", re.compile(r"^/api/images/[0-9a-f]{32}\.png$"))
    src = poster.locator("img").get_attribute("src")
    page.wait_for_function("img => img.complete && img.currentSrc.endsWith('.w400.png')",  # the console's list too
                           arg=page.get_by_test_id("product-row").filter(has_text="E2E Poster").locator("img")
                           .element_handle())
    assert shopper.request.get(shop_url + src).body() == png_bytes()
    copies = {w: src.replace(".png", f".w{w}.png") for w in (400, 800)}
    expect(poster.locator("img")).to_have_attribute("srcset", f"{copies[400]} 400w, {copies[800]} 800w, {src} 1600w")
    for width, copy_src in copies.items():
        with Image.open(io.BytesIO(shopper.request.get(shop_url + copy_src).body())) as copy:
            assert (copy.format, copy.size) == ("PNG", (width, width * 3 // 4))
    poster.locator("img").scroll_into_view_if_needed()  # the shopper's browser draws the 400 px copy in the card
    shopper.wait_for_function("img => img.complete && img.currentSrc.endsWith('.w400.png')",
                              arg=poster.locator("img").element_handle())
    # its product page, in the HTML the server fills in, draws the 800 px one (the picture is 548 px wide there)
    visitor = browser.new_context().new_page()
    visitor.goto(shop_url + poster.locator("a.product-name").get_attribute("href"))
    visitor.wait_for_function("() => { const i = document.querySelector('article img');"
                              " return i && i.complete && i.currentSrc.endsWith('.w800.png'); }")
    visitor.context.close()

    page.get_by_test_id("file-uploader").locator("input[type=file]").set_input_files(
        files=[{"name": "poster.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 e2e poster"}])
    page.get_by_role("button", name="Upload file").click()
    expect(page.get_by_test_id("current-file")).to_have_text("Current file: poster.pdf")

    # Deactivated: gone from the open catalog at once (and the seeded catalog is as other tests expect it).
    editor.get_by_label("Active (for sale)").uncheck()
    editor.get_by_role("button", name="Save").click()
    expect(poster).to_have_count(0)

    page.get_by_role("link", name="Audit log").click()
    for action in ("product.create", "product.image", "product.file", "product.update"):
        expect(page.get_by_test_id("audit-row").filter(has_text=action).first).to_be_visible()
    shopper.context.close()
