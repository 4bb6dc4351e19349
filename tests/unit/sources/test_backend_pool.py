"""Waiting for a pooled connection that our own requests hold is not a failure of the database:
it is answered as busy, and it never opens the backend's breaker (issue 13, finding 6). A pooled
connection whose session the server ended is replaced without failing the read that gets it, and
without a round trip to check every connection before it is lent."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from sqlalchemy import Boolean, Float, bindparam, event, func, literal_column, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from core.errors import BackendBusy, BackendUnavailable
from infra.breaker import BreakerState
from sources.backend import Backend, BackendLimits
from sources.db import SqlSource, _replace_if_closed, create_engine
from sources.moment import MomentBackend, one_moment
from tests.faults import free_port
from tests.support import PG_ADMIN_URL, service_missing
from tests.waiting import eventually

FAILURES = 3


@pytest.fixture
async def small_pool() -> AsyncIterator[Backend]:
    """A PostgreSQL backend whose pool holds two connections (one kept, one overflow)."""
    engine = create_engine(PG_ADMIN_URL, pool_size=1, pool_timeout=0.01)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("select 1"))
    except OSError as error:
        await engine.dispose()
        service_missing("PostgreSQL", error)
    backend = Backend("billing", engine, BackendLimits(call_seconds=30, breaker_failures=FAILURES))
    yield backend
    await engine.dispose()


async def hold(backend: Backend, held: asyncio.Event, release: asyncio.Event) -> None:
    """One of our own requests, keeping its connection until told to let go (however long)."""
    async with backend.read(timeout=None) as conn:
        await conn.execute(text("select 1"))
        held.set()
        await release.wait()


async def select_one(backend: Backend) -> int:
    async with backend.read() as conn:
        return int((await conn.execute(text("select 1"))).scalar_one())


async def test_an_exhausted_pool_answers_busy_and_never_opens_the_breaker(small_pool):
    backend = small_pool
    releases = [asyncio.Event(), asyncio.Event()]
    helds = [asyncio.Event(), asyncio.Event()]
    holders = [asyncio.create_task(hold(backend, h, r)) for h, r in zip(helds, releases, strict=True)]
    for held in helds:
        await held.wait()

    for _ in range(FAILURES * 3):
        with pytest.raises(BackendBusy) as refused:
            await select_one(backend)
        assert refused.value.extensions["retryAfterSeconds"] == 1
    assert backend.breaker.state is BreakerState.CLOSED

    # Once one of our requests lets its connection go, the next caller is served.
    releases[0].set()
    await holders[0]
    assert await select_one(backend) == 1
    releases[1].set()
    await holders[1]


async def test_a_call_whose_time_runs_out_in_the_pool_queue_is_busy_not_a_dead_backend(small_pool):
    """The call's own time limit may be shorter than the pool's wait: running out of it while
    queued behind our own requests is still a pool wait."""
    engine = create_engine(PG_ADMIN_URL, pool_size=1, pool_timeout=300)
    backend = Backend("crm", engine, BackendLimits(call_seconds=0.01, breaker_failures=FAILURES))
    release, helds = asyncio.Event(), [asyncio.Event(), asyncio.Event()]
    holders = [asyncio.create_task(hold(backend, held, release)) for held in helds]
    try:
        for held in helds:
            await held.wait()
        for _ in range(FAILURES * 2):
            with pytest.raises(BackendBusy):
                await select_one(backend)
        assert backend.breaker.state is BreakerState.CLOSED
    finally:
        release.set()
        await asyncio.gather(*holders, return_exceptions=True)
        await engine.dispose()


async def test_a_database_that_refuses_connections_still_opens_the_breaker():
    engine = create_engine(f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/postgres", pool_size=1)
    backend = Backend("billing", engine, BackendLimits(call_seconds=30, breaker_failures=FAILURES))
    try:
        for _ in range(FAILURES):
            with pytest.raises(BackendUnavailable) as refused:
                await select_one(backend)
            assert not isinstance(refused.value, BackendBusy)
        assert backend.breaker.state is BreakerState.OPEN
    finally:
        await engine.dispose()


async def test_sqlites_write_lock_held_by_our_own_writer_answers_busy_and_never_opens_the_breaker(tmp_path):
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'state.db'}", connect_args={"timeout": 0})
    backend = Backend("state", engine, BackendLimits(call_seconds=30, breaker_failures=FAILURES))
    try:
        async with engine.begin() as conn:
            await conn.execute(text("create table marks (n integer)"))
        async with engine.connect() as writer:
            await writer.exec_driver_sql("begin immediate")  # our own writer, holding the lock
            for _ in range(FAILURES * 2):
                with pytest.raises(BackendBusy):
                    async with backend.begin() as conn:
                        await conn.execute(text("insert into marks values (1)"))
            assert backend.breaker.state is BreakerState.CLOSED
            await writer.exec_driver_sql("rollback")
        async with backend.begin() as conn:
            await conn.execute(text("insert into marks values (1)"))
    finally:
        await engine.dispose()


async def test_another_backends_failure_inside_a_call_does_not_open_this_backends_breaker(tmp_path):
    """A CRM connection held while billing fails: billing's breaker judges billing; the CRM answered."""
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'crm.db'}")
    crm = Backend("crm", engine, BackendLimits(call_seconds=30, breaker_failures=FAILURES))
    try:
        for _ in range(FAILURES * 2):
            with pytest.raises(BackendUnavailable):
                async with crm.read() as conn:
                    await conn.execute(text("select 1"))
                    raise BackendUnavailable("The billing backend is unavailable.", backend="billing")
        assert crm.breaker.state is BreakerState.CLOSED
    finally:
        await engine.dispose()


