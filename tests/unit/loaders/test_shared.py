"""Per-request values shared by concurrent batches are loaded once, failures included."""

from __future__ import annotations

import asyncio

import pytest

from loaders.base import Shared


async def test_concurrent_batches_share_one_load():
    calls: list[list[str]] = []

    async def load(keys: list[str]) -> dict[str, int]:
        calls.append(keys)
        await asyncio.sleep(0.01)
        return {key: len(key) for key in keys}

    shared: Shared[str, int] = Shared()
    first, second = await asyncio.gather(shared.get(["a", "bb"], load), shared.get(["bb", "ccc"], load))
    assert first == {"a": 1, "bb": 2} and second == {"bb": 2, "ccc": 3}
    assert calls == [["a", "bb"], ["ccc"]]


async def test_a_failed_load_fails_every_waiter():
    async def load(keys: list[str]) -> dict[str, int]:
        await asyncio.sleep(0.01)
        raise ConnectionError("backend down")

    shared: Shared[str, int] = Shared()
    results = await asyncio.gather(shared.get(["a"], load), shared.get(["a"], load), return_exceptions=True)
    assert all(isinstance(result, ConnectionError) for result in results)
    with pytest.raises(ConnectionError):
        await shared.get(["a"], load)
