"""Wires pages and HTTP routes, nothing else."""
import reflex as rx

from . import expiry, logs, models, outbox, pages  # noqa: F401  (importing registers tables and @rx.page routes)
from . import gc_policy
from .api import api
from .headers import security_headers
from .metrics import EventTimer, watch_event_loop
from .payments.client import close_clients
from .settings import check, get_settings

logs.configure()
check(get_settings())  # a configuration that can't work stops the shop here, saying what to set

app = rx.App(
    api_transformer=[api, security_headers],  # /api routes, then security headers around everything
    # Deferred: it runs right after the HTML is parsed (long before hydration, when the express page's card form
    # first calls it) without holding up the first paint.
    head_components=[rx.el.script(src="/rxshop-pay.js", defer=True)],
)
app.add_middleware(EventTimer())  # event handler latency for /api/metrics
app.register_lifespan_task(gc_policy.tune_for_serving)  # the garbage collector tuned once the app is built
app.register_lifespan_task(watch_event_loop)  # event loop lag for /api/metrics
app.register_lifespan_task(outbox.run_worker)  # sends queued emails (receipts), retrying with backoff
app.register_lifespan_task(expiry.run_sweeper)  # cancels pending orders past their expiry, frees their stock
app.register_lifespan_task(close_clients)  # closes the connections to Stripe at shutdown
