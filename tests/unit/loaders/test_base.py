"""A request's loaders are found by their class, and each says which source methods it reads."""

from __future__ import annotations

import ast
import asyncio
import importlib
import inspect
import pkgutil
import textwrap
from datetime import date

import pytest
from aiodataloader import DataLoader

import loaders
from core.scope import RowScope
from loaders import LoadContext, Loaders, SourceLoader
from loaders.base import cached_by_key, load_each
from loaders.org import OrgUnitByIdLoader, OrgUnitsByParentIdLoader
from loaders.spending import SpendingBySubscriberMonthLoader, SpendingPerCurrencyBySubscriberMonthLoader
from loaders.usage import UsageBySubscriberLoader, UsageCountBySubscriberLoader
from tests.support import open_engines, sources_over, sqlite_urls

# self.crm.<read>, self.sources.<domain>.<read> (billing by domain), self.ctx.sources.<store>.<read>


def _loader_classes() -> list[type[SourceLoader]]:
    for module in pkgutil.iter_modules(loaders.__path__):
        importlib.import_module(f"loaders.{module.name}")
    found, todo = [], [SourceLoader]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.append(sub)
            todo.append(sub)
    return found


def _reads_in_code(kind: type[SourceLoader]) -> set[str]:
    """The source methods the class's own code calls, and those of the loaders it names."""
    names: set[str] = set()
    for cls in kind.__mro__:
        if cls is SourceLoader or not issubclass(cls, SourceLoader):
            continue
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute):
                chain = _chain(node)
                if chain[:2] == ["self", "crm"] and len(chain) == 3:
                    names.add(chain[2])
                if chain[:2] == ["self", "sources"] and len(chain) == 4 and chain[2] != "cache":
                    names.add(chain[3])
                if chain[:3] == ["self", "ctx", "sources"] and len(chain) == 5 and chain[3] != "cache":
                    names.add(chain[4])
            elif isinstance(node, ast.Name) and node.id != cls.__name__:
                named = getattr(inspect.getmodule(cls), node.id, None)
                if isinstance(named, type) and issubclass(named, SourceLoader) and named is not SourceLoader:
                    names |= _reads_in_code(named)
    return names


def _chain(node: ast.Attribute) -> list[str]:
    parts: list[str] = []
    current: ast.expr = node
    while isinstance(current, ast.Attribute):
        parts.append(current.attr)
        current = current.value
    if isinstance(current, ast.Name):
        parts.append(current.id)
    return parts[::-1]


def test_every_loader_declares_exactly_the_source_methods_its_code_reads():
    classes = _loader_classes()
    assert len(classes) > 30
    wrong = {
        kind.__name__: (sorted(declared), sorted(in_code))
        for kind in classes
        if (declared := {read.__name__ for read in kind.reads}) != (in_code := _reads_in_code(kind))
    }
    assert wrong == {}


async def test_a_request_holds_one_loader_per_class_made_on_first_use(tmp_path):
    engines = open_engines(sqlite_urls(tmp_path))
    sources = sources_over(engines)
    request = Loaders(LoadContext(sources, RowScope.everything(), date(2026, 3, 15)))
    units = request.get(OrgUnitByIdLoader)
    assert isinstance(units, OrgUnitByIdLoader) and request.get(OrgUnitByIdLoader) is units
    # A figure and its per-currency figures share one cache; so do pages and their counts.
    figures = request.get(SpendingBySubscriberMonthLoader)
    assert figures._per_currency is request.get(SpendingPerCurrencyBySubscriberMonthLoader)
    assert request.get(UsageBySubscriberLoader)._counts is request.get(UsageCountBySubscriberLoader)
    # The org tree's loaders read its generation once per request.
    assert request.get(OrgUnitsByParentIdLoader).generation is units.generation is request.org_generation
    other = Loaders(request.ctx)
    assert other.get(OrgUnitByIdLoader) is not units
    await engines.dispose()


class _Echo(SourceLoader[int, str]):
    """Answers each key with its text; keeps the batches it was asked for."""

    def __init__(self, loaders: Loaders) -> None:
        super().__init__(loaders)
        self.batches: list[list[int]] = []

    async def batch_load_fn(self, keys: list[int]) -> list[str]:
        self.batches.append(list(keys))
        if 13 in keys:
            raise LookupError("no 13")
        return [str(key) for key in keys]


async def test_a_loader_is_made_as_aiodataloader_makes_one_with_no_options(tmp_path):
    engines = open_engines(sqlite_urls(tmp_path))
    request = Loaders(LoadContext(sources_over(engines), RowScope.everything(), date(2026, 3, 15)))
    made = _Echo(request)
    theirs = _Echo.__new__(_Echo)
    DataLoader.__init__(theirs)
    assert vars(theirs).keys() <= vars(made).keys()
    assert made.loop is theirs.loop is asyncio.get_running_loop()
    assert (made._cache, made._queue, made.get_cache_key(7)) == (theirs._cache, theirs._queue, theirs.get_cache_key(7))
    assert await made.load_many([1, 2, 1]) == ["1", "2", "1"] and made.batches == [[1, 2]]
    await engines.dispose()


def test_a_loader_whose_batch_is_not_a_coroutine_function_is_refused_when_defined():
    with pytest.raises(TypeError, match="must be a coroutine function"):

        class _Plain(SourceLoader[int, str]):
            def batch_load_fn(self, keys: list[int]) -> list[str]:  # type: ignore[override]
                return [str(key) for key in keys]


class _OwnLoad(_Echo):
    def load(self, key: int) -> asyncio.Future[str]:
        return super().load(key)


async def test_loading_keys_at_once_is_loading_them_one_by_one(tmp_path):
    engines = open_engines(sqlite_urls(tmp_path))
    request = Loaders(LoadContext(sources_over(engines), RowScope.everything(), date(2026, 3, 15)))
    echo = request.get(_Echo)
    assert cached_by_key(_Echo)
    known = echo.load(1)
    futures = load_each(echo, [1, 2, 3])
    assert futures[0] is known  # an asked key's own future
    assert load_each(echo, [3, 4]) == [futures[2], echo._cache[4]]  # the queue was not empty: one batch
    assert [await future for future in futures] == ["1", "2", "3"]
    assert echo.batches == [[1, 2, 3, 4]]
    assert load_each(echo, [2]) == [futures[1]] and echo.batches == [[1, 2, 3, 4]]  # cached: no new batch
    # A failed batch fails each of its futures, as load's do.
    failed = load_each(echo, [12, 13])
    with pytest.raises(LookupError):
        await failed[0]
    with pytest.raises(LookupError):
        await failed[1]
    with pytest.raises(TypeError, match="must be called with a value"):
        load_each(echo, [5, None])
    # The key before the refused one is loaded all the same (a guard, should it never be: no hang).
    assert await asyncio.wait_for(echo._cache[5], timeout=60) == "5"
    # A loader with its own load is asked through it, key by key.
    own = request.get(_OwnLoad)
    assert not cached_by_key(_OwnLoad)
    asked = load_each(own, [7, 8])
    assert [await future for future in asked] == ["7", "8"] and own.batches == [[7, 8]]
    await engines.dispose()