async def end_session(pid: int) -> None:
    """``pg_terminate_backend`` from another connection, and the session gone before the next read."""
    admin = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            assert (await conn.execute(text(f"select pg_terminate_backend({pid})"))).scalar_one()

        async def gone() -> bool:
            async with admin.connect() as conn:
                rows = await conn.execute(text(f"select 1 from pg_stat_activity where pid = {pid}"))
                return rows.first() is None

        await eventually(gone, f"session {pid} to end")
    finally:
        await admin.dispose()


BACKEND_PID = select(func.pg_backend_pid())
# The same read built once with a bound parameter: sent straight to the driver after its first run
# (``sources/direct.py``), whose errors must say the same.
BACKEND_PID_BOUND = select(func.pg_backend_pid()).where(bindparam("always", type_=Boolean))


@pytest.fixture(params=["built per read", "built once"])
def backend_pid(request: pytest.FixtureRequest) -> Callable[[SqlSource], Awaitable[int]]:
    """The server process a source's read ran on."""

    async def read(source: SqlSource) -> int:
        if request.param == "built once":
            return int((await source._rows(BACKEND_PID_BOUND, {"always": True}))[0][0])
        return int((await source._rows(BACKEND_PID))[0][0])

    return read


@pytest.fixture(params=["seen closed at checkout", "found dead by the statement"])
def unseen(request: pytest.FixtureRequest, small_pool: Backend) -> bool:
    """Whether the pool cannot tell the connection is closed (the close not yet read from the socket,
    a connection cut without a word): then the statement finds it dead, and is sent again."""
    if request.param == "found dead by the statement":
        event.remove(small_pool.engine.sync_engine.pool, "checkout", _replace_if_closed)
        return True
    return False


async def test_a_session_ended_between_reads_does_not_fail_the_next_read(small_pool, unseen, backend_pid):
    backend = small_pool
    source = SqlSource(backend)
    pid = await backend_pid(source)
    await end_session(pid)

    assert await backend_pid(source) != pid
    assert backend.breaker.healthy


async def test_a_session_ended_between_answers_does_not_fail_the_next_answers_moment(small_pool, unseen, backend_pid):
    backend = small_pool
    source = SqlSource(MomentBackend(backend))
    async with one_moment():
        pid = await backend_pid(source)
    await end_session(pid)

    async with one_moment():
        assert await backend_pid(source) != pid
    assert backend.breaker.healthy


async def test_a_session_ended_inside_an_answers_moment_fails_its_reads_and_is_not_sent_again(small_pool, backend_pid):
    """Another moment would mix two snapshots in one answer: the reads fail instead."""
    backend = small_pool
    source = SqlSource(MomentBackend(backend))
    async with one_moment():
        pid = await backend_pid(source)
        await end_session(pid)
        for _ in range(2):
            with pytest.raises(BackendUnavailable):
                await backend_pid(source)


# A read built once that runs until it is cancelled: after its first run it goes on a pooled
# connection lent as it is (``sources/lent.py``), not through SQLAlchemy.
SLEEP_BOUND = select(literal_column("1")).select_from(func.pg_sleep(bindparam("seconds", type_=Float)))


async def test_a_read_built_once_cancelled_while_it_runs_gives_its_connection_back(small_pool):
    source = SqlSource(small_pool)
    pool = small_pool.engine.sync_engine.pool
    assert await source._rows(SLEEP_BOUND, {"seconds": 0.0}) == [(1,)]  # its first run: SQLAlchemy's
    running = asyncio.create_task(source._rows(SLEEP_BOUND, {"seconds": 60.0}))

    async def sleeping() -> bool:
        async with small_pool.engine.connect() as conn:
            rows = await conn.execute(
                text("select 1 from pg_stat_activity where wait_event = 'PgSleep' and datname = current_database()")
            )
            return rows.first() is not None

    await eventually(sleeping, "the read to run")
    assert pool.checkedout() == 1  # type: ignore[attr-defined]
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running

    assert pool.checkedout() == 0  # type: ignore[attr-defined]
    assert await source._rows(SLEEP_BOUND, {"seconds": 0.0}) == [(1,)]
    assert small_pool.breaker.healthy
