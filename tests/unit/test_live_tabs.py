"""The record of which tab shows which cart (rxshop/live.py: watch): one plain statement on every page load and a
tab's first cart, writing only what changed, and never waiting for the disk."""
from datetime import timedelta

import pytest

from rxshop import live
from rxshop.models.base import utcnow

from test_durability import _sync_levels  # tests/unit is on the path (pytest's rootdir import)

TAB, CART = "tab-" + "a" * 20, "c" * 43


def _row(engine) -> tuple:
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT kind, cart_token, seen_at FROM livetab WHERE client_token = ?",
                                    (TAB,)).one()


def test_a_tab_is_recorded_and_rewritten_only_when_its_cart_or_kind_changes_or_a_minute_passed(engine):
    with engine.connect() as conn:
        live.watch(conn, TAB, CART)
    kind, cart, seen = _row(engine)
    assert (kind, cart) == (live.SHOP, CART)
    with engine.connect() as conn:
        live.watch(conn, TAB, CART)
    assert _row(engine)[2] == seen  # the same within a minute: nothing written
    with engine.connect() as conn:
        assert live.tabs_of_cart(conn, CART) == [TAB] and live.tabs_of_cart(conn, CART, but=TAB) == []
        live.watch(conn, TAB, "")  # the cart was paid or emptied: a new one is to come
    assert _row(engine)[1] == ""
    with engine.connect() as conn:
        live.watch(conn, TAB, "", live.ORDERS)
    assert _row(engine)[0] == live.ORDERS
    with engine.connect() as conn:
        stale = (utcnow() - live.REFRESH - timedelta(seconds=5)).strftime("%Y-%m-%d %H:%M:%S.%f")
        conn.exec_driver_sql("UPDATE livetab SET seen_at = ?", (stale,))
        conn.commit()
        live.watch(conn, TAB, "", live.ORDERS)
    assert _row(engine)[2] > stale  # seen again after a minute: kept among the tabs pushed to


@pytest.mark.parametrize("client", [None, 42, "short", "x" * 81])
def test_a_tab_token_from_the_browser_that_is_not_one_is_not_recorded(engine, client):
    with engine.connect() as conn:
        live.watch(conn, client, CART)
        assert conn.exec_driver_sql("SELECT count(*) FROM livetab").scalar() == 0


def test_a_cart_token_that_is_not_one_is_recorded_as_none(engine):
    with engine.connect() as conn:
        live.watch(conn, TAB, "x" * 65)
    assert _row(engine)[1] == ""


def test_recording_a_tab_does_not_wait_for_the_disk(db, engine):
    statements = _sync_levels(engine, db)
    with engine.connect() as conn:
        live.watch(conn, TAB, CART)
    assert statements.index("PRAGMA synchronous=NORMAL") < statements.index("INSERT")
