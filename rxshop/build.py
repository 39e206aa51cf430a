"""Build-time tweaks of the production frontend (a Reflex plugin; see rxconfig.py)."""
from __future__ import annotations

import json
import re
from pathlib import Path

from reflex_base.plugins.base import Plugin

_MODULE_SCRIPT = re.compile(r'<script type="module" async="">(.*?)</script>', re.S)
_PAINT_FIRST = (
    "<script>requestAnimationFrame(function(){setTimeout(function(){"
    "var s=document.createElement('script');s.type='module';s.textContent=%s;document.body.appendChild(s)"
    "},0)})</script>"
)


def paint_first(html: str) -> str:
    """Start the app's module scripts after the first paint instead of before it.

    The prerendered page already holds the catalog, but on a fast connection Chromium runs the module scripts
    (React, hydration) before it paints, which delays the first paint by 100-200 ms. Deferring them by one frame
    shows the prerendered products first; hydration follows right after.
    """
    def swap(m: re.Match) -> str:
        return _PAINT_FIRST % json.dumps(m.group(1)).replace("</", "<\\/")

    return _MODULE_SCRIPT.sub(swap, html, count=1)


class PaintFirstPlugin(Plugin):
    def post_build(self, static_dir: Path, **_context) -> None:
        for page in Path(static_dir).rglob("*.html"):
            text = page.read_text()
            new = paint_first(text)
            if new != text:
                page.write_text(new)
