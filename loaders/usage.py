"""Loader for itemised usage, paged per line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from loaders.base import SourceLoader
from loaders.page import Page, encode_cursor
from sources.billing.records import UsageRecordRow


@dataclass(frozen=True, slots=True)
class UsagePageKey:
    subscriber_id: int
    since: datetime | None
    until: datetime | None
    kinds: tuple[str, ...]
    after: tuple[datetime, int] | None
    limit: int


def usage_cursor(row: UsageRecordRow) -> str:
    return encode_cursor(row.started_at.isoformat(), row.id)


class UsageBySubscriberLoader(SourceLoader[UsagePageKey, Page]):
    """Pages of itemised usage for many lines: one statement per distinct page shape."""

    async def batch_load_fn(self, keys: list[UsagePageKey]) -> list[Page]:
        pages: dict[UsagePageKey, Page] = {}
        shapes: dict[
            tuple[datetime | None, datetime | None, tuple[str, ...], tuple[datetime, int] | None, int],
            list[UsagePageKey],
        ] = {}
        for key in keys:
            shapes.setdefault((key.since, key.until, key.kinds, key.after, key.limit), []).append(key)
        for (since, until, kinds, after, limit), group in shapes.items():
            rows = await self.billing.usage_pages(
                [k.subscriber_id for k in group], since=since, until=until, kinds=kinds, after=after, limit=limit + 1
            )
            for key in group:
                mine = [row for row in rows if row.subscriber_id == key.subscriber_id]
                pages[key] = Page(mine, limit, usage_cursor)
        return [pages[key] for key in keys]
