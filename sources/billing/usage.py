"""A line's itemised usage records: pages of them (newest first) and how many there are."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, select

from core.billing_records import UsageRecordRow
from core.values import Money, aware
from sources.billing.models import UsageRecord
from sources.db import SqlSource, key_in
from sources.keyset import Span, bounds, reading_order


class UsageSource(SqlSource):
    """Usage records of many lines, each read one statement for every line."""

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
        conditions = [
            *_usage_of(subscriber_ids, since, until, kinds, self.dialect),
            *bounds(_USAGE_KEY, span, descending=True),
        ]
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
        statement = select(ranked).where(ranked.c.rank <= span.fetch).order_by(ranked.c.subscriber_id, ranked.c.rank)
        return [
            UsageRecordRow(
                id=row.id,
                subscriber_id=row.subscriber_id,
                started_at=aware(row.started_at),
                period=row.period,
                kind=row.kind,
                quantity=row.quantity,
                destination=row.destination,
                amount=Money.from_minor(row.amount_minor, row.currency),
            )
            for row in await self._rows(statement)
        ]

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
