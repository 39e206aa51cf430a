"""What the load generators need from the shop, read in the shop's own environment (REFLEX_DB_URL):

    python bench/fixtures.py names            # JSON: event handler / var names, sellable product ids, a slug
    python bench/fixtures.py carts N FILE     # N fresh carts with one line each; their tokens, one per line
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def names() -> dict:
    from reflex.state import UpdateVarsInternalState
    from sqlmodel import select

    from rxshop.db import session
    from rxshop.models import Product
    from rxshop.state import CartState, CheckoutState

    with session() as s:
        products = list(s.exec(select(Product).where(Product.active == True).order_by(Product.id)))  # noqa: E712
    return {
        "add": f"{CartState.get_full_name()}.add",
        "checkout": f"{CheckoutState.get_full_name()}.start",
        "vars": f"{UpdateVarsInternalState.get_full_name()}.update_vars_internal",
        "token_var": f"{CartState.get_full_name()}.token",
        "products": [p.id for p in products if p.stock is None],
        "slug": products[0].slug,
    }


def carts(n: int, path: str) -> None:
    import sqlalchemy as sa
    from sqlmodel import select

    from rxshop.carts import new_token
    from rxshop.db import session
    from rxshop.models import Cart, CartItem, Product
    from rxshop.models.base import utcnow

    tokens = [new_token() for _ in range(n)]
    now = utcnow()
    with session() as s:
        pid = s.exec(select(Product.id).where(Product.active == True, Product.stock == None)).first()  # noqa: E711,E712
        s.execute(sa.insert(Cart), [{"token": t, "created_at": now, "updated_at": now} for t in tokens])
        ids = dict(s.execute(sa.select(Cart.token, Cart.id).where(Cart.token.in_(tokens))).all())
        s.execute(sa.insert(CartItem), [{"cart_id": ids[t], "product_id": pid, "quantity": 1, "added_at": now}
                                        for t in tokens])
        s.commit()
    Path(path).write_text("\n".join(tokens) + "\n")


if __name__ == "__main__":
    if sys.argv[1] == "names":
        print(json.dumps(names()))
    else:
        carts(int(sys.argv[2]), sys.argv[3])
