"""/api/health: database (and pending migrations), Redis and Stripe reported separately; readiness fails when the
database is unmigrated or Redis is unreachable."""
from __future__ import annotations

import socket

import pytest
import sqlalchemy
from starlette.testclient import TestClient

from rxshop import health, migrations
from rxshop.api import api


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once the socket is closed


@pytest.fixture
def client(monkeypatch, tmp_path):
    monkeypatch.setenv("STRIPE_API_BASE", f"http://127.0.0.1:{closed_port()}")
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_x")
    health.get_settings.cache_clear()
    health._stripe_cache.clear()
    yield TestClient(api)
    health.get_settings.cache_clear()


@pytest.fixture
def use_db(monkeypatch):
    """Point the health check at a database (migrated or not); its connections are closed after the test."""
    engines: list[sqlalchemy.Engine] = []

    def use(url: str, migrate: bool) -> sqlalchemy.Engine:
        engine = sqlalchemy.create_engine(url)
        engines.append(engine)
        if migrate:
            migrations.upgrade(engine)
        monkeypatch.setattr(health, "get_engine", lambda: engine)
        return engine

    yield use
    for engine in engines:
        engine.dispose()


def test_ready_when_migrated_without_redis(client, monkeypatch, tmp_path, use_db):
    monkeypatch.delenv("REFLEX_REDIS_URL", raising=False)
    use_db(f"sqlite:///{tmp_path}/ok.db", migrate=True)
    r = client.get("/api/health")
    body = r.json()
    assert r.status_code == 200, body
    assert body["database"] == {"ok": True, "backend": "sqlite", "migrations_pending": False}
    assert body["redis"] == {"ok": True, "configured": False}
    assert body["stripe"]["ok"] is False and body["stripe"]["sandbox"] is True  # reported, not fatal


def test_not_ready_while_migrations_are_pending(client, monkeypatch, tmp_path, use_db):
    monkeypatch.delenv("REFLEX_REDIS_URL", raising=False)
    use_db(f"sqlite:///{tmp_path}/empty.db", migrate=False)
    r = client.get("/api/health")
    assert r.status_code == 503 and r.json()["database"]["migrations_pending"] is True
    assert client.get("/api/health/live").status_code == 200


def test_not_ready_without_redis_and_no_secret_in_the_answer(client, monkeypatch, tmp_path, use_db):
    monkeypatch.setenv("REFLEX_REDIS_URL", f"redis://:hunter2@127.0.0.1:{closed_port()}/0")
    use_db(f"sqlite:///{tmp_path}/ok.db", migrate=True)
    r = client.get("/api/health")
    assert r.status_code == 503
    assert r.json()["redis"]["ok"] is False and r.json()["database"]["ok"] is True
    assert "hunter2" not in r.text


def test_redis_and_postgres_reported_when_up(client, monkeypatch, tmp_path, pg_url, redis_url, use_db):
    monkeypatch.setenv("REFLEX_REDIS_URL", redis_url)
    use_db(pg_url, migrate=True)
    body = client.get("/api/health").json()
    assert body["ready"] is True and body["database"]["backend"] == "postgresql" and body["redis"]["configured"]
