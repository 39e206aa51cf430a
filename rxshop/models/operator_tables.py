"""Operator side: accounts, their login sessions, and the audit log of every change they make."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from .base import utcnow


class Operator(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(index=True, unique=True, max_length=254)  # stored lower-case
    password_hash: str = Field(max_length=255)  # argon2 (pwdlib); never the password
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None


class OperatorSession(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(index=True, unique=True, max_length=64)  # sha256 of the browser's token
    operator_id: int = Field(foreign_key="operator.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    revoked_at: datetime | None = None  # set by log out


class AuditEntry(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    operator_id: int | None = Field(default=None, foreign_key="operator.id", index=True, ondelete="SET NULL")
    operator_email: str = Field(default="", max_length=254)  # kept when the account is gone
    action: str = Field(max_length=64, index=True)  # e.g. product.create, login, refund.create
    target: str = Field(default="", max_length=120)  # e.g. product:12, order:RX-7K3Q9P
    detail: str = ""  # short human-readable summary of what changed
    created_at: datetime = Field(default_factory=utcnow, index=True)
