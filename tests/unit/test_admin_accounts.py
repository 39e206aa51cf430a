"""Operator accounts, sessions, the failed-login limits and the one guard on every console handler."""
from datetime import timedelta

import pytest
from sqlmodel import select

from rxshop.admin import accounts, throttle
from rxshop.admin.accounts import AccountError
from rxshop.models import AuditEntry, Operator, OperatorSession
from rxshop.models.base import utcnow

PASSWORD = "correct horse battery"


def test_password_is_hashed_and_checked(db):
    op = accounts.create_operator(db, " Owner@Example.com ", PASSWORD)
    assert op.email == "owner@example.com"
    assert PASSWORD not in op.password_hash and op.password_hash.startswith("$argon2id$")
    assert accounts.authenticate(db, "owner@example.com", PASSWORD).id == op.id
    assert accounts.authenticate(db, "OWNER@example.com", PASSWORD).id == op.id
    assert accounts.authenticate(db, "owner@example.com", PASSWORD + "x") is None
    assert accounts.authenticate(db, "nobody@example.com", PASSWORD) is None
    for email, password in ((None, PASSWORD), ("owner@example.com", None), ({"$ne": 1}, [PASSWORD]),
                            ("owner@example.com", "x" * 5000)):
        assert accounts.authenticate(db, email, password) is None


def test_create_operator_refuses_bad_input(db):
    with pytest.raises(AccountError):
        accounts.create_operator(db, "not-an-email", PASSWORD)
    with pytest.raises(AccountError):
        accounts.create_operator(db, "a@example.com", "short")
    accounts.create_operator(db, "a@example.com", PASSWORD)
    with pytest.raises(AccountError):
        accounts.create_operator(db, "A@example.com", PASSWORD)


def test_disabled_operator_cannot_sign_in_or_keep_a_session(db):
    op = accounts.create_operator(db, "a@example.com", PASSWORD)
    token = accounts.start_session(db, op)
    assert accounts.resolve(db, token).email == "a@example.com"
    op.active = False
    db.add(op)
    db.commit()
    assert accounts.authenticate(db, "a@example.com", PASSWORD) is None
    assert accounts.resolve(db, token) is None


def test_sessions_expire_and_end_at_log_out(db):
    op = accounts.create_operator(db, "a@example.com", PASSWORD)
    token = accounts.start_session(db, op)
    stored = db.exec(select(OperatorSession)).one()
    assert stored.token_hash != token and token not in stored.token_hash  # only a digest is stored
    assert accounts.resolve(db, token) is not None
    assert accounts.resolve(db, token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    for forged in ("", None, 12, "x" * 5000):
        assert accounts.resolve(db, forged) is None
    stored.expires_at = utcnow() - timedelta(seconds=1)
    db.add(stored)
    db.commit()
    assert accounts.resolve(db, token) is None
    token2 = accounts.start_session(db, op)
    accounts.end_session(db, token2)
    assert accounts.resolve(db, token2) is None


def test_new_password_ends_open_sessions(db):
    op = accounts.create_operator(db, "a@example.com", PASSWORD)
    token = accounts.start_session(db, op)
    accounts.set_password(db, "a@example.com", PASSWORD + "!")
    assert accounts.resolve(db, token) is None
    assert accounts.authenticate(db, "a@example.com", PASSWORD + "!") is not None


def test_changes_are_audited(db):
    op = accounts.create_operator(db, "a@example.com", PASSWORD)
    token = accounts.start_session(db, op)
    accounts.end_session(db, token)
    actions = [(e.action, e.operator_email) for e in db.exec(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == [("operator.create", ""), ("login", "a@example.com"), ("logout", "a@example.com")]
    assert db.exec(select(Operator)).one().last_login_at is not None


def test_failed_logins_are_limited_per_account_and_per_ip(monkeypatch):
    from rxshop.settings import get_settings

    monkeypatch.setattr(get_settings(), "rxshop_login_limit_account", "3/minute")
    monkeypatch.setattr(get_settings(), "rxshop_login_limit_ip", "5/minute")
    throttle._limiter.cache_clear()
    for _ in range(3):
        assert throttle.wait_seconds("victim@example.com", "10.0.0.1") == 0
        throttle.failed("victim@example.com", "10.0.0.1")
    assert throttle.wait_seconds("victim@example.com", "10.0.0.1") > 0
    assert throttle.wait_seconds("victim@example.com", "10.0.0.9") > 0  # per account, from anywhere
    assert throttle.wait_seconds("other@example.com", "10.0.0.9") == 0
    throttle.failed("a@example.com", "10.0.0.1")
    throttle.failed("b@example.com", "10.0.0.1")
    assert throttle.wait_seconds("fresh@example.com", "10.0.0.1") > 0  # per IP, whatever the account
    throttle.clear("victim@example.com")
    assert throttle.wait_seconds("victim@example.com", "10.0.0.9") == 0
    throttle._limiter.cache_clear()


def test_every_console_handler_goes_through_the_guard():
    import rxshop.app  # noqa: F401  (registers every state)
    from rxshop.state.admin_state import GUARD_MARK, AdminState

    unguarded_on_purpose = {"login", "login_page", "logout", "setvar"}  # logout only ends the caller's session
    states, seen = [AdminState], 0
    while states:
        cls = states.pop()
        states.extend(cls.get_substates())
        for name, handler in cls.event_handlers.items():
            if name in unguarded_on_purpose:
                continue
            seen += 1
            assert getattr(handler.fn, GUARD_MARK, False), f"{cls.__name__}.{name} skips the operator check"
    assert seen >= 2


def test_buyer_resend_is_limited_per_order():
    throttle._limiter.cache_clear()
    assert [throttle.resend_allowed("RX-AAAAAA") for _ in range(4)] == [True, True, True, False]
    assert throttle.resend_allowed("RX-BBBBBB")
    throttle._limiter.cache_clear()
