"""Helpers for the sandbox's browser tests (hosted Checkout page, Stripe.js stand-in).

Not a conftest: import the fixtures you need, e.g.
    from tests.sandbox.conftest_pages import sandbox, shop, client  # noqa: F401
"""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
import stripe

from tests.sandbox.sandbox_proc import SandboxProcess

PK = "pk_test_sandbox"
SK = "sk_test_sandbox"


STRIPEJS_PAGE = """<!doctype html><html><head><meta charset=utf-8><title>Stripe.js sandbox test page</title>
<script>
  // Instrumentation: everything the parent page receives or sends, to prove card data never reaches it.
  window.__messages = [];
  window.addEventListener('message', function (e) { window.__messages.push(JSON.stringify(e.data)); }, true);
  window.__sent = [];
  var _fetch = window.fetch;
  window.fetch = function (url, init) {
    window.__sent.push(String(url) + ' ' + String((init && init.body) || ''));
    return _fetch.apply(this, arguments);
  };
</script>
<script src="%(sandbox)s/v3/"></script></head>
<body><h1>Shop checkout (test page)</h1>
<form id=payment-form><label>Email <input id=email value="shopper@example.com"></label>
<div id=card-element></div><div id=card-errors role=alert></div><button id=submit type=button>Pay</button></form>
<script>
  window.stripe = Stripe('%(pk)s');
  window.elements = stripe.elements();
  window.card = elements.create('card');
  window.changes = [];
  window.ready = false;
  card.on('ready', function () { window.ready = true; });
  card.on('change', function (e) {
    window.changes.push(e);
    document.getElementById('card-errors').textContent = e.error ? e.error.message : '';
  });
  card.mount('#card-element');
  window.run = function (promise) {
    window.__result = undefined;
    promise.then(function (r) { window.__result = r; }, function (e) { window.__result = {thrown: String(e)}; });
  };
</script></body></html>"""


class ShopServer:
    """A tiny 'merchant' server on another origin: serves the Stripe.js test page and success/cancel pages."""

    def __init__(self, sandbox_url: str):
        outer = self
        self.hits: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                outer.hits.append(self.path)
                path = urlsplit(self.path).path
                if path == "/stripejs":
                    body = STRIPEJS_PAGE % {"sandbox": sandbox_url, "pk": PK}
                elif path in ("/success", "/cancel"):
                    body = (f"<!doctype html><title>{path[1:]}</title><h1 id=landed>{path[1:]}</h1>"
                            f"<p id=path>{self.path}</p>")
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *a):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        # "localhost" (not 127.0.0.1): a different origin from the sandbox even on the same host
        self.url = f"http://localhost:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def sandbox():
    with SandboxProcess() as sb:
        yield sb


@pytest.fixture(scope="module")
def shop(sandbox):
    s = ShopServer(sandbox.url)
    yield s
    s.stop()


@pytest.fixture(scope="module")
def client(sandbox) -> stripe.StripeClient:
    return stripe.StripeClient(SK, base_addresses={"api": sandbox.url}, max_network_retries=0)


def events_of(client: stripe.StripeClient, type_: str) -> list:
    return [e for e in client.v1.events.list(params={"type": type_, "limit": 100}).data]


def to_json(obj) -> dict:
    return json.loads(str(obj))
