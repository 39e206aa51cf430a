"""Digital delivery: a product's file (kept outside the served assets) and each paid order line's downloads."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import utcnow


class ProductFile(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="product.id", unique=True, index=True, ondelete="CASCADE")
    stored_name: str = Field(max_length=64)  # random name inside RXSHOP_FILES_DIR; never shown to buyers
    filename: str = Field(max_length=200)  # the name the buyer's download gets
    size: int = 0
    content_type: str = Field(default="application/octet-stream", max_length=100)
    uploaded_at: datetime = Field(default_factory=utcnow)


class DownloadGrant(SQLModel, table=True):
    """One per downloaded order line (made at its first download): counts its downloads."""

    __table_args__ = (UniqueConstraint("order_line_id"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="order.id", index=True, ondelete="CASCADE")
    order_line_id: int = Field(foreign_key="orderline.id", ondelete="CASCADE")
    downloads: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    last_download_at: datetime | None = None
