"""Build-time tweaks of the production frontend (a Reflex plugin; see rxconfig.py)."""
from __future__ import annotations

import json
import re
from pathlib import Path

from reflex_base.plugins.base import Plugin

from . import product_html, seo

_MODULE_SCRIPT = re.compile(r'<script type="module" async="">(.*?)</script>', re.S)
_MODULE_PRELOAD = re.compile(r'<link rel="modulepreload" href="([^"]+)"/>')
_IMAGE_PRELOAD = re.compile(r'<link rel="preload" as="image" [^>]*/>')  # with href, or imageSrcSet
_PAINT_FIRST = (
    "<script>requestAnimationFrame(function(){setTimeout(function(){var d=document;"
    "%s.forEach(function(h){var l=d.createElement('link');l.rel='modulepreload';l.href=h;d.head.appendChild(l)});"
    "var s=d.createElement('script');s.type='module';s.textContent=%s;d.body.appendChild(s)"
    "},0)})</script>"
)


def _js(value) -> str:
    return json.dumps(value).replace("</", "<\\/")


def paint_first(html: str) -> str:
    """Fetch and start the app's module scripts after the first frame (its layout and paint on the main thread;
    one frame later cost hydration more than it gained, README step 30) instead of before it.

    The prerendered page already holds the catalog, but on a fast connection Chromium fetches, compiles and runs
    the module scripts (React, hydration) before it paints, competing with the first frame on a small machine.
    Deferring them (and their preloads) by one frame shows the prerendered products first; hydration follows.
    The images still load from the <img> tags themselves, so their preload hints are dropped too.
    """
    module = _MODULE_SCRIPT.search(html)
    if module is None:
        return html
    preloads = _MODULE_PRELOAD.findall(html)
    html = _IMAGE_PRELOAD.sub("", _MODULE_PRELOAD.sub("", html))
    module = _MODULE_SCRIPT.search(html)
    return html[:module.start()] + _PAINT_FIRST % (_js(preloads), _js(module.group(1))) + html[module.end():]


class PaintFirstPlugin(Plugin):
    def post_build(self, static_dir: Path, **_context) -> None:
        for page in Path(static_dir).rglob("*.html"):
            text = page.read_text()
            new = paint_first(text)
            if new != text:
                page.write_text(new)


SERVED_MODULE = "utils/rxshop_served.js"  # under .web/; imported by rxshop/components/served.py
_SERVED_JS = """// Written by rxshop/build.py: the product a product page shows before its state has loaded.
const TEMPLATES = %s;
let embedded;
export function servedPage(slug) {
  if (typeof document === "undefined") return TEMPLATES[slug];  // prerendering a template path
  if (embedded === undefined) {
    const el = document.getElementById(%s);
    embedded = el ? JSON.parse(el.textContent) : null;
  }
  return embedded && embedded.slug === slug ? embedded : undefined;
}
"""


def served_module() -> str:
    return _SERVED_JS % (product_html.json_for_html(product_html.template_data()), _js(product_html.DATA_ID))


def prerender_templates(config_js: str) -> str:
    """Prerender the product route at its template paths too (react-router.config.js: `prerender: true` means
    every static path; a function may add more)."""
    marker = '"prerender": true'
    if marker not in config_js:  # dev mode: nothing is prerendered
        return config_js
    paths = [product_html.template_path(slug) for slug in product_html.TEMPLATE_SLUGS]
    return config_js.replace(
        marker, '"prerender": async ({getStaticPaths}) => [...getStaticPaths(), ...%s]' % json.dumps(paths))


# Reflex gives every page <meta property="og:image" content="favicon.ico">: the pages worth sharing get real Open
# Graph tags from the server (rxshop/seo.py), so this placeholder goes.
_DEFAULT_OG_IMAGE = re.compile(r'<meta content="[^"]*" property="og:image"/>')
_SPA_FALLBACK = "__spa-fallback.html"  # Reflex copies it to 404.html after the plugins ran


def url_path(static_dir: Path, page: Path) -> str:
    """The URL path a prerendered file answers: cart.html and cart/index.html -> /cart; index.html -> /."""
    rel = page.relative_to(static_dir).as_posix().removesuffix(".html")
    return "/" + ("" if rel == "index" else rel.removesuffix("/index"))


def seo_tweaks(html: str, noindex: bool) -> str:
    html = _DEFAULT_OG_IMAGE.sub("", html)
    tag = seo.noindex_tag()
    if noindex and tag not in html:
        html = html.replace("</head>", tag + "</head>", 1)
    return html


class ProductPagesPlugin(Plugin):
    """Product pages in the HTML for any product (see rxshop/product_html.py); what crawlers see of the others."""

    def pre_compile(self, **context) -> None:
        context["add_save_task"](lambda: (SERVED_MODULE, served_module()))
        context["add_modify_task"]("react-router.config.js", prerender_templates)

    def post_build(self, static_dir: Path, **_context) -> None:
        static_dir = Path(static_dir)
        for page in static_dir.rglob("*.html"):
            # Private pages are noindex, and so is the SPA fallback: an empty shell served for unknown paths (404)
            # and for dynamic routes without a file of their own (/orders/<number>). Product pages don't use it.
            noindex = page.name == _SPA_FALLBACK or seo.is_private(url_path(static_dir, page))
            text = page.read_text()
            new = seo_tweaks(text, noindex)
            if new != text:
                page.write_text(new)
