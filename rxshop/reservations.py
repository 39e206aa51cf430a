"""Limited stock is reserved when an order is made and given back when the order is canceled (expired, replaced
or failed), so two shoppers can't both pay for the last unit. Plain Python: no Reflex, no Stripe."""
from __future__ import annotations

import logging

from sqlalchemy import update
from sqlmodel import Session, select

from .db import DB, Statement
from .models import Order, OrderLine, Product
from .models.base import utcnow

log = logging.getLogger("rxshop.reservations")


class OutOfStock(ValueError):
    pass


_TAKE = Statement("UPDATE product SET stock = stock - :qty WHERE id = :id AND stock IS NOT NULL AND stock >= :qty")
_STOCK = Statement("SELECT name, stock FROM product WHERE id = :id")


def reserve(db: DB, items: list[tuple[int | None, int]]) -> None:
    """Take the (product id, quantity) pairs of limited products, in the caller's transaction (roll it back on
    OutOfStock). Unlimited products are untouched. Plain statements: this runs for every new order."""
    for product_id, quantity in sorted((p, q) for p, q in items if p is not None):  # row locks in id order
        if _TAKE.run(db, {"qty": quantity, "id": product_id}).rowcount:
            continue
        row = _STOCK.run(db, {"id": product_id}).fetchone()
        if row is not None and row[1] is not None:
            name, stock = row
            raise OutOfStock(f"{name} is sold out." if stock <= 0 else f"Only {stock} of {name} left in stock.")


def release(session: Session, order_id: int) -> bool:
    """Give the order's reserved stock back, once (the caller commits)."""
    won = session.execute(update(Order).where(Order.id == order_id, Order.stock_reserved.is_(True))
                          .values(stock_reserved=False)).rowcount == 1
    if won:
        for line in session.exec(select(OrderLine).where(OrderLine.order_id == order_id)
                                 .order_by(OrderLine.product_id)):
            if line.product_id is not None:
                session.execute(update(Product).where(Product.id == line.product_id, Product.stock.is_not(None))
                                .values(stock=Product.stock + line.quantity))
    return won


def take_again(session: Session, order: Order, lines: list[OrderLine]) -> list[str]:
    """A canceled order was paid after all: take its stock again where there is enough; returns what is short."""
    short = []
    for line in sorted(lines, key=lambda ln: ln.product_id or 0):  # row locks in product id order
        if line.product_id is None:
            continue
        taken = session.execute(
            update(Product).where(Product.id == line.product_id, Product.stock.is_not(None),
                                  Product.stock >= line.quantity)
            .values(stock=Product.stock - line.quantity)).rowcount
        product = session.get(Product, line.product_id)
        if not taken and product is not None and product.stock is not None:
            short.append(f"{line.name}: {line.quantity} paid, {product.stock} in stock")
    return short


def cancel(session: Session, order: Order, reason: str) -> bool:
    """pending → canceled (only one caller wins), giving its stock back. Commits."""
    now = utcnow()
    won = session.execute(update(Order).where(Order.id == order.id, Order.status == "pending")
                          .values(status="canceled", updated_at=now,
                                  note=(order.note + "; " if order.note else "") + f"Canceled: {reason}")
                          ).rowcount == 1
    if won:
        release(session, order.id)
        log.info("order %s canceled: %s", order.number, reason)
    session.commit()
    return won
