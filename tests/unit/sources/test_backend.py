"""Real databases that cannot serve open the backend's breaker; our own bugs never move it.

Each PostgreSQL condition is made for real on a database and a role of the test's own: a
database set ``ALLOW_CONNECTIONS false`` (55000 at connect), a role past its connection limit
(53300), a database set read only (25006), a statement cancelled by ``statement_timeout`` or by
``pg_cancel_backend`` (57014), a session ended by ``pg_terminate_backend`` (57P01 or a dropped
connection). SQLite's are a file that cannot be opened and a file that is no database.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import exc, make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from core.errors import BackendBusy, BackendUnavailable
from infra.breaker import BreakerState
from sources.backend import Backend, BackendLimits
from sources.db import create_engine
from tests.support import PG_ADMIN_URL, service_missing
from tests.waiting import eventually, within

FAILURES = 3


@dataclass
class Private:
    """A database and a login role of this test module's own on the shared PostgreSQL."""

    admin: AsyncEngine
    database: str
    role: str

    def url(self, role: str | None = None) -> str:
        """The database's URL, as the tests' administrator or as ``role``."""
        url = make_url(PG_ADMIN_URL).set(database=self.database)
        return (url.set(username=role, password=None) if role else url).render_as_string(hide_password=False)

    async def run(self, sql: str) -> Any:
        async with self.admin.connect() as conn:
            result = await conn.execute(text(sql))
            return result.scalar() if result.returns_rows else None


@pytest.fixture(scope="module")
async def private() -> AsyncIterator[Private]:
    admin = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    name = f"corpcare_test_{os.getpid()}_failures"
    made = Private(admin, name, f"{name}_clerk")
    try:
        await made.run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except OSError as error:
        await admin.dispose()
        service_missing("PostgreSQL", error)
    await made.run(f'CREATE DATABASE "{name}"')
    await made.run(f'DROP ROLE IF EXISTS "{made.role}"')
    await made.run(f'CREATE ROLE "{made.role}" LOGIN')
    await made.run(f'GRANT ALL ON DATABASE "{name}" TO "{made.role}"')
    setup = create_async_engine(made.url(), poolclass=NullPool)
    async with setup.begin() as conn:
        await conn.execute(text("create table marks (n integer)"))
        await conn.execute(text(f'grant all on marks to "{made.role}"'))
    await setup.dispose()
    try:
        yield made
    finally:
        await made.run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await made.run(f'DROP ROLE IF EXISTS "{made.role}"')
        await admin.dispose()


def backend_over(engine: AsyncEngine, name: str = "billing") -> Backend:
    return Backend(name, engine, BackendLimits(call_seconds=60, breaker_failures=FAILURES))


async def select_one(backend: Backend) -> None:
    async with backend.read() as conn:
        await conn.execute(text("select 1"))


async def write_a_mark(backend: Backend) -> None:
    async with backend.begin() as conn:
        await conn.execute(text("insert into marks values (1)"))


async def unavailable(call: Any, backend: Backend) -> BackendUnavailable:
    with pytest.raises(BackendUnavailable) as refused:
        await call(backend)
    assert not isinstance(refused.value, BackendBusy)
    assert refused.value.extensions["backend"] == backend.name
    return refused.value


async def opens_after_failures(call: Any, backend: Backend) -> None:
    """``FAILURES`` calls fail as unavailable and open the breaker; the next call is refused without a try."""
    for _ in range(FAILURES):
        assert backend.breaker.state is BreakerState.CLOSED
        await unavailable(call, backend)
    assert backend.breaker.state is BreakerState.OPEN
    refused = await unavailable(select_one, backend)
    assert refused.extensions["retryAfterSeconds"] > 0


async def test_a_database_that_does_not_accept_connections_opens_the_breaker(private, caplog):
    """``ALTER DATABASE … ALLOW_CONNECTIONS false``: asyncpg's connect fails with SQLSTATE 55000.
    The first failure of the run is logged, with the driver's error and its SQLSTATE."""
    caplog.set_level(logging.WARNING, "corpcare.backend")
    engine = create_engine(private.url(), pool_size=1)
    backend = backend_over(engine)
    await private.run(f'ALTER DATABASE "{private.database}" ALLOW_CONNECTIONS false')
    try:
        await opens_after_failures(select_one, backend)
        logged = [r.getMessage() for r in caplog.records if r.name == "corpcare.backend"]
        assert len(logged) == 1, logged
        assert "billing" in logged[0] and "55000" in logged[0] and "not currently accepting" in logged[0]
    finally:
        await private.run(f'ALTER DATABASE "{private.database}" ALLOW_CONNECTIONS true')
        await engine.dispose()


