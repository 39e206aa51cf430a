"""Database engine and sessions. Reflex owns the engine (REFLEX_DB_URL, SQLALCHEMY_* pool settings)."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator, Union

import sqlalchemy
from sqlmodel import Session

_configured: set[int] = set()
DB = Union[Session, sqlalchemy.Connection]  # what the rules read and write through: a session, or a plain connection


def connection_of(db: DB) -> sqlalchemy.Connection:
    return db.connection() if isinstance(db, Session) else db


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


def relax_durability(session: DB) -> None:
    """Call first in a transaction whose commit may skip the wait for the disk: it survives a crash or restart of
    the shop, and only a power cut or OS crash right after it could undo it (never corrupting anything). For cart
    changes and for data the next webhook writes again; orders and payments always wait for the disk.
    SQLite (WAL): synchronous=NORMAL for this connection until it goes back to the pool. PostgreSQL:
    synchronous_commit=off for this transaction."""
    conn = connection_of(session)
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
    elif conn.dialect.name == "sqlite" and not conn.info.get("relaxed"):
        raw = conn.connection.driver_connection
        if raw.in_transaction:
            return  # a write already began: this commit stays fully synchronous
        raw.execute("PRAGMA synchronous=NORMAL")  # straight on the driver: this runs on every cart change
        conn.info["relaxed"] = True


class Statement:
    """SQL for the hot paths (cart changes, the catalog version): text with :named parameters, compiled once per
    dialect and run straight on the DBAPI cursor of the session's connection, inside the session's transaction.
    This skips SQLAlchemy's per-execution work (about 40 µs a statement here, against about 5 µs for SQLite
    itself); parameters given a type in `types` still go through that type's bind processor (dates on SQLite)."""

    def __init__(self, sql: str, **types: sqlalchemy.types.TypeEngine):
        self._text = sqlalchemy.text(sql).bindparams(*(sqlalchemy.bindparam(k, type_=t) for k, t in types.items()))
        self._compiled: dict[str, tuple[str, tuple[str, ...] | None, dict]] = {}

    def _for(self, dialect) -> tuple[str, tuple[str, ...] | None, dict]:
        found = self._compiled.get(dialect.name)
        if found is None:
            c = self._text.compile(dialect=dialect)
            procs = {b.key: p for b in c.binds.values() if (p := b.type._cached_bind_processor(dialect))}
            found = self._compiled[dialect.name] = (c.string, tuple(c.positiontup) if c.positional else None, procs)
        return found

    def run(self, db: DB, params: dict | None = None):
        """Execute in the transaction of `db` (a session, or its connection when several statements run: that saves
        asking the session each time); returns the DBAPI cursor (fetchone/fetchall/rowcount)."""
        conn = connection_of(db)
        if not conn.in_transaction():
            conn.begin()  # so that conn.commit() commits what runs here
        sql, names, procs = self._for(conn.dialect)
        params = params or {}
        for key, proc in procs.items():
            if key in params:
                params = {**params, key: proc(params[key])}
        cur = conn.connection.driver_connection.cursor()
        cur.execute(sql, tuple(params[n] for n in names) if names is not None else params)
        return cur

    def scalar(self, db: DB, params: dict | None = None):
        row = self.run(db, params).fetchone()
        return None if row is None else row[0]


def get_engine() -> sqlalchemy.Engine:
    from reflex.model import get_engine as reflex_engine

    return configure_engine(reflex_engine())


@contextmanager
def session() -> Iterator[Session]:
    with Session(get_engine(), expire_on_commit=False) as s:  # objects stay readable after commit
        yield s


@contextmanager
def connect() -> Iterator[sqlalchemy.Connection]:
    """A plain connection for the hot paths (a cart change and its view): no ORM session, which costs about 65 µs
    more per use. Commit explicitly; leaving the block without a commit rolls back."""
    with get_engine().connect() as conn:
        yield conn
