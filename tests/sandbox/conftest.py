"""Fixtures for the black-box contract tests of the offline Stripe sandbox.

The sandbox runs as a real subprocess (`python -m stripe_sandbox --port 0`) exactly as
the shop and CI run it; tests only talk to it over HTTP (stripe-python, httpx), and
reset its state between tests through the test-only `POST /_sandbox/reset`.

Only the fixtures in this file are shared; the browser tests of the sandbox
(test_hosted_page.py, test_stripejs.py, test_processing_stripejs.py) keep their own
fixtures in conftest_pages.py. Both start the sandbox through
`tests.sandbox.sandbox_proc.SandboxProcess`.
"""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
import stripe

from tests.sandbox.openapi.schemas import problems_in_body
from tests.sandbox.sandbox_proc import SandboxProcess

SECRET_KEY = "sk_test_sandbox"
PUBLISHABLE_KEY = "pk_test_sandbox"


# --------------------------------------------------------------------------- sandbox process


@pytest.fixture(scope="session")
def sandbox_process():
    with SandboxProcess() as sb:
        yield sb


@pytest.fixture(scope="session")
def fast_sandbox_process():
    """A second instance with quick webhook retries, for the delivery tests."""
    # Stripe's test-mode retries (5 min, 30 min, 2 h) times 0.0002: 0.06 s, 0.36 s, 1.44 s
    with SandboxProcess("--time-factor", "0.0002", "--webhook-timeout", "1") as sb:
        yield sb


@pytest.fixture
def sandbox(sandbox_process):
    """The shared sandbox, emptied before the test."""
    sandbox_process.reset()
    return sandbox_process


@pytest.fixture
def fast_sandbox(fast_sandbox_process):
    fast_sandbox_process.reset()
    fast_sandbox_process.set_config(webhook_delay=0)
    yield fast_sandbox_process
    fast_sandbox_process.set_config(webhook_delay=0)


RECEIVED: list[bytes] = []      # every answer the contract tests' clients received in the current test


class RecordingClient(stripe.HTTPXClient):
    """stripe-python's httpx transport, keeping each answer for the schema check below."""

    def __init__(self):
        super().__init__(allow_sync_methods=True)

    def request(self, method, url, headers, post_data=None):
        content, status, response_headers = super().request(method, url, headers, post_data)
        RECEIVED.append(content)
        return content, status, response_headers

    async def request_async(self, method, url, headers, post_data=None):
        content, status, response_headers = await super().request_async(method, url, headers, post_data)
        RECEIVED.append(content)
        return content, status, response_headers


@pytest.fixture(autouse=True)
def objects_match_stripes_schemas():
    """Every object, list and error a contract test receives matches Stripe's published schema for its type."""
    RECEIVED.clear()
    yield
    found = [p for body in RECEIVED for p in problems_in_body(body)]
    RECEIVED.clear()
    assert not found, "answers that differ from Stripe's OpenAPI schemas:\n" + "\n".join(dict.fromkeys(found))


def make_client(url: str, key: str = SECRET_KEY) -> stripe.StripeClient:
    # No automatic network retries: a retry could hide a wrong first response.
    return stripe.StripeClient(key, base_addresses={"api": url}, max_network_retries=0,
                               http_client=RecordingClient())


@pytest.fixture
def client(sandbox) -> stripe.StripeClient:
    return make_client(sandbox.url)


@pytest.fixture
def fast_client(fast_sandbox) -> stripe.StripeClient:
    return make_client(fast_sandbox.url)


@pytest.fixture
def http(sandbox):
    """Raw HTTP with the secret key, for headers stripe-python hides."""
    with httpx.Client(base_url=sandbox.url, headers={"Authorization": f"Bearer {SECRET_KEY}"}, timeout=10) as c:
        yield c


@pytest.fixture
def legacy_stripe(sandbox):
    """The legacy module-level API (`stripe.api_key` / `stripe.api_base`) pointed at the sandbox."""
    saved = (stripe.api_key, stripe.api_base, stripe.max_network_retries)
    stripe.api_key, stripe.api_base, stripe.max_network_retries = SECRET_KEY, sandbox.url, 0
    yield stripe
    stripe.api_key, stripe.api_base, stripe.max_network_retries = saved


