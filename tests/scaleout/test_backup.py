"""`python -m rxshop.backup` and `restore`: back up, wipe the database, restore, and find every order, payment,
status change, webhook event and audit entry again (SQLite through the online backup API, PostgreSQL through
pg_dump / pg_restore)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy
from sqlmodel import Session

from rxshop import carts, migrations, order_payments, orders
from rxshop.models import AuditEntry, Product, WebhookEvent
from rxshop.payments import PaymentResult

ROOT = Path(__file__).resolve().parents[2]
TABLES = ["order", "orderline", "payment", "paymentstatuschange", "webhookevent", "auditentry", "product"]


def fill(engine) -> None:
    with Session(engine, expire_on_commit=False) as s:
        s.add_all([Product(slug="p1", name="P1", price_cents=1500, stock=4), Product(slug="p2", name="P2",
                                                                                   price_cents=900)])
        s.commit()
        for i in range(3):
            cart, _ = carts.add_item(s, None, 1, 1)
            carts.add_item(s, cart.token, 2, i + 1)
            order = orders.create_from_cart(s, cart.token, "checkout", "usd", email=f"b{i}@example.com")
            if i < 2:
                order_payments.fulfil(s, PaymentResult(kind="payment_intent", provider_id=f"pi_b{i}",
                                                       status="succeeded", paid=True, amount=order.total_cents,
                                                       currency="usd", order_id=order.id,
                                                       order_number=order.number), f"webhook evt_b{i}")
        s.add(WebhookEvent(id="evt_b0", type="payment_intent.succeeded"))
        s.add_all([AuditEntry(operator_email="op@example.com", action="product.update", target="product:1",
                              detail="price 1400 → 1500"),
                   AuditEntry(operator_email="op@example.com", action="login")])
        s.commit()


def snapshot(engine) -> dict[str, list]:
    with engine.connect() as conn:
        return {t: [tuple(r) for r in conn.execute(sqlalchemy.text(f'select * from "{t}" order by 1'))]
                for t in TABLES}


def cli(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "rxshop.backup", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    if request.param == "sqlite":
        path = tmp_path / "shop.db"
        url = f"sqlite:///{path}"

        def wipe(engine):
            engine.dispose()
            path.unlink()
            for extra in ("-wal", "-shm"):
                Path(str(path) + extra).unlink(missing_ok=True)
        yield url, wipe
    else:
        url = request.getfixturevalue("pg_url")

        def wipe(engine):
            with engine.begin() as conn:
                conn.execute(sqlalchemy.text("drop schema public cascade"))
                conn.execute(sqlalchemy.text("create schema public"))
            engine.dispose()
        yield url, wipe


def test_backup_wipe_restore_finds_everything(database, tmp_path):
    url, wipe = database
    engine = sqlalchemy.create_engine(url)
    migrations.upgrade(engine)
    fill(engine)
    before = snapshot(engine)
    assert len(before["order"]) == 3 and len(before["payment"]) == 2 and len(before["auditentry"]) == 2
    assert len(before["paymentstatuschange"]) == 2 and len(before["webhookevent"]) == 1

    out = tmp_path / "backups" / "shop.backup"
    assert str(out) in cli("backup", "--db", url, "--out", str(out))
    wipe(engine)
    with pytest.raises(sqlalchemy.exc.DBAPIError):
        snapshot(engine)  # really gone
    cli("restore", str(out), "--db", url)

    engine = sqlalchemy.create_engine(url)
    assert snapshot(engine) == before
    assert not migrations.pending(engine)  # the schema version came back too
    engine.dispose()


def test_restore_refuses_a_missing_file(tmp_path):
    done = subprocess.run([sys.executable, "-m", "rxshop.backup", "restore", str(tmp_path / "nope"), "--db",
                           f"sqlite:///{tmp_path}/x.db"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode != 0 and "does not exist" in done.stderr
