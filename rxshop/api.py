"""HTTP routes beside the Reflex app (mounted through rx.App(api_transformer=…)). Keep them under /api/."""
from __future__ import annotations

import asyncio
import logging

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from . import routes
from .fulfilment import handle_webhook
from .health import report as health_report
from .payments import InvalidWebhook, parse_webhook

log = logging.getLogger("rxshop.api")
_pushes: set[asyncio.Task] = set()  # keep references until the pushes are done


async def health(_request: Request) -> JSONResponse:
    """Readiness: 200 when the database (migrated) and Redis answer, else 503; each dependency reported apart."""
    ready, body = await health_report()
    return JSONResponse(body, status_code=200 if ready else 503)


async def alive(_request: Request) -> JSONResponse:
    return JSONResponse({"alive": True})


async def stripe_webhook(request: Request) -> JSONResponse:
    payload = await request.body()
    try:
        notice = parse_webhook(payload, request.headers.get("stripe-signature"))
    except InvalidWebhook as exc:
        return JSONResponse({"error": f"invalid webhook: {exc}"}, status_code=400)
    try:
        token = await asyncio.to_thread(handle_webhook, notice)  # database + SMTP off the event loop
    except Exception:
        log.exception("webhook %s (%s) failed; Stripe will retry", notice.event_id, notice.type)
        return JSONResponse({"error": "processing failed, retry"}, status_code=500)
    if token:
        from .state.order_state import push_order_update  # lazy: the state module imports the app's pages

        task = asyncio.create_task(push_order_update(token))  # don't make Stripe wait for the browser
        _pushes.add(task)
        task.add_done_callback(_pushes.discard)
    return JSONResponse({"received": True})


api = Starlette(routes=[
    Route(routes.API_HEALTH, health, methods=["GET"]),
    Route(routes.API_HEALTH_LIVE, alive, methods=["GET"]),
    Route(routes.API_STRIPE_WEBHOOK, stripe_webhook, methods=["POST"]),
])