# --------------------------------------------------------------------------- webhook receiver


@dataclass
class Delivery:
    at: float
    path: str
    headers: dict[str, str]
    body: bytes
    status: int

    @property
    def json(self) -> dict:
        return json.loads(self.body)

    @property
    def signature(self) -> str | None:
        return self.headers.get("stripe-signature")


@dataclass
class WebhookReceiver:
    """Threaded HTTP server recording every webhook POST (raw body + headers).

    `fail_first` makes the first N requests answer `fail_status`; `hang_first` makes the
    first N requests wait `hang_seconds` before answering (to provoke sender timeouts).
    """

    fail_first: int = 0
    fail_status: int = 500
    hang_first: int = 0
    hang_seconds: float = 0.0
    received: list[Delivery] = field(default_factory=list)

    def __post_init__(self):
        self._cond = threading.Condition()
        self._count = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep pytest output clean
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver._cond:
                    n = receiver._count
                    receiver._count += 1
                if n < receiver.hang_first:
                    time.sleep(receiver.hang_seconds)
                status = receiver.fail_status if n < receiver.fail_first else 200
                payload = b'{"received": true}' if status < 300 else b'{"error": "simulated failure"}'
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    if 300 <= status < 400:  # a real redirect, to see that the sender does not follow it
                        self.send_header("Location", self.path)
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the sender gave up (timeout); the attempt is still recorded below
                with receiver._cond:
                    receiver.received.append(
                        Delivery(
                            at=time.monotonic(),
                            path=self.path,
                            headers={k.lower(): v for k, v in self.headers.items()},
                            body=body,
                            status=status,
                        )
                    )
                    receiver._cond.notify_all()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="webhook-receiver", daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/webhooks/stripe"

    def snapshot(self) -> list[Delivery]:
        with self._cond:
            return list(self.received)

    def wait_for(self, predicate, timeout: float = 5.0) -> list[Delivery]:
        """Wait until predicate(list of deliveries) is truthy; return the deliveries."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate(list(self.received)):
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [(d.status, _event_type(d)) for d in self.received]
                    raise AssertionError(f"webhook condition not met within {timeout}s; received {seen}")
                self._cond.wait(left)
            return list(self.received)

    def wait_for_event(self, event_type: str, timeout: float = 5.0, ok_only: bool = True) -> Delivery:
        def matching(ds):
            return [d for d in ds if _event_type(d) == event_type and (d.status < 300 or not ok_only)]

        return matching(self.wait_for(lambda ds: matching(ds), timeout))[0]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _event_type(d: Delivery) -> str | None:
    try:
        return d.json.get("type")
    except ValueError:
        return None


@pytest.fixture
def webhook_receiver():
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


@pytest.fixture
def make_receiver():
    made: list[WebhookReceiver] = []

    def factory(**kwargs) -> WebhookReceiver:
        r = WebhookReceiver(**kwargs)
        made.append(r)
        return r

    yield factory
    for r in made:
        r.close()


# --------------------------------------------------------------------------- small shared helpers


@pytest.fixture
def client_for(sandbox):
    """StripeClient factory for other keys (publishable, invalid) against the shared sandbox."""
    return lambda key: make_client(sandbox.url, key)


@pytest.fixture
def browser_http(sandbox):
    """Raw HTTP as Stripe.js would talk to the API: no secret key anywhere."""
    with httpx.Client(base_url=sandbox.url, timeout=10) as c:
        yield c


@pytest.fixture
def start_sandbox():
    """Factory for an extra sandbox process with other CLI flags; stopped after the test."""
    started: list[SandboxProcess] = []

    def factory(*args: str) -> SandboxProcess:
        sb = SandboxProcess(*args)
        started.append(sb)
        return sb

    yield factory
    for sb in started:
        sb.stop()
