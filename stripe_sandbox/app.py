"""ASGI application: Stripe's wire protocol on /v1 (a lean hand-written fast path), pages via Starlette."""
from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import re
import sys
import time
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from . import API_VERSION
from .config import SandboxConfig
from .core import NO_CTX, Ctx, Raw, Sandbox, _dumps, new_id, p_expand
from .errors import StripeError, invalid
from .webhooks import Dispatcher

_SEG = re.compile(r"\[([^\]]*)\]")


# ------------------------------------------------------------------------------------------------ form decoding
def parse_form(qs: str) -> dict:
    """Decode Stripe's nested form encoding (a[b][0][c]=v, a[]=v) into dicts/lists."""
    root: dict = {}
    nested = False
    for k, v in parse_qsl(qs, keep_blank_values=True):
        i = k.find("[")
        if i < 0:
            root[k] = v
            continue
        nested = True
        parts = [k[:i]] + _SEG.findall(k[i:])
        cur = root
        last = len(parts) - 1
        for j, part in enumerate(parts):
            if part == "":
                part = str(len(cur))
            if j == last:
                cur[part] = v
            else:
                nxt = cur.get(part)
                if not isinstance(nxt, dict):
                    nxt = cur[part] = {}
                cur = nxt
    return _listify(root) if nested else root


def _listify(d):
    if isinstance(d, dict):
        for k, v in d.items():
            if isinstance(v, dict):
                d[k] = _listify(v)
        if d and all(k.isdigit() for k in d):
            return [d[k] for k in sorted(d, key=int)]
    return d


