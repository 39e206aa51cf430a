"""HTTP routes beside the Reflex app (mounted through rx.App(api_transformer=…)). They match before Reflex's own
routes and static files: keep them under /api/, except the pages rxshop/html_pages.py fills in from the database."""
from __future__ import annotations

import asyncio
import logging
import time

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from . import html_pages, lazy, logs, metrics, routes
from .fulfilment import handle_webhook, takes_stock
from .health import report as health_report
from .payments import InvalidWebhook, parse_webhook
from .settings import get_settings

log = logging.getLogger("rxshop.api")
_pushes: set[asyncio.Task] = set()  # keep references until the pushes are done


async def health(_request: Request) -> JSONResponse:
    """Readiness: 200 when the database (migrated) and Redis answer, else 503; each dependency reported apart."""
    ready, body = await health_report()
    return JSONResponse(body, status_code=200 if ready else 503)


async def alive(_request: Request) -> JSONResponse:
    return JSONResponse({"alive": True})


async def prometheus(request: Request) -> Response:
    allowed = metrics.authorized(request.headers.get("authorization"))
    if allowed is None:
        return JSONResponse({"error": "metrics are off (set RXSHOP_METRICS_TOKEN)"}, status_code=404)
    if not allowed:
        return JSONResponse({"error": "unauthorized"}, status_code=401)
    body, content_type = await asyncio.to_thread(metrics.exposition)  # counts orders in the database
    return Response(body, media_type=content_type)


def _order_number(order_id: int | None) -> str:
    from .db import session
    from .models import Order

    if not order_id:
        return ""
    with session() as s:
        order = s.get(Order, order_id)
        return order.number if order else ""


def _handle(notice) -> str | None:
    """In a worker thread: the webhook's log lines carry its event id and order number."""
    with logs.bound(event_id=notice.event_id, event_type=notice.type):
        with logs.bound(order_number=_order_number(notice.result.order_id if notice.result else None)):
            token = handle_webhook(notice)
            log.info("webhook %s handled", notice.type)
            return token


class TooLarge(Exception):
    pass


async def read_limited(request: Request, limit: int) -> bytes:
    """The request body, refusing more than `limit` bytes (declared or streamed) without buffering it all."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise TooLarge
    return bytes(body)


async def stripe_webhook(request: Request) -> JSONResponse:
    started = time.perf_counter()
    try:
        payload = await read_limited(request, get_settings().rxshop_webhook_max_bytes)
    except TooLarge:
        return JSONResponse({"error": "payload too large"}, status_code=413)
    await lazy.ready()  # the SDK verifies the signature; after a restart it may not be imported yet
    try:
        notice = parse_webhook(payload, request.headers.get("stripe-signature"))
    except InvalidWebhook as exc:
        metrics.WEBHOOK_SECONDS.labels("unknown", "invalid").observe(time.perf_counter() - started)
        log.warning("webhook refused: %s", exc)
        return JSONResponse({"error": f"invalid webhook: {exc}"}, status_code=400)
    kind = notice.type if len(notice.type) <= 64 else "other"
    try:
        token = await asyncio.to_thread(_handle, notice)  # database off the event loop (email: outbox)
    except Exception:
        metrics.WEBHOOK_SECONDS.labels(kind, "error").observe(time.perf_counter() - started)
        with logs.bound(event_id=notice.event_id, event_type=notice.type):
            log.exception("webhook %s failed; Stripe will retry", notice.type)
        return JSONResponse({"error": "processing failed, retry"}, status_code=500)
    metrics.WEBHOOK_SECONDS.labels(kind, "processed").observe(time.perf_counter() - started)
    if token:
        from .state.order_state import push_order_update  # lazy: the state module imports the app's pages

        task = asyncio.create_task(push_order_update(token))  # don't make Stripe wait for the browser
        _pushes.add(task)
        task.add_done_callback(_pushes.discard)
    from .live import schedule
    from .state.live_state import push_catalog, push_orders

    schedule(push_orders())  # the console's open order lists
    if takes_stock(notice.type):
        schedule(push_catalog())  # open catalog / product pages show the stock that is left
    return JSONResponse({"received": True})


async def product_image(request: Request) -> Response:
    """An uploaded product image (random, immutable names; see rxshop/admin/media.py)."""
    from .admin.media import IMAGE_TYPES, image_path

    name = request.path_params["name"]
    path = image_path(name)
    if path is None:
        return JSONResponse({"error": "not found"}, status_code=404)
    return FileResponse(path, media_type=IMAGE_TYPES[path.suffix[1:]], headers={
        "Cache-Control": "public, max-age=31536000, immutable", "X-Content-Type-Options": "nosniff"})


async def download(request: Request) -> Response:
    """A buyer's signed download link: the file (as an attachment) or a redirect to the external URL."""
    from .db import session
    from .delivery import DownloadRefused, open_download

    def check():
        with session() as db:
            return open_download(db, request.path_params["token"])

    private = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff",
               "Referrer-Policy": "no-referrer"}
    try:
        found = await asyncio.to_thread(check)
    except DownloadRefused as exc:
        return PlainTextResponse(exc.message, status_code=exc.status, headers=private)
    if found.redirect:
        return RedirectResponse(found.redirect, status_code=303, headers=private)
    return FileResponse(found.path, media_type=found.content_type, filename=found.filename,
                        content_disposition_type="attachment", headers=private)


api = Starlette(routes=[
    Route(routes.API_HEALTH, health, methods=["GET"]),
    Route(routes.API_HEALTH_LIVE, alive, methods=["GET"]),
    Route(routes.API_METRICS, prometheus, methods=["GET"]),
    Route(routes.API_STRIPE_WEBHOOK, stripe_webhook, methods=["POST"]),
    Route(routes.API_IMAGE, product_image, methods=["GET"]),
    Route(routes.API_DOWNLOAD, download, methods=["GET"]),
    Route(routes.INDEX, html_pages.catalog_page, methods=["GET", "HEAD"]),
    Route(routes.http_path(routes.PRODUCT), html_pages.product_page, methods=["GET", "HEAD"]),
    Route(routes.SITEMAP, html_pages.sitemap, methods=["GET", "HEAD"]),
    Route(routes.ROBOTS, html_pages.robots, methods=["GET", "HEAD"]),
])
api.add_middleware(html_pages.NoIndexPrivate)
