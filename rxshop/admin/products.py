"""Products as the console edits them: money typed as text becomes integer minor units (Decimal, never float),
every field is validated here, and every change is written to the audit log in the same transaction."""
from __future__ import annotations

import dataclasses
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from babel.numbers import get_currency_precision, list_currencies
from sqlmodel import Session, col, or_, select

from .. import images
from ..models import Product
from ..models.base import utcnow
from ..money import format_money
from .audit import record

MAX_PRICE_UNITS = 1_000_000  # a million of the currency's major unit
MAX_STOCK = 1_000_000
EDITABLE = ("name", "description", "price_cents", "currency", "stock", "active", "delivery_url", "image")


class ProductError(ValueError):
    """A message the operator may see."""


@dataclasses.dataclass
class ProductRow:
    """A product as the console's list shows it."""

    id: int = 0
    slug: str = ""
    name: str = ""
    price: str = ""
    stock: str = ""
    active: bool = True
    image: str = ""
    srcset: str = ""  # the picture's smaller copies (rxshop/images.py)
    delivery: str = ""  # "file: x.pdf", "link", or "" (nothing to deliver yet)


@dataclasses.dataclass
class ProductForm:
    """The edit form's fields, as text (what the browser sends)."""

    id: int = 0
    name: str = ""
    description: str = ""
    price: str = ""
    currency: str = "usd"
    stock: str = ""  # empty = unlimited
    active: bool = True
    delivery_url: str = ""
    image: str = ""


def parse_money(text: object, currency: str) -> int:
    """'12.50' in usd -> 1250. Exact decimal arithmetic; more decimals than the currency has are refused."""
    if not isinstance(text, str | int) or isinstance(text, bool):
        raise ProductError("Enter a price, e.g. 12.50.")
    cleaned = str(text).strip().replace(",", "").lstrip("$€£¥").strip()
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ProductError("Enter a price as a number, e.g. 12.50.") from None
    if not amount.is_finite() or amount < 0:
        raise ProductError("A price is zero or more.")
    if amount > MAX_PRICE_UNITS:
        raise ProductError(f"A price is at most {MAX_PRICE_UNITS:,}.")
    digits = get_currency_precision(currency.upper())
    minor = amount.scaleb(digits)
    if minor != minor.to_integral_value():
        raise ProductError(f"{currency.upper()} prices have at most {digits} decimal places.")
    return int(minor)


def money_text(cents: int, currency: str) -> str:
    """Integer minor units back to the text the form shows: 1250 -> '12.50'."""
    digits = get_currency_precision(currency.upper())
    return f"{Decimal(cents).scaleb(-digits):.{digits}f}"


def parse_currency(text: object) -> str:
    code = text.strip().upper() if isinstance(text, str) else ""
    if len(code) != 3 or code not in list_currencies():
        raise ProductError("Enter a currency as a 3-letter ISO code, e.g. usd.")
    return code.lower()


def parse_stock(text: object) -> int | None:
    if text is None or (isinstance(text, str) and text.strip() == ""):
        return None
    try:
        stock = int(str(text).strip())
    except ValueError:
        raise ProductError("Stock is a whole number, or empty for unlimited.") from None
    if not 0 <= stock <= MAX_STOCK:
        raise ProductError(f"Stock is 0 to {MAX_STOCK:,}, or empty for unlimited.")
    return stock


def parse_url(text: object) -> str:
    url = text.strip() if isinstance(text, str) else ""
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc or len(url) > 2000:
        raise ProductError("The external download link is an http(s) URL.")
    return url


def _text(value: object, field: str, max_len: int, required: bool = False) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        raise ProductError(f"Enter a {field}.")
    if len(text) > max_len:
        raise ProductError(f"The {field} is at most {max_len} characters.")
    return text


def validate(form: dict) -> dict:
    """Untrusted form fields -> clean column values (raises ProductError with a message for the operator)."""
    if not isinstance(form, dict):
        raise ProductError("Nothing to save.")
    currency = parse_currency(form.get("currency", ""))
    return {
        "name": _text(form.get("name"), "name", 120, required=True),
        "description": _text(form.get("description"), "description", 5000),
        "price_cents": parse_money(form.get("price"), currency),
        "currency": currency,
        "stock": parse_stock(form.get("stock")),
        "active": form.get("active") in (True, "on", "true", "1"),
        "delivery_url": parse_url(form.get("delivery_url")),
    }