# ------------------------------------------------------------------------------------------------ routes
# (method, pattern, handler(sb, ctx, params, *groups), publishable key allowed)
def _routes():
    R = []

    def r(method, pattern, fn, pk=False):
        R.append((method, pattern, fn, pk))

    r("POST", "/v1/customers", lambda s, c, p: s.customer_create(c, p))
    r("GET", "/v1/customers", lambda s, c, p: s.customer_list(c, p))
    r("GET", "/v1/customers/{id}", lambda s, c, p, i: s.customer_get(i))
    r("POST", "/v1/customers/{id}", lambda s, c, p, i: s.customer_update(c, p, i))
    r("DELETE", "/v1/customers/{id}", lambda s, c, p, i: s.customer_delete(c, p, i))
    r("GET", "/v1/customers/{id}/payment_methods",
      lambda s, c, p, i: (s.customer_get(i), s.payment_method_list(c, {**p, "customer": i}))[1])

    r("POST", "/v1/checkout/sessions", lambda s, c, p: s.session_create(c, p))
    r("GET", "/v1/checkout/sessions", lambda s, c, p: s.session_list(c, p))
    r("GET", "/v1/checkout/sessions/{id}", lambda s, c, p, i: s.session_get(i))
    r("GET", "/v1/checkout/sessions/{id}/line_items", lambda s, c, p, i: s.session_line_items(c, p, i))
    r("POST", "/v1/checkout/sessions/{id}/expire", lambda s, c, p, i: s.session_expire(c, p, i))

    r("POST", "/v1/payment_intents", lambda s, c, p: s.pi_create(c, p))
    r("GET", "/v1/payment_intents", lambda s, c, p: s.pi_list(c, p))
    r("GET", "/v1/payment_intents/{id}", lambda s, c, p, i: s.pi_get(c, i, p), True)
    r("POST", "/v1/payment_intents/{id}", lambda s, c, p, i: s.pi_update(c, p, i))
    r("POST", "/v1/payment_intents/{id}/confirm",
      lambda s, c, p, i: s.pi_public(s.pi_confirm(c, p, i)) if c.publishable else s.pi_confirm(c, p, i), True)
    r("POST", "/v1/payment_intents/{id}/cancel", lambda s, c, p, i: s.pi_cancel(c, p, i))
    r("POST", "/v1/payment_intents/{id}/capture", lambda s, c, p, i: s.pi_capture(c, p, i))

    r("POST", "/v1/payment_methods", lambda s, c, p: s.payment_method_create(c, p), True)
    r("GET", "/v1/payment_methods", lambda s, c, p: s.payment_method_list(c, p))
    r("GET", "/v1/payment_methods/{id}", lambda s, c, p, i: s.payment_method_get(i))
    r("POST", "/v1/payment_methods/{id}/attach", lambda s, c, p, i: s.payment_method_attach(c, p, i))
    r("POST", "/v1/payment_methods/{id}/detach", lambda s, c, p, i: s.payment_method_detach(c, p, i))

    r("POST", "/v1/tokens", lambda s, c, p: s.token_create(c, p), True)
    r("GET", "/v1/tokens/{id}", lambda s, c, p, i: s.token_get(i))

    r("POST", "/v1/charges", lambda s, c, p: s.charge_create(c, p))
    r("GET", "/v1/charges", lambda s, c, p: s.charge_list(c, p))
    r("GET", "/v1/charges/{id}", lambda s, c, p, i: s.charge_get(i))
    r("POST", "/v1/charges/{id}", lambda s, c, p, i: s.charge_update(c, p, i))
    r("POST", "/v1/charges/{id}/capture", lambda s, c, p, i: s.charge_capture(c, p, i))
    r("POST", "/v1/charges/{id}/refunds", lambda s, c, p, i: s.refund_create(c, {**p, "charge": i}))
    r("POST", "/v1/charges/{id}/refund", lambda s, c, p, i: (s.refund_create(c, {**p, "charge": i}),
                                                              s.charge_get(i))[1])
    r("GET", "/v1/charges/{id}/refunds", lambda s, c, p, i: (s.charge_get(i),
                                                             s.refund_list(c, {**p, "charge": i}))[1])

    r("POST", "/v1/refunds", lambda s, c, p: s.refund_create(c, p))
    r("GET", "/v1/refunds", lambda s, c, p: s.refund_list(c, p))
    r("GET", "/v1/refunds/{id}", lambda s, c, p, i: s.refund_get(i))
    r("POST", "/v1/refunds/{id}", lambda s, c, p, i: s.refund_update(c, p, i))

    r("POST", "/v1/products", lambda s, c, p: s.product_create(c, p))
    r("GET", "/v1/products", lambda s, c, p: s.list("product", "/v1/products", p))
    r("GET", "/v1/products/{id}", lambda s, c, p, i: s._get(i, "product", "product"))
    r("POST", "/v1/prices", lambda s, c, p: s.price_create(c, p))
    r("GET", "/v1/prices", lambda s, c, p: s.list("price", "/v1/prices", p))
    r("GET", "/v1/prices/{id}", lambda s, c, p, i: s._get(i, "price", "price"))

    r("GET", "/v1/events", lambda s, c, p: s.event_list(c, p))
    r("GET", "/v1/events/{id}", lambda s, c, p, i: s.event_get(i))

    r("POST", "/v1/webhook_endpoints", lambda s, c, p: s.webhook_create(c, p))
    r("GET", "/v1/webhook_endpoints", lambda s, c, p: s.list("webhook_endpoint", "/v1/webhook_endpoints", p))
    r("GET", "/v1/webhook_endpoints/{id}", lambda s, c, p, i: s._get(i, "webhook_endpoint", "webhook endpoint"))
    r("POST", "/v1/webhook_endpoints/{id}", lambda s, c, p, i: s.webhook_update(c, p, i))
    r("DELETE", "/v1/webhook_endpoints/{id}", lambda s, c, p, i: s.webhook_delete(c, p, i))
    return R


class Router:
    def __init__(self):
        self.static: dict[tuple[str, str], tuple] = {}
        self.dynamic: dict[str, list[tuple]] = {}
        for method, pattern, fn, pk in _routes():
            if "{" not in pattern:
                self.static[(method, pattern)] = (fn, pk)
            else:
                rx = re.compile("^" + pattern.replace("{id}", "([^/]+)") + "$")
                self.dynamic.setdefault(method, []).append((rx, fn, pk))

    def match(self, method: str, path: str):
        hit = self.static.get((method, path))
        if hit:
            return hit[0], hit[1], ()
        for rx, fn, pk in self.dynamic.get(method, ()):
            m = rx.match(path)
            if m:
                return fn, pk, m.groups()
        return None


# ------------------------------------------------------------------------------------------------ the API endpoint
_BASE_HEADERS = [
    (b"content-type", b"application/json"),
    (b"stripe-version", API_VERSION.encode()),
    (b"access-control-allow-origin", b"*"),
    (b"access-control-expose-headers", b"Request-Id, Idempotency-Key, Idempotent-Replayed, Stripe-Version"),
    (b"cache-control", b"no-cache, no-store"),
]
_CORS_PREFLIGHT = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-allow-methods", b"GET, POST, DELETE, OPTIONS"),
    (b"access-control-allow-headers", b"Authorization, Content-Type, Idempotency-Key, Stripe-Version, "
                                      b"Stripe-Account"),
    (b"access-control-max-age", b"300"),
    (b"content-length", b"0"),
]
NO_KEY_MSG = ("You did not provide an API key. You need to provide your API key in the Authorization header, using "
              "Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://docs.stripe.com/api#authentication "
              "for details, or we can help at https://support.stripe.com/.")


