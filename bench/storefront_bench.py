"""Storefront speed in a real Chromium: direct navigation to the catalog and to a product page → product name
visible, first contentful paint, click → cart badge updated, and click on Checkout → the browser leaving for the
hosted payment page.

Usage: python bench/storefront_bench.py [--url http://127.0.0.1:3000] [--runs 20] [--clicks 80] [--checkouts 10]
Without --url it builds and starts the shop on a free port with a throwaway SQLite database (and no Stripe, so
no Checkout measure; `bench/run_all.py` runs this against a full stack).
Prints numbers; asserts nothing.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.conftest import CHROMIUM_ARGS, system_chromium  # noqa: E402
from tests.e2e.server import ShopServer  # noqa: E402

# Installed before any page script: the time of the first animation frame (frames run right before paint) in
# which a product name is laid out.
FIRST_PRODUCT_FRAME = """
(() => { const tick = () => { const el = document.querySelector('.product-name');
  if (el && el.getBoundingClientRect().height > 0) { window.__productFrame = performance.now(); return; }
  requestAnimationFrame(tick); }; requestAnimationFrame(tick); })();
"""

CLICK_PROBE = """
() => { window.__clickProbe = new Promise(resolve => {
  const badge = document.querySelector('.cart-count');
  const before = badge.textContent;
  let t0 = null;
  const btn = document.querySelector('[aria-label="Add Python Patterns eBook to cart"]');
  btn.addEventListener('click', () => { t0 = performance.now(); }, {capture: true, once: true});
  const obs = new MutationObserver(() => {
    if (badge.textContent !== before) { obs.disconnect(); resolve(performance.now() - t0); }
  });
  obs.observe(badge, {childList: true, characterData: true, subtree: true});
}); }
"""


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


# Click on Checkout → the page starting to unload for Stripe's hosted page (in page, like the click probe).
LEAVE_PROBE = """
(sel) => { const btn = document.querySelector(sel);
  let t0 = null;
  btn.addEventListener('click', () => { t0 = performance.now(); }, {capture: true, once: true});
  window.addEventListener('beforeunload', () => { window.reportLeave(performance.now() - t0); }, {once: true}); }
