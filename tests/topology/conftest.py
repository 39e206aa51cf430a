import secrets

import pytest
import sqlalchemy

from tests.scaleout.conftest import PG_ADMIN, REDIS, require_postgres, require_redis

from .stack import Topology, nginx_binary


def pytest_collection_modifyitems(items):
    for item in items:
        if "/topology/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def topology(tmp_path_factory):
    """nginx → two shop instances → PostgreSQL + Redis, once per test session. Fails loudly when PostgreSQL,
    Redis or nginx is missing."""
    admin = require_postgres()
    require_redis()
    try:
        nginx_binary()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    name = f"rxshop_topo_{secrets.token_hex(4)}"
    with admin.connect() as conn:
        conn.execute(sqlalchemy.text(f'create database "{name}"'))
    redis_db = 1 + secrets.randbelow(15)
    topo = Topology(tmp_path_factory.mktemp("topology"), PG_ADMIN.rsplit("/", 1)[0] + "/" + name,
                    f"{REDIS.rstrip('/')}/{redis_db}")
    try:
        topo.start()
        yield topo
    finally:
        topo.stop()
        with admin.connect() as conn:
            conn.execute(sqlalchemy.text(f'drop database if exists "{name}" with (force)'))
        admin.dispose()
