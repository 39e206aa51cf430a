"""Serve the re-created proof of concept (bench/original/poc) the way it was measured: gunicorn, 2 sync workers,
DEBUG off, SQLite holding its one product. Run with the interpreter of its own venv (.tools/original):

    .tools/original/bin/python bench/original/serve.py --port 8000 --db var/poc.sqlite3 \
        --stripe-api-base http://127.0.0.1:12111 --stripe-js-url http://127.0.0.1:12111/v3/
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--stripe-api-base", default="")
    ap.add_argument("--stripe-js-url", default="")
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    os.environ.update(POC_DB=a.db, STRIPE_API_BASE=a.stripe_api_base, STRIPE_JS_URL=a.stripe_js_url,
                      POC_DOMAIN=f"http://localhost:{a.port}", DJANGO_SETTINGS_MODULE="poc.settings")
    sys.path.insert(0, str(HERE))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", run_syncdb=True, verbosity=0)
    from poc.models import Product

    Product.objects.get_or_create(name="Test Product", defaults={"price": 1000, "url": "https://example.com/file"})
    os.chdir(HERE)
    os.execv(sys.executable, [sys.executable, "-m", "gunicorn", "--workers", str(a.workers), "--worker-class", "sync",
                              "--bind", f"127.0.0.1:{a.port}", "--log-level", "warning", "poc.wsgi:application"])


if __name__ == "__main__":
    main()
