"""Callers asking for a key another caller is loading wait for that load instead of repeating it."""

from __future__ import annotations

import asyncio

import pytest

from infra.single_flight import SingleFlight


async def one_turn() -> None:
    """One turn of the event loop (not a wait for time): every task made before runs to its first
    wait — a caller that found its key in flight, or the load it started."""
    await asyncio.sleep(0)


async def test_twenty_callers_of_one_key_load_it_once():
    flights, release, calls = SingleFlight(), asyncio.Event(), []

    async def load(keys: list[str]) -> dict[str, bytes]:
        calls.append(keys)
        await release.wait()
        return {key: key.encode() for key in keys}

    callers = [asyncio.create_task(flights.run(["march"], load)) for _ in range(20)]
    await one_turn()
    release.set()
    assert await asyncio.gather(*callers) == [{"march": b"march"}] * 20
    assert calls == [["march"]]


async def test_keys_already_in_flight_are_awaited_and_the_rest_loaded_together():
    flights, release, calls = SingleFlight(), asyncio.Event(), []

    async def load(keys: list[str]) -> dict[str, bytes]:
        calls.append(keys)
        await release.wait()
        return {key: key.encode() for key in keys}

    first = asyncio.create_task(flights.run(["a", "b"], load))
    second = asyncio.create_task(flights.run(["b", "c"], load))
    await one_turn()
    release.set()
    assert await first == {"a": b"a", "b": b"b"} and await second == {"b": b"b", "c": b"c"}
    assert calls == [["a", "b"], ["c"]]


async def test_a_failed_load_fails_its_waiters_and_the_next_caller_loads_again():
    flights, release = SingleFlight(), asyncio.Event()

    async def failing(keys: list[str]) -> dict[str, bytes]:
        await release.wait()
        raise ConnectionError("backend down")

    callers = [asyncio.create_task(flights.run(["april"], failing)) for _ in range(3)]
    await one_turn()
    release.set()
    for caller in callers:
        with pytest.raises(ConnectionError):
            await caller

    async def load(keys: list[str]) -> dict[str, bytes]:
        return dict.fromkeys(keys, b"ok")

    assert await flights.run(["april"], load) == {"april": b"ok"}


async def test_a_cancelled_load_leaves_its_waiters_to_load_for_themselves():
    flights, started, calls = SingleFlight(), asyncio.Event(), []

    async def hanging(keys: list[str]) -> dict[str, bytes]:
        started.set()
        await asyncio.Event().wait()
        raise AssertionError("never answers")

    async def load(keys: list[str]) -> dict[str, bytes]:
        calls.append(keys)
        return dict.fromkeys(keys, b"mine")

    owner = asyncio.create_task(flights.run(["may"], hanging))
    await started.wait()
    waiter = asyncio.create_task(flights.run(["may"], load))
    await one_turn()
    owner.cancel()
    async with asyncio.timeout(10):  # bounded: a waiter left on a cancelled load would wait forever
        assert await waiter == {"may": b"mine"} and calls == [["may"]]
    with pytest.raises(asyncio.CancelledError):
        await owner
