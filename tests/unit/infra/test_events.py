"""The event bus: across instances through the real Redis, each message once; a slow listener
holds only the newest messages; a Redis that stops costs other instances' messages, never the
publisher, and the bus picks up again when Redis is back."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator

import pytest

from infra.breaker import BreakerState
from infra.events import InProcessEvents, Mailbox, RedisEvents
from tests.faults import Blackhole, PrivateRedis
from tests.support import REDIS_URL, reachable_redis
from tests.waiting import PATIENCE, within


@pytest.fixture
async def two_instances() -> AsyncIterator[tuple[RedisEvents, RedisEvents]]:
    await (await reachable_redis()).aclose()
    prefix = f"test:{uuid.uuid4().hex}:"
    first, second = RedisEvents(REDIS_URL, prefix), RedisEvents(REDIS_URL, prefix)
    yield first, second
    await first.close()
    await second.close()


async def heard_until(mailbox: Mailbox, last: bytes) -> list[bytes]:
    """Every message up to ``last``, the probes left out. A channel delivers in order, so what
    came before ``last`` is all that got through of what was sent before it."""
    messages: list[bytes] = []
    while not messages or messages[-1] != last:
        messages.append(await within(mailbox.get()))
    return [message for message in messages if message != b"probe"]


async def held(mailbox: Mailbox) -> list[bytes]:
    """Every message the mailbox holds now. Only for the in-process bus, which puts a message in
    every mailbox before ``publish`` returns: a held message is taken without waiting."""
    messages: list[bytes] = []
    while True:
        try:
            messages.append(await asyncio.wait_for(mailbox.get(), 0.05))
        except TimeoutError:
            return messages


async def subscribed(events: RedisEvents, channel: str, sender: RedisEvents) -> None:
    """Until a probe sent by ``sender`` arrives: the Redis subscription is in place."""
    async with events.listen(channel, size=1) as probe:
        for _ in range(int(PATIENCE / 0.05)):
            await sender.publish(channel, b"probe")
            try:
                await asyncio.wait_for(probe.get(), 0.05)
                return
            except TimeoutError:
                pass
    raise AssertionError("the subscription never started")


async def heard_once_back(redis: PrivateRedis, first: RedisEvents, second: RedisEvents, there: Mailbox) -> list[bytes]:
    """Redis started (again, on its port): what ``there``, on the second instance, hears of a
    message the first publishes, up to a second one sent after it (a copy of the first, from a
    channel subscribed twice, would come before it)."""
    redis.start()
    await subscribed(second, "alerts", first)
    await first.publish("alerts", b"back")
    await first.publish("alerts", b"over")
    return await heard_until(there, b"over")


async def test_a_message_reaches_every_listener_on_every_instance_once(two_instances):
    first, second = two_instances
    async with (
        first.listen("progress", size=100) as here,
        second.listen("progress", size=100) as there,
        second.listen("progress", size=100) as also_there,
    ):
        await subscribed(second, "progress", first)
        for n in range(20):
            await first.publish("progress", str(n).encode())
        await first.publish("progress", b"end")
        heard = [await heard_until(mailbox, b"end") for mailbox in (there, also_there)]
        # Redis sends the first instance its own messages (the echo) before this reply to them.
        await second.publish("progress", b"over")
        heard.append(await heard_until(here, b"over"))
    sent = [str(n).encode() for n in range(20)] + [b"end"]
    # In order, once each: the publisher's own listeners are not sent Redis's echo again.
    assert heard[0] == heard[1] == sent and heard[2] == [*sent, b"over"]
    assert first.listeners("progress") == second.listeners("progress") == 0


@pytest.mark.parametrize("bus", ["in-process", "redis"])
async def test_a_listener_that_does_not_read_holds_only_the_newest_messages(two_instances, bus):
    first, second = two_instances
    publisher, events = (first, second) if bus == "redis" else (InProcessEvents(),) * 2
    async with events.listen("balances", size=3) as slow, events.listen("balances", size=1) as newest:
        if bus == "redis":
            await subscribed(events, "balances", publisher)  # type: ignore[arg-type]
        for n in range(10_000):
            await publisher.publish("balances", str(n).encode())
        await heard_until(newest, b"9999")  # delivered to both listeners at once
        # Had it kept a fourth, the oldest would come first.
        assert [await slow.get() for _ in range(3)] == [b"9997", b"9998", b"9999"]


async def test_with_redis_stopped_local_listeners_still_hear_and_the_bus_recovers_when_it_is_back(tmp_path, caplog):
    redis = PrivateRedis(tmp_path / "redis")
    redis.start()
    first, second = RedisEvents(redis.url), RedisEvents(redis.url)
    try:
        async with first.listen("alerts", size=100) as here, second.listen("alerts", size=100) as there:
            await subscribed(second, "alerts", first)
            redis.stop()
            with caplog.at_level(logging.WARNING, logger="corpcare.events"):
                for n in range(3):
                    await first.publish("alerts", f"while stopped {n}".encode())
            assert await heard_until(here, b"while stopped 2") == [b"while stopped 0", b"while stopped 1",
                                                                    b"while stopped 2"]  # fmt: skip
            # Once per outage, not once per message.
            assert sum("publish failed" in record.getMessage() for record in caplog.records) == 1

            # The other instance heard none of them: they would have come before these.
            assert await heard_once_back(redis, first, second, there) == [b"back", b"over"]
    finally:
        await first.close()
        await second.close()
        redis.stop()


async def test_a_listener_that_started_while_redis_was_down_hears_other_instances_once_it_is_back(tmp_path):
    redis = PrivateRedis(tmp_path / "redis")
    first, second = RedisEvents(redis.url), RedisEvents(redis.url)
    try:
        async with second.listen("alerts", size=100) as there:  # Redis is not there yet
            assert await heard_once_back(redis, first, second, there) == [b"back", b"over"]
    finally:
        await first.close()
        await second.close()
        redis.stop()


async def test_a_redis_that_hangs_holds_neither_a_publisher_nor_a_new_listener_for_long():
    async with Blackhole() as hole:
        events = RedisEvents(f"redis://127.0.0.1:{hole.port}/0")
        sent: list[str] = []
        publish = events._redis.publish

        async def counted(channel: str, message: bytes) -> int:
            sent.append(channel)
            return await publish(channel, message)

        events._redis.publish = counted  # type: ignore[method-assign]
        try:
            # Calls that hung would hold the test past this bound; time-limited ones are let go.
            async with asyncio.timeout(PATIENCE), events.listen("progress", size=10) as here:
                for n in range(10):
                    await events.publish("progress", str(n).encode())
                heard = await heard_until(here, b"9")
        finally:
            await events.close()
    assert heard == [str(n).encode() for n in range(10)]  # this instance's listeners still hear
    # Every call waits half a second at most, and only the first publishes until the breaker
    # opens (three failures) are sent to Redis; the rest are not tried at all.
    assert events._redis.connection_pool.connection_kwargs["socket_timeout"] == 0.5
    assert len(sent) == 3 and events.breaker.state is BreakerState.OPEN
