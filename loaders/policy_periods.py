"""A line's month split per policy period: the charges rated under each policy in force."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any

from core.billing_records import PolicyPeriodRecord
from core.crm_records import path_ids
from core.values import Money, add_months, aware
from loaders.base import SourceLoader
from sources.billing.policies import line_policies
from sources.billing.policy_reads import PolicySource
from sources.billing.spending import SpendingSource

# (line id, month, currency, the line's unit path)
LinePeriodKey = tuple[int, date, str, str]


def _moment(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


class PolicyPeriodsBySubscriberMonthLoader(SourceLoader[LinePeriodKey, list[PolicyPeriodRecord]]):
    """Two statements per batch: the charges per policy they were rated under, and the versions
    of the lines' and units' policies in force during the months (to say what each policy was)."""

    reads = (SpendingSource.spending_by_policy_period, PolicySource.policy_history)

    async def batch_load_fn(self, keys: list[LinePeriodKey]) -> list[list[PolicyPeriodRecord]]:
        # Per currency: a month charged in two (the line moved between accounts) has two spendings,
        # each with the periods of its own charges.
        sums: dict[tuple[int, date, str], list[Any]] = defaultdict(list)
        for row in await self.sources.spending.spending_by_policy_period([(sid, period) for sid, period, _, _ in keys]):
            sums[row[0], row[1], row[3]].append(row)
        if not sums:
            return [[] for _ in keys]
        units = sorted({unit for _, _, _, path in keys for unit in path_ids(path)})
        since = _moment(min(period for _, period, _, _ in keys))
        until = _moment(add_months(max(period for _, period, _, _ in keys), 1))
        history = await self.sources.policies.policy_history(
            units, sorted({sid for sid, _, _, _ in keys}), since, until
        )
        return [self._periods(sid, period, currency, path, sums[sid, period, currency], history)
                for sid, period, currency, path in keys]  # fmt: skip

    @staticmethod
    def _periods(
        sid: int, period: date, currency: str, path: str, rows: list[Any], history: list[Any]
    ) -> list[PolicyPeriodRecord]:
        month_start, month_end = _moment(period), _moment(add_months(period, 1))
        starts = sorted(((max(aware(row[2]), month_start) if row[2] is not None else month_start), row) for row in rows)
        found = []
        for index, (start, row) in enumerate(starts):
            end = starts[index + 1][0] if index + 1 < len(starts) else month_end
            total, employee, over = int(row[4]), int(row[5]), int(row[6] or 0)
            policy = line_policies(history, {sid: path}, {sid: currency}, start)[sid]
            found.append(
                PolicyPeriodRecord(
                    subscriber_id=sid,
                    period=period,
                    since=start,
                    until=end,
                    policy=policy,
                    total=Money.from_minor(total, currency),
                    company_share=Money.from_minor(total - employee, currency),
                    employee_share=Money.from_minor(employee, currency),
                    over_limit=Money.from_minor(over, currency),
                )
            )
        return found
