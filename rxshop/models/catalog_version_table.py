"""One row whose `version` the database itself bumps on every insert, update or delete of a product (triggers), by
any writer on any instance: the in-memory catalog compares it with the version it was read at."""
from __future__ import annotations

import secrets

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class CatalogVersion(SQLModel, table=True):
    __tablename__ = "catalogversion"

    id: int = Field(default=1, primary_key=True)
    version: int = Field(default=1, sa_type=sa.BigInteger)


BUMP = "UPDATE catalogversion SET version = version + 1 WHERE id = 1"
# Each database starts at its own random version, so a cache can't take another database's (or a re-created
# one's) catalog for its own just because both counted to the same number.
SEED_ROW = "INSERT INTO catalogversion (id, version) VALUES (1, {start})"
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER catalogversion_{op.lower()} AFTER {op} ON product BEGIN {BUMP}; END"
    for op in ("INSERT", "UPDATE", "DELETE")
]
POSTGRES_TRIGGERS = [
    "CREATE FUNCTION bump_catalogversion() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN {BUMP}; RETURN NULL; END $$",
    "CREATE TRIGGER catalogversion_bump AFTER INSERT OR UPDATE OR DELETE ON product "
    "FOR EACH STATEMENT EXECUTE FUNCTION bump_catalogversion()",
]


def install_triggers(execute, dialect: str) -> None:
    """Create the version row and the triggers (used by the migration and by `create_all` in tests)."""
    execute(SEED_ROW.format(start=secrets.randbelow(2**40) + 1))
    for ddl in SQLITE_TRIGGERS if dialect == "sqlite" else POSTGRES_TRIGGERS if dialect == "postgresql" else []:
        execute(ddl)


@sa.event.listens_for(SQLModel.metadata, "after_create")
def _after_create_all(metadata, connection, tables=(), **_) -> None:
    """`create_all` (tests): the same row and triggers as the migration, once both tables exist."""
    names = {t.name for t in tables}
    if {"catalogversion", "product"} <= names:
        install_triggers(connection.exec_driver_sql, connection.dialect.name)
