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


def _restore_sync(dbapi_conn, record) -> None:
    """Back in the pool: a connection lent to a relaxed transaction syncs every commit again."""
    if record.info.pop("relaxed", False):
        dbapi_conn.execute("PRAGMA synchronous=FULL")


def configure_engine(engine: sqlalchemy.Engine) -> sqlalchemy.Engine:
    if id(engine) not in _configured and engine.dialect.name == "sqlite":
        sqlalchemy.event.listen(engine, "connect", _sqlite_pragmas)
        sqlalchemy.event.listen(engine, "checkin", _restore_sync)
    _configured.add(id(engine))
    return engine


def relax_durability(session: Session) -> None:
    """Call first in a transaction whose commit may skip the wait for the disk: it survives a crash or restart of
    the shop, and only a power cut or OS crash right after it could undo it (never corrupting anything). For cart
    changes and for data the next webhook writes again; orders and payments always wait for the disk.
    SQLite (WAL): synchronous=NORMAL for this connection until it goes back to the pool. PostgreSQL:
    synchronous_commit=off for this transaction."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
    elif conn.dialect.name == "sqlite" and not conn.info.get("relaxed"):
        try:
            conn.exec_driver_sql("PRAGMA synchronous=NORMAL")  # only outside a write transaction
        except sqlalchemy.exc.OperationalError:
            return  # a write already began: this commit stays fully synchronous
        conn.info["relaxed"] = True


def get_engine() -> sqlalchemy.Engine:
    from reflex.model import get_engine as reflex_engine

    return configure_engine(reflex_engine())


@contextmanager
def session() -> Iterator[Session]:
    with Session(get_engine(), expire_on_commit=False) as s:  # objects stay readable after commit
        yield s
