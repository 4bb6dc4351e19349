"""How corpcare reaches Redis for commands: every answer time-limited, and a bounded pool at which
a burst of callers waits its turn instead of being refused.

An answer that does not come within the call limit (half a second) means Redis hangs. Opening a
connection, or waiting for one that this process's own callers hold, is given longer: on a busy
host (a burst of a thousand reads, CPU shared with other work) either can take seconds while
Redis itself is fine, and treating that as an outage would drop the cache and the shared cost
allowances exactly when the host is under load.
"""

from __future__ import annotations

from redis.asyncio import BlockingConnectionPool, Redis
from redis.exceptions import RedisError

# Connections per client (cache, cost allowances) and process; a command takes well under a
# millisecond, so 50 serve thousands of requests a second.
POOL_SIZE = 50
# How long a caller may wait to open a connection or to get one from the pool.
WAIT_SECONDS = 5.0


async def answers(redis: Redis) -> bool:
    """Whether Redis answers a PING (for the readiness check)."""
    try:
        return bool(await redis.ping())
    except (RedisError, OSError):
        return False


def redis_client(url: str, timeout_seconds: float) -> Redis:
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=POOL_SIZE,
        timeout=max(timeout_seconds, WAIT_SECONDS),
        socket_timeout=timeout_seconds,
        socket_connect_timeout=max(timeout_seconds, WAIT_SECONDS),
    )
    return Redis.from_pool(pool)
