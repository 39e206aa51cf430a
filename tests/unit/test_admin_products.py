"""Product editing rules: money as Decimal text -> integer minor units, validation, audit, uploads."""
import io

import pytest
from PIL import Image
from sqlmodel import select

from rxshop import delivery
from rxshop.admin import media, products
from rxshop.admin.media import MediaError
from rxshop.admin.products import ProductError
from rxshop.models import AuditEntry, Product


@pytest.mark.parametrize("text,currency,cents", [
    ("12.50", "usd", 1250), ("12.5", "usd", 1250), ("$1,234.56", "usd", 123456), ("0", "usd", 0),
    ("0.10", "usd", 10), ("0.29", "usd", 29), ("1000", "jpy", 1000), (" 7 ", "eur", 700),
])
def test_money_text_becomes_exact_minor_units(text, currency, cents):
    assert products.parse_money(text, currency) == cents
    assert products.parse_money(products.money_text(cents, currency), currency) == cents


@pytest.mark.parametrize("text,currency", [
    ("12.505", "usd"), ("1.5", "jpy"), ("-1", "usd"), ("abc", "usd"), ("", "usd"), ("NaN", "usd"),
    ("Infinity", "usd"), ("1e9", "usd"), (None, "usd"), (12.5, "usd"), ([1], "usd"), (True, "usd"),
])
def test_bad_money_is_refused(text, currency):
    with pytest.raises(ProductError):
        products.parse_money(text, currency)


def _form(**kw):
    return {"name": "Font", "description": "d", "price": "19.00", "currency": "usd", "stock": "", "active": "on",
            "delivery_url": "", **kw}


def test_validate_cleans_and_refuses():
    v = products.validate(_form(stock=" 3 ", currency="EUR"))
    assert v == {"name": "Font", "description": "d", "price_cents": 1900, "currency": "eur", "stock": 3,
                 "active": True, "delivery_url": ""}
    assert products.validate(_form(active=None))["active"] is False
    assert products.validate(_form())["stock"] is None
    for bad in (_form(name=" "), _form(currency="xx"), _form(stock="-1"), _form(stock="1.5"),
                _form(delivery_url="javascript:alert(1)"), _form(name="x" * 121), "not a dict"):
        with pytest.raises(ProductError):
            products.validate(bad)


def test_save_creates_updates_and_audits(db):
    who = type("Who", (), {"operator_id": None, "email": "ops@example.com"})()
    p = products.save(db, who, 0, products.validate(_form()))
    assert p.slug == "font" and p.price_cents == 1900 and p.stock is None
    p2 = products.save(db, who, 0, products.validate(_form()))
    assert p2.slug == "font-2"
    products.save(db, who, p.id, products.validate(_form(price="21.00", active=None)))
    db.refresh(p)
    assert p.price_cents == 2100 and p.active is False
    entries = [(e.action, e.operator_email, e.target) for e in db.exec(select(AuditEntry).order_by(AuditEntry.id))]
    assert entries == [("product.create", "ops@example.com", f"product:{p.id}"),
                       ("product.create", "ops@example.com", f"product:{p2.id}"),
                       ("product.update", "ops@example.com", f"product:{p.id}")]
    detail = db.exec(select(AuditEntry).order_by(AuditEntry.id.desc())).first().detail
    assert "$19.00" in detail and "$21.00" in detail and "active" in detail
    with pytest.raises(ProductError):
        products.save(db, who, 99999, products.validate(_form()))
    assert db.exec(select(Product).where(Product.name == "Font")).all()


def _png(size=(8, 8)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "red").save(out, "PNG")
    return out.getvalue()


def test_images_are_checked(tmp_path, monkeypatch):
    from rxshop.settings import get_settings

    monkeypatch.setattr(get_settings(), "rxshop_images_dir", str(tmp_path))
    url = media.save_image(io.BytesIO(_png()))
    name = url.removeprefix(media.IMAGE_URL_PREFIX)
    assert media.image_path(name) == tmp_path / name
    for bad in (b"<svg onload=alert(1)>", b"%PDF-1.4 not an image", _png()[:40], b""):
        with pytest.raises(MediaError):
            media.save_image(io.BytesIO(bad))
    monkeypatch.setattr(get_settings(), "rxshop_image_max_bytes", 50)
    with pytest.raises(MediaError):
        media.save_image(io.BytesIO(_png((64, 64))))
    for forged in ("../secret.png", "x.png", name.replace(".png", ".svg"), None):
        assert media.image_path(forged) is None


def test_files_are_stored_under_random_names(tmp_path, monkeypatch):
    from rxshop.settings import get_settings

    monkeypatch.setattr(get_settings(), "rxshop_files_dir", str(tmp_path))
    stored, size = media.save_file(io.BytesIO(b"%PDF-1.4 hello"))
    assert size == 14 and (tmp_path / stored).read_bytes() == b"%PDF-1.4 hello"
    assert delivery.file_path("../" + stored) is None and delivery.file_path(stored) == tmp_path / stored
    monkeypatch.setattr(get_settings(), "rxshop_file_max_bytes", 4)
    with pytest.raises(MediaError):
        media.save_file(io.BytesIO(b"12345"))
    assert len(list(tmp_path.iterdir())) == 1  # the refused one left nothing behind
    assert media.clean_filename("../../etc/pass wd") == "pass wd" and media.clean_filename(None) == "download"
