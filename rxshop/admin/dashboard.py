"""The console's dashboard numbers: revenue (paid minus refunded, in the shop's currency) and order counts for
today / 7 / 30 days, a daily series, top products and payments needing attention. Plain Python, read-only."""
from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta, timezone

from babel.numbers import get_currency_precision
from sqlmodel import Session, col, func, select

from ..models import Order, OrderLine, OrderStatus, Payment, PaymentStatus
from ..money import format_money

PAID = [OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED]


@dataclasses.dataclass
class Tile:
    label: str = ""
    revenue: str = ""
    orders: int = 0


@dataclasses.dataclass
class TopProduct:
    name: str = ""
    quantity: int = 0
    revenue: str = ""


@dataclasses.dataclass
class Dashboard:
    tiles: list[Tile] = dataclasses.field(default_factory=list)
    daily: list[dict] = dataclasses.field(default_factory=list)  # {"day": "12-01", "revenue": 12} (whole units)
    top: list[TopProduct] = dataclasses.field(default_factory=list)
    pending_orders: int = 0
    failed_payments: int = 0


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, timezone.utc)


def _paid_orders(db: Session, currency: str, since: datetime):
    return db.exec(select(Order).where(col(Order.status).in_(PAID), Order.currency == currency,
                                       col(Order.paid_at) >= since))


def build(db: Session, currency: str, today: date | None = None) -> Dashboard:
    today = today or datetime.now(timezone.utc).date()
    first = today - timedelta(days=29)
    orders = list(_paid_orders(db, currency, _start(first)))
    by_day: dict[date, int] = {}
    for o in orders:
        paid = o.paid_at if o.paid_at.tzinfo else o.paid_at.replace(tzinfo=timezone.utc)
        day = paid.astimezone(timezone.utc).date()
        by_day[day] = by_day.get(day, 0) + o.total_cents - o.refunded_cents
    tiles = []
    for label, days in (("Today", 1), ("Last 7 days", 7), ("Last 30 days", 30)):
        since = today - timedelta(days=days - 1)
        in_range = [o for o in orders if (o.paid_at if o.paid_at.tzinfo else o.paid_at.replace(
            tzinfo=timezone.utc)).date() >= since]
        tiles.append(Tile(label, format_money(sum(o.total_cents - o.refunded_cents for o in in_range), currency),
                          len(in_range)))
    unit = 10 ** get_currency_precision(currency.upper())
    daily = [{"day": d.strftime("%m-%d"), "revenue": by_day.get(d, 0) // unit}  # the chart: whole units, ints
             for d in (first + timedelta(days=i) for i in range(30))]
    ids = [o.id for o in orders]
    top = []
    if ids:
        q = (select(OrderLine.name, func.sum(OrderLine.quantity), func.sum(OrderLine.quantity *
                                                                             OrderLine.unit_price_cents))
             .where(col(OrderLine.order_id).in_(ids)).group_by(OrderLine.name)
             .order_by(func.sum(OrderLine.quantity * OrderLine.unit_price_cents).desc()).limit(5))
        top = [TopProduct(name, int(qty), format_money(int(cents), currency)) for name, qty, cents in db.exec(q)]
    pending = db.exec(select(func.count()).select_from(Order).where(Order.status == OrderStatus.PENDING)).one()
    failed = db.exec(select(func.count()).select_from(Payment).where(Payment.status == PaymentStatus.FAILED)).one()
    return Dashboard(tiles, daily, top, pending, failed)
