"""Reflex configuration. Only REFLEX_-prefixed env vars configure Reflex itself (see README)."""
import os
from pathlib import Path

import reflex as rx

from rxshop.build import PaintFirstPlugin, ProductPagesPlugin
from rxshop.settings import get_settings, shop_origins

ROOT = Path(__file__).resolve().parent

# The project-local bun (installed from npm by `make setup`): lets plain `reflex run` / `reflex db …` work offline.
_bun = ROOT / ".tools" / "node_modules" / "bun" / "bin" / "bun.exe"
if _bun.exists():
    os.environ.setdefault("REFLEX_BUN_PATH", str(_bun))
os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
os.environ.setdefault("REFLEX_CHECK_LATEST_VERSION", "false")

DB_URL = f"sqlite:///{ROOT / 'rxshop.db'}"
if (os.environ.get("REFLEX_DB_URL") or DB_URL).startswith("sqlite"):
    # A file has no server connection to lose: skip SQLAlchemy's ping before every use of a pooled connection.
    os.environ.setdefault("SQLALCHEMY_POOL_PRE_PING", "false")

# One process without Redis keeps tab states in memory: what must survive a restart is in the browser (cart and
# operator tokens, LocalStorage) and the database. The disk manager's pickles only cost CPU and p99 spikes (README
# "Benchmarks"). With REFLEX_REDIS_URL, Reflex's Redis manager is used instead.
STATE_MODE = {} if os.environ.get("REFLEX_REDIS_URL") else {"state_manager_mode": "memory"}

config = rx.Config(
    app_name="rxshop",
    app_module_import="rxshop.app",
    # Zero-setup default: a SQLite file beside this config. REFLEX_DB_URL overrides it (PostgreSQL for scale-out).
    db_url=DB_URL,
    # Radix Themes is left out on purpose: its 700 KB render-blocking stylesheet dominates first paint.
    # The UI is plain elements styled with Tailwind (only the classes used end up in the CSS).
    plugins=[rx.plugins.TailwindV4Plugin(), ProductPagesPlugin(), PaintFirstPlugin()],
    # sitemap.xml is served from the database (rxshop/html_pages.py), not written once at build time.
    disable_plugins=[rx.plugins.SitemapPlugin],
    show_built_with_reflex=False,
    # Reflex allows any origin (`*`, with credentials) by default; only the shop's own origin may call its
    # backend or open its websocket (RXSHOP_BASE_URL).
    cors_allowed_origins=shop_origins(get_settings()),
    telemetry_enabled=False,
    **STATE_MODE,
)
