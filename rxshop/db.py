"""Database engine and sessions: one engine per process for rxconfig's db_url (REFLEX_DB_URL), with Reflex's
SQLALCHEMY_* pool settings."""
from __future__ import annotations

import asyncio
import enum
import itertools
import threading
from contextlib import contextmanager, nullcontext
from typing import Iterator, Union

import sqlalchemy
from sqlalchemy.orm import configure_mappers, make_transient_to_detached
from sqlmodel import Session, SQLModel

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

    def __init__(self, sql: str | sqlalchemy.ClauseElement, **types: sqlalchemy.types.TypeEngine):
        """`sql`: text, or a Core statement whose bind parameters are named (e.g. `row_insert`)."""
        self._text = sqlalchemy.text(sql).bindparams(*(sqlalchemy.bindparam(k, type_=t) for k, t in types.items())) \
            if isinstance(sql, str) else sql
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

    def run_many(self, db: DB, rows: list[dict]):
        """The statement once per row of parameters (executemany), in the transaction of `db`."""
        conn = connection_of(db)
        if not conn.in_transaction():
            conn.begin()
        sql, names, procs = self._for(conn.dialect)
        args = []
        for params in rows:
            params = {k: (procs[k](v) if k in procs else v) for k, v in params.items()}
            args.append(tuple(params[n] for n in names) if names is not None else params)
        cur = conn.connection.driver_connection.cursor()
        cur.executemany(sql, args)
        return cur

    def scalar(self, db: DB, params: dict | None = None):
        row = self.run(db, params).fetchone()
        return None if row is None else row[0]


def db_integrity_error(db: DB) -> type[Exception]:
    """What the driver raises for a broken constraint: Statement runs on the driver, so SQLAlchemy doesn't wrap it."""
    return connection_of(db).dialect.dbapi.IntegrityError


def row_insert(table: sqlalchemy.Table, returning: str = "id") -> Statement:
    """INSERT of one full row of `table` (every column but `returning`, bound by column name and type), returning
    `returning`: for writing a new row without an ORM session (`new_row`, `row_values`)."""
    cols = [c for c in table.columns if c.name != returning]
    return Statement(sqlalchemy.insert(table).values({c.name: sqlalchemy.bindparam(c.name, type_=c.type) for c in cols})
                     .returning(table.c[returning]))


def row_values(row: dict, table: sqlalchemy.Table, skip: str = "id") -> dict:
    """A new row's column values (`new_row`), enums as their values."""
    out = {}
    for c in table.columns:
        if c.name != skip:
            v = row[c.name]
            out[c.name] = v.value if isinstance(v, enum.Enum) else v
    return out


def new_row(model: type[SQLModel], **values) -> dict:
    """A new row of a table model as its constructor would fill it (the fields' defaults and default factories),
    without running the constructor: a table model's per-field instrumented assignments cost about 270 µs for an
    order on a slow machine, this about 10 µs. Save it with `row_insert`, then keep it with `as_loaded`."""
    row = {}
    for name, field in model.model_fields.items():
        if name in values:
            row[name] = values.pop(name)
        elif field.is_required():
            raise TypeError(f"{model.__name__}: {name} is required")
        else:
            row[name] = field.get_default(call_default_factory=True)
    if values:
        raise TypeError(f"{model.__name__} has no field {', '.join(values)}")
    return row


def as_loaded(model: type[SQLModel], row: dict):
    """A saved row (its primary key set) as a detached instance, made the way SQLAlchemy makes the instances it
    loads (no constructor): a later `session.add` updates it."""
    configure_mappers()  # a no-op once the models are set up
    obj = model._sa_class_manager.new_instance()
    obj.__dict__.update(row)
    make_transient_to_detached(obj)
    return obj


_engines: dict[str, sqlalchemy.Engine] = {}


