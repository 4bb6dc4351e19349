"""A pooled connection lent for one read built once (``sources/direct.py``), without a SQLAlchemy
``Connection`` around it.

An ``AsyncConnection`` per read cost three times a raw asyncpg checkout (57 µs against 17 µs on a
line's page, three reads a request): its ``Connection``, the isolation level set at checkout and
reset at checkin, its transaction bookkeeping. A read that asyncpg runs directly needs none of it:
with no transaction begun, PostgreSQL runs each statement as its own (autocommit). So the engine's
pool lends its connection straight away (``Engine.raw_connection``): the pool's size, overflow and
timeout, its recycling, its checkout listeners (``_replace_if_closed``) and the translation of a
failure to connect are the same as for any connection; it is given back (shielded from a
cancellation, as ``AsyncConnection`` gives its own back) when the read is done.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.util.concurrency import greenlet_spawn

from infra.shielding import to_the_end


class Lent:
    """The async context manager lending one of ``engine``'s pooled connections."""

    __slots__ = ("engine", "pooled")

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.pooled: Any = None

    async def __aenter__(self) -> Lent:
        self.pooled = await greenlet_spawn(self.engine.raw_connection)
        return self

    async def __aexit__(self, *_: object) -> None:
        pooled, self.pooled = self.pooled, None
        # In a greenlet: a connection the pool closes (recycled, overflow, invalidated) awaits asyncpg.
        await to_the_end(greenlet_spawn(pooled.close))

    def connection(self) -> Connection:
        """A SQLAlchemy ``Connection`` over the lent one, for raising an error as it raises it (and
        invalidating the connection when the error says it is dead); the pool gets it back from
        ``__aexit__`` all the same."""
        return Connection(self.engine, self.pooled)
