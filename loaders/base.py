"""The one shape every loader has: batch keys, one source call, values in key order.

A request's loaders are found by their class (``Loaders.get``): one per class per request,
made on first use. A loader that builds on another one (a figure read from the per-currency
figures, a count beside its pages) asks the same set for it, so both share one cache.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import cached_property, wraps
from typing import Any, ClassVar, Generic, TypeVar, cast

from aiodataloader import DataLoader, Loader, enqueue_post_future_job, iscoroutinefunctionorpartial

from core.scope import RowScope
from core.values import month_start
from infra import tracing
from loaders.closed_months import ClosedMonths, dataset_of
from loaders.shared import OrgGeneration
from sources import Sources

K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class LoadContext:
    """What a request's loaders share: the backends, the caller's row scope and today."""

    sources: Sources
    scope: RowScope
    today: date
    # The fewest lines a figure may stand for (0: none): roll-ups take whole atoms only
    # (permissions/disclosure.py).
    group_floor: int = 0

    @property
    def current_period(self) -> date:
        return month_start(self.today)


class SourceLoader(DataLoader[K, V], Generic[K, V]):
    """A batched read. ``reads`` names the source methods its batches call (its own, and those of
    the loaders it builds on), for ``docs/fields.md``; a test holds it to the code."""

    reads: ClassVar[tuple[Callable[..., Any], ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # What aiodataloader's __init__ asserts of every instance, asked once of the class.
        batch_load_fn = cls.__dict__.get("batch_load_fn")
        if batch_load_fn is not None and not iscoroutinefunctionorpartial(batch_load_fn):
            raise TypeError(f"{cls.__qualname__}.batch_load_fn must be a coroutine function")
        if batch_load_fn is not None:
            setattr(cls, "batch_load_fn", _traced(batch_load_fn))  # noqa: B010 (a class attribute mypy types per instance)

    def __init__(self, loaders: Loaders) -> None:
        # DataLoader.__init__ made with no options (aiodataloader 0.4.3), without its checks per
        # instance: a request makes about ten loaders, and those checks were most of their cost.
        self.loop = asyncio.get_event_loop()
        if not hasattr(self, "get_cache_key"):
            self.get_cache_key = _same_key
        self._cache = {}
        self._queue = []
        self.ctx = ctx = loaders.ctx
        self.crm = ctx.sources.crm
        self.sources = ctx.sources
        self.scope = ctx.scope


def _traced(batch_load_fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """``batch_load_fn`` as one span per batch, named by the loader, when tracing is on."""

    @wraps(batch_load_fn)
    async def batch(self: SourceLoader[Any, Any], keys: list[Any]) -> Any:
        if tracing.tracer is None:
            return await batch_load_fn(self, keys)
        name = type(self).__qualname__
        with tracing.span(f"load {name}", {"corpcare.loader": name, "corpcare.batch.size": len(keys)}):
            return await batch_load_fn(self, keys)

    return batch


def _same_key(key: Any) -> Any:
    return key


def cached_by_key(kind: type[Any]) -> bool:
    """Whether ``kind``'s loaders use aiodataloader's own ``load``, batching and caching each key's
    future under the key itself: a ``SourceLoader`` (made with no options) that changes neither."""
    return (
        issubclass(kind, SourceLoader)
        and kind.load is DataLoader.load
        and not hasattr(kind, "get_cache_key")
        and bool(kind.batch and kind.cache)
    )


def load_each(loader: DataLoader[K, V], keys: Iterable[K]) -> list[asyncio.Future[V]]:
    """``[loader.load(key) for key in keys]`` in one pass: the same futures, cached and queued the
    same way, one batch scheduled when the queue starts filling — without ``load``'s steps per key
    (a level's prefetch asks for thousands). A loader of another kind is asked key by key."""
    if not cached_by_key(type(loader)):
        return [loader.load(key) for key in keys]
    cache, queue, new_future = loader._cache, loader._queue, loader.loop.create_future
    was_empty = not queue
    futures = []
    refused = False
    for key in keys:
        future = cache.get(key)
        if future is None:
            if key is None:
                refused = True
                break
            future = cache[key] = new_future()
            queue.append(Loader(key, future))
        futures.append(future)
    if was_empty and queue:
        enqueue_post_future_job(loader.loop, loader)  # the keys before a refused one load, as load's do
    if refused:
        loader.load(cast(K, None))  # refused, in load's own words
    return futures


L = TypeVar("L", bound=SourceLoader[Any, Any])


class Loaders:
    """One request's loaders: one per class, made on first use, found by the class."""

    def __init__(self, ctx: LoadContext) -> None:
        self.ctx = ctx
        # The org tree's generation, read once per request by every loader of the tree.
        self.org_generation = OrgGeneration(ctx.sources.cache)
        self._made: dict[type[Any], Any] = {}

    @cached_property
    def closed_months(self) -> ClosedMonths:
        """Closed months' kept sums, in the caller's scope (loaders/closed_months.py): made for the
        requests that read spending, not for every request."""
        sources = self.ctx.sources
        billing = dataset_of(sources.billing_reports.backend.engine)
        return ClosedMonths(sources.cache, billing, self.ctx.scope.fingerprint(), self.ctx.today)

    def get(self, kind: type[L]) -> L:
        made = self._made.get(kind)
        if made is None:
            made = self._made[kind] = kind(self)
        return made

    def clear(self) -> None:
        """Forget every loader and what it cached (the request is answered), so that the rows go
        now rather than when the last reference to the request's context does. Whatever still asks
        (work that outlived the request) gets fresh loaders."""
        made, self._made = self._made, {}
        for loader in made.values():
            loader.clear_all()


class Shared(Generic[K, V]):
    """Values computed once per request and shared by concurrent batches: a batch that
    needs a key another batch is already loading awaits that load instead of repeating it."""

    def __init__(self) -> None:
        self._futures: dict[K, asyncio.Future[V]] = {}

    async def get(self, keys: Iterable[K], load: Callable[[list[K]], Awaitable[dict[K, V]]]) -> dict[K, V]:
        keys = list(dict.fromkeys(keys))
        if missing := [key for key in keys if key not in self._futures]:
            loop = asyncio.get_running_loop()
            futures = {key: loop.create_future() for key in missing}
            self._futures.update(futures)
            try:
                found = await load(missing)
            except BaseException as error:
                for future in futures.values():
                    future.set_exception(error)
                    future.exception()  # retrieved: raised here, and to whoever else awaits it
                raise
            for key, future in futures.items():
                future.set_result(found[key])
        return {key: await self._futures[key] for key in keys}


def in_key_order(keys: list[K], by_key: dict[Any, V], default: Any = None) -> list[V]:
    return [by_key.get(key, default) for key in keys]


def grouped(keys: list[K], pairs: Any) -> list[list[Any]]:
    """Values grouped under their key, in key order; a key with no value gets []."""
    groups: dict[Any, list[Any]] = {key: [] for key in keys}
    for key, value in pairs:
        if key in groups:
            groups[key].append(value)
    return [groups[key] for key in keys]
