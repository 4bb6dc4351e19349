"""A plan reads a relation's value from the future the level's prefetch made, in a SourceLoader's
cache, and misses where the load is pending or failed, or was never asked for."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import pytest
from aiodataloader import DataLoader

from core.scope import RowScope
from engine.plans.steps import Miss, prefetched, settle_for, settled
from loaders import LoadContext, Loaders, SourceLoader
from tests.support import open_engines, sources_over, sqlite_urls
from tests.unit.loaders.test_base import _loader_classes


class NameByIdLoader(SourceLoader[int, str]):
    """Names by id; an id below zero fails its load. ``asked`` holds every batch's keys."""

    asked: list[list[int]] = []

    async def batch_load_fn(self, keys: list[int]) -> list[Any]:
        NameByIdLoader.asked.append(list(keys))
        return [ValueError(key) if key < 0 else f"name {key}" for key in keys]


class CountedNameByIdLoader(NameByIdLoader):
    """Counts the calls to ``load``."""

    calls = 0

    def load(self, key: int) -> Any:
        CountedNameByIdLoader.calls += 1
        return super().load(key)


@pytest.fixture
async def request_loaders(tmp_path):
    engines = open_engines(sqlite_urls(tmp_path))
    yield Loaders(LoadContext(sources_over(engines), RowScope.everything(), date(2026, 3, 15)))
    await engines.dispose()


async def test_every_source_loader_keeps_each_keys_future_under_the_key_itself(request_loaders):
    # What ``prefetched`` relies on: a cache that is on, a dict, and keyed by the key as it is.
    key = ("a", 1)
    for kind in _loader_classes():
        if not hasattr(kind, "batch_load_fn") or not kind.__module__.startswith("loaders."):
            continue  # a base of loaders, never made; this module's own
        loader = request_loaders.get(kind)
        assert loader.cache is True and type(loader._cache) is dict, kind
        assert loader.get_cache_key(key) is key, kind
        assert settle_for(kind) is prefetched, kind
    assert settle_for(DataLoader) is settled
    assert settle_for(CountedNameByIdLoader) is settled  # a load of its own: always asked


async def test_a_prefetched_value_is_read_from_the_loaders_cache(request_loaders):
    NameByIdLoader.asked = []
    loader = request_loaders.get(CountedNameByIdLoader)
    futures = [loader.load(1), loader.load(-1)]
    await asyncio.gather(*futures, return_exceptions=True)
    CountedNameByIdLoader.calls = 0
    assert prefetched(loader._cache, 1) == "name 1"
    with pytest.raises(Miss):
        prefetched(loader._cache, -1)  # failed: graphql-core reports it
    with pytest.raises(Miss):
        prefetched(loader._cache, 2)  # not prefetched: graphql-core's resolver asks the loader for it
    pending = loader.load(3)
    with pytest.raises(Miss):
        prefetched(loader._cache, 3)  # pending: graphql-core awaits it
    await pending
    assert CountedNameByIdLoader.calls == 1  # the plan read the cache and asked the loader for nothing
    assert 2 not in loader._cache and NameByIdLoader.asked == [[1, -1], [3]]
