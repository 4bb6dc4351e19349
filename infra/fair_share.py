"""Each customer's fair share of this process: how many operations it may run at once, how many
of them heavy, and how much of the process's time it may take while other customers wait.

An operation is admitted before it runs (``FairShare.admit``) and released when it ends. It is
refused at once — never queued — with ``RateLimited`` and the seconds to wait, when its customer

- already runs ``operations`` operations at once (any cost), or, for a heavy one (estimated cost
  above ``heavy_cost``),
- already runs ``heavy`` heavy operations at once, or
- has taken more than its share of the last ``window_seconds`` of worker time while other
  customers were active: the window divided by the customers active in it (running an
  operation now, or having run one in the window). Alone on the process, a customer may use
  all of it, however many of its operations run side by side; the time it took alone counts
  against it once another customer becomes active.

Worker time is the wall time of a customer's operations in this process (overlapping operations
add up), kept in buckets of a tenth of the window, so the memory per customer is bounded.

The counts are per process: each worker process bounds its own share, so with N processes a
customer may run up to N times as many at once in all. The clock is injected, so tests drive
time without sleeping.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from core.errors import RateLimited

BUCKETS = 10


@dataclass(frozen=True, slots=True)
class ShareLimits:
    heavy_cost: int = 10_000
    heavy: int = 2
    operations: int = 16
    window_seconds: float = 10.0
    # While others are served, the most of the time that paced bulk work takes (infra/pacing.py).
    duty: float = 0.5


@dataclass(slots=True)
class _Customer:
    running: dict[int, tuple[float, bool]] = field(default_factory=dict)  # ticket -> (started, heavy)
    spent: dict[int, float] = field(default_factory=dict)  # bucket number -> seconds

    def heavy_running(self) -> int:
        return sum(1 for _, heavy in self.running.values() if heavy)


def customer_key(customer_id: int | None) -> str:
    """The share a caller spends: its company's; the operator's own staff share one."""
    return "operator" if customer_id is None else str(customer_id)


class Ticket:
    """An admitted operation; ``release`` it (once) when it ends, however it ends."""

    __slots__ = ("_number", "_share", "customer")

    def __init__(self, share: FairShare, customer: str, number: int) -> None:
        self._share: FairShare | None = share
        self.customer = customer
        self._number = number

    def release(self) -> None:
        if self._share is not None:
            self._share._release(self.customer, self._number)
            self._share = None


class FairShare:
    def __init__(self, limits: ShareLimits = ShareLimits(), clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        self._customers: dict[str, _Customer] = {}
        self._numbers = itertools.count()
        self._forgotten_before: int | None = None
        self.last_busy = -math.inf  # when an operation last started or ended here

    @property
    def _bucket_seconds(self) -> float:
        return self.limits.window_seconds / BUCKETS

    def admit(self, customer: str, cost: int) -> Ticket:
        """A ticket for an operation of ``customer`` estimated at ``cost``, or ``RateLimited``."""
        now = self.clock()
        limits = self.limits
        self._forget(now)
        state = self._customers.setdefault(customer, _Customer())
        heavy = cost > limits.heavy_cost
        if len(state.running) >= limits.operations:
            raise RateLimited(
                f"Your company already runs {limits.operations} operations at once on this server; "
                "try again when one has finished.",
                reason="CONCURRENCY", limit=limits.operations, retryAfterSeconds=1,
            )  # fmt: skip
        if heavy and state.heavy_running() >= limits.heavy:
            raise RateLimited(
                f"Your company already runs {limits.heavy} heavy operations (estimated cost above "
                f"{limits.heavy_cost}) at once on this server; try again when one has finished.",
                reason="HEAVY_CONCURRENCY", limit=limits.heavy, retryAfterSeconds=1,
            )  # fmt: skip
        # Alone, a customer's operations side by side may take more worker time than the window
        # holds (each runs on a worker of its own): nobody waits for that time, so it is not held back.
        if heavy and len(self._customers) > 1:
            used, share = self.used(customer, now), self.share()
            if used > share:
                # Its old work leaves the window at one second a second, at best.
                wait = min(limits.window_seconds, max(1, math.ceil(used - share)))
                raise RateLimited(
                    f"Your company has used {used:.1f} s of this server's last {limits.window_seconds:g} s "
                    f"while others were waiting (its share is {share:.1f} s); heavy operations wait until "
                    "that share recovers.",
                    reason="TIME_SHARE", retryAfterSeconds=wait,
                )  # fmt: skip
        number = next(self._numbers)
        state.running[number] = (now, heavy)
        self.last_busy = now
        return Ticket(self, customer, number)

    def used(self, customer: str, now: float | None = None) -> float:
        """Seconds of worker time ``customer`` took in the window ending ``now`` (running work included)."""
        now = self.clock() if now is None else now
        state = self._customers.get(customer)
        if state is None:
            return 0.0
        oldest = self._bucket(now) - BUCKETS + 1
        since = now - self.limits.window_seconds
        finished = sum(seconds for bucket, seconds in state.spent.items() if bucket >= oldest)
        return finished + sum(now - max(started, since) for started, _ in state.running.values())

    def running(self) -> int:
        """Operations running in this process now, of every customer."""
        return sum(len(state.running) for state in self._customers.values())

    def busy_since(self, moment: float, mine: int = 0) -> bool:
        """Whether an operation other than the caller's ``mine`` ran here at any time since ``moment``."""
        return self.running() > mine or self.last_busy >= moment

    def share(self) -> float:
        """The worker seconds of the window each active customer may take: all of it when alone."""
        self._forget(self.clock())
        return self.limits.window_seconds / max(1, len(self._customers))

    def _release(self, customer: str, number: int) -> None:
        state = self._customers.get(customer)
        if state is None or number not in state.running:
            return
        started, _ = state.running.pop(number)
        now = self.clock()
        self.last_busy = now
        # Spread the operation over the buckets it spanned; what lies before the window is forgotten.
        start = max(started, now - self.limits.window_seconds)
        width = self._bucket_seconds
        while start < now:
            bucket = self._bucket(start)
            end = min(now, (bucket + 1) * width)
            state.spent[bucket] = state.spent.get(bucket, 0.0) + (end - start)
            start = end

    def _forget(self, now: float) -> None:
        """Drop buckets that left the window, and customers with nothing running and nothing in it."""
        oldest = self._bucket(now) - BUCKETS + 1
        if oldest == self._forgotten_before:
            return  # nothing has left the window since the last look; a release adds no stale bucket
        self._forgotten_before = oldest
        for customer, state in list(self._customers.items()):
            state.spent = {bucket: s for bucket, s in state.spent.items() if bucket >= oldest}
            if not state.running and not state.spent:
                del self._customers[customer]

    def _bucket(self, moment: float) -> int:
        return math.floor(moment / self._bucket_seconds)
