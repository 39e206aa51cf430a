"""The in-memory catalog: reused while nothing changed, re-read as soon as any writer changes a product."""
import sqlite3

import pytest

from rxshop import carts, catalog
from rxshop.models import Product


def _other_writer(engine, sql: str) -> None:
    """Another process or instance changing the catalog behind this one's back (plain sqlite3, no SQLAlchemy)."""
    con = sqlite3.connect(engine.url.database)
    con.execute(sql)
    con.commit()
    con.close()


def test_snapshot_is_reused_until_a_product_changes(db, products, engine):
    first = catalog.snapshot(db)
    db.commit()
    assert catalog.snapshot(db) is first  # nothing changed: no re-read
    _other_writer(engine, "UPDATE product SET price_cents = 1999 WHERE slug = 'mug'")
    db.commit()  # a new transaction sees the other writer's commit
    fresh = catalog.snapshot(db)
    assert fresh is not first and fresh.by_slug["mug"].price_cents == 1999


def test_cart_sees_stock_and_status_changes_from_other_writers(db, products, engine):
    cart, _ = carts.add_item(db, None, products["limited"], 1)
    _other_writer(engine, "UPDATE product SET stock = 1 WHERE slug = 'limited'")
    db.commit()
    try:
        carts.add_item(db, cart.token, products["limited"], 1)
        raise AssertionError("stock change not seen")
    except carts.CartError as exc:
        assert "Only 1" in str(exc)
    _other_writer(engine, "UPDATE product SET active = 0 WHERE slug = 'mug'")
    db.commit()
    assert catalog.get_active_by_slug(db, "mug") is None
    _other_writer(engine, "INSERT INTO product (slug, name, description, price_cents, currency, image, delivery_url, "
                          "active, created_at, updated_at) VALUES ('new', 'New', '', 700, 'usd', '', '', 1, "
                          "'2026-01-01 00:00:00', '2026-01-01 00:00:00')")
    db.commit()
    assert catalog.get_active_by_slug(db, "new").price_cents == 700


def test_orm_changes_in_this_process_are_seen_too(db, products):
    catalog.snapshot(db)
    book = db.get(Product, products["book"])
    book.name = "Big Book"
    db.add(book)
    db.commit()
    assert catalog.get(db, products["book"]).name == "Big Book"


def test_each_database_starts_at_its_own_version(tmp_path):
    """Two databases (or one re-created) never share a version, so a cache can't mistake one for the other."""
    from sqlmodel import SQLModel, create_engine

    versions = []
    for name in ("a.db", "b.db"):
        eng = create_engine(f"sqlite:///{tmp_path / name}")
        SQLModel.metadata.create_all(eng)
        with eng.connect() as conn:
            versions.append(conn.exec_driver_sql("SELECT version FROM catalogversion").scalar())
        eng.dispose()
    assert versions[0] != versions[1]


@pytest.mark.parametrize("on_loop", [True, False], ids=["event loop's kept connection", "pooled connection"])
def test_one_cart_change_reads_the_catalog_version_once_and_the_next_sees_changes(products, engine, monkeypatch,
                                                                                   on_loop):
    """A `db.connect()` block (a cart change and its view) asks for the catalog's version once; the next block asks
    again, so another writer's change is seen by the next cart change. Sessions always ask."""
    import asyncio
    import concurrent.futures

    from rxshop import db as rxdb

    monkeypatch.setattr(rxdb, "get_engine", lambda: engine)
    asked = []
    real = catalog._VERSION.scalar
    monkeypatch.setattr(catalog._VERSION, "scalar", lambda db, *a: asked.append(1) or real(db, *a))

    def scenario():
        with rxdb.connect() as conn:
            cart, _ = carts.add_item(conn, None, products["mug"], 1)
            assert carts.view(conn, cart.token).lines[0].unit_price == "$12.00"
        assert len(asked) == 1
        _other_writer(engine, "UPDATE product SET price_cents = 1999 WHERE slug = 'mug'")
        with rxdb.connect() as conn:
            carts.add_item(conn, cart.token, products["mug"], 1)
            assert carts.view(conn, cart.token).lines[0].unit_price == "$19.99"
        assert len(asked) == 2
        with rxdb.session() as s:
            catalog.snapshot(s)
            catalog.snapshot(s)
        assert len(asked) == 4

    async def on_the_loop():
        scenario()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # a thread of its own (a test run may hold this one's loop)
        pool.submit(asyncio.run, on_the_loop()).result() if on_loop else pool.submit(scenario).result()
