"""Cost allowances as leaky buckets: what an operation may spend, kept per principal and per customer.

A bucket holds up to ``maximum`` points and refills at ``restore_rate`` points a second; a key
nobody has charged is a full bucket. An operation is charged to several buckets at once (its
principal's and its customer's), all or nothing: if one lacks the points none is charged, and
the caller learns how long until the charge would fit. An operation costlier than a whole
bucket needs the whole bucket. Once the operation has run, the charge is settled to what it
really cost: the difference is refunded (never above the maximum), or, when it cost more than
estimated, taken from what is left (never below zero).

``InProcessThrottle`` keeps the buckets in this process: the limiter of a single instance, and
the fallback of ``RedisThrottle`` (``infra/redis_throttle.py``), which keeps them in Redis so
that every instance spends from the same buckets.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Bucket:
    key: str
    maximum: int
    restore_rate: float  # points a second, above zero

    def needs(self, cost: int) -> int:
        """The points ``cost`` takes from this bucket: all of it, at most."""
        return min(max(cost, 0), self.maximum)


@dataclass(frozen=True, slots=True)
class Charge:
    """What charging ``cost`` to ``buckets`` came to."""

    buckets: tuple[Bucket, ...]
    cost: int
    allowed: bool
    # Points in each bucket after the charge (before it, when refused).
    available: tuple[float, ...]
    # When refused: seconds until the charge would fit, and the bucket that is short the longest.
    retry_after: float = 0.0
    short: int | None = None
    # Who answered: "redis", "in-process", or "fallback" (in process, because Redis did not answer).
    limiter: str = "in-process"

    def deltas(self, actual: int) -> tuple[int, ...]:
        """Points to give back to each bucket (negative: to take) once the operation cost ``actual``."""
        return tuple(bucket.needs(self.cost) - bucket.needs(actual) for bucket in self.buckets)


class Throttle(Protocol):
    async def charge(self, buckets: Sequence[Bucket], cost: int, *, fail_open: bool = True) -> Charge:
        """Charge ``cost`` to every bucket or to none. ``fail_open``: when the shared buckets cannot be
        reached, answer from this process's instead of raising ``BackendUnavailable``."""
        ...

    async def settle(self, charge: Charge, actual: int) -> Charge:
        """Settle an allowed charge to the operation's ``actual`` cost; the buckets' levels after it."""
        ...

    async def ping(self) -> bool: ...
    async def close(self) -> None: ...


class InProcessThrottle:
    def __init__(
        self, limiter: str = "in-process", clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000
    ) -> None:
        self.limiter = limiter
        self.clock = clock
        self.max_keys = max_keys
        # key -> (points, when they were counted, when the bucket will be full again)
        self._levels: dict[str, tuple[float, float, float]] = {}

    async def charge(self, buckets: Sequence[Bucket], cost: int, *, fail_open: bool = True) -> Charge:
        buckets = tuple(buckets)
        now = self.clock()
        levels = [self._level(bucket, now) for bucket in buckets]
        waits = [
            (bucket.needs(cost) - level) / bucket.restore_rate for bucket, level in zip(buckets, levels, strict=True)
        ]
        longest = max(range(len(waits)), key=waits.__getitem__, default=None)
        if longest is not None and waits[longest] > 0:
            return Charge(buckets, cost, False, tuple(levels), waits[longest], longest, self.limiter)
        after = tuple(level - bucket.needs(cost) for bucket, level in zip(buckets, levels, strict=True))
        for bucket, level in zip(buckets, after, strict=True):
            self._store(bucket, level, now)
        return Charge(buckets, cost, True, after, limiter=self.limiter)

    async def settle(self, charge: Charge, actual: int) -> Charge:
        deltas = charge.deltas(actual)
        if not any(deltas):
            return charge
        now = self.clock()
        levels = []
        for bucket, delta in zip(charge.buckets, deltas, strict=True):
            level = min(max(self._level(bucket, now) + delta, 0.0), bucket.maximum)
            self._store(bucket, level, now)
            levels.append(level)
        return replace(charge, available=tuple(levels))

    async def ping(self) -> bool:
        return True

    async def close(self) -> None:
        self._levels.clear()

    def _level(self, bucket: Bucket, now: float) -> float:
        stored = self._levels.get(bucket.key)
        if stored is None:
            return float(bucket.maximum)
        level, at, _ = stored
        return min(level + max(now - at, 0.0) * bucket.restore_rate, bucket.maximum)

    def _store(self, bucket: Bucket, level: float, now: float) -> None:
        if level >= bucket.maximum:
            self._levels.pop(bucket.key, None)  # a full bucket is no bucket at all
            return
        if len(self._levels) >= self.max_keys:
            self._forget_full(now)
        self._levels[bucket.key] = (level, now, now + (bucket.maximum - level) / bucket.restore_rate)

    def _forget_full(self, now: float) -> None:
        for key in [key for key, (_, _, full) in self._levels.items() if full <= now]:
            del self._levels[key]


__all__ = ["Bucket", "Charge", "InProcessThrottle", "Throttle"]
