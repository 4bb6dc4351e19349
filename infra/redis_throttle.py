"""Cost allowances kept in Redis, so that every instance spends from the same buckets.

A charge is one Lua script: it refills each bucket from its stored level to the Redis server's
clock (the instances' own clocks differ), checks every bucket, and takes the points from all of
them or from none — atomically, whichever instance asks. A bucket is a hash (points, and when
they were counted, in the server's milliseconds) that expires when it would be full again, so
idle callers leave nothing behind.

When Redis fails or hangs (half a second at most), the charge is answered by an in-process
limiter instead — queries fail open, still limited, per instance — and after a few failures in a
row Redis is left alone for a while (a circuit breaker), so requests do not each wait on it.
The outage is logged once and every charge answered in process is counted. A mutation is not
let through on the fallback: it is refused with ``BACKEND_UNAVAILABLE`` and a time to retry.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from itertools import chain

from redis.exceptions import RedisError

from core.errors import BackendUnavailable
from infra.breaker import Breaker, BreakerState
from infra.redis_client import answers, redis_client
from infra.telemetry import Observer
from infra.throttle import Bucket, Charge, InProcessThrottle, Throttle

log = logging.getLogger("corpcare.throttle")

# Shared by both scripts: the server's clock in milliseconds, a bucket's level now, and storing
# one (a full bucket is deleted; any other expires when it would be full again).
_PRELUDE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local function level_of(key, maximum, rate)
  local stored = redis.call('HMGET', key, 'level', 'at')
  if not stored[1] then return maximum end
  return math.min(maximum, tonumber(stored[1]) + math.max(now - tonumber(stored[2]), 0) * rate / 1000)
end
local function store(key, level, maximum, rate)
  if level >= maximum then
    redis.call('DEL', key)
  else
    redis.call('HSET', key, 'level', tostring(level), 'at', tostring(now))
    redis.call('PEXPIRE', key, math.ceil((maximum - level) / rate * 1000) + 1000)
  end
end
"""

# KEYS: the buckets. ARGV: the cost, then each bucket's maximum and restore rate.
# Returns: 1 if charged, the seconds to wait, the short bucket (1-based, 0: none), each level.
CHARGE = (
    _PRELUDE
    + """
local cost = tonumber(ARGV[1])
local levels, wait, short = {}, 0, 0
for i, key in ipairs(KEYS) do
  local maximum, rate = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
  local need = math.min(cost, maximum)
  levels[i] = level_of(key, maximum, rate)
  if levels[i] < need and (need - levels[i]) / rate > wait then
    wait, short = (need - levels[i]) / rate, i
  end
end
if short == 0 then
  for i, key in ipairs(KEYS) do
    local maximum, rate = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
    levels[i] = levels[i] - math.min(cost, maximum)
    store(key, levels[i], maximum, rate)
  end
end
local reply = {short == 0 and 1 or 0, tostring(wait), short}
for i = 1, #levels do reply[#reply + 1] = tostring(levels[i]) end
return reply
"""
)

# KEYS: the buckets. ARGV: each bucket's points to give back (negative: to take), maximum and
# restore rate. Returns each level.
SETTLE = (
    _PRELUDE
    + """
local reply = {}
for i, key in ipairs(KEYS) do
  local delta, maximum, rate = tonumber(ARGV[3 * i - 2]), tonumber(ARGV[3 * i - 1]), tonumber(ARGV[3 * i])
  local level = math.max(0, math.min(maximum, level_of(key, maximum, rate) + delta))
  store(key, level, maximum, rate)
  reply[i] = tostring(level)
end
return reply
"""
)


class RedisThrottle:
    def __init__(
        self,
        url: str,
        *,
        # "budget": the keys every running instance spends from; renaming them would refill every
        # allowance once and split the instances of a rolling upgrade.
        prefix: str = "corpcare:budget:",
        timeout_seconds: float = 0.5,
        breaker: Breaker | None = None,
        observer: Observer | None = None,
    ) -> None:
        self._redis = redis_client(url, timeout_seconds)
        self._charge = self._redis.register_script(CHARGE)
        self._settle = self._redis.register_script(SETTLE)
        self.prefix = prefix
        self.breaker = breaker or Breaker(failures=3, reset_seconds=5.0)
        self.observer = observer or Observer()
        self.fallback = InProcessThrottle(limiter="fallback")
        self._outage = False

    async def charge(self, buckets: Sequence[Bucket], cost: int, *, fail_open: bool = True) -> Charge:
        buckets = tuple(buckets)
        if self.breaker.allow():
            limits = chain.from_iterable((b.maximum, b.restore_rate) for b in buckets)
            try:
                reply = await self._charge(keys=self._keys(buckets), args=[cost, *limits])
            except (RedisError, OSError) as error:
                self._failed("charge", error)
            else:
                self._answered()
                allowed, wait, short, *levels = reply
                return Charge(
                    buckets, cost, bool(allowed), tuple(float(level) for level in levels), float(wait),
                    int(short) - 1 if short else None, "redis",
                )  # fmt: skip
        if not fail_open:
            raise BackendUnavailable(
                "The cost allowances cannot be checked right now, so changes are not accepted; try again shortly.",
                backend="budgets",  # the name clients have always been given
                retryAfterSeconds=round(self._retry_after(), 1),
            )
        self.observer.throttle_fallback()
        return await self.fallback.charge(buckets, cost)

    async def settle(self, charge: Charge, actual: int) -> Charge:
        if charge.limiter == self.fallback.limiter:
            return await self.fallback.settle(charge, actual)
        deltas = charge.deltas(actual)
        # A refund that cannot reach Redis is lost: the caller keeps less than it might have.
        if not any(deltas) or not self.breaker.allow():
            return charge
        args = chain.from_iterable((d, b.maximum, b.restore_rate) for d, b in zip(deltas, charge.buckets, strict=True))
        try:
            reply = await self._settle(keys=self._keys(charge.buckets), args=list(args))
        except (RedisError, OSError) as error:
            self._failed("refund", error)
            return charge
        self._answered()
        return replace(charge, available=tuple(float(level) for level in reply))

    async def ping(self) -> bool:
        return await answers(self._redis)

    async def close(self) -> None:
        await self._redis.aclose()

    def _keys(self, buckets: Sequence[Bucket]) -> list[str]:
        return [self.prefix + bucket.key for bucket in buckets]

    def _retry_after(self) -> float:
        return self.breaker.retry_after() if self.breaker.state is BreakerState.OPEN else 1.0

    def _failed(self, what: str, error: Exception) -> None:
        self.breaker.failed()
        if not self._outage:
            self._outage = True
            log.warning(
                "Redis failed a cost-allowance %s (%s: %s); allowances are kept in this process until it answers again",
                what, type(error).__name__, error,
            )  # fmt: skip

    def _answered(self) -> None:
        self.breaker.succeeded()
        if self._outage:
            self._outage = False
            log.warning("Redis answers again; cost allowances are shared by every instance again")


def create_throttle(redis_url: str | None, observer: Observer | None = None, prefix: str = "corpcare:") -> Throttle:
    """Cost allowances in Redis when it is configured; otherwise in this process (a single instance)."""
    if redis_url:
        return RedisThrottle(redis_url, prefix=prefix + "budget:", observer=observer)
    return InProcessThrottle()


__all__ = ["RedisThrottle", "create_throttle"]
