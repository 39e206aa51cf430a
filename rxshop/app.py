"""Wires pages and HTTP routes, nothing else."""
import reflex as rx

from . import models, pages  # noqa: F401  (importing registers tables and @rx.page routes)
from .api import api

app = rx.App(api_transformer=api)
