"""Bundle balances: how much of each bundle's allowance a line has used in a month."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select

from core.billing_records import BundleBalanceRecord
from sources.billing.models import Bundle, BundleBalance
from sources.db import SqlSource, key_in


class BalanceSource(SqlSource):
    """Lines' bundle balances for a month, by line id."""

    async def bundle_balances(self, subscriber_ids: Sequence[int], period: date) -> list[BundleBalanceRecord]:
        statement = (
            select(
                BundleBalance.subscriber_id,
                BundleBalance.bundle_id,
                BundleBalance.period,
                Bundle.kind,
                BundleBalance.allowance,
                BundleBalance.used,
            )
            .join(Bundle, Bundle.id == BundleBalance.bundle_id)
            .where(key_in(BundleBalance.subscriber_id, subscriber_ids, self.dialect), BundleBalance.period == period)
            .order_by(BundleBalance.subscriber_id, Bundle.kind, BundleBalance.bundle_id)
        )
        return [BundleBalanceRecord(*row) for row in await self._rows(statement)]
