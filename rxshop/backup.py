"""Backups of the shop's database, and restoring one.

    python -m rxshop.backup [backup] [--out FILE]     # SQLite: online backup API; PostgreSQL: pg_dump (custom format)
    python -m rxshop.backup restore FILE              # SQLite: copied back page by page; PostgreSQL: pg_restore --clean

The database is REFLEX_DB_URL (or --db URL). A PostgreSQL password is passed to pg_dump/pg_restore through the
environment (PGPASSWORD), never on their command line. Restore replaces what the database holds now.
"""
from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy.engine import URL, make_url

ROOT = Path(__file__).resolve().parent.parent


def database_url(explicit: str | None = None) -> URL:
    if explicit:
        return make_url(explicit)
    if os.environ.get("REFLEX_DB_URL"):
        return make_url(os.environ["REFLEX_DB_URL"])
    sys.path.insert(0, str(ROOT))  # rxconfig.py holds the default (a SQLite file beside it)
    from rxconfig import config

    return make_url(config.db_url)


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise SystemExit("backup: an in-memory SQLite database can't be backed up")
    return Path(url.database)


def _pg_env(url: URL) -> dict[str, str]:
    env = dict(os.environ)
    for var, value in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username),
                       ("PGPASSWORD", url.password), ("PGDATABASE", url.database)):
        if value is not None:
            env[var] = str(value)
    return env


def _run(cmd: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{cmd[0]} failed ({done.returncode}): {done.stderr.strip()}")


def backup(url: URL, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        src = sqlite3.connect(_sqlite_path(url))
        dst = sqlite3.connect(out)
        try:
            src.backup(dst)  # consistent even while the shop writes
        finally:
            dst.close()
            src.close()
    elif url.get_backend_name() == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(out)], _pg_env(url))
    else:
        raise SystemExit(f"backup: no backup method for {url.get_backend_name()}")
    return out


def restore(url: URL, src: Path) -> None:
    if not src.exists():
        raise SystemExit(f"restore: {src} does not exist")
    if url.get_backend_name() == "sqlite":
        path = _sqlite_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
        target = sqlite3.connect(path)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
    elif url.get_backend_name() == "postgresql":
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
              "--dbname", url.database or "", str(src)], _pg_env(url))
    else:
        raise SystemExit(f"restore: no restore method for {url.get_backend_name()}")


def default_name(url: URL) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    suffix = "sqlite" if url.get_backend_name() == "sqlite" else "dump"
    return ROOT / "var" / "backups" / f"rxshop-{stamp}.{suffix}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m rxshop.backup", description=__doc__.splitlines()[0])
    ap.add_argument("action", nargs="?", default="backup", choices=["backup", "restore"])
    ap.add_argument("file", nargs="?", help="restore: the backup file; backup: where to write it")
    ap.add_argument("--out", help="backup: where to write it (default var/backups/rxshop-<UTC time>.*)")
    ap.add_argument("--db", help="database URL (default REFLEX_DB_URL, else rxconfig.py's)")
    args = ap.parse_args(argv)
    url = database_url(args.db)
    if args.action == "backup":
        out = backup(url, Path(args.out or args.file or default_name(url)))
        print(f"backup written: {out}")
    else:
        if not args.file:
            ap.error("restore needs the backup file")
        restore(url, Path(args.file))
        print(f"restored {args.file} into the {url.get_backend_name()} database {url.database}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
