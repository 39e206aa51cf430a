"""Logging: JSON lines in production (python-json-logger), each carrying the order number and webhook event id
bound for the work at hand, with card numbers and secrets scrubbed from every message.

    RXSHOP_LOG_FORMAT=json   one JSON object per line (the container images set it); default: plain text
    RXSHOP_LOG_LEVEL=INFO
"""
from __future__ import annotations

import contextlib
import contextvars
import logging
import os
import re
from typing import Iterator

_context: contextvars.ContextVar[dict] = contextvars.ContextVar("rxshop_log_context", default={})

# Card numbers (13-19 digits, spaces or dashes allowed), Stripe secret/restricted keys, webhook secrets, passwords in
# URLs, bearer tokens. Publishable keys and object ids (pi_…, evt_…) are not secret and stay.
_SCRUB = [
    (re.compile(r"\b(?:\d[ -]?){12,18}\d\b"), "[card]"),
    (re.compile(r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]+"), "[secret-key]"),
    (re.compile(r"\bwhsec_[A-Za-z0-9]+"), "[webhook-secret]"),
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1[token]"),
    (re.compile(r"(://[^:/@\s]+:)[^@\s]+@"), r"\1[password]@"),
]


def scrub(text: str) -> str:
    for pattern, replacement in _SCRUB:
        text = pattern.sub(replacement, text)
    return text


@contextlib.contextmanager
def bound(**fields: object) -> Iterator[None]:
    """Add fields (order_number, event_id, …) to every log record made inside the block, in this task or thread."""
    token = _context.set({**_context.get(), **{k: v for k, v in fields.items() if v not in (None, "")}})
    try:
        yield
    finally:
        _context.reset(token)


class ContextFilter(logging.Filter):
    """Adds the bound fields and scrubs the message (arguments included) and any exception text."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in _context.get().items():
            setattr(record, key, value)
        record.msg = scrub(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
            record.exc_info = None  # formatters print the scrubbed text, not the raw exception again
        return True


def json_formatter() -> logging.Formatter:
    from pythonjsonlogger.json import JsonFormatter

    return JsonFormatter("{asctime}{levelname}{name}{message}", style="{",
                         rename_fields={"asctime": "time", "levelname": "level", "name": "logger"})


def make_handler(stream, fmt: str) -> logging.Handler:
    handler = logging.StreamHandler(stream)
    handler._rxshop = True  # type: ignore[attr-defined]
    handler.addFilter(ContextFilter())
    handler.setFormatter(json_formatter() if fmt.lower() == "json" else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s: %(message)s"))
    return handler


def configure(fmt: str | None = None, level: str | None = None) -> None:
    """Install the handler on the `rxshop` logger once (idempotent; called when the app is imported)."""
    logger = logging.getLogger("rxshop")
    if any(getattr(h, "_rxshop", False) for h in logger.handlers):
        return
    logger.addHandler(make_handler(None, fmt or os.environ.get("RXSHOP_LOG_FORMAT", "text")))
    logger.setLevel((level or os.environ.get("RXSHOP_LOG_LEVEL", "INFO")).upper())
    logger.propagate = False
