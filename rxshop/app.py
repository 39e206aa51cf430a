"""Wires pages and HTTP routes, nothing else."""
import reflex as rx

from . import logs, models, pages  # noqa: F401  (importing registers tables and @rx.page routes)
from .api import api
from .metrics import EventTimer, watch_event_loop

logs.configure()

app = rx.App(
    api_transformer=api,
    # Parser-blocking on purpose: the express page's card form calls it right after hydration.
    head_components=[rx.el.script(src="/rxshop-pay.js")],
)
app.add_middleware(EventTimer())  # event handler latency for /api/metrics
app.register_lifespan_task(watch_event_loop)  # event loop lag for /api/metrics
