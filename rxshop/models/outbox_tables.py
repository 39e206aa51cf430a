from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import utcnow


class OutboxEmail(SQLModel, table=True):
    """An email to send (one row per email, kept after sending: the order's mail history). Sent by the outbox
    worker, retried with backoff until it goes through or runs out of attempts."""

    __table_args__ = (UniqueConstraint("order_id", "kind"),)  # one receipt per order, however often it is queued

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="order.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=32)  # receipt
    to: str = Field(max_length=254)
    subject: str = Field(default="", max_length=255)
    message: str  # the whole MIME message, as sent
    status: str = Field(default="queued", index=True, max_length=16)  # queued | sent | failed
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, index=True)
    claimed_until: datetime | None = None  # a sender holds it until then (one sender at a time)
    last_error: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
