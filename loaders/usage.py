"""Loaders for itemised usage, paged per line, and counted per line when asked."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from core.billing_records import UsageRecordRow
from loaders.base import Loaders, SourceLoader
from loaders.cursors import Keyset, Window, key64, moment, window_of
from sources.billing.usage import UsageSource
from sources.keyset import Span

KEYSET = Keyset("usage", (moment, key64))


@dataclass(frozen=True, slots=True)
class UsageFilter:
    """Which of a line's records the list holds."""

    subscriber_id: int
    since: datetime | None
    until: datetime | None
    kinds: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class UsagePageKey:
    of: UsageFilter
    span: Span


def usage_cursor(row: UsageRecordRow) -> str:
    return KEYSET.cursor(row.started_at, row.id)


class UsageBySubscriberLoader(SourceLoader[UsagePageKey, Window]):
    """Pages of itemised usage for many lines: one statement per distinct page shape."""

    reads = (UsageSource.usage_pages, UsageSource.usage_counts)

    def __init__(self, loaders: Loaders) -> None:
        super().__init__(loaders)
        self._counts = loaders.get(UsageCountBySubscriberLoader)

    async def batch_load_fn(self, keys: list[UsagePageKey]) -> list[Window]:
        pages: dict[UsagePageKey, Window] = {}
        shapes: dict[tuple[datetime | None, datetime | None, tuple[str, ...], Span], list[UsagePageKey]] = {}
        for key in keys:
            shapes.setdefault((key.of.since, key.of.until, key.of.kinds, key.span), []).append(key)
        for (since, until, kinds, span), group in shapes.items():
            rows = await self.sources.usage.usage_pages(
                [k.of.subscriber_id for k in group], since=since, until=until, kinds=kinds, span=span
            )
            for key in group:
                mine = [row for row in rows if row.subscriber_id == key.of.subscriber_id]
                pages[key] = window_of(mine, span, usage_cursor, self._counter(key.of))
        return [pages[key] for key in keys]

    def _counter(self, of: UsageFilter) -> Callable[[], Awaitable[int]]:
        async def count() -> int:
            return await self._counts.load(of)

        return count


class UsageCountBySubscriberLoader(SourceLoader[UsageFilter, int]):
    """How many records each line's list holds (``totalCount``): one statement per filter shape."""

    reads = (UsageSource.usage_counts,)

    async def batch_load_fn(self, keys: list[UsageFilter]) -> list[int]:
        shapes: dict[tuple[datetime | None, datetime | None, tuple[str, ...]], list[UsageFilter]] = {}
        for key in keys:
            shapes.setdefault((key.since, key.until, key.kinds), []).append(key)
        counts: dict[UsageFilter, int] = {}
        for (since, until, kinds), group in shapes.items():
            found = await self.sources.usage.usage_counts(
                [key.subscriber_id for key in group], since=since, until=until, kinds=kinds
            )
            counts.update((key, found.get(key.subscriber_id, 0)) for key in group)
        return [counts[key] for key in keys]
