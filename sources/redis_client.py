"""How corpcare reaches Redis for commands: every call time-limited, and a bounded pool at which
a burst of callers waits its turn (as long as one call may take) instead of being refused."""

from __future__ import annotations

from redis.asyncio import BlockingConnectionPool, Redis
from redis.exceptions import RedisError

# Connections per client (cache, cost budgets) and process; a command takes well under a
# millisecond, so 50 serve thousands of requests a second.
POOL_SIZE = 50


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
        timeout=timeout_seconds,
        socket_timeout=timeout_seconds,
        socket_connect_timeout=timeout_seconds,
    )
    return Redis.from_pool(pool)
