"""Alembic revisions of the shop, read without `reflex db` (which needs the CLI): is the database at head, and
bring it there. `reflex db migrate` stays the command to run; this is for health checks and tools."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import sqlalchemy

ALEMBIC_DIR = Path(__file__).resolve().parent.parent / "alembic"


@lru_cache
def heads() -> frozenset[str]:
    from alembic.script import ScriptDirectory

    return frozenset(ScriptDirectory(str(ALEMBIC_DIR)).get_heads())


def current(conn: sqlalchemy.Connection) -> frozenset[str]:
    from alembic.runtime.migration import MigrationContext

    return frozenset(MigrationContext.configure(conn).get_current_heads())


def pending(engine: sqlalchemy.Engine) -> bool:
    with engine.connect() as conn:
        return current(conn) != heads()


def upgrade(engine: sqlalchemy.Engine) -> None:
    """The same upgrade `reflex db migrate` runs, on any engine (used by tests and tools)."""
    from alembic.config import Config
    from alembic.runtime.environment import EnvironmentContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(ALEMBIC_DIR))
    with engine.begin() as conn, EnvironmentContext(
            Config(), script, fn=lambda rev, _ctx: script._upgrade_revs("heads", rev)) as env:
        env.configure(connection=conn)
        env.run_migrations()
