"""Orders as the console shows them: a filtered, paged list (newest first), its CSV export, and one order's
details (lines, payments, Stripe ids, webhook events, status history, emails). Plain Python, read-only."""
from __future__ import annotations

import csv
import dataclasses
import io
from datetime import date, datetime, time, timedelta, timezone

from sqlmodel import Session, col, func, or_, select

from ..models import Order, OrderLine, OrderStatus, Payment, PaymentStatusChange, WebhookEvent
from ..money import format_money
from .audit import AuditRow, recent_for

PAGE_SIZE = 25
CSV_MAX_ROWS = 50_000


class FilterError(ValueError):
    pass


@dataclasses.dataclass(frozen=True)
class OrderFilter:
    status: str = ""
    date_from: date | None = None
    date_to: date | None = None  # inclusive
    email: str = ""
    number: str = ""


@dataclasses.dataclass
class OrderRow:
    id: int = 0
    number: str = ""
    created: str = ""
    email: str = ""
    status: str = ""
    total: str = ""
    refunded: str = ""
    flow: str = ""


@dataclasses.dataclass
class Line:
    name: str = ""
    quantity: int = 0
    unit_price: str = ""
    total: str = ""


@dataclasses.dataclass
class PaymentView:
    kind: str = ""
    provider_id: str = ""
    amount: str = ""
    refunded: str = ""
    status: str = ""


@dataclasses.dataclass
class HistoryRow:
    when: str = ""
    what: str = ""
    detail: str = ""
    source: str = ""


@dataclasses.dataclass
class OrderDetail:
    id: int = 0
    number: str = ""
    status: str = ""
    email: str = ""
    flow: str = ""
    created: str = ""
    paid: str = ""
    total: str = ""
    refunded: str = ""
    refundable: str = ""  # what is left to refund, as money text for the form (e.g. "12.50")
    currency: str = ""
    note: str = ""
    stripe_ids: list[str] = dataclasses.field(default_factory=list)
    lines: list[Line] = dataclasses.field(default_factory=list)
    payments: list[PaymentView] = dataclasses.field(default_factory=list)
    history: list[HistoryRow] = dataclasses.field(default_factory=list)
    events: list[HistoryRow] = dataclasses.field(default_factory=list)
    emails: list[HistoryRow] = dataclasses.field(default_factory=list)
    actions: list[AuditRow] = dataclasses.field(default_factory=list)


def _day(text: object, field: str) -> date | None:
    if text in (None, ""):
        return None
    try:
        return date.fromisoformat(str(text)[:10])
    except ValueError:
        raise FilterError(f"{field} is a date like 2026-01-31.") from None


def parse_filter(form: dict) -> OrderFilter:
    form = form if isinstance(form, dict) else {}
    status = form.get("status") or ""
    if status and status not in {s.value for s in OrderStatus}:
        raise FilterError("Unknown status.")
    f = OrderFilter(status=status, date_from=_day(form.get("date_from"), "From"),
                    date_to=_day(form.get("date_to"), "To"),
                    email=str(form.get("email") or "").strip().lower()[:254],
                    number=str(form.get("number") or "").strip().upper()[:20])
    if f.date_from and f.date_to and f.date_from > f.date_to:
        raise FilterError("“From” is after “To”.")
    return f


def _query(f: OrderFilter):
    q = select(Order)
    if f.status:
        q = q.where(Order.status == f.status)
    if f.date_from:
        q = q.where(col(Order.created_at) >= datetime.combine(f.date_from, time.min, timezone.utc))
    if f.date_to:
        q = q.where(col(Order.created_at) < datetime.combine(f.date_to + timedelta(days=1), time.min, timezone.utc))
    if f.email:
        q = q.where(func.lower(Order.email).contains(f.email))
    if f.number:
        q = q.where(col(Order.number).startswith(f.number))
    return q


def _stamp(dt: datetime | None) -> str:
    return dt.strftime("%Y-%m-%d %H:%M:%S") if dt else ""


def _row(o: Order) -> OrderRow:
    return OrderRow(o.id, o.number, _stamp(o.created_at), o.email, str(o.status),
                    format_money(o.total_cents, o.currency),
                    format_money(o.refunded_cents, o.currency) if o.refunded_cents else "", str(o.flow))


