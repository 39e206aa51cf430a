"""Every shop URL, built in one place: the page routes (for @rx.page), links and redirects inside the shop, and
the absolute URLs sent to Stripe and in emails. Works on plain strings and on Reflex vars (`"/product/" + var`)."""
from __future__ import annotations

from urllib.parse import urlencode

from .settings import get_settings

INDEX = "/"
CART = "/cart"
EXPRESS = "/express"
PRODUCT = "/product/[slug]"
ORDER = "/orders/[order_number]"
NOT_FOUND = "404"
SITEMAP = "/sitemap.xml"
ROBOTS = "/robots.txt"

API_HEALTH = "/api/health"
API_HEALTH_LIVE = "/api/health/live"
API_METRICS = "/api/metrics"
API_STRIPE_WEBHOOK = "/api/stripe/webhook"
API_IMAGE = "/api/images/{name}"  # uploaded product images (rxshop/admin/media.py)
IMAGE_PREFIX = "/api/images/"
API_DOWNLOAD = "/api/downloads/{token}"  # signed, per order line (rxshop/delivery.py)

ADMIN = "/admin"  # the operator console lives under it
ADMIN_LOGIN = "/admin/login"
ADMIN_PRODUCTS = "/admin/products"
ADMIN_AUDIT = "/admin/audit"
ADMIN_ORDERS = "/admin/orders"

CANCELED_PARAM = "canceled"  # /cart?canceled=<order number>: back from Stripe Checkout's cancel link
CHECKOUT_SESSION_ID = "{CHECKOUT_SESSION_ID}"  # Stripe fills in the session id in the success URL


def product(slug):
    """`slug` may be a str or a Reflex var."""
    return "/product/" + slug


def http_path(page_route: str) -> str:
    """A page route as a Starlette route path: /product/[slug] -> /product/{slug}."""
    return page_route.replace("[", "{").replace("]", "}")


def cart(canceled_order: str = "") -> str:
    return f"{CART}?{urlencode({CANCELED_PARAM: canceled_order})}" if canceled_order else CART


def express(product_slug: str = "", quantity: int = 1) -> str:
    """The express page for the cart, or for one product ("Buy now")."""
    return f"{EXPRESS}?{urlencode({'product': product_slug, 'qty': quantity})}" if product_slug else EXPRESS


def order(number: str, token: str) -> str:
    """The order's page; only the holder of its access token sees it."""
    return f"/orders/{number}?{urlencode({'token': token})}"


def download(token: str) -> str:
    return "/api/downloads/" + token


def absolute(path: str) -> str:
    """A shop path as a public URL (RXSHOP_BASE_URL): for Stripe and for emails."""
    return get_settings().rxshop_base_url.rstrip("/") + path


def checkout_success(number: str, token: str) -> str:
    return absolute(order(number, token)) + "&session_id=" + CHECKOUT_SESSION_ID


def checkout_cancel(number: str) -> str:
    return absolute(cart(canceled_order=number))
