"""The demo seeded once per test run and size, then copied for each world that needs it.

Seeding is the same work every time (``seed=7`` as of today); copying its result is a
fraction of it. The first process of the run that needs a size seeds it, under a file lock
the other workers of a parallel run wait on, as *templates*: three SQLite files in the run's
shared temporary folder, or three PostgreSQL databases named after the run. A world is then
a copy — SQLite's backup API, or ``CREATE DATABASE … TEMPLATE`` — and each copy is its own:
a test that changes data changes only its copy. The run's templates are dropped at its end.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import uuid
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from demo import seed
from tests.support import PG_ADMIN_URL, exclusive, open_engines, sqlite_urls

PARTS = ("crm", "billing", "state")
RUN_VARIABLE = "CORPCARE_TEST_RUN"  # set once by the run's first process, inherited by its workers


def run_id() -> str:
    """This test run's name, the same in every worker of a parallel run."""
    return os.environ.setdefault(RUN_VARIABLE, uuid.uuid4().hex[:10])


def template_prefix() -> str:
    return f"corpcare_tmpl_{run_id()}_"


@contextlib.asynccontextmanager
async def held(lock: Path) -> AsyncIterator[None]:
    """``exclusive``, waited for in a thread: the event loop goes on meanwhile."""
    waiting = contextlib.ExitStack()
    await asyncio.to_thread(waiting.enter_context, exclusive(lock))
    with waiting:
        yield


async def template(backend: str, lines: int, as_of: date, shared: Path) -> str:
    """The name of the run's seeded template of this size, seeded now if no process has yet."""
    name = f"{template_prefix()}{lines}_{as_of:%Y%m%d}"
    done = shared / f"{backend}-{name}.seeded"
    async with held(shared / f"{backend}-{name}.lock"):
        if not done.exists():
            if backend == "postgres":
                urls = await postgres_copy(name)
            else:
                (shared / name).mkdir(exist_ok=True)
                urls = sqlite_urls(shared / name)
            engines = open_engines(urls)
            try:
                await seed(engines, subscribers=lines, seed=7, as_of=as_of)
            finally:
                # No connection may stay on a PostgreSQL template: CREATE DATABASE refuses to copy it.
                await engines.dispose()
            done.touch()
    return str(shared / name) if backend == "sqlite" else name


async def postgres_copy(name: str, template_name: str | None = None) -> tuple[str, str, str]:
    """Fresh databases ``<name>_<part>``, each a copy of the template's (or empty)."""
    admin = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with admin.connect() as conn:
            urls = []
            for part in PARTS:
                database = f"{name}_{part}"
                source = f' TEMPLATE "{template_name}_{part}"' if template_name else ""
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
                await conn.execute(text(f'CREATE DATABASE "{database}"{source}'))
                # A commit need not wait for the disk: nothing here outlives a crash of the server.
                await conn.execute(text(f'ALTER DATABASE "{database}" SET synchronous_commit TO off'))
                urls.append(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{database}")
    finally:
        await admin.dispose()
    return urls[0], urls[1], urls[2]


def sqlite_copy(directory: Path, template_dir: str) -> tuple[str, str, str]:
    """Copies of the template's files in ``directory`` (through SQLite, so a WAL is never half-copied)."""
    for part in PARTS:
        with (
            contextlib.closing(sqlite3.connect(f"{template_dir}/{part}.db")) as source,
            contextlib.closing(sqlite3.connect(directory / f"{part}.db")) as copy,
        ):
            source.backup(copy)
    return sqlite_urls(directory)


async def drop_templates() -> None:
    """Drop this run's PostgreSQL templates (its SQLite ones go with pytest's temporary folders)."""
    admin = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with admin.connect() as conn:
            pattern = template_prefix().replace("_", r"\_") + "%"
            names = await conn.execute(text("select datname from pg_database where datname like :p"), {"p": pattern})
            for (database,) in names.all():
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
    finally:
        await admin.dispose()
