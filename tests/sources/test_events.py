"""The event bus: across instances through the real Redis, each message once; a slow listener
holds only the newest messages; a Redis that stops costs other instances' messages, never the
publisher, and the bus picks up again when Redis is back."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator

import pytest

from sources.events import InProcessEvents, Mailbox, RedisEvents
from tests.server.faults import Blackhole, PrivateRedis
from tests.support import REDIS_URL, reachable_redis


@pytest.fixture
async def two_instances() -> AsyncIterator[tuple[RedisEvents, RedisEvents]]:
    await (await reachable_redis()).aclose()
    prefix = f"test:{uuid.uuid4().hex}:"
    first, second = RedisEvents(REDIS_URL, prefix), RedisEvents(REDIS_URL, prefix)
    yield first, second
    await first.close()
    await second.close()


async def waiting(mailbox: Mailbox, seconds: float = 0.3) -> list[bytes]:
    """Every message the mailbox holds or receives within ``seconds`` of the last one."""
    messages: list[bytes] = []
    while True:
        try:
            messages.append(await asyncio.wait_for(mailbox.get(), seconds))
        except TimeoutError:
            return messages


async def subscribed(events: RedisEvents, channel: str, sender: RedisEvents) -> None:
    """Until a probe sent by ``sender`` arrives: the Redis subscription is in place."""
    async with events.listen(channel, size=1) as probe:
        for _ in range(100):
            await sender.publish(channel, b"probe")
            try:
                await asyncio.wait_for(probe.get(), 0.05)
                return
            except TimeoutError:
                pass
    raise AssertionError("the subscription never started")


async def heard_once_back(redis: PrivateRedis, first: RedisEvents, second: RedisEvents, there: Mailbox) -> list[bytes]:
    """Redis started (again, on its port): what ``there``, on the second instance, hears of a
    message the first publishes."""
    redis.start()
    await subscribed(second, "alerts", first)
    await waiting(there, 0.1)
    await first.publish("alerts", b"back")
    return await waiting(there)


async def test_a_message_reaches_every_listener_on_every_instance_once(two_instances):
    first, second = two_instances
    async with (
        first.listen("progress", size=100) as here,
        second.listen("progress", size=100) as there,
        second.listen("progress", size=100) as also_there,
    ):
        await subscribed(second, "progress", first)
        await waiting(there, 0.1), await waiting(also_there, 0.1)
        for n in range(20):
            await first.publish("progress", str(n).encode())
        heard = [await waiting(mailbox) for mailbox in (here, there, also_there)]
    sent = [str(n).encode() for n in range(20)]
    # In order, once each: the publisher's own listeners are not sent Redis's echo again.
    assert heard[0][-20:] == heard[1] == heard[2] == sent
    assert first.listeners("progress") == second.listeners("progress") == 0


@pytest.mark.parametrize("bus", ["in-process", "redis"])
async def test_a_listener_that_does_not_read_holds_only_the_newest_messages(two_instances, bus):
    first, second = two_instances
    publisher, events = (first, second) if bus == "redis" else (InProcessEvents(),) * 2
    async with events.listen("balances", size=3) as slow:
        if bus == "redis":
            await subscribed(events, "balances", publisher)  # type: ignore[arg-type]
        for n in range(10_000):
            await publisher.publish("balances", str(n).encode())
        await asyncio.sleep(0.3)
        assert await waiting(slow) == [b"9997", b"9998", b"9999"]


async def test_with_redis_stopped_local_listeners_still_hear_and_the_bus_recovers_when_it_is_back(tmp_path, caplog):
    redis = PrivateRedis(tmp_path / "redis")
    redis.start()
    first, second = RedisEvents(redis.url), RedisEvents(redis.url)
    try:
        async with first.listen("alerts", size=100) as here, second.listen("alerts", size=100) as there:
            await subscribed(second, "alerts", first)
            await waiting(there, 0.1)
            redis.stop()
            with caplog.at_level(logging.WARNING, logger="corpcare.events"):
                for n in range(3):
                    await first.publish("alerts", f"while stopped {n}".encode())
            assert [m for m in await waiting(here) if m != b"probe"] == [b"while stopped 0", b"while stopped 1",
                                                                         b"while stopped 2"]  # fmt: skip
            assert await waiting(there) == []
            # Once per outage, not once per message.
            assert sum("publish failed" in record.getMessage() for record in caplog.records) == 1

            assert await heard_once_back(redis, first, second, there) == [b"back"]
    finally:
        await first.close()
        await second.close()
        redis.stop()


async def test_a_listener_that_started_while_redis_was_down_hears_other_instances_once_it_is_back(tmp_path):
    redis = PrivateRedis(tmp_path / "redis")
    first, second = RedisEvents(redis.url), RedisEvents(redis.url)
    try:
        async with second.listen("alerts", size=100) as there:  # Redis is not there yet
            assert await heard_once_back(redis, first, second, there) == [b"back"]
    finally:
        await first.close()
        await second.close()
        redis.stop()


async def test_a_redis_that_hangs_holds_neither_a_publisher_nor_a_new_listener_for_long():
    async with Blackhole() as hole:
        events = RedisEvents(f"redis://127.0.0.1:{hole.port}/0")
        try:
            started = time.monotonic()
            async with events.listen("progress", size=10) as here:
                for n in range(10):
                    await events.publish("progress", str(n).encode())
                heard = await waiting(here, 0.05)
            took = time.monotonic() - started
        finally:
            await events.close()
    assert heard == [str(n).encode() for n in range(10)]  # this instance's listeners still hear
    # Half a second for the subscription and for each of the first publishes until the breaker
    # opens (three failures); the rest are not sent to Redis at all.
    assert took < 3.0, took
