"""A line's itemised usage records: pages of them (newest first) and how many there are."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, func, select

from core.billing_records import UsageRecordRow
from core.values import Money, aware
from sources.backend import Backend
from sources.billing.models import UsageRecord
from sources.db import SqlSource, bound_keys, key_in, keys_bound
from sources.keyset import Span, bounds, reading_order


class UsageSource(SqlSource):
    """Usage records of many lines, each read one statement for every line."""

    def __init__(self, backend: Backend) -> None:
        super().__init__(backend)
        self._first_pages: dict[tuple[bool, bool, tuple[str, ...], bool], Select[Any]] = {}

    async def usage_pages(
        self,
        subscriber_ids: Sequence[int],
        *,
        since: datetime | None,
        until: datetime | None,
        kinds: Sequence[str],
        span: Span,
    ) -> list[UsageRecordRow]:
        """Per line, the records of ``span`` (newest first, keyset on time and id) in reading
        order, for many lines in one statement."""
        if span.after is None and span.before is None:
            # A first (or last) page, as a line's detail reads it: built once per filter shape.
            statement = self._first_page(since is not None, until is not None, tuple(kinds), span.backward)
            bound: dict[str, Any] = {"lines": bound_keys(subscriber_ids, self.dialect), "fetch": span.fetch}
            bound |= {name: at for name, at in (("since", since), ("until", until)) if at is not None}
            parameters: dict[str, Any] | None = bound
        else:
            conditions = _usage_of(subscriber_ids, since, until, kinds, self.dialect)
            conditions += bounds(_USAGE_KEY, span, descending=True)
            statement, parameters = _ranked(conditions, span, span.fetch), None
        rows = await self._rows(statement, parameters)
        # Unpacked by position, in ``_ranked``'s column order: a ``Row`` looks each attribute up by
        # name, eight times for each of a page's records.
        return [
            UsageRecordRow(key, line, aware(at), period, kind, quantity, destination, Money.from_minor(minor, currency))
            for key, line, at, period, kind, quantity, destination, minor, currency, _rank in rows
        ]

    def _first_page(self, since: bool, until: bool, kinds: tuple[str, ...], backward: bool) -> Select[Any]:
        shape = (since, until, kinds, backward)
        built = self._first_pages.get(shape)
        if built is None:
            started = UsageRecord.started_at
            conditions = [keys_bound(UsageRecord.subscriber_id, "lines", self.dialect)]
            if since:
                conditions.append(started >= bindparam("since", type_=started.type))
            if until:
                conditions.append(started < bindparam("until", type_=started.type))
            if kinds:
                conditions.append(UsageRecord.kind.in_(kinds))
            if len(self._first_pages) >= SHAPES_KEPT:
                self._first_pages.pop(next(iter(self._first_pages)))
            built = self._first_pages[shape] = _ranked(conditions, Span(0, backward=backward), bindparam("fetch"))
        return built

    async def usage_counts(
        self, subscriber_ids: Sequence[int], *, since: datetime | None, until: datetime | None, kinds: Sequence[str]
    ) -> dict[int, int]:
        """Per line, how many records the filters keep."""
        statement = (
            select(UsageRecord.subscriber_id, func.count(UsageRecord.id))
            .where(*_usage_of(subscriber_ids, since, until, kinds, self.dialect))
            .group_by(UsageRecord.subscriber_id)
        )
        return {row[0]: int(row[1]) for row in await self._rows(statement)}


_USAGE_KEY = (UsageRecord.started_at, UsageRecord.id)
# Filter shapes (dates given or not, the kinds, the direction) whose first page is kept built.
SHAPES_KEPT = 256


def _ranked(conditions: list[ColumnElement[bool]], span: Span, fetch: Any) -> Select[Any]:
    """The first ``fetch`` records of each line among those ``conditions`` keep, in ``span``'s order."""
    order = reading_order(_USAGE_KEY, span, descending=True)
    rank = func.row_number().over(partition_by=UsageRecord.subscriber_id, order_by=order).label("rank")
    ranked = (
        select(
            UsageRecord.id,
            UsageRecord.subscriber_id,
            UsageRecord.started_at,
            UsageRecord.period,
            UsageRecord.kind,
            UsageRecord.quantity,
            UsageRecord.destination,
            UsageRecord.amount_minor,
            UsageRecord.currency,
            rank,
        )
        .where(and_(*conditions))
        .subquery()
    )
    return select(ranked).where(ranked.c.rank <= fetch).order_by(ranked.c.subscriber_id, ranked.c.rank)


def _usage_of(
    subscriber_ids: Sequence[int], since: datetime | None, until: datetime | None, kinds: Sequence[str], dialect: str
) -> list[ColumnElement[bool]]:
    """The usage records of these lines that the filters keep."""
    conditions = [key_in(UsageRecord.subscriber_id, subscriber_ids, dialect)]
    if since is not None:
        conditions.append(UsageRecord.started_at >= since)
    if until is not None:
        conditions.append(UsageRecord.started_at < until)
    if kinds:
        conditions.append(UsageRecord.kind.in_(kinds))
    return conditions
