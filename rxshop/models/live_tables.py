"""Which browser tabs are open, so the server can push changes to them (catalog edits, stock, a shared cart)."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from .base import utcnow


class LiveTab(SQLModel, table=True):
    client_token: str = Field(primary_key=True, max_length=80)  # Reflex's per-tab token
    kind: str = Field(default="shop", index=True, max_length=16)  # shop | orders (the console's order list)
    cart_token: str = Field(default="", index=True, max_length=64)  # the cart this tab shows ("" = none yet)
    seen_at: datetime = Field(default_factory=utcnow, index=True)
