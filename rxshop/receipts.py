"""What the shopper is shown of a paid order: its lines (with download links once paid), the Stripe payment id,
and the receipt email. Plain Python: no Reflex, no Stripe."""
from __future__ import annotations

import dataclasses
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from sqlmodel import Session

from . import delivery, routes
from .models import Order
from .money import format_money
from .orders import lines_of


@dataclasses.dataclass
class OrderLineView:
    """One line of a paid order as the page and the receipt show it."""

    name: str
    quantity: int
    unit_price: str
    line_total: str
    delivery_url: str  # a signed download link once paid, else ""


def shows_links(order: Order) -> bool:
    """May this order show (or email) its download links? Paid, or refunded only in part; never a full refund."""
    return delivery.may_deliver(order)


def line_views(session: Session, order: Order, with_links: bool) -> list[OrderLineView]:
    """Download links are fresh signed shop links (rxshop/delivery.py), never the file's or external URL itself."""
    lines = lines_of(session, order)
    links = delivery.links_for(session, order, lines) if with_links else {}
    return [OrderLineView(ln.name, ln.quantity, format_money(ln.unit_price_cents, order.currency),
                          format_money(ln.unit_price_cents * ln.quantity, order.currency), links.get(ln.id, ""))
            for ln in lines]


def payment_id(order: Order) -> str:
    return order.stripe_payment_intent_id or order.stripe_charge_id or ""


def receipt_email(session: Session, order: Order, shop_name: str) -> EmailMessage:
    total = format_money(order.total_cents, order.currency)
    lines = line_views(session, order, with_links=True)
    msg = EmailMessage()
    msg["To"] = order.email
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain="rxshop.localhost")
    msg["Subject"] = f"Your {shop_name} order {order.number}: receipt and downloads"
    body = ["Thank you for your order!", "", f"Order number: {order.number}",
            f"Payment of {total} succeeded (Stripe payment {payment_id(order)}).", "", "Items:"]
    for ln in lines:
        body.append(f"  {ln.quantity} x {ln.name} at {ln.unit_price} = {ln.line_total}")
    body += ["", f"Total paid: {total}", "", "Your downloads:"]
    body += [f"  {ln.name}: {ln.delivery_url}" for ln in lines if ln.delivery_url]
    body += ["", f"View your order any time: {routes.absolute(routes.order(order.number, order.access_token))}", "", f"— {shop_name}"]
    msg.set_content("\n".join(body))
    return msg


def send_again(session: Session, order: Order, shop_name: str, requested_by: str) -> None:
    """Queue the receipt again (fresh download links) to the order's own email address; `requested_by` is
    "buyer" or "operator" (an outbox kind is unique per order, so each request gets its own)."""
    from datetime import datetime, timezone

    from . import outbox

    if not order.email or not delivery.may_deliver(order):
        raise ValueError("Downloads are not available for this order.")
    kind = f"again-{requested_by[:8]}-" + datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S%f")
    outbox.enqueue(session, order.id, kind, receipt_email(session, order, shop_name))
