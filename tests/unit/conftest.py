import pytest
from sqlmodel import Session, SQLModel, create_engine

from rxshop import models  # noqa: F401  (registers tables)
from rxshop.db import configure_engine
from rxshop.models import Product


@pytest.fixture
def engine(tmp_path):
    eng = configure_engine(create_engine(f"sqlite:///{tmp_path / 'unit.db'}"))
    SQLModel.metadata.create_all(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def db(engine):
    with Session(engine) as s:
        yield s


@pytest.fixture
def products(db):
    items = [
        Product(slug="mug", name="Mug", price_cents=1200, delivery_url="https://x/mug"),
        Product(slug="book", name="Book", price_cents=2550, delivery_url="https://x/book"),
        Product(slug="limited", name="Limited", price_cents=500, stock=3),
        Product(slug="gone", name="Gone", price_cents=100, stock=0),
        Product(slug="hidden", name="Hidden", price_cents=100, active=False),
    ]
    db.add_all(items)
    db.commit()
    return {p.slug: p.id for p in items}
