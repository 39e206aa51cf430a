"""Product pages in the HTML (template filling) and what crawlers read (head tags, JSON-LD, sitemap, robots)."""
import dataclasses
import json
from datetime import datetime, timezone
from html.parser import HTMLParser
from xml.etree import ElementTree as ET

import pytest
from sqlmodel import update

from rxshop import build, catalog, product_html, seo
from rxshop.models import Product

BASE = "https://shop.example"


class Tags(HTMLParser):
    """Start tags with their attributes, and the text of each <script>."""

    def __init__(self, text: str):
        super().__init__()
        self.tags, self.scripts, self._in = [], [], None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in = dict(attrs) if tag == "script" else None

    def handle_data(self, data):
        if self._in is not None:
            self.scripts.append((self._in, data))

    def meta(self, key: str) -> str | None:
        for tag, a in self.tags:
            if tag == "meta" and key in (a.get("name"), a.get("property")):
                return a["content"]
        return None


def template(*markup: str) -> str:
    return f"<html><head><title>__RXSHOP_NAME__ · rxshop</title></head><body>{''.join(markup)}</body></html>"


def card(**kw) -> catalog.ProductCard:
    values = dict(id=7, slug="mug", name="Mug", description="A mug.", price="$12.00", image="/products/mug.svg")
    return catalog.ProductCard(**{**values, **kw})


def test_fill_puts_escaped_values_in_text_and_attributes_and_the_same_values_as_json():
    tricky = card(name='Tom & "Jerry" <b>', description="__RXSHOP_PRICE__ stays as written")
    page = product_html.fill(template('<img alt="__RXSHOP_NAME__" src="__RXSHOP_IMAGE__"/>',
                                      "<h1>__RXSHOP_NAME__</h1><p>__RXSHOP_DESCRIPTION__</p>"), "mug", tricky,
                             head='<meta name="x" content="y"/>')
    parsed = Tags(page)
    assert ("img", {"alt": 'Tom & "Jerry" <b>', "src": "/products/mug.svg"}) in parsed.tags
    assert "<h1>Tom &amp; &quot;Jerry&quot; &lt;b&gt;</h1>" in page
    assert "<p>__RXSHOP_PRICE__ stays as written</p>" in page  # one pass: a value is never read as a token
    assert parsed.meta("x") == "y"
    (attrs, data), = [s for s in parsed.scripts if s[0].get("id") == product_html.DATA_ID]
    assert attrs["type"] == "application/json" and "<b>" not in data
    assert json.loads(data) == {"slug": "mug", "found": True, "product": product_html.page_data("mug", tricky)["product"]}


def test_fill_for_a_missing_product_says_not_found_and_refuses_unknown_tokens():
    page = product_html.fill(template("<h1>Not found</h1>").replace("__RXSHOP_NAME__", "Not found"), "x</script>", None)
    (_, data), = [s for s in Tags(page).scripts if s[0].get("id") == product_html.DATA_ID]
    assert json.loads(data)["found"] is False and json.loads(data)["slug"] == "x</script>"
    with pytest.raises(ValueError):
        product_html.fill(template("<p>__RXSHOP_NOPE__</p>"), "mug", card())


def test_each_product_shape_has_its_template_and_every_text_of_a_card_is_a_token():
    assert product_html.template_for(None) == product_html.MISSING
    assert product_html.template_for(card(available=True)) == product_html.IN_STOCK
    assert product_html.template_for(card(available=False)) == product_html.SOLD_OUT
    stand_in = product_html.template_data()[product_html.IN_STOCK]["product"]
    texts = {k for k, v in catalog.ProductCard().__dict__.items() if isinstance(v, str)}
    assert {k for k, v in stand_in.items() if v == product_html.token(k)} == texts
    assert product_html.template_data()[product_html.SOLD_OUT]["product"]["available"] is False
    assert product_html.template_data()[product_html.MISSING]["found"] is False
    # a card field that is neither text nor these two may shape the page's markup: product_html needs a look then
    others = {f.name: f.type for f in dataclasses.fields(catalog.ProductCard) if f.type not in (str, "str")}
    assert others == {"id": "int", "available": "bool"}


def test_the_build_prerenders_the_templates_only_when_it_prerenders():
    prod = 'export default {"ssr": false, "prerender": true, "build": "build"};'
    out = build.prerender_templates(prod)
    for slug in product_html.TEMPLATE_SLUGS:
        assert f'"/product/{slug}"' in out
    assert "getStaticPaths()" in out
    dev = 'export default {"ssr": false};'
    assert build.prerender_templates(dev) == dev
    assert "__rxshop_in_stock__" in build.served_module()


def test_the_build_drops_reflexs_placeholder_image_and_marks_private_pages_noindex(tmp_path):
    page = '<html><head><meta content="favicon.ico" property="og:image"/></head><body></body></html>'
    files = {"index.html": False, "cart.html": True, "cart/index.html": True, "admin/login.html": True,
             "orders.html": True, "product/__rxshop_in_stock__/index.html": False, "__spa-fallback.html": True,
             "reindex.html": False}
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(page)
    build.ProductPagesPlugin().post_build(static_dir=tmp_path)
    build.ProductPagesPlugin().post_build(static_dir=tmp_path)  # twice: still one tag
    for name, private in files.items():
        parsed = Tags((tmp_path / name).read_text())
        assert parsed.meta("og:image") is None
        assert parsed.meta("robots") == (seo.NOINDEX if private else None), name
        assert (tmp_path / name).read_text().count("robots") == int(private)
    assert build.url_path(tmp_path, tmp_path / "reindex.html") == "/reindex"


