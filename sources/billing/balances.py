"""Bundle balances: how much of each bundle's allowance a line has used in a month."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import cached_property
from typing import Any

from sqlalchemy import Select, bindparam, select

from core.billing_records import BundleBalanceRecord
from sources.billing.models import Bundle, BundleBalance
from sources.db import SqlSource, bound_keys, keys_bound


class BalanceSource(SqlSource):
    """Lines' bundle balances for a month, by line id."""

    @cached_property
    def _balances(self) -> Select[*tuple[Any, ...]]:
        """Built once (``keys_bound``): every line's page reads it."""
        return (
            select(
                BundleBalance.subscriber_id,
                BundleBalance.bundle_id,
                BundleBalance.period,
                Bundle.kind,
                BundleBalance.allowance,
                BundleBalance.used,
            )
            .join(Bundle, Bundle.id == BundleBalance.bundle_id)
            .where(
                keys_bound(BundleBalance.subscriber_id, "lines", self.dialect),
                BundleBalance.period == bindparam("period", type_=BundleBalance.period.type),
            )
            .order_by(BundleBalance.subscriber_id, Bundle.kind, BundleBalance.bundle_id)
        )

    async def bundle_balances(self, subscriber_ids: Sequence[int], period: date) -> list[BundleBalanceRecord]:
        parameters = {"lines": bound_keys(subscriber_ids, self.dialect), "period": period}
        return [BundleBalanceRecord(*row) for row in await self._rows(self._balances, parameters)]
