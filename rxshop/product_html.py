"""Product pages in the HTML, for any product, without a rebuild. Plain Python: no Reflex, no database.

The production build prerenders the product route at three template paths (see rxshop/build.py), where the page
shows a stand-in product made of tokens like ``__RXSHOP_NAME__`` (rxshop/components/served.py makes the page read
it while prerendering). A request for ``/product/<slug>`` (rxshop/api.py) picks the template for the product's
shape, replaces each token with the product's escaped value from the database and embeds the same values as JSON;
the page reads that JSON for its first client render, so React hydrates the server's HTML as it is.
"""
from __future__ import annotations

import dataclasses
import html
import json
import re

from . import routes
from .catalog import ProductCard

IN_STOCK = "__rxshop_in_stock__"
SOLD_OUT = "__rxshop_sold_out__"
MISSING = "__rxshop_missing__"
TEMPLATE_SLUGS = (IN_STOCK, SOLD_OUT, MISSING)
DATA_ID = "rxshop-page"  # id of the <script type="application/json"> that carries the page's product
# Every text of a card is a token in the templates; only `available` (and whether there is a product) shapes the markup.
_TEXT_FIELDS = tuple(f.name for f in dataclasses.fields(ProductCard) if f.type in (str, "str"))
_TOKEN = re.compile(r"__RXSHOP_([A-Z_]+?)__")


def token(field: str) -> str:
    return f"__RXSHOP_{field.upper()}__"


def template_path(slug: str) -> str:
    return routes.product(slug)


def page_data(slug: str, card: ProductCard | None) -> dict:
    """What the product page renders first: the product of `slug`, or `found: False`."""
    return {"slug": slug, "found": card is not None, "product": dataclasses.asdict(card or ProductCard())}


def template_data() -> dict[str, dict]:
    """The stand-in page of each template path, as the build renders it."""
    def stand_in(available: bool) -> ProductCard:
        return ProductCard(available=available, **{f: token(f) for f in _TEXT_FIELDS})

    return {IN_STOCK: page_data(IN_STOCK, stand_in(True)), SOLD_OUT: page_data(SOLD_OUT, stand_in(False)),
            MISSING: page_data(MISSING, None)}


def template_for(card: ProductCard | None) -> str:
    """Which template has the same markup as this product's page (what shows depends on these, not on text)."""
    if card is None:
        return MISSING
    return IN_STOCK if card.available else SOLD_OUT


def json_for_html(value) -> str:
    """JSON that is safe inside a <script> element."""
    return json.dumps(value, separators=(",", ":")).replace("<", "\\u003c").replace(">", "\\u003e")


def fill(template: str, slug: str, card: ProductCard | None, head: str = "") -> str:
    """The template with the product's values in place of the tokens, its JSON and `head` added to <head>."""
    values = dataclasses.asdict(card) if card is not None else {}

    def value(match: re.Match) -> str:
        field = match.group(1).lower()
        if field not in values:
            raise ValueError(f"template token {match.group(0)} has no product value")
        return html.escape(str(values[field]))

    filled = _TOKEN.sub(value, template)  # one pass: a value that looks like a token stays as it is
    data = f'<script type="application/json" id="{DATA_ID}">{json_for_html(page_data(slug, card))}</script>'
    at = filled.index("</head>")
    return filled[:at] + head + data + filled[at:]
