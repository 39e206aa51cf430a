"""Server push to open tabs: a catalog change (an operator's edit, stock taken by a purchase) refreshes every open
catalog, product page and cart; a webhook refreshes the console's open order lists. (A cart change is pushed to the
cart's other tabs by CartState itself.)"""
from __future__ import annotations

import asyncio
import logging

import reflex as rx

from .. import live
from ..db import session
from .cart_state import CartState
from .catalog_state import CatalogState, ProductState

log = logging.getLogger("rxshop.live")
_catalog_pending = False
PARALLEL = 16


async def _refresh(token: str, catalog: bool) -> None:
    from ..app import app

    try:
        async with app.modify_state(rx.BaseStateToken(ident=token, cls=CartState)) as root:
            cart = await root.get_state(CartState)
            if cart.loaded:
                cart._reload()
            if catalog:
                cat = await root.get_state(CatalogState)
                cat.refresh()
                product = await root.get_state(ProductState)
                if product.loaded:
                    product.load()
    except Exception:  # the tab is gone: nothing to update
        log.debug("push to %s failed", token, exc_info=True)


async def _push(tokens: list[str], catalog: bool) -> None:
    gate = asyncio.Semaphore(PARALLEL)

    async def one(token: str) -> None:
        async with gate:
            await _refresh(token, catalog)

    await asyncio.gather(*(one(t) for t in tokens))


async def push_catalog() -> None:
    """Refresh every open storefront tab from the database (several changes in a burst make one push)."""
    global _catalog_pending
    if _catalog_pending:
        return
    _catalog_pending = True
    try:
        await asyncio.sleep(0.05)
        _catalog_pending = False
        tokens = await asyncio.to_thread(_open_tabs)
        await _push(tokens, catalog=True)
    finally:
        _catalog_pending = False


def _open_tabs() -> list[str]:
    with session() as db:
        return live.open_tabs(db)


def _order_tabs() -> list[str]:
    with session() as db:
        return live.open_tabs(db, live.ORDERS)


async def push_orders() -> None:
    """Refresh the console's open order lists (and open order details) after a webhook changed an order."""
    from ..app import app
    from .admin_orders_state import OrdersAdminState

    async def one(token: str) -> None:
        try:
            async with app.modify_state(rx.BaseStateToken(ident=token, cls=OrdersAdminState)) as root:
                (await root.get_state(OrdersAdminState))._refresh_from_db()
        except Exception:
            log.debug("push to %s failed", token, exc_info=True)

    await asyncio.gather(*(one(t) for t in await asyncio.to_thread(_order_tabs)))
