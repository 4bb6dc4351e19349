"""The event bus between instances: Redis pub/sub when configured, otherwise in-process.

A message goes at once to this process's own listeners, and through Redis to the other
instances' (each instance skips the echo of its own messages). Every process holds one Redis
subscription per channel however many listeners it has, and fans out locally.

A listener's mailbox is bounded: a slow consumer loses the oldest messages it has not read,
never grows memory (progress and balances only need the newest). A Redis that fails or hangs
never fails the publisher: the message still reaches this process's listeners, a call waits
half a second at most, and the failure is logged once per outage. Channels Redis could not
take are subscribed again, by the reader, as soon as it answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.exceptions import RedisError

from infra.breaker import Breaker
from infra.redis_client import redis_client

log = logging.getLogger("corpcare.events")


class Mailbox:
    """The newest ``size`` messages of one listener."""

    def __init__(self, size: int) -> None:
        self._messages: deque[bytes] = deque(maxlen=size)
        self._ready = asyncio.Event()

    def put(self, message: bytes) -> None:
        self._messages.append(message)  # past the bound, the oldest goes
        self._ready.set()

    async def get(self) -> bytes:
        while not self._messages:
            self._ready.clear()
            await self._ready.wait()
        return self._messages.popleft()


class InProcessEvents:
    def __init__(self) -> None:
        self._listeners: dict[str, set[Mailbox]] = {}

    async def publish(self, channel: str, message: bytes) -> None:
        self._deliver(channel, message)

    @asynccontextmanager
    async def listen(self, channel: str, size: int = 1) -> AsyncIterator[Mailbox]:
        mailbox = Mailbox(size)
        listeners = self._listeners.setdefault(channel, set())
        first = not listeners
        listeners.add(mailbox)
        try:
            if first:
                await self._opened(channel)
            yield mailbox
        finally:
            listeners.discard(mailbox)
            if not listeners:
                del self._listeners[channel]
                await self._closed(channel)

    def listeners(self, channel: str) -> int:
        """How many listen to ``channel`` in this process."""
        return len(self._listeners.get(channel, ()))

    def _deliver(self, channel: str, message: bytes) -> None:
        for mailbox in self._listeners.get(channel, ()):
            mailbox.put(message)

    async def _opened(self, channel: str) -> None:
        pass

    async def _closed(self, channel: str) -> None:
        pass

    async def close(self) -> None:
        self._listeners.clear()


class RedisEvents(InProcessEvents):
    def __init__(self, url: str, prefix: str = "corpcare:events:", timeout_seconds: float = 0.5) -> None:
        super().__init__()
        self._redis = redis_client(url, timeout_seconds)
        self._pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        self._prefix = prefix
        self._origin = uuid.uuid4().hex.encode()
        self._reader: asyncio.Task[None] | None = None
        # Channels this process listens to; the reader subscribes any that Redis has not taken.
        self._wanted: set[str] = set()
        # Publishing waits half a second at most, and after three failures in a row Redis is
        # left alone for five seconds: a publisher (a bulk worker, the usage feed) never hangs.
        self.breaker = Breaker(failures=3, reset_seconds=5.0)
        self._healthy = True

    async def publish(self, channel: str, message: bytes) -> None:
        self._deliver(channel, message)
        if not self.breaker.allow():
            return
        try:
            await self._redis.publish(self._prefix + channel, self._origin + b" " + message)
        except (RedisError, OSError) as error:
            self.breaker.failed()
            self._failed("publish", error)
        else:
            self.breaker.succeeded()
            self._recovered()

    async def _opened(self, channel: str) -> None:
        self._wanted.add(self._prefix + channel)
        with contextlib.suppress(RedisError, OSError):  # the reader tries again
            await self._subscribe_missing()
        if self._reader is None or self._reader.done():
            self._reader = asyncio.create_task(self._read(), name="corpcare events")

    async def _closed(self, channel: str) -> None:
        self._wanted.discard(self._prefix + channel)
        with contextlib.suppress(RedisError, OSError):
            await self._pubsub.unsubscribe(self._prefix + channel)

    async def _subscribe_missing(self) -> None:
        taken = {c.decode() if isinstance(c, bytes) else c for c in self._pubsub.channels}
        if missing := sorted(self._wanted - taken):
            try:
                await self._pubsub.subscribe(*missing)
            except (RedisError, OSError) as error:
                self._failed("subscribe", error)
                raise
            self._recovered()

    async def _read(self) -> None:
        while self._listeners:
            try:
                await self._subscribe_missing()
                if not self._pubsub.subscribed:
                    await asyncio.sleep(0.5)
                    continue
                received = await self._pubsub.get_message(timeout=1.0)
            except (RedisError, OSError) as error:
                self._failed("subscription", error)
                await asyncio.sleep(1.0)
                continue
            if received is None:
                continue
            self._recovered()
            origin, _, message = bytes(received["data"]).partition(b" ")
            if origin != self._origin:  # this process's own messages were delivered at once
                self._deliver(received["channel"].decode().removeprefix(self._prefix), message)

    def _failed(self, what: str, error: Exception) -> None:
        if self._healthy:
            log.warning("Redis %s failed (%s: %s); events reach this instance only", what, type(error).__name__, error)
        self._healthy = False

    def _recovered(self) -> None:
        if not self._healthy:
            log.warning("Redis answers again; events reach every instance again")
        self._healthy = True

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        await self._pubsub.aclose()
        await self._redis.aclose()
        await super().close()


def create_events(redis_url: str | None, prefix: str = "corpcare:") -> InProcessEvents:
    return RedisEvents(redis_url, prefix + "events:") if redis_url else InProcessEvents()
