"""One moment per answer: the billing reads of one operation share one read transaction.

An answer whose figures come from separate statements, each on its own snapshot, can disagree
with itself while usage arrives (rows that do not add up to their own totals, units that do not
add up to the company). So an operation opens a ``Moment`` (``engine/moment.py`` does, for every
query and each event of a subscription; the CSV export does for its file), and a
``MomentBackend`` sends every read of that operation to the moment's one transaction:
``REPEATABLE READ, READ ONLY`` on PostgreSQL, an explicit ``BEGIN`` on SQLite (WAL: readers see
the database as of their first read and never wait on the writer).

The transaction is opened on the first read and rolled back when the operation ends — on an
error, a cancellation or a client gone too — so no connection is held longer than the answer.
One connection runs one statement at a time, and the executor gathers loader batches
concurrently: statements wait their turn on a lock, and each is under its own time limit and
the breaker (``Backend._guarded``), not the whole answer under one.

Writes never go into a read-only transaction: ``connect()`` and ``begin()`` are the backend's
own, and a mutation's reads see the present (its payload must show what it has just written).
Work that outlives its operation (a task it started) reads the present as well.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from sqlalchemy import exc
from sqlalchemy.ext.asyncio import AsyncConnection

from core.errors import BackendUnavailable
from infra.shielding import to_the_end
from sources.backend import _DEFAULT, Backend
from sources.direct import send

_BEGIN = {
    "postgresql": "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    "sqlite": "BEGIN",  # deferred: the read snapshot is taken by the first SELECT
}


class ReadTransaction:
    """One backend's read transaction for one moment: one connection, one statement at a time."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self._lock = asyncio.Lock()
        self._conn: AsyncConnection | None = None
        self._began: datetime | None = None
        self._failure: BackendUnavailable | None = None

    def read(self, timeout: float | None = _DEFAULT) -> TransactionRead:
        return TransactionRead(self, timeout)

    def _failed(self, error: BaseException) -> BackendUnavailable:
        """What this transaction's later reads raise once one of its statements failed with ``error``."""
        if isinstance(error, BackendUnavailable):
            return error
        return BackendUnavailable(
            f"An earlier read of this answer from the {self.backend.name} backend failed.", backend=self.backend.name
        )

    async def began_at(self) -> datetime:
        """When the transaction began: PostgreSQL's transaction timestamp, or (SQLite) the clock
        read just before ``BEGIN``."""
        if self._began is None:
            async with self.read() as conn:
                if self._began is None:  # PostgreSQL's (SQLite's was read when it began)
                    self._began = (await conn.exec_driver_sql("SELECT transaction_timestamp()")).scalar_one()
        assert self._began is not None
        return self._began

    def _opening(self) -> Any:
        return Held(self._conn) if self._conn is not None else self._begun()

    @asynccontextmanager
    async def _begun(self) -> AsyncIterator[AsyncConnection]:
        for last in (False, True):
            conn = await self.backend._reader.connect()
            try:
                began = datetime.now(UTC)
                await send(conn, _BEGIN[self.backend.dialect.name])
                break
            except BaseException as error:
                await to_the_end(conn.close())
                # A pooled connection found dead by BEGIN: nothing began, so begin on a fresh one, once.
                if last or not (isinstance(error, exc.DBAPIError) and error.connection_invalidated):
                    raise
        self._conn = conn
        if self.backend.dialect.name != "postgresql":
            self._began = began
        yield conn

    async def close(self) -> None:
        """Roll back and give the connection back (or drop it when that fails)."""
        async with self._lock:
            conn, self._conn = self._conn, None
            if conn is None:
                return
            try:
                await send(conn, "ROLLBACK")
                await conn.close()
            except BaseException:
                self._conn = conn
                await self._discard()
                raise

    async def _discard(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                await conn.invalidate()
            finally:
                await conn.close()


class TransactionRead:
    """One statement in a moment's transaction: its turn on the connection, then the backend's
    guard (``Backend._guarded``); the transaction begun by the first. A failed statement leaves the
    transaction not to be trusted any more (PostgreSQL aborts it; a cancelled statement may still
    run on the connection): it is dropped, and the answer's later reads of it fail alike."""

    __slots__ = ("_guarded", "_timeout", "_transaction")

    def __init__(self, transaction: ReadTransaction, timeout: float | None) -> None:
        self._transaction, self._timeout = transaction, timeout

    async def __aenter__(self) -> AsyncConnection:
        transaction = self._transaction
        await transaction._lock.acquire()
        try:
            if transaction._failure is not None:
                # A second transaction would mix moments in one answer: its other billing figures
                # fail alike (and at once: a backend that did not answer in time is not waited on again).
                raise copy.copy(transaction._failure).with_traceback(None)
            guarded = self._guarded = transaction.backend._guarded(transaction._opening, self._timeout)
            try:
                return await guarded.__aenter__()
            except BaseException as error:
                if transaction._conn is not None:
                    await self._drop(error)
                raise  # else no transaction began (the breaker is open, no connection): the next read tries
        except BaseException:
            transaction._lock.release()
            raise

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        try:
            await self._guarded.__aexit__(kind, error, trace)
        except BaseException as raised:
            await self._drop(raised)
            raise
        else:
            if error is not None:
                await self._drop(error)
        finally:
            self._transaction._lock.release()

    async def _drop(self, error: BaseException) -> None:
        transaction = self._transaction
        transaction._failure = transaction._failed(error)
        await to_the_end(transaction._discard())


class Held:
    """The connection a transaction holds, lent to its next statement."""

    __slots__ = ("_conn",)

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def __aenter__(self) -> AsyncConnection:
        return self._conn

    async def __aexit__(self, *_: object) -> None:
        return None


class Moment:
    """The read transactions of one answer, one per backend, each opened on its first read.

    ``present`` says, once the operation is known, that its reads must see the present (a
    mutation). ``end`` finishes the transactions (a subscription's event is answered; the next
    event's reads begin a new moment); ``close`` finishes them for good: reads after it (work
    that outlived the operation) see the present."""

    def __init__(self, present: Callable[[], bool] = lambda: False) -> None:
        self._present = present
        self._transactions: dict[int, ReadTransaction] = {}
        self.closed = False

    def transaction(self, backend: Backend) -> ReadTransaction | None:
        if self.closed or self._present():
            return None
        found = self._transactions.get(id(backend))
        if found is None:
            found = self._transactions[id(backend)] = ReadTransaction(backend)
        return found

    async def end(self) -> None:
        transactions, self._transactions = list(self._transactions.values()), {}
        errors = []
        for transaction in transactions:
            try:
                await to_the_end(transaction.close())
            except Exception as error:  # the others are closed all the same
                errors.append(error)
        if errors:
            raise errors[0]

    async def close(self) -> None:
        self.stop()
        await self.end()

    def stop(self) -> None:
        """No read joins the moment any more: later ones see the present."""
        self.closed = True
        # Timers and tasks started during the operation keep its context, and with it this moment,
        # for as long as they are scheduled (10 to 300 s): ``present`` names the operation (and its
        # answer), which must not live that long.
        self._present = _past


def _past() -> bool:
    return False


current_moment: ContextVar[Moment | None] = ContextVar("corpcare_moment", default=None)


class AfterAnswer:
    """The moments of one request whose transactions end once its answer is sent: the ``ROLLBACK``
    is a round trip the client need not wait for. ``one_moment`` stops them when their block
    ends (no read joins them after), and the request ends them, however it ends (``end``)."""

    def __init__(self) -> None:
        self._moments: list[Moment] = []

    def add(self, moment: Moment) -> None:
        self._moments.append(moment)

    async def end(self) -> None:
        moments, self._moments = self._moments, []
        if moments:
            await to_the_end(_end_all(moments))


async def _end_all(moments: list[Moment]) -> None:
    errors = []
    for moment in moments:
        try:
            await moment.end()
        except Exception as error:  # the others are ended all the same
            errors.append(error)
    if errors:
        raise errors[0]


# Set by the HTTP endpoint for the request it answers; None elsewhere (a moment ends with its block).
after_answer: ContextVar[AfterAnswer | None] = ContextVar("corpcare_after_answer", default=None)


@asynccontextmanager
async def one_moment(present: Callable[[], bool] = lambda: False) -> AsyncIterator[Moment]:
    """Reads in this block (and the tasks it starts) share one moment, closed when it ends (its
    transactions ended then, or once the request's answer is sent: ``AfterAnswer``)."""
    moment = Moment(present)
    token = current_moment.set(moment)
    try:
        yield moment
    finally:
        try:
            current_moment.reset(token)
        except ValueError:  # left in another context (an async generator finished elsewhere)
            current_moment.set(None)
        later = after_answer.get()
        if later is None:
            await moment.close()
        else:
            moment.stop()
            later.add(moment)


class MomentBackend(Backend):
    """A backend whose reads go to the current moment's transaction when there is one; its
    writes, breaker and time limits are the backend's own."""

    def __init__(self, backend: Backend) -> None:
        self.real = backend
        self.name = backend.name
        self.engine = backend.engine
        self.limits = backend.limits
        self.breaker = backend.breaker
        self.observer = backend.observer
        self._reader = backend._reader

    def read(self, *, timeout: float | None = _DEFAULT, retryable: bool = False) -> Any:
        # A read in the moment's transaction is never sent again: it would see another moment.
        transaction = self._transaction()
        if transaction is None:
            return self.real.read(timeout=timeout, retryable=retryable)
        return transaction.read(timeout)

    def lend(self, *, timeout: float | None = _DEFAULT, retryable: bool = False) -> Any:
        transaction = self._transaction()
        if transaction is None:
            return self.real.lend(timeout=timeout, retryable=retryable)
        return transaction.read(timeout)

    def streaming(self) -> Any:
        """A connection for a server-side cursor, with no time limit: the moment's, held (its
        other reads wait) until the stream is done."""
        transaction = self._transaction()
        return self.real.streaming() if transaction is None else transaction.read(None)

    async def as_of(self) -> datetime:
        transaction = self._transaction()
        return await self.real.as_of() if transaction is None else await transaction.began_at()

    def _transaction(self) -> ReadTransaction | None:
        moment = current_moment.get()
        return None if moment is None else moment.transaction(self.real)
