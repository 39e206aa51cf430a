"""Database engine and sessions. Reflex owns the engine (REFLEX_DB_URL, SQLALCHEMY_* pool settings)."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import sqlalchemy
from sqlmodel import Session

_configured: set[int] = set()


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers don't block the writer
    cur.execute("PRAGMA busy_timeout=5000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def configure_engine(engine: sqlalchemy.Engine) -> sqlalchemy.Engine:
    if id(engine) not in _configured and engine.dialect.name == "sqlite":
        sqlalchemy.event.listen(engine, "connect", _sqlite_pragmas)
    _configured.add(id(engine))
    return engine


def get_engine() -> sqlalchemy.Engine:
    from reflex.model import get_engine as reflex_engine

    return configure_engine(reflex_engine())


@contextmanager
def session() -> Iterator[Session]:
    with Session(get_engine(), expire_on_commit=False) as s:  # objects stay readable after commit
        yield s
