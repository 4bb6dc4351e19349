"""The spending policies set on units and lines, as they are now, were at a moment, or over a
range of time (their versions)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cached_property
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select

from core.billing_records import PolicyRecord
from core.values import aware
from sources.billing.models import SpendingPolicy
from sources.db import SqlSource, bound_keys, key_in, keys_bound

POLICY_COLUMNS = (
    SpendingPolicy.org_unit_id,
    SpendingPolicy.subscriber_id,
    SpendingPolicy.monthly_limit_minor,
    SpendingPolicy.limit_action,
    SpendingPolicy.company_share_percent,
    SpendingPolicy.content_filter,
    SpendingPolicy.roaming_allowed,
    SpendingPolicy.valid_from,
    SpendingPolicy.valid_to,
    SpendingPolicy.limit_currency,
)


def _policy(row: Any) -> PolicyRecord:
    valid_to = None if row.valid_to is None else aware(row.valid_to)
    return PolicyRecord(
        org_unit_id=row.org_unit_id,
        subscriber_id=row.subscriber_id,
        monthly_limit_minor=row.monthly_limit_minor,
        limit_action=row.limit_action,
        company_share_percent=row.company_share_percent,
        content_filter=row.content_filter,
        roaming_allowed=row.roaming_allowed,
        valid_from=aware(row.valid_from),
        valid_to=valid_to,
        limit_currency=row.limit_currency,
    )


def in_force_at(at: datetime | None) -> ColumnElement[bool]:
    """Policy rows in force at ``at``; None: in force now (the open ones)."""
    if at is None:
        return SpendingPolicy.valid_to.is_(None)
    return and_(SpendingPolicy.valid_from <= at, or_(SpendingPolicy.valid_to.is_(None), SpendingPolicy.valid_to > at))


class PolicySource(SqlSource):
    """The policy versions set on org units and lines."""

    async def policies(
        self, unit_ids: Sequence[int], subscriber_ids: Sequence[int], at: datetime | None = None
    ) -> list[PolicyRecord]:
        """The policies set on the units and lines, as they are now or as they were ``at``."""
        if at is None:  # every line's page asks: the statement is built once
            units, lines = bound_keys(unit_ids, self.dialect), bound_keys(subscriber_ids, self.dialect)
            return [_policy(row) for row in await self._rows(self._in_force_now, {"units": units, "lines": lines})]
        owners = key_in(SpendingPolicy.org_unit_id, unit_ids, self.dialect) | key_in(
            SpendingPolicy.subscriber_id, subscriber_ids, self.dialect
        )
        statement = select(*POLICY_COLUMNS).where(owners, in_force_at(at))
        return [_policy(row) for row in await self._rows(statement)]

    @cached_property
    def _in_force_now(self) -> Select[*tuple[Any, ...]]:
        owners = keys_bound(SpendingPolicy.org_unit_id, "units", self.dialect) | keys_bound(
            SpendingPolicy.subscriber_id, "lines", self.dialect
        )
        return select(*POLICY_COLUMNS).where(owners, in_force_at(None))

    async def policy_history(
        self, unit_ids: Sequence[int], subscriber_ids: Sequence[int], since: datetime, until: datetime
    ) -> list[PolicyRecord]:
        """Every version of the units' and lines' policies in force at some moment of [since, until)."""
        owners = key_in(SpendingPolicy.org_unit_id, unit_ids, self.dialect) | key_in(
            SpendingPolicy.subscriber_id, subscriber_ids, self.dialect
        )
        overlaps = and_(
            SpendingPolicy.valid_from < until, or_(SpendingPolicy.valid_to.is_(None), SpendingPolicy.valid_to > since)
        )
        statement = select(*POLICY_COLUMNS).where(owners, overlaps).order_by(SpendingPolicy.valid_from)
        return [_policy(row) for row in await self._rows(statement)]
