"""Operator accounts and login sessions. Passwords are argon2 hashes (pwdlib); a session is a random token the
browser keeps, stored here only as its sha256, with an expiry; log out revokes it."""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import secrets
from datetime import timedelta

from pwdlib import PasswordHash
from sqlmodel import Session, select

from ..models import Operator, OperatorSession
from ..models.base import utcnow
from ..settings import get_settings
from .audit import record

MIN_PASSWORD = 12
MAX_PASSWORD = 1024  # argon2 takes any length; this only bounds the work one request can cause
_hasher = PasswordHash.recommended()


@functools.cache
def _dummy_hash() -> str:
    """Verified against for unknown emails (same timing). Made on first use: an argon2 hash at import slowed start."""
    return _hasher.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """A message the operator may see."""


@dataclasses.dataclass(frozen=True)
class SignedIn:
    operator_id: int
    email: str


def normalize_email(email: object) -> str:
    if not isinstance(email, str):
        raise AccountError("Enter an email address.")
    email = email.strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or len(email) > 254 or any(c.isspace() for c in email):
        raise AccountError("Enter a valid email address.")
    return email


def check_new_password(password: object) -> str:
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise AccountError(f"A password has {MIN_PASSWORD} to {MAX_PASSWORD} characters.")
    return password


def create_operator(db: Session, email: str, password: str) -> Operator:
    email = normalize_email(email)
    password = check_new_password(password)
    if db.exec(select(Operator).where(Operator.email == email)).first() is not None:
        raise AccountError(f"An operator {email} already exists.")
    op = Operator(email=email, password_hash=_hasher.hash(password))
    db.add(op)
    db.flush()
    record(db, None, "operator.create", f"operator:{op.id}", f"{email} (command line)")
    db.commit()
    return op


def set_password(db: Session, email: str, password: str) -> Operator:
    op = db.exec(select(Operator).where(Operator.email == normalize_email(email))).first()
    if op is None:
        raise AccountError(f"No operator {email}.")
    op.password_hash = _hasher.hash(check_new_password(password))
    for s in db.exec(select(OperatorSession).where(OperatorSession.operator_id == op.id,
                                                    OperatorSession.revoked_at == None)):  # noqa: E711
        s.revoked_at = utcnow()  # a new password ends every open session
    db.add(op)
    record(db, None, "operator.password", f"operator:{op.id}", f"{op.email} (command line)")
    db.commit()
    return op


def authenticate(db: Session, email: object, password: object) -> Operator | None:
    """The active operator with this email and password, or None (same work either way)."""
    try:
        email = normalize_email(email)
    except AccountError:
        email = ""
    if not isinstance(password, str) or len(password) > MAX_PASSWORD:
        password = ""
    op = db.exec(select(Operator).where(Operator.email == email)).first() if email else None
    valid, new_hash = _hasher.verify_and_update(password, op.password_hash if op else _dummy_hash())
    if op is None or not valid or not op.active:
        return None
    if new_hash:  # parameters got stronger since the hash was made
        op.password_hash = new_hash
    return op


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(db: Session, op: Operator) -> str:
    """A new login session for `op`; returns the token for the browser."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    hours = get_settings().rxshop_admin_session_hours
    db.add(OperatorSession(token_hash=_digest(token), operator_id=op.id, created_at=now,
                           expires_at=now + timedelta(hours=hours)))
    op.last_login_at = now
    db.add(op)
    record(db, op, "login", f"operator:{op.id}", "")
    db.commit()
    return token


def _aware(dt):
    from datetime import timezone

    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)  # SQLite gives naive UTC back


def resolve(db: Session, token: object) -> SignedIn | None:
    """Who holds this session token, if the session is valid now (not expired, not revoked, account active)."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    row = db.exec(select(OperatorSession, Operator).join(Operator, Operator.id == OperatorSession.operator_id)
                  .where(OperatorSession.token_hash == _digest(token))).first()
    if row is None:
        return None
    sess, op = row
    if sess.revoked_at is not None or _aware(sess.expires_at) <= utcnow() or not op.active:
        return None
    return SignedIn(op.id, op.email)


def end_session(db: Session, token: object) -> None:
    if not isinstance(token, str):
        return
    sess = db.exec(select(OperatorSession).where(OperatorSession.token_hash == _digest(token))).first()
    if sess is not None and sess.revoked_at is None:
        sess.revoked_at = utcnow()
        db.add(sess)
        op = db.get(Operator, sess.operator_id)
        record(db, op, "logout", f"operator:{sess.operator_id}", "")
        db.commit()
