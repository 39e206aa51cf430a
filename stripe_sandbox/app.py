"""The ASGI application: /v1 goes straight to the wire layer (wire.py), everything else (hosted pages, Stripe.js,
test-only endpoints) through Starlette."""
from __future__ import annotations

import asyncio
import contextlib

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .common import NO_CTX
from .config import SandboxConfig
from .errors import StripeError
from .persistence import Persister
from .sandbox import Sandbox
from .settlement import Settler
from .webhooks import SCHEDULES, Dispatcher

CONFIG_KEYS = ("webhook_delay", "time_factor", "retry_schedule", "max_attempts", "webhook_timeout", "messy_seed",
               "messy_max_delay", "processing_seconds")
from .wire import Api


# ------------------------------------------------------------------------------------------------ the app
class SandboxApp(Starlette):
    """Starlette app whose /v1/* requests bypass Starlette's routing for speed."""

    sandbox: Sandbox
    api: Api

    own_origins: set[str]

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"].startswith("/v1/"):
            await self.api(scope, receive, send)
            return
        if scope["type"] == "http" and scope["path"].startswith("/_sandbox/") and self._from_other_site(scope):
            await JSONResponse({"error": {"type": "invalid_request_error", "message": "The sandbox's test-only "
                                          "endpoints can't be called from another site's page."}},
                               status_code=403)(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    def _from_other_site(self, scope) -> bool:
        """A browser request made by a page of another origin (test-only endpoints are for test code and tools,
        which send neither header)."""
        for k, v in scope["headers"]:
            if k == b"origin" and v.decode("latin-1") not in self.own_origins:
                return True
            if k == b"sec-fetch-site" and v not in (b"same-origin", b"none"):
                return True
        return False


def create_app(config: SandboxConfig | None = None) -> SandboxApp:
    from . import pages

    config = config or SandboxConfig()
    sb = Sandbox(config)
    dispatcher = Dispatcher(sb)
    settler = Settler(sb)
    persister = Persister(sb, config.state_file) if config.state_file else None
    if persister:
        persister.load()

    async def reset(request: Request):
        settler.reset()
        sb.reset_keep_cli()
        dispatcher.reset()
        sb.changed()
        return JSONResponse({"ok": True})

    async def deliveries(request: Request):
        return JSONResponse({"data": dispatcher.deliveries, "in_flight": len(dispatcher.tasks)})

    async def set_config(request: Request):
        data = await request.json()
        ps = None
        if "processing_seconds" in data:       # validated before anything changes
            try:
                ps = float(data["processing_seconds"] or 0)
            except (TypeError, ValueError):
                ps = -1.0
            if not ps >= 0:
                return JSONResponse({"error": {"type": "invalid_request_error",
                                               "message": "processing_seconds must be a number >= 0"}},
                                    status_code=400)
        if data.get("retry_schedule", "test") not in SCHEDULES:
            return JSONResponse({"error": {"type": "invalid_request_error",
                                           "message": f"retry_schedule must be one of {', '.join(SCHEDULES)}"}},
                                status_code=400)
        for k in ("webhook_delay", "time_factor", "webhook_timeout", "messy_max_delay"):
            if k in data:
                setattr(config, k, float(data[k]))
        if "max_attempts" in data:
            config.max_attempts = int(data["max_attempts"])
        if "retry_schedule" in data:
            config.retry_schedule = data["retry_schedule"]
        if "messy_seed" in data:
            config.messy_seed = None if data["messy_seed"] is None else int(data["messy_seed"])
            dispatcher.reset_rng()
        if ps is not None:
            config.processing_seconds = ps
        return JSONResponse({k: getattr(config, k) for k in CONFIG_KEYS})

    async def three_ds(request: Request):
        try:
            data = await request.json()
        except ValueError:
            data = {}
        try:
            pi = sb.resolve_3ds(NO_CTX, request.path_params["pid"], data.get("outcome", ""))
        except StripeError as e:
            return JSONResponse(e.body(), status_code=e.status)
        sb.changed()
        return JSONResponse(pi)

    async def health(request: Request):
        return JSONResponse({"ok": True})

    async def not_found(request: Request, exc=None):
        return JSONResponse({"error": {"type": "invalid_request_error",
                                       "message": f"Unrecognized request URL ({request.method}: {request.url.path})."
                                                  f" (stripe sandbox does not implement it)"}}, status_code=404)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        tasks = []

        async def sweeper():
            while True:
                await asyncio.sleep(1.0)
                sb.sweep_expired()
                sb.settle_due()

        settler.schedule_all()      # payments left `processing` in a loaded state file (overdue ones settle at once)
        tasks.append(asyncio.create_task(sweeper()))
        if persister:
            tasks.append(asyncio.create_task(persister.run()))
        try:
            yield
        finally:
            for t in tasks:
                t.cancel()
            settler.reset()
            await dispatcher.aclose()
            if persister:
                persister.flush()

    routes = [
        Route("/_sandbox/reset", reset, methods=["POST"]),
        Route("/_sandbox/deliveries", deliveries, methods=["GET"]),
        Route("/_sandbox/config", set_config, methods=["POST"]),
        Route("/_sandbox/payment_intents/{pid}/three_d_secure", three_ds, methods=["POST"]),
        Route("/_sandbox/health", health, methods=["GET"]),
        *pages.routes(sb),
    ]
    app = SandboxApp(routes=routes, lifespan=lifespan, exception_handlers={404: not_found, 405: not_found})
    app.sandbox = sb
    app.own_origins = config.own_origins()
    app.api = Api(sb)
    app.dispatcher = dispatcher
    app.settler = settler
    app.config = config
    return app
