"""The one shape every loader has: batch keys, one source call, values in key order."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from aiodataloader import DataLoader

from core.scope import RowScope
from core.values import month_start
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
    def __init__(self, ctx: LoadContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.crm = ctx.sources.crm
        self.billing = ctx.sources.billing
        self.scope = ctx.scope


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
