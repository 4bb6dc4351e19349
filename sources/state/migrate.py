"""Versioned migrations of corpcare's own state database (Alembic, ``sources/state/migrations/``).

    await upgrade(engine)   # to the newest revision (returned); run at start-up and by ``corpcare migrate``
    await reset(engine)     # empty, at the newest revision (the demo generator)

A state database made before migrations existed (its tables created straight from the
models) is recognised by the tables it has and stamped with the matching revision first.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData, inspect
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).parent / "migrations"
HEAD = "head"
# The newest revision whose tables an unversioned database holds: the last table each added.
_UNVERSIONED = (("bulk_items", "0002"), ("idempotency_keys", "0001"))


def _config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection) -> str | None:
    config = _config(connection)
    tables = set(inspect(connection).get_table_names())
    if "alembic_version" not in tables:
        revision = next((revision for table, revision in _UNVERSIONED if table in tables), None)
        if revision is not None:
            command.stamp(config, revision)
    command.upgrade(config, HEAD)
    return ScriptDirectory.from_config(config).get_current_head()


def _drop_everything(connection: Connection) -> None:
    existing = MetaData()
    existing.reflect(connection)
    existing.drop_all(connection)


async def upgrade(engine: AsyncEngine) -> str | None:
    """The database brought to the newest revision, which is returned."""
    async with engine.begin() as conn:
        return await conn.run_sync(_upgrade)


async def reset(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(_drop_everything)
        await conn.run_sync(_upgrade)


async def revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at (None: not versioned)."""

    def current(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as conn:
        return await conn.run_sync(current)
