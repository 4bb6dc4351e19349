"""A backend database behind a time limit per call and a circuit breaker.

Every source reaches its database through a ``Backend``. A call that cannot reach or use the
database raises ``BackendUnavailable`` naming the backend, so the fields that depend on another
backend still resolve. What counts as "cannot" is decided in one place, ``sources/failures.py``,
by SQLSTATE class for PostgreSQL and by result code for SQLite. After ``failures`` such failures
in a row the breaker opens: calls fail at once, without waiting on a dead server, until
``reset_seconds`` have passed; then one trial call is let through, and its outcome closes or
reopens the breaker. A call cut at its time limit while the database had it is a failure too.

A read of one statement whose connection turns out dead (the server ended the session while it
sat in the pool and the pool could not tell at checkout, or while the statement ran) is neither:
it raises ``StaleConnection`` for the caller to send the read again, once, on a fresh connection
— which is judged as any call. A read may go twice; so an operator's ``pg_terminate_backend`` of
a running read ends that attempt, and the read's second one counts towards the breaker.

Waiting for a connection that our own requests hold (the pool exhausted, SQLite's write lock) is
``BackendBusy``: answered 503 with ``Retry-After``, but it says nothing about the database's
health and never counts towards opening the breaker — otherwise one company's heavy operations,
by filling the pool, would shut every other company out for a whole reset period. Errors of the
statement itself (a constraint, a bug) leave the breaker alone too: they are neither the
database's failure nor proof that it serves.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, NoReturn

from sqlalchemy import exc
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import QueuePool

from core.errors import BackendBusy, BackendUnavailable
from infra.breaker import Breaker
from infra.telemetry import Observer
from infra.time_limits import time_limit
from sources.failures import Verdict, describe, judge
from sources.lent import Lent

log = logging.getLogger("corpcare.backend")


@dataclass(frozen=True, slots=True)
class BackendLimits:
    """How long one call may take, and when to stop calling a failing backend."""

    call_seconds: float | None = 10.0
    breaker_failures: int = 5
    breaker_reset_seconds: float = 10.0


_DEFAULT: Any = object()


class StaleConnection(Exception):
    """A read's pooled connection was found dead by its statement: send it again (a read may go twice)."""


