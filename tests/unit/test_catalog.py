import pytest
from sqlalchemy.exc import IntegrityError

from rxshop import catalog
from rxshop.models import Product
from sqlmodel import select
from rxshop.seed import SEED_PRODUCTS, seed


def test_seed_is_idempotent_and_images_exist(db):
    from pathlib import Path

    assert seed(db) == len(SEED_PRODUCTS) >= 8
    assert seed(db) == 0
    assert len(db.exec(select(Product)).all()) == len(SEED_PRODUCTS)
    root = Path(__file__).resolve().parents[2] / "assets"
    for p in db.exec(select(Product)):
        assert isinstance(p.price_cents, int) and p.price_cents > 0
        assert (root / p.image.lstrip("/")).is_file(), p.image
        assert p.delivery_url.startswith("https://")


def test_slug_is_unique(db):
    db.add(Product(slug="a", name="A", price_cents=1))
    db.add(Product(slug="a", name="B", price_cents=2))
    with pytest.raises(IntegrityError):
        db.commit()


def test_cards_show_active_products_only(db, products):
    cards = catalog.catalog_cards(db)
    assert [c.slug for c in cards] == ["mug", "book", "limited", "gone"]
    by = {c.slug: c for c in cards}
    assert by["book"].price == "$25.50"
    assert by["limited"].stock_note == "Only 3 left" and by["limited"].available
    assert by["gone"].stock_note == "Sold out" and not by["gone"].available
    assert not hasattr(by["mug"], "delivery_url")  # buyers-only data never goes to the page


@pytest.mark.parametrize("slug", ["hidden", "nope", "", None, 5, "x" * 500])
def test_unknown_or_inactive_slug(db, products, slug):
    assert catalog.get_active_by_slug(db, slug) is None
