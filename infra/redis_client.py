"""How corpcare reaches Redis for commands: every answer time-limited, and a bounded pool at which
a burst of callers waits its turn instead of being refused.

An answer that does not come within the call limit (half a second) means Redis hangs. Opening a
connection, or waiting for one that this process's own callers hold, is given longer: on a busy
host (a burst of a thousand reads, CPU shared with other work) either can take seconds while
Redis itself is fine, and treating that as an outage would drop the cache and the shared cost
allowances exactly when the host is under load.
"""

from __future__ import annotations

from typing import Any

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import RedisError

from infra import tracing

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
    return TracedRedis.from_pool(pool)


class TracedRedis(Redis):
    """A client whose commands and pipelines are spans when tracing is on (``infra/tracing.py``):
    named by the command, never with its keys or values."""

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        if tracing.tracer is None:
            return await super().execute_command(*args, **options)
        name = str(args[0]).upper() if args else "REDIS"
        with tracing.client_span(name, _attributes(self, name)):
            return await super().execute_command(*args, **options)

    def pipeline(self, transaction: bool = True, shard_hint: str | None = None) -> Pipeline:
        return TracedPipeline(self.connection_pool, self.response_callbacks, transaction, shard_hint)


class TracedPipeline(Pipeline):
    async def execute(self, raise_on_error: bool = True) -> list[Any]:
        if tracing.tracer is None or not self.command_stack:
            return await super().execute(raise_on_error)
        names = [str(args[0]).upper() for args, _ in self.command_stack]
        attributes = {
            **_attributes(self, "MULTI" if self.is_transaction else "PIPELINE"),
            "db.query.text": " ".join(names),
        }
        attributes["db.operation.batch.size"] = len(names)
        with tracing.client_span(attributes["db.operation.name"], attributes):
            return await super().execute(raise_on_error)


def _attributes(client: Redis, operation: str) -> dict[str, Any]:
    """The database semantic conventions' attributes of a Redis call (where it went, which command)."""
    kwargs = client.connection_pool.connection_kwargs
    attributes: dict[str, Any] = {"db.system.name": "redis", "db.operation.name": operation}
    if "host" in kwargs:
        attributes["server.address"] = kwargs["host"]
        attributes["server.port"] = kwargs.get("port", 6379)
    attributes["db.namespace"] = str(kwargs.get("db", 0))
    return attributes