def get_engine() -> sqlalchemy.Engine:
    """The engine `reflex.model.get_engine` would make (same URL and pool settings), made here because importing
    `reflex.model` imports Alembic: about a tenth of a second of every start."""
    from reflex_base.config import get_config
    from reflex_base.environment import environment as env

    url = get_config().db_url
    engine = _engines.get(url)
    if engine is None:
        if not url:
            raise ValueError("No database url configured")
        engine = _engines[url] = configure_engine(sqlalchemy.create_engine(
            url, echo=env.SQLALCHEMY_ECHO.get(), pool_pre_ping=env.SQLALCHEMY_POOL_PRE_PING.get(),
            pool_size=env.SQLALCHEMY_POOL_SIZE.get(), max_overflow=env.SQLALCHEMY_MAX_OVERFLOW.get(),
            pool_recycle=env.SQLALCHEMY_POOL_RECYCLE.get(),
            pool_timeout=env.SQLALCHEMY_POOL_TIMEOUT.get().total_seconds(),
            connect_args={"check_same_thread": False} if url.startswith("sqlite") else {}))
    return engine


@contextmanager
def session() -> Iterator[Session]:
    with Session(get_engine(), expire_on_commit=False) as s:  # objects stay readable after commit
        yield s


_writer = threading.RLock()  # SQLite: this process's turn to write (one_writer)


@contextmanager
def one_writer() -> Iterator[None]:
    """SQLite: take this process's turn to write around a block that writes through a session (making an order,
    fulfilment, the outbox); the event loop's writing `connect()` blocks take the same turn. SQLite lets one
    transaction write at a time and makes the others retry after 1, 2, 5, 10… ms (its busy handler): while orders
    were made on worker threads, the event loop slept there 3–8 ms at a time with every shopper waiting, and the
    order threads likewise. A turn taken here passes on the moment the writer is done. PostgreSQL: nothing to wait
    for (rows lock themselves)."""
    if get_engine().dialect.name != "sqlite":
        yield
        return
    with _writer:
        yield


async def run_job(fn, *args, **kwargs):
    """Run a handler's short database job (make an order, keep Stripe's ids, fulfil), which takes the writing turn
    itself. SQLite: right here on the event loop, whose cart changes wait for the same turn anyway. In a worker
    thread each SQLite call gave up the interpreter lock and waited to get it back behind the busy loop, so the
    turn was held far longer than the work (README, Benchmarks, step 31). PostgreSQL: in a worker thread, since its
    round trips to the server would stall the loop."""
    if get_engine().dialect.name == "sqlite":
        return fn(*args, **kwargs)
    return await asyncio.to_thread(fn, *args, **kwargs)


_kept = threading.local()  # SQLite: the event loop thread's own connection for the hot paths
_blocks = itertools.count(1)
BLOCK = "rxshop_block"  # conn.info key: which `connect()` block is using the connection (absent outside one)


@contextmanager
def connect(write: bool = True) -> Iterator[sqlalchemy.Connection]:
    """A plain connection for the hot paths (a cart change and its view): no ORM session, which costs about 65 µs
    more per use. Commit explicitly; leaving the block without a commit rolls back.
    On SQLite, the event loop's thread keeps one connection for these instead of taking one from the pool each time
    (a file has no server connection to lose; the loop runs one handler at a time, and these never await), and a
    block that may write (`write`) takes the process's turn to write first (`one_writer`); reads never wait."""
    engine = get_engine()
    if engine.dialect.name != "sqlite" or not _on_event_loop():
        with engine.connect() as conn:
            conn.info[BLOCK] = next(_blocks)
            try:
                yield conn
            finally:
                conn.info.pop(BLOCK, None)
        return
    conn = getattr(_kept, "conn", None)
    if conn is None or conn.closed or conn.invalidated or conn.engine is not engine:
        if conn is not None and not conn.closed:
            conn.close()
        conn = _kept.conn = engine.connect()
    conn.info[BLOCK] = next(_blocks)
    try:
        with _writer if write else nullcontext():
            yield conn
    finally:
        conn.info.pop(BLOCK, None)
        if conn.in_transaction():
            conn.rollback()


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
        return True
    except RuntimeError:
        return False
