"""Wires pages and HTTP routes, nothing else."""
import reflex as rx

from . import models, pages  # noqa: F401  (importing registers tables and @rx.page routes)
from .api import api

app = rx.App(
    api_transformer=api,
    # Parser-blocking on purpose: the express page's card form calls it right after hydration.
    head_components=[rx.el.script(src="/rxshop-pay.js")],
)
