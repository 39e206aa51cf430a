"""Open tabs the server pushes to: each storefront page load records (tab, cart); a push reads them back.
The table, not a worker's memory, holds them, so a push from any worker reaches tabs held by any other
(Reflex's Redis state manager delivers the update to the worker that holds the socket)."""
from __future__ import annotations

import asyncio
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy import delete
from sqlmodel import Session, col, select

from .db import DB, Statement, relax_durability
from .models import LiveTab
from .models.base import utcnow

_tasks: set[asyncio.Task] = set()
KEEP = timedelta(hours=12)  # a tab not seen for this long is no longer pushed to
MAX_PUSH = 1000  # newest tabs pushed to at most, per change


SHOP, ORDERS = "shop", "orders"


# One statement records a tab, and writes only when its cart or kind changed or it was last seen over a minute ago.
# Plain SQL, not waiting for the disk: it runs on the event loop at every page load and a tab's first cart (README
# "Benchmarks", step 26).
_WATCH = Statement(
    "INSERT INTO livetab (client_token, kind, cart_token, seen_at) VALUES (:client, :kind, :cart, :now) "
    "ON CONFLICT (client_token) DO UPDATE SET kind = excluded.kind, cart_token = excluded.cart_token, "
    "seen_at = excluded.seen_at WHERE livetab.kind != excluded.kind OR livetab.cart_token != excluded.cart_token "
    "OR livetab.seen_at < :stale", now=sa.DateTime(), stale=sa.DateTime())
REFRESH = timedelta(minutes=1)


def watch(db: DB, client_token: str, cart_token: str, kind: str = SHOP) -> None:
    """Remember that this tab shows this cart (or the console's order list), so that changes can be pushed to it.
    A record lost to a power cut only misses pushes until the tab's next page load."""
    if not isinstance(client_token, str) or not 8 <= len(client_token) <= 80:
        return
    cart_token = cart_token if isinstance(cart_token, str) and len(cart_token) <= 64 else ""
    relax_durability(db)
    now = utcnow()
    _WATCH.run(db, {"client": client_token, "kind": kind, "cart": cart_token, "now": now, "stale": now - REFRESH})
    db.commit()


def open_tabs(db: Session, kind: str = SHOP) -> list[str]:
    db.execute(delete(LiveTab).where(col(LiveTab.seen_at) < utcnow() - KEEP))
    db.commit()
    return list(db.exec(select(LiveTab.client_token).where(LiveTab.kind == kind)
                        .order_by(col(LiveTab.seen_at).desc()).limit(MAX_PUSH)))


# Asked on every cart change: plain SQL on the change's own connection (no ORM work on the hot path).
_TABS_OF_CART = Statement("SELECT client_token FROM livetab WHERE cart_token = :cart AND client_token != :but "
                          "AND seen_at >= :since LIMIT 50", since=sa.DateTime())


def tabs_of_cart(db: DB, cart_token: str, but: str = "") -> list[str]:
    if not cart_token:
        return []
    rows = _TABS_OF_CART.run(db, {"cart": cart_token, "but": but, "since": utcnow() - KEEP}).fetchall()
    return [row[0] for row in rows]


def schedule(coro) -> None:
    """Run a push without making the caller wait (keeps a reference until it is done)."""
    task = asyncio.get_running_loop().create_task(coro)
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
