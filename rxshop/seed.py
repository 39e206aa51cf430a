"""Idempotent demo catalog: `python -m rxshop.seed` fills the catalog only when it is empty."""
from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import Session, func, select

from .models import Product

SEED_PRODUCTS: list[dict] = json.loads((Path(__file__).parent / "seed_products.json").read_text())  # the demo catalog


def seed(session: Session) -> int:
    """Insert the demo catalog if the product table is empty. Returns how many products were added."""
    if session.exec(select(func.count()).select_from(Product)).one() > 0:
        return 0
    for data in SEED_PRODUCTS:
        session.add(Product(delivery_url=f"https://downloads.rxshop.example/{data['slug']}", **data))
    session.commit()
    return len(SEED_PRODUCTS)


def main() -> None:
    from .db import session

    with session() as s:
        added = seed(s)
    print(f"seed: {added} products added" if added else "seed: catalog already has products")


if __name__ == "__main__":
    main()
