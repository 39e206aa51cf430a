"""Stripe's wire protocol on /v1: form decoding, API keys, idempotency, JSON answers. A lean hand-written ASGI
path (no framework routing) because it is the hot path."""
from __future__ import annotations

import base64
import contextlib
import re
from urllib.parse import parse_qsl

from . import API_VERSION
from .common import Ctx, Raw, dumps, new_id
from .errors import StripeError, invalid
from .params import p_expand
from .routes import Router
from .schema import check as check_params
from .sandbox import Sandbox

_SEG = re.compile(r"\[([^\]]*)\]")


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


_BASE_HEADERS = [
    (b"content-type", b"application/json"),
    (b"stripe-version", API_VERSION.encode()),
    (b"cache-control", b"no-cache, no-store"),
]
# Cross-origin reads only for publishable-key answers (what Stripe.js needs; it sends the key in the form body, a
# "simple" request without preflight). The preflight does not allow `Authorization`, so a page can't send a key
# in a header cross-origin.
_CORS_PUBLISHABLE = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-expose-headers", b"Request-Id, Stripe-Version"),
]
_CORS_PREFLIGHT = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-allow-methods", b"GET, POST"),
    (b"access-control-allow-headers", b"Content-Type"),
    (b"access-control-max-age", b"300"),
    (b"content-length", b"0"),
]
SECRET_FROM_BROWSER_MSG = ("A secret API key can't be used from a web page (this request came from origin {}). "
                           "Call the API with the secret key from your server.")
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
        self.own_origins = sb.config.own_origins()

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
        auth = idem = origin = None
        for k, v in raw_headers:
            if k == b"authorization":
                auth = v.decode("latin-1")
            elif k == b"idempotency-key":
                idem = v.decode("latin-1")
            elif k == b"origin":
                origin = v.decode("latin-1")
        try:
            params = parse_form(query.decode("utf-8")) if query else {}
            if body:
                bp = parse_form(body.decode("utf-8"))
                params = {**params, **bp} if params else bp
        except UnicodeDecodeError:
            return 400, dumps(invalid("Invalid request body encoding (expected UTF-8).").body()).encode(), extra
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
        cfg = sb.config
        if key == cfg.secret_key:
            publishable = False
            if origin is not None and origin not in self.own_origins:
                return self._err(403, "invalid_request_error", SECRET_FROM_BROWSER_MSG.format(origin), extra)
        elif key == cfg.publishable_key:
            publishable = True
            extra.extend(_CORS_PUBLISHABLE)
        else:
            return self._err(401, "invalid_request_error", f"Invalid API Key provided: {_redact(key)}", extra)
        if route is None:
            return self._err(404, "invalid_request_error",
                             f"Unrecognized request URL ({method}: {path}). (stripe sandbox does not implement it)",
                             extra)
        fn, table, pk_ok, groups = route
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
        ctx = Ctx(key=key, publishable=publishable, request_id=rid, idem_key=idem if method == "POST" else None,
                  origin=origin if publishable else None)
        cache = True
        try:
            if params:
                if isinstance(table, tuple):
                    table = table[publishable]
                check_params(params, table)
            obj = fn(sb, ctx, params, *groups)
            if isinstance(obj, Raw):
                out = obj.encode()
            else:
                exp = p_expand(params) if "expand" in params else None
                if exp:
                    obj = sb.expand(obj, exp)
                out = dumps(obj).encode()
            status = 200
        except StripeError as e:
            status, out, cache = e.status, dumps(e.body()).encode(), e.cache
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
        return status, dumps({"error": {"message": message, "type": type_}}).encode(), extra