class Backend:
    def __init__(
        self, name: str, engine: AsyncEngine, limits: BackendLimits = BackendLimits(), observer: Observer | None = None
    ) -> None:
        self.name = name
        self.engine = engine
        self.limits = limits
        self.breaker = Breaker(limits.breaker_failures, limits.breaker_reset_seconds)
        self.observer = observer or Observer()
        # A read is one statement: no BEGIN and ROLLBACK round trips around it.
        self._reader = engine.execution_options(isolation_level="AUTOCOMMIT")

    @property
    def dialect(self) -> Dialect:
        return self.engine.dialect

    def read(self, *, timeout: float | None = _DEFAULT, retryable: bool = False) -> Any:
        """A connection in autocommit mode, for reads of one statement each. ``retryable``: the
        caller sends its statement again on ``StaleConnection``, raised instead of a failure when the
        connection lent was found dead by it."""
        return self._guarded(lambda: self._reader.connect(), timeout, stale=retryable)

    def lend(self, *, timeout: float | None = _DEFAULT, retryable: bool = False) -> Any:
        """A pooled connection lent as it is, for a read of one statement built once that asyncpg
        runs itself (``sources/lent.py``); ``retryable`` as for ``read``."""
        return self._guarded(lambda: Lent(self.engine.sync_engine), timeout, stale=retryable)

    def connect(self, *, timeout: float | None = _DEFAULT) -> Any:
        """A connection whose transactions the caller commits."""
        return self._guarded(lambda: self.engine.connect(), timeout)

    def begin(self, *, timeout: float | None = _DEFAULT) -> Any:
        """A connection in a transaction, committed when the block ends without an error."""
        return self._guarded(lambda: self.engine.begin(), timeout)

    def streaming(self) -> Any:
        """A connection for a server-side cursor (which lives in a transaction), with no time
        limit: a stream runs as long as it has rows."""
        return self.connect(timeout=None)

    async def as_of(self) -> datetime:
        """The moment this backend's reads see: now (``sources/moment.py`` pins one per answer)."""
        return datetime.now(UTC)

    def _guarded(self, opening: Callable[[], Any], timeout: float | None, *, stale: bool = False) -> Guarded:
        return Guarded(self, opening, self.limits.call_seconds if timeout is _DEFAULT else timeout, stale)

    def _failure(self, error: BaseException, seconds: float, *, opened: bool, stale: bool) -> BaseException:
        """What a guarded call that failed with ``error`` raises (``error`` itself, or what it is
        judged to be), the breaker and the metrics told."""
        if isinstance(error, BackendUnavailable):
            # Raised by another guarded call inside this one, which has judged it already.
            self.breaker.released()
            self.observer.backend_call(self.name, "error", seconds)
            return error
        if stale and opened and isinstance(error, exc.DBAPIError) and error.connection_invalidated:
            self.breaker.released()  # nothing learned yet: the read again is the trial, if one is due
            return StaleConnection(self.name)
        verdict = judge(error, opening=not opened)
        if not opened and isinstance(error, TimeoutError) and self._pool_exhausted():
            # The call's time ran out while it queued behind our own requests for a connection.
            verdict = Verdict.BUSY
        if verdict is Verdict.STATEMENT:
            # The statement failed (a bug, a conflict) or the caller gave up: nothing was learned
            # of the database's health, so a run of failures goes on and a trial may go again.
            self.breaker.released()
            self.observer.backend_call(self.name, "error", seconds)
            return error
        if verdict is Verdict.BUSY:
            self.breaker.released()
            self.observer.backend_call(self.name, "busy", seconds)
            return BackendBusy(f"The {self.name} backend is busy; try again shortly.", backend=self.name)
        if self.breaker.healthy:  # the first of a run: the later ones say the same
            log.warning("the %s backend is unavailable: %s", self.name, describe(error))
        self.breaker.failed()
        self.observer.backend_call(self.name, "unavailable", seconds)
        what = "did not answer in time" if isinstance(error, TimeoutError) else "is unavailable"
        return BackendUnavailable(f"The {self.name} backend {what}.", backend=self.name)

    def _pool_exhausted(self) -> bool:
        """Every connection the pool may open is checked out (or being opened) by our own callers."""
        pool = self.engine.pool
        if not isinstance(pool, QueuePool):
            return False
        overflow = pool._max_overflow  # QueuePool has no public accessor; -1 means no limit
        return overflow >= 0 and pool.checkedout() >= pool.size() + overflow


class Guarded:
    """One call on a backend's connection, behind the breaker and under its time limit: the
    connection that ``opening`` gives (an async context manager), entered and left with it.

    A class rather than a generator-based context manager: one is entered for every statement."""

    __slots__ = ("_backend", "_connection", "_limit", "_opening", "_seconds", "_stale", "_started")

    def __init__(self, backend: Backend, opening: Callable[[], Any], seconds: float | None, stale: bool) -> None:
        self._backend, self._opening, self._seconds, self._stale = backend, opening, seconds, stale

    async def __aenter__(self) -> AsyncConnection:
        backend = self._backend
        if not backend.breaker.allow():
            backend.observer.backend_call(backend.name, "rejected", 0.0)
            raise BackendUnavailable(
                f"The {backend.name} backend is unavailable; try again shortly.",
                backend=backend.name,
                retryAfterSeconds=round(backend.breaker.retry_after(), 1),
            )
        self._started = time.perf_counter()
        try:
            limit = self._limit = time_limit(self._seconds)
            await limit.__aenter__()
            try:
                connection = self._connection = self._opening()
                return await connection.__aenter__()
            except BaseException as error:
                await limit.__aexit__(type(error), error, error.__traceback__)
                raise
        except BaseException as error:
            self._raise(error, opened=False)

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        try:
            try:
                await self._connection.__aexit__(kind, error, trace)
            except BaseException as raised:
                await self._limit.__aexit__(type(raised), raised, raised.__traceback__)
                raise
            await self._limit.__aexit__(kind, error, trace)
        except BaseException as raised:
            self._raise(raised, opened=True)
        if error is not None:
            self._raise(error, opened=True)
        backend = self._backend
        backend.breaker.succeeded()
        backend.observer.backend_call(backend.name, "ok", time.perf_counter() - self._started)

    def _raise(self, error: BaseException, *, opened: bool) -> NoReturn:
        failure = self._backend._failure(error, time.perf_counter() - self._started, opened=opened, stale=self._stale)
        if failure is error:
            raise error
        raise failure from error