"""


# A click from the page's own script instead of an input event: Chromium runs ordinary tasks (the websocket's answer
# among them) only after it has drawn the frame that follows an input event, so a mouse click's readings include up
# to a frame of waiting that is the browser's, not the shop's; this one leaves that out.
SCRIPT_CLICK = "(sel) => document.querySelector(sel).click()"


def _leaving(browser, n: int, prepare, button: str, left, scripted: bool) -> list[float]:
    """n fresh pages made ready by `prepare(page)`: click `button` (by mouse, or from the page's own script) and
    time it until the page starts to unload; `left(url)` tells the hosted page, which is not loaded."""
    out: list[float] = []
    for _ in range(n):
        ctx = browser.new_context()
        got: list[float] = []
        ctx.expose_function("reportLeave", lambda ms: got.append(ms))
        page = ctx.new_page()
        prepare(page)
        page.route(left, lambda route: route.fulfill(status=200, body="hosted page"))
        page.evaluate(LEAVE_PROBE, button)
        if scripted:
            page.evaluate(SCRIPT_CLICK, button)
        else:
            page.locator(button).click()
        page.wait_for_url(left, timeout=15000)
        page.wait_for_timeout(50)  # the binding's message is delivered asynchronously
        out.extend(got)
        ctx.close()
    return out


def leave_for_checkout(browser, url: str, n: int, scripted: bool = False) -> list[float]:
    """The shop: a fresh cart with one product, then Checkout on the cart page."""
    def prepare(page):
        page.goto(url + "/")
        page.wait_for_selector("[data-cart-ready=true]", state="attached")
        page.get_by_role("button", name="Add Python Patterns eBook to cart").click()
        page.wait_for_function("document.querySelector('.cart-count')?.textContent.trim() === '1'")
        page.goto(url + "/cart")
        page.wait_for_selector("button[data-checkout]:not([disabled])")

    return _leaving(browser, n, prepare, "button[data-checkout]", lambda u: not u.startswith(url), scripted)


def leave_original(browser, url: str, n: int, scripted: bool = False) -> list[float]:
    """The re-created original's Checkout button: its click → its view's answer → Stripe.js sending the page on."""
    return _leaving(browser, n, lambda page: page.goto(url, wait_until="load"), "#checkout-button",
                    lambda u: "/c/pay/" in u, scripted)


PRODUCT_PATH = "/product/python-patterns-ebook"


def navigation(browser, url: str, paths: list[str], runs: int,
               others: dict[str, str] | None = None) -> dict[str, dict[str, list[float]]]:
    """Direct navigation to each path in `runs` fresh contexts, the paths taking turns (so a busy moment of the
    machine hits them alike): when a product name is visible (Playwright side), the first frame with it laid out
    (in page), first contentful paint, and hydrated with the cart loaded. `others` (name → full URL) are pages of
    another server measured in the same turns, without the hydration reading (the re-created original)."""
    pages = [(path, url + path, True) for path in paths] + [(k, u, False) for k, u in (others or {}).items()]
    out = {key: {"nav": [], "fcp": [], "ready": [], "painted": []} for key, _, _ in pages}
    for i in range(runs):
        for key, address, hydrates in pages[i % len(pages):] + pages[:i % len(pages)]:  # each goes first as often
            m = out[key]
            ctx = browser.new_context()
            ctx.add_init_script(FIRST_PRODUCT_FRAME)
            page = ctx.new_page()
            page.goto(address, wait_until="commit")
            page.wait_for_selector(".product-name", state="visible")
            visible = page.evaluate("performance.now()")
            if hydrates:
                page.wait_for_selector("[data-cart-ready=true]", state="attached")
                m["ready"].append(page.evaluate("performance.now()"))
            m["nav"].append(visible)
            page.wait_for_function("window.__productFrame !== undefined")
            m["painted"].append(page.evaluate("window.__productFrame"))
            m["fcp"].append(page.evaluate(
                "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN"))
            ctx.close()
    med = statistics.median
    for key, m in out.items():
        print(f"direct navigation to {key} ({runs} fresh contexts):")
        for k, label in (("nav", "product name visible (Playwright side)"),
                         ("painted", "first frame with a product name laid out (in page)"),
                         ("fcp", "first contentful paint"), ("ready", "hydrated + cart loaded")):
            if m[k]:
                print(f"  {label}: median {med(m[k]):.0f} ms, p90 {pct(m[k], 90):.0f} ms")
    return out


def run(url: str, runs: int, clicks: int, checkouts: int = 10, original: str = "") -> dict:
    """`original`: the address of the re-created original's page, navigated in the same turns as the shop's."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=system_chromium(), args=CHROMIUM_ARGS)
        warm = browser.new_page()  # warm the server and the HTTP cache of nothing (each context below is fresh)
        warm.goto(url + "/")
        warm.wait_for_selector(".product-name")
        warm.close()
        measured = navigation(browser, url, ["/", PRODUCT_PATH], runs,
                              {"the original": original} if original else None)
        catalog, product = measured["/"], measured[PRODUCT_PATH]
        nav, fcp, ready, painted = catalog["nav"], catalog["fcp"], catalog["ready"], catalog["painted"]

        ctx = browser.new_context()
        page = ctx.new_page()
        page.goto(url + "/")
        page.wait_for_selector("[data-cart-ready=true]", state="attached")
        button = page.get_by_role("button", name="Add Python Patterns eBook to cart")
        in_page, scripted = [], []
        for i in range(clicks):  # mouse clicks and scripted clicks taking turns (the line stays under its limit)
            page.evaluate(CLICK_PROBE)
            if i % 2:
                page.evaluate(SCRIPT_CLICK, '[aria-label="Add Python Patterns eBook to cart"]')
            else:
                button.click()
            (scripted if i % 2 else in_page).append(page.evaluate("window.__clickProbe"))
            page.wait_for_function("!document.querySelector('[aria-label=\"Add Python Patterns eBook to cart\"]')"
                                   ".disabled")
        print(f"click -> cart badge updated ({len(in_page)} mouse and {len(scripted)} scripted clicks, in page): "
              f"median {statistics.median(in_page):.1f} ms, p90 {pct(in_page, 90):.1f} ms, "
              f"p99 {pct(in_page, 99):.1f} ms; clicked from the page's script: median "
              f"{statistics.median(scripted):.1f} ms, p99 {pct(scripted, 99):.1f} ms")
        ctx.close()
        leave = leave_for_checkout(browser, url, checkouts) if checkouts else []
        leave_scripted = leave_for_checkout(browser, url, checkouts, scripted=True) if checkouts else []
        orig_leave = leave_original(browser, original, checkouts) if original and checkouts else []
        orig_scripted = leave_original(browser, original, checkouts, scripted=True) if orig_leave else []
        if orig_leave:
            print(f"the original: click on Checkout -> leaving ({len(orig_leave)} pages, in page): median "
                  f"{statistics.median(orig_leave):.1f} ms; clicked from the page's script: median "
                  f"{statistics.median(orig_scripted):.1f} ms")
        if leave:
            print(f"click on Checkout -> leaving for the hosted page ({len(leave)} carts, in page): "
                  f"median {statistics.median(leave):.1f} ms, p90 {pct(leave, 90):.1f} ms; clicked from the page's "
                  f"script: median {statistics.median(leave_scripted):.1f} ms")
        browser.close()
    med = statistics.median
    return {"nav_median_ms": med(nav), "nav_p90_ms": pct(nav, 90), "product_frame_median_ms": med(painted),
            "fcp_median_ms": med(fcp), "fcp_p90_ms": pct(fcp, 90), "hydrated_median_ms": med(ready),
            "click_badge_median_ms": med(in_page), "click_badge_p99_ms": pct(in_page, 99),
            "scripted_click_badge_median_ms": med(scripted), "scripted_click_badge_p99_ms": pct(scripted, 99),
            "checkout_leave_median_ms": med(leave) if leave else None,
            "scripted_checkout_leave_median_ms": med(leave_scripted) if leave_scripted else None,
            "runs": runs, "clicks": clicks,
            "frame_p90_ms": pct(painted, 90), "product_page_path": PRODUCT_PATH,
            "product_page_nav_median_ms": med(product["nav"]), "product_page_nav_p90_ms": pct(product["nav"], 90),
            "product_page_frame_median_ms": med(product["painted"]),
            "product_page_frame_p90_ms": pct(product["painted"], 90),
            "product_page_fcp_median_ms": med(product["fcp"]), "product_page_fcp_p90_ms": pct(product["fcp"], 90),
            "product_page_hydrated_median_ms": med(product["ready"]),
            **({"original_leave_median_ms": med(orig_leave),
                "original_scripted_leave_median_ms": med(orig_scripted)} if orig_leave else {}),
            **({"original_nav_median_ms": med(measured["the original"]["nav"]),
                "original_nav_p90_ms": pct(measured["the original"]["nav"], 90),
                "original_fcp_median_ms": med(measured["the original"]["fcp"]),
                "original_fcp_p90_ms": pct(measured["the original"]["fcp"], 90)} if original else {})}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--clicks", type=int, default=80, help="half by mouse, half scripted")
    ap.add_argument("--checkouts", type=int, default=10)
    args = ap.parse_args()
    if args.url:
        run(args.url.rstrip("/"), args.runs, args.clicks, args.checkouts)
        return
    with tempfile.TemporaryDirectory() as tmp:
        server = ShopServer(Path(tmp))
        server.prepare()
        server.start()
        try:
            run(server.url, args.runs, args.clicks, 0)  # no Stripe here: use --url for the Checkout measure
        finally:
            server.stop()


if __name__ == "__main__":
    main()
