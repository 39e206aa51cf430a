"""What search engines and link previews read: descriptions, canonical URLs, Open Graph and Twitter cards,
schema.org JSON-LD, sitemap.xml and robots.txt. Plain Python: no Reflex; callers pass what the database holds."""
from __future__ import annotations

import html
import json
from datetime import datetime, timezone
from urllib.parse import quote
from xml.etree import ElementTree as ET

from . import routes
from .catalog import to_card
from .models import Product
from .money import decimal_amount, format_money

# Pages for one shopper only: never indexed (meta robots / X-Robots-Tag) and kept out by robots.txt.
PRIVATE_PREFIXES = (routes.CART, routes.EXPRESS, routes.ORDER.rsplit("/", 1)[0], routes.ADMIN)
NOINDEX = "noindex, nofollow"
DESCRIPTION_MAX = 160


def is_private(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") or path.startswith(p + "?") for p in PRIVATE_PREFIXES)


def product_path(slug: str) -> str:
    return routes.product(quote(slug, safe=""))


def absolute(base_url: str, path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return base_url.rstrip("/") + "/" + path.lstrip("/")


def summary(text: str, limit: int = DESCRIPTION_MAX) -> str:
    """One line of at most `limit` characters, cut at a word with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.") + "…"


def _meta(attr: str, key: str, content: str) -> str:
    return f'<meta {attr}="{html.escape(key)}" content="{html.escape(content)}"/>'


def _json_ld(data: dict) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return '<script type="application/ld+json">' + text.replace("<", "\\u003c") + "</script>"


def _card_tags(*, kind: str, title: str, description: str, url: str, image: str, site: str) -> list[str]:
    tags = [
        f'<link rel="canonical" href="{html.escape(url)}"/>',
        _meta("name", "description", description),
        _meta("property", "og:type", kind),
        _meta("property", "og:site_name", site),
        _meta("property", "og:title", title),
        _meta("property", "og:description", description),
        _meta("property", "og:url", url),
        _meta("name", "twitter:card", "summary_large_image" if image else "summary"),
        _meta("name", "twitter:title", title),
        _meta("name", "twitter:description", description),
    ]
    if image:
        tags += [_meta("property", "og:image", image), _meta("name", "twitter:image", image)]
    return tags


def product_json_ld(product: Product, base_url: str) -> dict:
    url = absolute(base_url, product_path(product.slug))
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name,
        "description": product.description,
        "sku": product.slug,
        "url": url,
        "offers": {
            "@type": "Offer",
            "url": url,
            "price": decimal_amount(product.price_cents, product.currency),
            "priceCurrency": product.currency.upper(),
            "availability": "https://schema.org/" + ("InStock" if to_card(product).available else "OutOfStock"),
        },
    }
    if product.image:
        data["image"] = absolute(base_url, product.image)
    return data


def product_head(product: Product, base_url: str, site: str) -> str:
    """The <head> tags of a product page (its <title> is the page's own, see rxshop/pages/product.py)."""
    image = absolute(base_url, product.image) if product.image else ""
    tags = _card_tags(kind="product", title=product.name, description=summary(product.description or product.name),
                      url=absolute(base_url, product_path(product.slug)), image=image, site=site)
    tags += [
        _meta("property", "product:price:amount", decimal_amount(product.price_cents, product.currency)),
        _meta("property", "product:price:currency", product.currency.upper()),
        _meta("name", "twitter:label1", "Price"),
        _meta("name", "twitter:data1", format_money(product.price_cents, product.currency)),
        _json_ld(product_json_ld(product, base_url)),
    ]
    return "".join(tags)


def catalog_description(site: str, count: int) -> str:
    return summary(f"{site} sells digital goods: {count} products, from ebooks and music to fonts and presets, "
                   "delivered by download link right after you pay.")


def catalog_json_ld(products: list[Product], base_url: str, site: str) -> dict:
    return {
        "@context": "https://schema.org",
        "@type": "ItemList",
        "name": site,
        "url": absolute(base_url, routes.INDEX),
        "numberOfItems": len(products),
        "itemListElement": [
            {"@type": "ListItem", "position": i, "url": absolute(base_url, product_path(p.slug)), "name": p.name}
            for i, p in enumerate(products, start=1)
        ],
    }


def catalog_head(products: list[Product], base_url: str, site: str) -> str:
    first_image = next((p.image for p in products if p.image), "")
    tags = _card_tags(kind="website", title=site, description=catalog_description(site, len(products)),
                      url=absolute(base_url, routes.INDEX), image=absolute(base_url, first_image) if first_image else "",
                      site=site)
    return "".join(tags) + _json_ld(catalog_json_ld(products, base_url, site))


def noindex_meta() -> dict[str, str]:
    """For `rx.page(meta=[...])` of a private page."""
    return {"name": "robots", "content": NOINDEX}


def noindex_tag() -> str:
    return _meta("name", "robots", NOINDEX)


def _w3c(moment: datetime) -> str:
    if moment.tzinfo is None:  # stored as UTC (SQLite drops the zone)
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def sitemap_xml(products: list[Product], base_url: str) -> str:
    """The catalog and every active product, each with its last change."""
    urlset = ET.Element("urlset", xmlns="http://www.sitemaps.org/schemas/sitemap/0.9")

    def add(path: str, changed: datetime | None) -> None:
        url = ET.SubElement(urlset, "url")
        ET.SubElement(url, "loc").text = absolute(base_url, path)
        if changed is not None:
            ET.SubElement(url, "lastmod").text = _w3c(changed)

    add(routes.INDEX, max((p.updated_at for p in products), default=None, key=lambda d: _w3c(d)))
    for p in products:
        add(product_path(p.slug), p.updated_at)
    return ET.tostring(urlset, encoding="unicode", xml_declaration=True) + "\n"


def robots_txt(base_url: str) -> str:
    lines = ["User-agent: *", *(f"Disallow: {p}" for p in PRIVATE_PREFIXES), "",
             f"Sitemap: {absolute(base_url, routes.SITEMAP)}", ""]
    return "\n".join(lines)
