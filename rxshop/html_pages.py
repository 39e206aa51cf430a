"""Pages the server fills in per request, from the database: product pages (in the HTML, see product_html), the
catalog's head tags, sitemap.xml and robots.txt. Routed in rxshop/api.py, in front of Reflex's static files."""
from __future__ import annotations

import functools
import gzip
from pathlib import Path

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import catalog, product_html, routes, seo
from .db import session
from .settings import get_settings

_cache: dict[Path, tuple[float, str]] = {}


def static_dir() -> Path:
    """Where the production build put the prerendered pages (what Reflex's static handler serves)."""
    from reflex.utils import prerequisites
    from reflex_base import constants
    from reflex_base.config import get_config

    return prerequisites.get_web_dir() / constants.Dirs.STATIC / get_config().frontend_path.strip("/")


def read_page(path: str) -> str | None:
    """A prerendered page by URL path (e.g. "/" or "/product/x"), re-read when the build changes it."""
    file = static_dir() / path.strip("/") / "index.html"
    try:
        mtime = file.stat().st_mtime
    except OSError:
        return None
    cached = _cache.get(file)
    if cached is None or cached[0] != mtime:
        cached = _cache[file] = (mtime, file.read_text(encoding="utf-8"))
    return cached[1]


_GZIP_CACHE_SIZE = 256  # pages; a page is the same bytes until its product changes


@functools.lru_cache(maxsize=_GZIP_CACHE_SIZE)
def _gzipped(body: str) -> bytes:
    return gzip.compress(body.encode(), compresslevel=6)


def html_response(request: Request, body: str, status: int = 200) -> Response:
    headers = {"Cache-Control": "no-cache", "Vary": "Accept-Encoding"}
    data = body.encode()
    if "gzip" in request.headers.get("accept-encoding", ""):
        data = _gzipped(body)
        headers["Content-Encoding"] = "gzip"
    return Response(b"" if request.method == "HEAD" else data, status_code=status, headers=headers,
                    media_type="text/html; charset=utf-8")


def _site() -> tuple[str, str]:
    settings = get_settings()
    return settings.rxshop_base_url.rstrip("/"), settings.rxshop_name


def product_page(request: Request) -> Response:
    """/product/<slug>: the product's page with the product in its HTML; an unknown slug is a 404 page."""
    slug = request.path_params["slug"]
    with session() as s:
        product = catalog.get_active_by_slug(s, slug)
        card = catalog.to_card(product) if product is not None else None
    template = read_page(product_html.template_path(product_html.template_for(card)))
    if template is None:  # no production build here (dev mode): Reflex's own page
        return PlainTextResponse("product pages need the production build", status_code=503)
    base, site = _site()
    head = seo.product_head(product, base, site) if product is not None else seo.noindex_tag()
    return html_response(request, product_html.fill(template, slug, card, head), 200 if card else 404)


def catalog_page(request: Request) -> Response:
    """/: the prerendered catalog with its description, cards and JSON-LD as the database has them now."""
    template = read_page(routes.INDEX)
    if template is None:
        return PlainTextResponse("the catalog needs the production build", status_code=503)
    with session() as s:
        products = catalog.list_active(s)
    base, site = _site()
    at = template.index("</head>")
    return html_response(request, template[:at] + seo.catalog_head(products, base, site) + template[at:])


def sitemap(_request: Request) -> Response:
    with session() as s:
        products = catalog.list_active(s)
    return Response(seo.sitemap_xml(products, _site()[0]), media_type="application/xml",
                    headers={"Cache-Control": "no-cache"})


def robots(_request: Request) -> Response:
    return PlainTextResponse(seo.robots_txt(_site()[0]))


class NoIndexPrivate:
    """ASGI middleware: `X-Robots-Tag: noindex` on every response of a private page (cart, orders, admin…)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not seo.is_private(scope["path"]):
            await self.app(scope, receive, send)
            return

        async def send_tagged(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []),
                                                  (b"x-robots-tag", seo.NOINDEX.encode())]}
            await send(message)

        await self.app(scope, receive, send_tagged)
