"""Build the production frontend only when something it is made of changed, so a start doesn't rebuild it.

    python scripts/frontend.py --port 3000      # builds if needed; prints "frontend: up to date" or "frontend: built"

What the build depends on, all hashed into a stamp kept beside the build (.web/rxshop-build.stamp): the app's
sources (rxshop/, rxconfig.py), assets/, the pinned frontend packages (reflex.lock/), requirements.txt, the
address the pages' scripts call back (REFLEX_API_URL, from the port), and the catalog's version in the database
(product cards are prerendered into the HTML). `reflex run --env prod` rebuilds every time; this doesn't.
It also writes the app's bytecode, which imports skip when PYTHONDONTWRITEBYTECODE is set.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
INPUTS = ["rxconfig.py", "requirements.txt", "rxshop", "assets", "reflex.lock"]
STAMP = ROOT / ".web" / "rxshop-build.stamp"
BUILT = ROOT / ".web" / "build" / "client" / "index.html"


def _files():
    for name in INPUTS:
        path = ROOT / name
        if path.is_file():
            yield path
        elif path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def catalog_version(db_url: str) -> str:
    """The version the database triggers bump on every product change ("" when there is none yet)."""
    import sqlalchemy as sa

    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            return str(conn.execute(sa.text("SELECT version FROM catalogversion WHERE id = 1")).scalar())
    except sa.exc.SQLAlchemyError:
        return ""
    finally:
        engine.dispose()


def fingerprint(env: dict) -> str:
    h = hashlib.sha256()
    for path in _files():
        data = path.read_bytes()
        if path.suffix == ".json":  # Reflex rewrites reflex.lock/package.json in another layout: hash its meaning
            data = json.dumps(json.loads(data), sort_keys=True).encode()
        h.update(str(path.relative_to(ROOT)).encode() + b"\0" + data + b"\0")
    h.update(env.get("REFLEX_API_URL", "").encode() + b"\0")
    h.update(catalog_version(env.get("REFLEX_DB_URL") or f"sqlite:///{ROOT / 'rxshop.db'}").encode())
    return h.hexdigest()


def api_env(env: dict, port: int | str) -> dict:
    """The environment the frontend is built for: its scripts call the backend on this port of localhost."""
    return {**env, "REFLEX_API_URL": env.get("REFLEX_API_URL") or f"http://localhost:{port}"}


def compile_bytecode() -> None:
    """Write the app's bytecode now (only files that changed), so a start doesn't compile ~90 modules from source
    when PYTHONDONTWRITEBYTECODE is set (the import system then never caches it; py_compile still writes)."""
    import compileall

    compileall.compile_dir(ROOT / "rxshop", quiet=1)
    compileall.compile_file(ROOT / "rxconfig.py", quiet=1)


def ensure_built(env: dict, port: int | str) -> bool:
    """Build the frontend if its inputs changed since the last build. Returns whether it built."""
    env = api_env(env, port)
    compile_bytecode()
    if BUILT.exists() and STAMP.exists() and STAMP.read_text() == fingerprint(env):
        return False
    STAMP.unlink(missing_ok=True)
    subprocess.run([str(BIN / "reflex"), "export", "--frontend-only", "--no-zip", "--env", "prod"],
                   cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    STAMP.write_text(fingerprint(env))  # after the build: it may rewrite reflex.lock/
    return True


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", default=os.environ.get("RXSHOP_PORT", "3000"))
    args = ap.parse_args()
    print("frontend: built" if ensure_built(dict(os.environ), args.port) else "frontend: up to date", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
