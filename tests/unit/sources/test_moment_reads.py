"""A statement in an answer's moment waits its turn on the moment's one connection; one cancelled
while it waits leaves the moment as it was, one cut while it runs drops the transaction. Either
way no connection goes back to the pool in a transaction (``sources/moment.py``)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Literal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.pool import QueuePool

from core.errors import BackendUnavailable
from sources.backend import Backend, BackendLimits
from sources.db import SqlSource, create_engine
from sources.moment import MomentBackend, ReadTransaction, one_moment
from tests.support import PG_ADMIN_URL, service_missing
from tests.waiting import eventually

BEGAN = select(func.transaction_timestamp())


@pytest.fixture
async def backend() -> AsyncIterator[Backend]:
    engine = create_engine(PG_ADMIN_URL, pool_size=2)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("select 1"))
    except OSError as error:
        await engine.dispose()
        service_missing("PostgreSQL", error)
    yield Backend("billing", engine, BackendLimits(call_seconds=30))
    await engine.dispose()


class Turns(asyncio.Lock):
    """The transaction's lock, counting the statements that wait for it."""

    waiting = 0

    async def acquire(self) -> Literal[True]:
        self.waiting += 1
        try:
            return await super().acquire()
        finally:
            self.waiting -= 1


async def pooled_in_transaction(backend: Backend) -> list[bool]:
    """Whether each connection the pool keeps idle is in a transaction (none is lent meanwhile)."""
    pool = backend.engine.pool
    assert isinstance(pool, QueuePool) and pool.checkedout() == 0
    held = [await backend.engine.connect() for _ in range(pool.checkedin())]
    try:
        drivers = [(await conn.get_raw_connection()).driver_connection for conn in held]
        return [driver is None or driver.is_in_transaction() for driver in drivers]
    finally:
        for conn in held:
            await conn.close()


async def test_a_read_cancelled_while_it_waits_its_turn_leaves_the_moment_as_it_was(backend):
    source = SqlSource(MomentBackend(backend))
    running, release = asyncio.Event(), asyncio.Event()

    async def holding(transaction: ReadTransaction) -> None:
        async with transaction.read() as conn:
            await conn.execute(text("select 1"))
            running.set()
            await release.wait()

    async with one_moment() as moment:
        transaction = moment.transaction(backend)
        assert transaction is not None
        lock = transaction._lock = Turns()
        first = (await source._rows(BEGAN))[0][0]
        holder = asyncio.create_task(holding(transaction))
        await running.wait()
        waiting = asyncio.create_task(source._rows(BEGAN))
        await eventually(lambda: lock.waiting == 1, "the second read to wait its turn")
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        release.set()
        await holder
        assert (await source._rows(BEGAN))[0][0] == first  # the same transaction serves on

    assert backend.breaker.healthy
    assert await pooled_in_transaction(backend) == [False]


async def test_a_statement_cut_in_a_moment_drops_the_transaction_and_fails_the_answers_later_reads(backend):
    moment_backend = MomentBackend(backend)
    source = SqlSource(moment_backend)

    async with one_moment():
        await source._rows(BEGAN)
        with pytest.raises(BackendUnavailable, match="did not answer in time"):
            async with moment_backend.read(timeout=0.1) as conn:
                await conn.execute(text("select pg_sleep(30)"))
        assert backend.engine.pool.checkedout() == 0
        with pytest.raises(BackendUnavailable):
            await source._rows(BEGAN)  # another transaction would mix two moments in one answer

    assert (await source._rows(BEGAN))[0][0] is not None  # after the answer: the present, on a fresh one
    assert not any(await pooled_in_transaction(backend))