def _redact(key: str) -> str:
    if len(key) <= 12:
        return key[:3] + "*" * max(0, len(key) - 3)
    return key[:8] + "*" * (len(key) - 12) + key[-4:]


class Api:
    def __init__(self, sb: Sandbox):
        self.sb = sb
        self.router = Router()

    async def __call__(self, scope, receive, send):
        method = scope["method"]
        if method == "OPTIONS":
            await send({"type": "http.response.start", "status": 204, "headers": _CORS_PREFLIGHT})
            await send({"type": "http.response.body", "body": b""})
            return
        body = b""
        more = True
        while more:
            msg = await receive()
            body += msg.get("body", b"")
            more = msg.get("more_body", False)
        status, payload, extra = self.handle(method, scope["path"], scope["query_string"], body, scope["headers"])
        headers = list(_BASE_HEADERS)
        headers.append((b"content-length", str(len(payload)).encode()))
        headers.extend(extra)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    def handle(self, method: str, path: str, query: bytes, body: bytes, raw_headers) -> tuple[int, bytes, list]:
        sb = self.sb
        rid = new_id("req_", 14)
        extra = [(b"request-id", rid.encode())]
        auth = idem = None
        for k, v in raw_headers:
            if k == b"authorization":
                auth = v.decode("latin-1")
            elif k == b"idempotency-key":
                idem = v.decode("latin-1")
        try:
            params = parse_form(query.decode("utf-8")) if query else {}
            if body:
                bp = parse_form(body.decode("utf-8"))
                params = {**params, **bp} if params else bp
        except UnicodeDecodeError:
            return 400, _dumps(invalid("Invalid request body encoding (expected UTF-8).").body()).encode(), extra
        # ---- authentication
        key = None
        if auth:
            if auth[:7].lower() == "bearer ":
                key = auth[7:].strip()
            elif auth[:6].lower() == "basic ":
                with contextlib.suppress(Exception):
                    key = base64.b64decode(auth[6:]).decode().split(":")[0]
        if not key and isinstance(params.get("key"), str):
            key = params["key"]
        if "key" in params:
            params = {k: v for k, v in params.items() if k != "key"}
        route = self.router.match(method, path)
        if not key:
            return self._err(401, "invalid_request_error", NO_KEY_MSG, extra)
        if key.startswith(("sk_test_", "rk_test_")):
            publishable = False
        elif key.startswith("pk_test_"):
            publishable = True
        else:
            return self._err(401, "invalid_request_error", f"Invalid API Key provided: {_redact(key)}", extra)
        if route is None:
            return self._err(404, "invalid_request_error",
                             f"Unrecognized request URL ({method}: {path}). (stripe sandbox does not implement it)",
                             extra)
        fn, pk_ok, groups = route
        if publishable and not pk_ok:
            return self._err(401, "invalid_request_error",
                             "This API call cannot be made with a publishable API key. Please use a secret API key. "
                             "You can find a list of your API keys at https://dashboard.stripe.com/account/apikeys.",
                             extra)
        # ---- idempotency
        ikey = None
        if idem is not None and method == "POST":
            if len(idem) > 255:
                return self._err(400, "invalid_request_error",
                                 "Idempotency-Key must be at most 255 characters long.", extra)
            ikey = (key, idem)
            prev = sb.idem.get(ikey)
            extra.append((b"idempotency-key", idem.encode()))
            if prev is not None:
                pmethod, ppath, pparams, pstatus, pbody, prid = prev
                if pmethod != method or ppath != path:
                    return self._err(400, "idempotency_error",
                                     f"Keys for idempotent requests can only be used for the same endpoint they were "
                                     f"first used for ('{pmethod} {ppath}' vs '{method} {path}'). Try using a key "
                                     f"other than '{idem}' if you meant to execute a different request.", extra)
                if pparams != params:
                    return self._err(400, "idempotency_error",
                                     f"Keys for idempotent requests can only be used with the same parameters they "
                                     f"were first used with. Try using a key other than '{idem}' if you meant to "
                                     f"execute a different request.", extra)
                extra[0] = (b"request-id", prid.encode())
                extra.append((b"idempotent-replayed", b"true"))
                extra.append((b"original-request", prid.encode()))
                return pstatus, pbody.encode() if isinstance(pbody, str) else pbody, extra
        ctx = Ctx(key=key, publishable=publishable, request_id=rid, idem_key=idem if method == "POST" else None)
        cache = True
        try:
            obj = fn(sb, ctx, params, *groups)
            if isinstance(obj, Raw):
                out = obj.encode()
            else:
                exp = p_expand(params) if "expand" in params else None
                if exp:
                    obj = sb.expand(obj, exp)
                out = _dumps(obj).encode()
            status = 200
        except StripeError as e:
            status, out, cache = e.status, _dumps(e.body()).encode(), e.cache
        if method != "GET":
            sb.changed()
        if ikey is not None and cache and status != 401:
            store = sb.idem
            store[ikey] = (method, path, params, status, out, rid)
            if len(store) > sb.config.idempotency_max_keys:
                store.pop(next(iter(store)))
        return status, out, extra

    @staticmethod
    def _err(status: int, type_: str, message: str, extra: list) -> tuple[int, bytes, list]:
        return status, _dumps({"error": {"message": message, "type": type_}}).encode(), extra


