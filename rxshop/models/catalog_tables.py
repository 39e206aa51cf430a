from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from .base import utcnow


class Product(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(index=True, unique=True, max_length=80)
    name: str = Field(max_length=120)
    description: str = ""
    price_cents: int = Field(ge=0)  # integer minor units of `currency`
    currency: str = Field(default="usd", max_length=3)
    image: str = ""  # path under assets/, e.g. /products/mug.jpg
    delivery_url: str = ""  # the link a buyer receives after paying
    stock: int | None = Field(default=None)  # None = unlimited
    active: bool = Field(default=True, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    # bumped by every UPDATE of the row (ORM or SQL expression): the page's last change in sitemap.xml
    updated_at: datetime = Field(default_factory=utcnow, sa_column_kwargs={"onupdate": utcnow})