async def test_a_role_past_its_connection_limit_opens_the_breaker(private):
    """``CONNECTION LIMIT 0``: "too many connections for role", SQLSTATE 53300."""
    engine = create_engine(private.url(private.role), pool_size=1)
    backend = backend_over(engine)
    await private.run(f'ALTER ROLE "{private.role}" CONNECTION LIMIT 0')
    try:
        await opens_after_failures(select_one, backend)
    finally:
        await private.run(f'ALTER ROLE "{private.role}" CONNECTION LIMIT -1')
        await engine.dispose()


async def test_writes_to_a_database_set_read_only_open_the_breaker(private):
    """``default_transaction_read_only`` (as on a standby): every write fails with SQLSTATE 25006."""
    await private.run(f'ALTER DATABASE "{private.database}" SET default_transaction_read_only = on')
    engine = create_engine(private.url(), pool_size=1)
    backend = backend_over(engine)
    try:
        await opens_after_failures(write_a_mark, backend)
    finally:
        await private.run(f'ALTER DATABASE "{private.database}" RESET default_transaction_read_only')
        await engine.dispose()


async def test_statements_cut_by_statement_timeout_open_the_breaker(private):
    """The server cancels each statement past its ``statement_timeout``: SQLSTATE 57014."""
    engine = create_async_engine(private.url(), connect_args={"server_settings": {"statement_timeout": "100"}})
    backend = backend_over(engine)

    async def sleep(backend: Backend) -> None:
        async with backend.read() as conn:
            await conn.execute(text("select pg_sleep(30)"))

    try:
        await opens_after_failures(sleep, backend)
    finally:
        await engine.dispose()


async def sessions_of(private: Private, application: str) -> list[int]:
    rows = await private.run(
        "select coalesce(array_agg(pid), '{}') from pg_stat_activity "
        f"where application_name = '{application}' and wait_event = 'PgSleep'"
    )
    return list(rows)


@pytest.mark.parametrize("stop", ["pg_cancel_backend", "pg_terminate_backend"])
async def test_statements_an_operator_cancels_or_sessions_an_operator_ends_open_the_breaker(private, stop):
    """An operator's ``pg_cancel_backend`` (57014) or ``pg_terminate_backend`` (57P01, or the
    connection found dropped) stops each statement while it runs on the server."""
    application = f"corpcare-{stop}"
    engine = create_async_engine(private.url(), connect_args={"server_settings": {"application_name": application}})
    backend = backend_over(engine)

    async def stopped_by_the_operator(backend: Backend) -> None:
        async def sleep() -> None:
            async with backend.read() as conn:
                await conn.execute(text("select pg_sleep(300)"))

        sleeping = asyncio.create_task(sleep())
        pids = await eventually(lambda: sessions_of(private, application), "the statement to run on the server")
        await private.run(f"select {stop}({pids[0]})")
        await within(sleeping)

    try:
        await opens_after_failures(stopped_by_the_operator, backend)
    finally:
        await engine.dispose()


async def test_a_statement_error_neither_opens_the_breaker_nor_counts_as_a_success(private):
    """A bug of ours (syntax, an unknown column, a value of the wrong type) is not the database's
    failure, and the database answering it is no proof that it serves: failures around it add up."""
    await private.run(f'ALTER ROLE "{private.role}" CONNECTION LIMIT 0')
    engine = create_async_engine(private.url(private.role), poolclass=NullPool)  # a new connection each call
    backend = backend_over(engine)

    async def bugs(backend: Backend) -> None:
        for statement in ("selec 1", "select no_such_column from marks", "insert into marks values ('x')"):
            with pytest.raises(exc.DBAPIError) as raised:
                async with backend.read() as conn:
                    await conn.execute(text(statement))
            assert not isinstance(raised.value, BackendUnavailable)

    try:
        for _ in range(FAILURES - 1):
            await unavailable(select_one, backend)
        await private.run(f'ALTER ROLE "{private.role}" CONNECTION LIMIT -1')
        for _ in range(FAILURES):
            await bugs(backend)
        assert backend.breaker.state is BreakerState.CLOSED
        await private.run(f'ALTER ROLE "{private.role}" CONNECTION LIMIT 0')
        await unavailable(select_one, backend)
        assert backend.breaker.state is BreakerState.OPEN
    finally:
        await private.run(f'ALTER ROLE "{private.role}" CONNECTION LIMIT -1')
        await engine.dispose()


@pytest.mark.parametrize("made", ["a folder that does not exist", "a file that is no database"])
async def test_an_sqlite_database_that_cannot_be_opened_or_read_opens_the_breaker(tmp_path: Path, made):
    """ "unable to open database file" (SQLITE_CANTOPEN) and "file is not a database"
    (SQLITE_NOTADB), met as the engine opens its connection."""
    path = tmp_path / "missing" / "crm.db"
    if made == "a file that is no database":
        path = tmp_path / "crm.db"
        path.write_bytes(b"this is no database, " * 100)
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    backend = backend_over(engine, "crm")
    try:
        await opens_after_failures(select_one, backend)
    finally:
        await engine.dispose()
