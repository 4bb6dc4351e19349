"""Admission control: each process executes a bounded number of requests at once and lets a
bounded number wait for their turn, each no longer than its deadline.

Past capacity, a server that takes every request runs them all slower: each holds its share of
the event loop and a database connection while callers give up on it, and nobody is answered
in time. Here a request beyond ``running`` at once waits in a queue of at most ``queued``, in
order of arrival, until ``wait_seconds`` after it arrived (never past its request time limit).
A request that would wait longer — the queue is full, or the wait expected from the time a
request holds its turn already passes its deadline — is shed at once: 503 ``OVERLOADED`` with
``Retry-After`` and a reason (``QUEUE_FULL``, ``WAIT_TOO_LONG``, or ``WAITED_TOO_LONG`` when the
deadline passed in the queue), before anything of it runs. Health, readiness and metrics are
never shed: an orchestrator must see a busy instance as alive.

One company may fill at most half the queue: the rest of its requests get 429 ``RATE_LIMITED``
(``QUEUE_SHARE``), as its other fair-share limits do, so that a flood from one company leaves
room in the queue for everyone else's requests.

The time limit of a request counts from its arrival (``Arrival``, in front of every other
middleware, stamps it): the time spent signing in, reading the body and queueing is part of it.
"""

from __future__ import annotations

import asyncio
import math
from collections import Counter, deque
from collections.abc import AsyncIterator, Callable, Hashable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from permissions.principal import Principal
from server.metrics import Metrics
from server.refusals import send_wait

ARRIVED = "corpcare.arrived"  # the scope key: the event loop's time when the request arrived
EXEMPT = frozenset({"/healthz", "/readyz", "/metrics"})
_LONGEST_RETRY = 60  # seconds a shed caller is told to wait, at most
_WEIGHT = 0.2  # of the newest turn in the running mean of how long a turn takes


@dataclass(frozen=True, slots=True)
class AdmissionLimits:
    running: int = 8
    queued: int = 32
    wait_seconds: float = 5.0


class Shed(Exception):
    def __init__(self, reason: str, retry_after: int, status: int = 503, code: str = "OVERLOADED") -> None:
        super().__init__(reason)
        self.reason, self.retry_after, self.status, self.code = reason, retry_after, status, code


def arrived_at(scope: Scope) -> float:
    """When the request arrived, on the event loop's clock (now, for a scope nobody stamped)."""
    return float(scope.get(ARRIVED) or asyncio.get_running_loop().time())


