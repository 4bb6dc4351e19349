"""Batched reads from billing: one statement per call, sums computed by the database.

Billing knows lines only by id. Row scope reaches it as the ids of lines the CRM already
returned within scope, or, for company-level documents (accounts, invoices), as the scope
itself, applied by ``company_predicate``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, func, select, tuple_

from sources.billing.catalogue import CatalogueReads
from sources.billing.invoices import InvoiceReads
from sources.billing.members import Stay, line_groups, line_stays
from sources.billing.models import UsageRecord
from sources.billing.policy_reads import POLICY_COLUMNS, PolicyReads
from sources.billing.records import UsageRecordRow
from sources.billing.spending import SpendingReads
from sources.db import key_in
from sources.values import Money, aware

# The reads by billing domain live in their modules; these names are also importable from here.
__all__ = ["POLICY_COLUMNS", "BillingSource", "Stay", "line_groups", "line_stays"]


class BillingSource(CatalogueReads, SpendingReads, PolicyReads, InvoiceReads):
    """Every batched read of billing: the domains' reads, and a line's usage records."""

    # usage -----------------------------------------------------------------------------

    async def usage_pages(
        self,
        subscriber_ids: Sequence[int],
        *,
        since: datetime | None,
        until: datetime | None,
        kinds: Sequence[str],
        after: tuple[datetime, int] | None,
        limit: int,
    ) -> list[UsageRecordRow]:
        """Newest first, up to ``limit`` records per line, for many lines in one statement."""
        conditions = [key_in(UsageRecord.subscriber_id, subscriber_ids, self.dialect)]
        if since is not None:
            conditions.append(UsageRecord.started_at >= since)
        if until is not None:
            conditions.append(UsageRecord.started_at < until)
        if kinds:
            conditions.append(UsageRecord.kind.in_(kinds))
        if after is not None:
            conditions.append(tuple_(UsageRecord.started_at, UsageRecord.id) < tuple_(*after))
        rank = (
            func.row_number()
            .over(
                partition_by=UsageRecord.subscriber_id,
                order_by=(UsageRecord.started_at.desc(), UsageRecord.id.desc()),
            )
            .label("rank")
        )
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
        statement = (
            select(ranked)
            .where(ranked.c.rank <= limit)
            .order_by(ranked.c.subscriber_id, ranked.c.started_at.desc(), ranked.c.id.desc())
        )
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
