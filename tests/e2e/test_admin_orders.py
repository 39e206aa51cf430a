"""The whole operator story: a product made in the console is bought, downloaded through the emailed signed link,
seen live in the console's order list, refunded there (the link stops), and exported to CSV."""
import csv
import io
import re
import sqlite3

from playwright.sync_api import Browser, Page, expect

from .admin_helpers import create_operator, sign_in
from .conftest import open_page
from .test_payments import badge, expect_paid_page, hosted_pay

FILE = b"%PDF-1.4 the e2e font family"
BUYER = "font-buyer@example.com"


def new_product(page: Page, name: str, price: str, stock: str) -> None:
    page.get_by_role("link", name="Products").click()
    expect(page.get_by_test_id("product-row").first).to_be_visible()  # the list is loaded (on_load ran)
    page.get_by_role("button", name="New product").click()
    editor = page.get_by_test_id("product-editor")
    editor.get_by_label("Name").fill(name)
    editor.get_by_label("Price").fill(price)
    editor.get_by_label("Stock (empty = unlimited)").fill(stock)
    editor.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("product-row").filter(has_text=name)).to_be_visible()
    page.get_by_test_id("file-uploader").locator("input[type=file]").set_input_files(
        files=[{"name": "font.pdf", "mimeType": "application/pdf", "buffer": FILE}])
    page.get_by_role("button", name="Upload file").click()
    expect(page.get_by_test_id("current-file")).to_have_text("Current file: font.pdf")


def deactivate(shop, name: str) -> None:
    """Leave the storefront's catalog as the other tests expect it, whatever happened."""
    con = sqlite3.connect(shop.db_path)
    con.execute("update product set active = 0 where name = ?", (name,))
    con.commit()
    con.close()


def test_sell_download_refund_and_export(page: Page, browser: Browser, shop, shop_url, mail):
    try:
        sell_download_refund_and_export(page, browser, shop, shop_url, mail)
    finally:
        deactivate(shop, "E2E Font")


def sell_download_refund_and_export(page: Page, browser: Browser, shop, shop_url, mail):
    create_operator(shop, "orders@example.com")
    sign_in(page, shop_url, "orders@example.com")
    expect(page).to_have_url(re.compile(r"/admin/?$"))
    new_product(page, "E2E Font", "12.00", "1")
    page.get_by_role("link", name="Orders").click()
    expect(page.get_by_test_id("order-count")).to_be_visible()

    shop_ctx = browser.new_context()
    watcher = shop_ctx.new_page()  # a catalog tab that stays open
    open_page(watcher, shop_url + "/")
    font_card = watcher.get_by_test_id("product-card").filter(has_text="E2E Font")
    expect(font_card).to_contain_text("Only 1 left")

    buyer = shop_ctx.new_page()
    open_page(buyer, shop_url + "/")
    buyer.get_by_role("button", name="Add E2E Font to cart").click()
    expect(badge(buyer)).to_have_text("1")
    cart_tab = shop_ctx.new_page()  # a second tab on the same cart
    open_page(cart_tab, shop_url + "/cart")
    expect(cart_tab.get_by_test_id("cart-line")).to_have_count(1)
    buyer.get_by_role("button", name="Add Mountain Wallpapers to cart").click()
    expect(cart_tab.get_by_test_id("cart-line")).to_have_count(2)  # pushed, no navigation
    expect(badge(cart_tab)).to_have_text("2")

    open_page(buyer, shop_url + "/cart")
    buyer.get_by_role("button", name="Checkout", exact=True).click()
    expect(buyer).to_have_url(re.compile(r"/c/pay/cs_test_"), timeout=20000)
    hosted_pay(buyer, "4242424242424242", email=BUYER)
    number = expect_paid_page(buyer, "$17.00")
    expect(font_card).to_contain_text("Sold out")  # the last unit is gone: the open catalog tab shows it

    row = page.get_by_test_id("order-row").filter(has_text=number)
    expect(row).to_be_visible(timeout=20000)  # appeared live in the console's order list
    expect(row).to_contain_text("paid")

    body = mail.wait_for(BUYER)[0].get_content()
    link = re.search(r"E2E Font: (\S+)", body).group(1)
    assert "/api/downloads/" in link and "files" not in link
    got = buyer.request.get(link)
    assert got.status == 200 and got.body() == FILE
    assert "attachment" in got.headers["content-disposition"] and "font.pdf" in got.headers["content-disposition"]

    buyer.get_by_role("button", name="Email my download links again").click()  # the buyer asks again
    again = mail.wait_for(BUYER, count=2)[-1].get_content()
    assert "/api/downloads/" in re.search(r"E2E Font: (\S+)", again).group(1)

    page.get_by_role("button", name=f"Open order {number}").click()
    detail = page.get_by_test_id("order-detail")
    detail.get_by_role("button", name="Re-send receipt and download links").click()  # the operator re-sends
    mail.wait_for(BUYER, count=3)
    expect(detail).to_contain_text("again-operator")  # the order's email history
    expect(detail).to_contain_text("checkout.session.completed")  # the webhook event received
    amount = detail.get_by_label(re.compile("Refund amount"))
    amount.fill("20.00")
    detail.get_by_role("button", name="Refund").click()
    expect(page.get_by_test_id("refund-error")).to_contain_text("At most $17.00 is left to refund")
    amount.fill("17.00")
    detail.get_by_role("button", name="Refund").click()
    expect(page.get_by_test_id("refund-notice")).to_contain_text("Refund re_")
    expect(page.get_by_test_id("detail-status")).to_have_text("refunded", timeout=20000)  # charge.refunded
    expect(page.get_by_test_id("detail-refunded")).to_have_text("$17.00")
    expect(detail).to_contain_text("charge.refunded")
    gone = buyer.request.get(link)
    assert gone.status == 403 and "refunded" in gone.text()

    page.get_by_label("Email").fill(BUYER)
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_test_id("order-row")).to_have_count(1)
    with page.expect_download() as dl:
        page.get_by_role("button", name="Export CSV").click()
    rows = list(csv.DictReader(io.StringIO(open(dl.value.path(), encoding="utf-8").read())))
    assert len(rows) == 1
    assert {k: rows[0][k] for k in ("number", "status", "email", "currency", "total", "refunded")} == {
        "number": number, "status": "refunded", "email": BUYER, "currency": "USD", "total": "17.00",
        "refunded": "17.00"}
    assert rows[0]["items"] == "1 x E2E Font; 1 x Mountain Wallpapers"
    assert rows[0]["stripe_checkout_session"].startswith("cs_test_")

    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_test_id("audit-row").filter(has_text="refund.create").first).to_contain_text(number)
    shop_ctx.close()