class Arrival:
    """Stamps each HTTP request's arrival; the first middleware, so that every wait counts."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope.setdefault(ARRIVED, asyncio.get_running_loop().time())
        await self.app(scope, receive, send)


class Admission:
    """The turns of one process: ``running`` at once, the others queued in order of arrival."""

    def __init__(self, limits: AdmissionLimits, clock: Callable[[], float] | None = None) -> None:
        self.limits = limits
        self.clock = clock  # None: the event loop's (which stamps arrivals); tests inject their own
        self.running = 0
        self._queue: deque[asyncio.Future[None]] = deque()
        self._waiting: Counter[Hashable] = Counter()  # queued requests of each company
        self._turn_seconds = 0.0  # running mean; 0 until a turn has been taken

    @property
    def queued(self) -> int:
        return sum(not waiter.done() for waiter in self._queue)

    def expected_wait(self) -> float:
        """Seconds a request arriving now would wait for its turn."""
        if self.running < self.limits.running and not self.queued:
            return 0.0
        return (self.queued + 1) * self._turn_seconds / self.limits.running

    @asynccontextmanager
    async def turn(self, deadline: float, company: Hashable = None) -> AsyncIterator[Turn]:
        """Hold a turn for the block; ``Shed`` when it cannot start before ``deadline`` (on the clock)."""
        await self._wait_for_turn(deadline, company)
        started = self._now()
        held = Turn(self, started)
        try:
            yield held
        finally:
            if held.held:
                self._learn(self._now() - started)
                self._hand_on()

    def _now(self) -> float:
        return self.clock() if self.clock is not None else asyncio.get_running_loop().time()

    async def _wait_for_turn(self, deadline: float, company: Hashable) -> None:
        if self.running < self.limits.running and not self.queued:
            self.running += 1
            return
        if self.queued >= self.limits.queued:
            raise Shed("QUEUE_FULL", self._retry_after())
        if self._waiting[company] >= max(1, self.limits.queued // 2):
            raise Shed("QUEUE_SHARE", self._retry_after(), 429, "RATE_LIMITED")
        now = self._now()
        if now + self.expected_wait() > deadline:
            raise Shed("WAIT_TOO_LONG", self._retry_after())
        waiter = asyncio.get_running_loop().create_future()
        self._queue.append(waiter)
        self._waiting[company] += 1
        try:
            async with asyncio.timeout(deadline - now):
                await waiter
        except BaseException as error:
            if waiter.done() and not waiter.cancelled():
                self._hand_on()  # handed the turn just as it gave up: the next one takes it
            else:
                waiter.cancel()
                # The task's cancellation (its own, or its time-out's) cancelled the waiter at once,
                # but this runs a turn of the loop later: a hand-on in between has already dropped it.
                if waiter in self._queue:
                    self._queue.remove(waiter)
            if isinstance(error, TimeoutError):
                raise Shed("WAITED_TOO_LONG", self._retry_after()) from None
            raise
        finally:
            self._waiting[company] -= 1
            if not self._waiting[company]:
                del self._waiting[company]

    def _hand_on(self) -> None:
        """The turn that ends goes to the longest waiter, or back to the pool. A waiter given up
        (cancelled) is dropped here; its request, when it runs, finds it gone."""
        while self._queue:
            waiter = self._queue.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self.running -= 1

    def _learn(self, seconds: float) -> None:
        before = self._turn_seconds
        self._turn_seconds = seconds if not before else (1 - _WEIGHT) * before + _WEIGHT * seconds

    def _retry_after(self) -> int:
        """Seconds until the queue in front of a shed request has drained, as now expected."""
        return min(_LONGEST_RETRY, max(1, math.ceil(self.expected_wait())))


class Turn:
    """A request's turn. A request that only waits for another one's answer (a copy sent with the
    same idempotency key) steps aside: its turn goes to the next in the queue, and it ends without one."""

    def __init__(self, admission: Admission, started: float) -> None:
        self.admission = admission
        self.started = started
        self.held = True

    def step_aside(self) -> None:
        if self.held:
            self.held = False
            self.admission._hand_on()

    def answered(self) -> None:
        """The request has sent its answer: its turn, learnt as long as it took, goes to the next
        in the queue now. What the request still does (ending its read transactions) holds no one up."""
        if self.held:
            self.held = False
            self.admission._learn(self.admission._now() - self.started)
            self.admission._hand_on()


# The turn of the request being served (the GraphQL context hands ``step_aside`` to resolvers).
current_turn: ContextVar[Turn | None] = ContextVar("current_turn", default=None)


class AdmissionGate:
    """Queues each HTTP request (its body in, after sign-in) for a turn, or sheds it at once."""

    def __init__(self, app: ASGIApp, *, admission: Admission, request_seconds: float, metrics: Metrics) -> None:
        self.app = app
        self.admission = admission
        self.request_seconds = request_seconds
        self.metrics = metrics
        metrics.sample(metrics.admission_running, lambda: float(admission.running))
        metrics.sample(metrics.admission_queued, lambda: float(admission.queued))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in EXEMPT:
            await self.app(scope, receive, send)
            return
        deadline = arrived_at(scope) + min(self.admission.limits.wait_seconds, self.request_seconds)
        principal = getattr(scope.get("user"), "principal", None)
        company = principal.customer_id if isinstance(principal, Principal) else None
        try:
            async with self.admission.turn(deadline, company) as turn:
                token = current_turn.set(turn)
                try:
                    await self.app(scope, receive, send)
                finally:
                    current_turn.reset(token)
        except Shed as shed:
            self.metrics.shed.labels(shed.reason).inc()
            why = (
                "The server is at capacity"
                if shed.code == "OVERLOADED"
                else "Your company's requests fill its share of the queue"
            )
            message = f"{why}; try again in {shed.retry_after} s."
            await send_wait(send, shed.status, shed.code, shed.reason, message, shed.retry_after)