def _unique_slug(db: Session, name: str) -> str:
    from slugify import slugify  # operators only: not at every start

    base = slugify(name, max_length=70) or "product"
    slug, n = base, 1
    while db.exec(select(Product.id).where(Product.slug == slug)).first() is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def _describe(values: dict) -> dict:
    return {k: (format_money(v, values.get("currency", "usd")) if k == "price_cents" else v)
            for k, v in values.items()}


def save(db: Session, who, product_id: int, values: dict) -> Product:
    """Create (product_id 0) or update a product with validated values; audited. Products are never deleted:
    past orders keep their own copy of name and price, and deactivating only hides a product from sale."""
    if product_id:
        product = db.get(Product, product_id)
        if product is None:
            raise ProductError("That product does not exist.")
        changed = {k: v for k, v in values.items() if getattr(product, k) != v}
        if not changed:
            return product
        before = {k: getattr(product, k) for k in changed}
        for k, v in changed.items():
            setattr(product, k, v)
        product.updated_at = utcnow()
        db.add(product)
        db.flush()
        record(db, who, "product.update", f"product:{product.id}",
               "; ".join(f"{k}: {_describe({k: before[k], 'currency': product.currency})[k]!r} → "
                         f"{_describe({k: v, 'currency': product.currency})[k]!r}" for k, v in changed.items()))
    else:
        product = Product(slug=_unique_slug(db, values["name"]), **values)
        db.add(product)
        db.flush()
        record(db, who, "product.create", f"product:{product.id}",
               f"{product.name}, {format_money(product.price_cents, product.currency)}")
    db.commit()
    return product


def form_for(product: Product | None, default_currency: str) -> ProductForm:
    if product is None:
        return ProductForm(currency=default_currency)
    return ProductForm(id=product.id, name=product.name, description=product.description,
                       price=money_text(product.price_cents, product.currency), currency=product.currency,
                       stock="" if product.stock is None else str(product.stock), active=product.active,
                       delivery_url=product.delivery_url, image=product.image)


def search(db: Session, text: object, limit: int = 200) -> list[Product]:
    q = select(Product).order_by(col(Product.id).desc()).limit(limit)
    term = text.strip()[:100] if isinstance(text, str) else ""
    if term:
        like = f"%{term}%"
        q = q.where(or_(col(Product.name).ilike(like), col(Product.slug).ilike(like),
                        col(Product.description).ilike(like)))
    return list(db.exec(q))


def to_row(product: Product, file_name: str = "") -> ProductRow:
    return ProductRow(id=product.id, slug=product.slug, name=product.name,
                      price=format_money(product.price_cents, product.currency),
                      stock="unlimited" if product.stock is None else str(product.stock),
                      active=product.active, image=product.image, srcset=images.srcset(product.image),
                      delivery=f"file: {file_name}" if file_name else ("link" if product.delivery_url else ""))


def set_image(db: Session, who, product_id: int, url: str) -> Product:
    product = db.get(Product, product_id)
    if product is None:
        raise ProductError("Save the product first.")
    product.image, product.updated_at = url, utcnow()
    db.add(product)
    record(db, who, "product.image", f"product:{product.id}", url)
    db.commit()
    return product


def set_file(db: Session, who, product_id: int, stored_name: str, filename: str, size: int,
             content_type: str) -> str:
    """Attach an uploaded file to a product (replacing any earlier one); returns the replaced stored name."""
    from ..models import ProductFile

    if db.get(Product, product_id) is None:
        raise ProductError("Save the product first.")
    row = db.exec(select(ProductFile).where(ProductFile.product_id == product_id)).first()
    old = row.stored_name if row else ""
    row = row or ProductFile(product_id=product_id, stored_name=stored_name, filename=filename)
    row.stored_name, row.filename, row.size, row.content_type, row.uploaded_at = (
        stored_name, filename, size, content_type[:100] or "application/octet-stream", utcnow())
    db.add(row)
    record(db, who, "product.file", f"product:{product_id}", f"{filename} ({size:,} bytes)")
    db.commit()
    return old


def file_names(db: Session, product_ids: list[int]) -> dict[int, str]:
    from ..models import ProductFile

    if not product_ids:
        return {}
    rows = db.exec(select(ProductFile).where(col(ProductFile.product_id).in_(product_ids)))
    return {r.product_id: r.filename for r in rows}
