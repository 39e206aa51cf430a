"""Build-time tweaks of the production frontend (a Reflex plugin; see rxconfig.py)."""
from __future__ import annotations

import json
import re
from pathlib import Path

from reflex_base.plugins.base import Plugin

_MODULE_SCRIPT = re.compile(r'<script type="module" async="">(.*?)</script>', re.S)
_MODULE_PRELOAD = re.compile(r'<link rel="modulepreload" href="([^"]+)"/>')
_IMAGE_PRELOAD = re.compile(r'<link rel="preload" as="image" href="[^"]+"/>')
_PAINT_FIRST = (
    "<script>requestAnimationFrame(function(){setTimeout(function(){var d=document;"
    "%s.forEach(function(h){var l=d.createElement('link');l.rel='modulepreload';l.href=h;d.head.appendChild(l)});"
    "var s=d.createElement('script');s.type='module';s.textContent=%s;d.body.appendChild(s)"
    "},0)})</script>"
)


def _js(value) -> str:
    return json.dumps(value).replace("</", "<\\/")


def paint_first(html: str) -> str:
    """Fetch and start the app's module scripts after the first paint instead of before it.

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