def page(db: Session, f: OrderFilter, page_no: int) -> tuple[list[OrderRow], int]:
    """One page of matching orders, newest first, and how many match in all."""
    total = db.exec(select(func.count()).select_from(_query(f).subquery())).one()
    page_no = max(0, min(page_no, max(0, (total - 1) // PAGE_SIZE)))
    rows = db.exec(_query(f).order_by(col(Order.created_at).desc(), col(Order.id).desc())
                   .offset(page_no * PAGE_SIZE).limit(PAGE_SIZE))
    return [_row(o) for o in rows], total


CSV_COLUMNS = ["number", "created_utc", "status", "email", "currency", "total", "refunded", "flow",
               "stripe_payment_intent", "stripe_charge", "stripe_checkout_session", "items"]


def _money_plain(cents: int, currency: str) -> str:
    from .products import money_text

    return money_text(cents, currency)


def export_csv(db: Session, f: OrderFilter) -> str:
    """The filtered list (all pages, newest first) as CSV text. Money as plain decimals in the order's currency."""
    orders = list(db.exec(_query(f).order_by(col(Order.created_at).desc(), col(Order.id).desc())
                          .limit(CSV_MAX_ROWS)))
    lines: dict[int, list[OrderLine]] = {}
    if orders:
        for ln in db.exec(select(OrderLine).where(col(OrderLine.order_id).in_([o.id for o in orders]))):
            lines.setdefault(ln.order_id, []).append(ln)
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(CSV_COLUMNS)
    for o in orders:
        items = "; ".join(f"{ln.quantity} x {ln.name}" for ln in lines.get(o.id, []))
        w.writerow([o.number, _stamp(o.created_at), str(o.status), _csv_safe(o.email), o.currency.upper(),
                    _money_plain(o.total_cents, o.currency), _money_plain(o.refunded_cents, o.currency), str(o.flow),
                    o.stripe_payment_intent_id or "", o.stripe_charge_id or "", o.stripe_checkout_session_id or "",
                    _csv_safe(items)])
    return out.getvalue()


def _csv_safe(text: str) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas: quote them (shopper-typed text)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def detail(db: Session, order_id: int) -> OrderDetail | None:
    o = db.get(Order, order_id)
    if o is None:
        return None
    cur = o.currency
    pays = list(db.exec(select(Payment).where(Payment.order_id == o.id).order_by(Payment.id)))
    changes = list(db.exec(select(PaymentStatusChange).where(
        col(PaymentStatusChange.payment_id).in_([p.id for p in pays])).order_by(PaymentStatusChange.id))) \
        if pays else []
    event_ids = [c.source.split(" ", 1)[1] for c in changes if c.source.startswith("webhook ")]
    events = list(db.exec(select(WebhookEvent).where(or_(WebhookEvent.order_id == o.id,
                                                         col(WebhookEvent.id).in_(event_ids)))
                          .order_by(WebhookEvent.received_at)))
    refunded = max(o.refunded_cents, sum(p.refunded_cents for p in pays))
    left = max(0, o.total_cents - refunded) if OrderStatus(o.status).was_paid else 0
    from ..outbox import for_order

    emails = [HistoryRow(_stamp(m.sent_at or m.created_at), m.kind, f"to {m.to}: {m.subject}",
                         m.status + (f" ({m.attempts} attempts, {m.last_error})" if m.last_error else ""))
              for m in for_order(db, o.id)]
    actions = recent_for(db, f"order:{o.number}")
    return OrderDetail(
        id=o.id, number=o.number, status=str(o.status), email=o.email, flow=str(o.flow), created=_stamp(o.created_at),
        paid=_stamp(o.paid_at), total=format_money(o.total_cents, cur),
        refunded=format_money(refunded, cur) if refunded else "", refundable=_money_plain(left, cur) if left else "",
        currency=cur, note=o.note,
        stripe_ids=[f"{k}: {v}" for k, v in (("Checkout Session", o.stripe_checkout_session_id),
                                              ("PaymentIntent", o.stripe_payment_intent_id),
                                              ("Charge", o.stripe_charge_id), ("Customer", o.stripe_customer_id))
                    if v],
        lines=[Line(ln.name, ln.quantity, format_money(ln.unit_price_cents, cur),
                    format_money(ln.unit_price_cents * ln.quantity, cur))
               for ln in db.exec(select(OrderLine).where(OrderLine.order_id == o.id).order_by(OrderLine.id))],
        payments=[PaymentView(str(p.kind), p.provider_id, format_money(p.amount_cents, p.currency),
                              format_money(p.refunded_cents, p.currency) if p.refunded_cents else "", str(p.status))
                  for p in pays],
        history=[HistoryRow(_stamp(c.created_at), str(c.status), c.detail, c.source) for c in changes],
        events=[HistoryRow(_stamp(e.received_at), e.type, f"{e.attempts} attempt(s)" + (f", error: {e.error}"
                           if e.error else ""), e.id) for e in events],
        emails=emails, actions=actions,
    )
