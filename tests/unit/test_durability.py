"""Cart changes skip the wait for the disk; nothing else does (orders and payments always sync their commits)."""
import sqlalchemy as sa

from rxshop import carts, catalog, orders
from rxshop.models import Flow


def _sync_levels(engine, db) -> list[str]:
    """Every statement SQLite runs from now on (the hot path goes straight to the driver: SQLite's own trace)."""
    seen = []

    def trace(statement: str) -> None:
        seen.append(statement if "synchronous" in statement else statement.split()[0].upper())

    db.commit()  # the session lets its connection go …
    engine.dispose()  # … and every connection from here on is new, and traced
    sa.event.listen(engine, "connect", lambda dbapi_conn, _record: dbapi_conn.set_trace_callback(trace))
    return seen


def test_cart_writes_are_relaxed_and_the_connection_syncs_again_afterwards(db, products, engine):
    statements = _sync_levels(engine, db)
    cart, _ = carts.add_item(db, None, products["mug"], 1)
    relaxed = statements.index("PRAGMA synchronous=NORMAL")
    assert relaxed < statements.index("INSERT")  # set before the write transaction began
    with engine.connect() as conn:  # the same pooled connection, back from the pool
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    order = orders.create_from_cart(db, cart.token, Flow.CHECKOUT, "usd")
    assert order.id
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2


def test_a_relaxed_cart_change_is_on_disk_for_the_next_process(db, products, engine, tmp_path):
    cart, _ = carts.add_item(db, None, products["book"], 2)
    other = sa.create_engine(f"sqlite:///{engine.url.database}")  # like the shop after a restart
    with other.connect() as conn:
        assert conn.exec_driver_sql("SELECT quantity FROM cartitem").scalar() == 2
    other.dispose()


def test_a_cart_change_on_a_plain_connection_is_committed(products, engine):
    """The storefront changes carts on a plain connection (no ORM session): its statements run on the driver, and
    the change must still be committed when the rule commits."""
    with engine.connect() as conn:
        catalog.snapshot(conn)  # the catalog in memory already, as in a running shop: no ORM query on the way
    with engine.connect() as conn:
        cart, _ = carts.add_item(conn, None, products["mug"], 3)
    with engine.connect() as other:
        assert other.exec_driver_sql("SELECT quantity FROM cartitem WHERE cart_id = ?", (cart.id,)).scalar() == 3


def test_the_event_loop_keeps_one_connection_for_cart_changes_and_nothing_is_left_open(products, engine,
                                                                                       monkeypatch):
    """On the event loop's thread, `db.connect()` lends the same SQLite connection each time (no pool round trip per
    cart change); a block left without commit is rolled back, so the next change starts clean. Elsewhere (worker
    threads) it is a pooled connection as before."""
    import asyncio
    import concurrent.futures

    from rxshop import db as rxdb

    monkeypatch.setattr(rxdb, "get_engine", lambda: engine)

    async def on_the_loop():
        with rxdb.connect() as first:
            carts.add_item(first, None, products["mug"], 1)  # commits
        with rxdb.connect() as second:
            second.exec_driver_sql("UPDATE product SET name = 'changed' WHERE slug = 'mug'")  # never committed
        with rxdb.connect() as third:
            left_open = third.in_transaction()
        return first, second, third, left_open

    def off_the_loop():
        with rxdb.connect() as conn:
            return conn

    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # threads of their own (a test run may hold this one's loop)
        first, second, third, left_open = pool.submit(asyncio.run, on_the_loop()).result()
        assert pool.submit(off_the_loop).result() is not first  # a worker thread: a pooled connection
    assert first is second is third and not left_open
    with engine.connect() as other:
        assert other.exec_driver_sql("SELECT name FROM product WHERE slug = 'mug'").scalar() == "Mug"
        assert other.exec_driver_sql("SELECT count(*) FROM cartitem").scalar() == 1
    first.close()
