"""PostgreSQL and Redis for the scale-out tests. They run on this kind of machine and .ci/run starts them; when
they are missing the tests fail and say so (they never skip)."""
from __future__ import annotations

import os
import secrets

import pytest

PG_ADMIN = os.environ.get("RXSHOP_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("RXSHOP_TEST_REDIS", "redis://127.0.0.1:6379")


def require_postgres():
    import sqlalchemy

    try:
        engine = sqlalchemy.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sqlalchemy.text("select 1"))
        return engine
    except Exception as exc:
        pytest.fail(f"PostgreSQL is NOT reachable at {PG_ADMIN} ({type(exc).__name__}): these tests need it; "
                    f".ci/run starts it (or set RXSHOP_TEST_PG)", pytrace=False)


def require_redis():
    import redis

    try:
        redis.Redis.from_url(REDIS, socket_timeout=2).ping()
    except Exception as exc:
        pytest.fail(f"Redis is NOT reachable at {REDIS} ({type(exc).__name__}): these tests need it; "
                    f".ci/run starts it (or set RXSHOP_TEST_REDIS)", pytrace=False)


@pytest.fixture
def pg_url():
    """A fresh, empty PostgreSQL database, dropped afterwards."""
    import sqlalchemy

    admin = require_postgres()
    name = f"rxshop_t_{secrets.token_hex(4)}"
    with admin.connect() as conn:
        conn.execute(sqlalchemy.text(f'create database "{name}"'))
    yield PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(sqlalchemy.text(f'drop database if exists "{name}" with (force)'))
    admin.dispose()


@pytest.fixture
def redis_url():
    require_redis()
    return REDIS.rstrip("/") + "/0"