@pytest.fixture
def mug(db):
    p = Product(slug="mug", name="Mug & Co", description="A big mug. " * 30, price_cents=1250,
                image="/products/mug.svg", stock=0)
    db.add(p)
    db.commit()
    return p


def test_product_head_has_canonical_description_cards_price_and_json_ld(mug):
    parsed = Tags(seo.product_head(mug, BASE, "rxshop"))
    assert ("link", {"rel": "canonical", "href": f"{BASE}/product/mug"}) in parsed.tags
    description = parsed.meta("description")
    assert len(description) <= seo.DESCRIPTION_MAX and description.startswith("A big mug.") and description[-1] == "…"
    assert parsed.meta("og:title") == parsed.meta("twitter:title") == "Mug & Co"
    assert parsed.meta("og:image") == parsed.meta("twitter:image") == f"{BASE}/products/mug.svg"
    assert parsed.meta("og:url") == f"{BASE}/product/mug" and parsed.meta("og:type") == "product"
    assert parsed.meta("product:price:amount") == "12.50" and parsed.meta("product:price:currency") == "USD"
    assert parsed.meta("twitter:data1") == "$12.50"
    (_, data), = [s for s in parsed.scripts if s[0].get("type") == "application/ld+json"]
    ld = json.loads(data)
    assert ld["@type"] == "Product" and ld["name"] == "Mug & Co" and ld["image"] == f"{BASE}/products/mug.svg"
    assert ld["offers"] == {"@type": "Offer", "url": f"{BASE}/product/mug", "price": "12.50", "priceCurrency": "USD",
                            "availability": "https://schema.org/OutOfStock"}


def test_json_ld_cannot_close_its_script_and_availability_follows_stock(mug):
    mug.name, mug.stock = "</script><script>alert(1)</script>", None
    head = seo.product_head(mug, BASE, "rxshop")
    assert "</script><script>alert" not in head
    (_, data), = [s for s in Tags(head).scripts if s[0].get("type") == "application/ld+json"]
    assert json.loads(data)["name"] == mug.name
    assert json.loads(data)["offers"]["availability"] == "https://schema.org/InStock"


def test_catalog_head_lists_every_product(db, products):
    active = catalog.list_active(db)
    parsed = Tags(seo.catalog_head(active, BASE, "rxshop"))
    assert ("link", {"rel": "canonical", "href": f"{BASE}/"}) in parsed.tags
    assert parsed.meta("og:type") == "website" and parsed.meta("description")
    (_, data), = [s for s in parsed.scripts if s[0].get("type") == "application/ld+json"]
    ld = json.loads(data)
    assert ld["@type"] == "ItemList" and ld["numberOfItems"] == len(active)
    assert [e["url"] for e in ld["itemListElement"]] == [f"{BASE}/product/{p.slug}" for p in active]


def test_sitemap_lists_the_catalog_and_active_products_with_their_last_change(db, products):
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    before = ET.fromstring(seo.sitemap_xml(catalog.list_active(db), BASE))
    locs = [u.findtext("s:loc", namespaces=ns) for u in before.findall("s:url", ns)]
    assert locs == [f"{BASE}/", *(f"{BASE}/product/{s}" for s in ("mug", "book", "limited", "gone"))]
    long_ago = datetime(2020, 1, 1, tzinfo=timezone.utc)
    db.exec(update(Product).values(updated_at=long_ago))  # an explicit value wins over the automatic one
    db.commit()
    mug = db.get(Product, products["mug"])
    db.refresh(mug)
    assert mug.updated_at == long_ago
    mug.name = "Mug 2"
    db.add(mug)
    db.commit()
    db.refresh(mug)
    assert mug.updated_at > long_ago  # any other UPDATE bumps the last change
    after = ET.fromstring(seo.sitemap_xml(catalog.list_active(db), BASE))
    lastmod = {u.findtext("s:loc", namespaces=ns): u.findtext("s:lastmod", namespaces=ns)
               for u in after.findall("s:url", ns)}
    assert lastmod[f"{BASE}/product/mug"] == lastmod[f"{BASE}/"] > lastmod[f"{BASE}/product/book"]
    assert lastmod[f"{BASE}/product/book"] == "2020-01-01T00:00:00Z"


def test_robots_keeps_crawlers_out_of_private_pages_and_points_to_the_sitemap():
    text = seo.robots_txt(BASE + "/")
    for prefix in ("/cart", "/express", "/orders", "/admin"):
        assert f"Disallow: {prefix}" in text
        assert seo.is_private(prefix) and seo.is_private(prefix + "/x")
    assert f"Sitemap: {BASE}/sitemap.xml" in text
    assert not seo.is_private("/") and not seo.is_private("/product/cart") and not seo.is_private("/cartoon")