# ------------------------------------------------------------------------------------------------ persistence
class Persister:
    def __init__(self, sb: Sandbox, path: str):
        self.sb, self.path = sb, path
        self.dirty = False
        sb.on_change = self.mark

    def mark(self) -> None:
        self.dirty = True

    def load(self) -> None:
        if os.path.exists(self.path) and os.path.getsize(self.path) > 0:
            with open(self.path, encoding="utf-8") as f:
                self.sb.restore(json.load(f))

    def flush(self) -> None:
        if not self.dirty:
            return
        self.dirty = False
        tmp = f"{self.path}.tmp{os.getpid()}"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(_dumps(self.sb.snapshot()))
        os.replace(tmp, self.path)

    async def run(self, interval: float = 0.3) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                self.flush()
            except Exception as e:  # keep saving later; never kill the server over the state file
                print(f"stripe-sandbox: could not save state to {self.path}: {e!r}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------------ settling
class Settler:
    """Timers that settle `processing` payments (test-only `processing_seconds`) when their time comes.

    One asyncio timer per payment; the state (`sb.pending_settles`, pi id -> unix time) is the source of truth, so a
    timer that fires after a reset or a cancel does nothing, and the once-a-second sweeper settles anything whose
    timer could not be armed (no running loop, or restored from --state-file)."""

    def __init__(self, sb: Sandbox):
        self.sb = sb
        self.handles: dict[str, asyncio.TimerHandle] = {}
        sb.on_settle_scheduled = self.schedule

    def schedule(self, pid: str, at: float) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:       # no loop: the sweeper settles it
            return
        old = self.handles.pop(pid, None)
        if old is not None:
            old.cancel()
        self.handles[pid] = loop.call_later(max(0.0, at - time.time()), self._fire, pid)

    def _fire(self, pid: str) -> None:
        self.handles.pop(pid, None)
        try:
            self.sb.settle_pi(pid)
        except Exception as e:  # never kill the loop over a settle
            print(f"stripe-sandbox: could not settle {pid}: {e!r}", file=sys.stderr, flush=True)

    def schedule_all(self) -> None:
        for pid, at in list(self.sb.pending_settles.items()):
            self.schedule(pid, at)

    def reset(self) -> None:
        for h in self.handles.values():
            h.cancel()
        self.handles.clear()


# ------------------------------------------------------------------------------------------------ the app
class SandboxApp(Starlette):
    """Starlette app whose /v1/* requests bypass Starlette's routing for speed."""

    sandbox: Sandbox
    api: Api

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"].startswith("/v1/"):
            await self.api(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


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
        return JSONResponse({"data": dispatcher.deliveries})

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
        for k in ("webhook_delay", "retry_base", "webhook_timeout"):
            if k in data:
                setattr(config, k, float(data[k]))
        if "max_attempts" in data:
            config.max_attempts = int(data["max_attempts"])
        if ps is not None:
            config.processing_seconds = ps
        return JSONResponse({"webhook_delay": config.webhook_delay, "retry_base": config.retry_base,
                             "max_attempts": config.max_attempts, "webhook_timeout": config.webhook_timeout,
                             "processing_seconds": config.processing_seconds})

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
    app.api = Api(sb)
    app.dispatcher = dispatcher
    app.settler = settler
    app.config = config
    return app
