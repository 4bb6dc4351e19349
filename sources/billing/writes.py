"""Narrow, audited writes to billing: a line's products change in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, false, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from core.values import aware
from sources.backend import Backend
from sources.billing.models import LineProduct, LineService, ScheduledPlanChange, SpendingPolicy


class BillingWriter:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    async def add_line_services(
        self, line_id: int, customer_id: int, services: Sequence[tuple[int, int]], activated_on: date
    ) -> bool:
        """Add (service id, monthly fee in minor units) to a line; False if one was added meanwhile."""
        rows = [
            {"subscriber_id": line_id, "service_id": service_id, "customer_id": customer_id,
             "activated_on": activated_on, "monthly_fee_minor": fee}
            for service_id, fee in services
        ]  # fmt: skip
        try:
            async with self.backend.begin() as conn:
                await conn.execute(insert(LineService), rows)
        except IntegrityError:
            return False
        return True

    async def remove_line_services(self, line_id: int, service_ids: Sequence[int]) -> bool:
        """Remove services from a line; False if one of them was already gone."""
        statement = delete(LineService).where(
            LineService.subscriber_id == line_id, LineService.service_id.in_(list(service_ids))
        )
        try:
            async with self.backend.begin() as conn:
                if (await conn.execute(statement)).rowcount != len(service_ids):
                    raise _Changed  # rolls the transaction back
        except _Changed:
            return False
        return True


class _Changed(Exception):
    """The line changed under us: undo this line's writes."""


class PlanWriter:
    """A line's tariff plan: changed now, or scheduled for the next billing month."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    async def change_plan_now(self, line_id: int, expected_plan: int, plan_id: int, since: date) -> bool:
        statement = (
            update(LineProduct)
            .where(LineProduct.subscriber_id == line_id, LineProduct.plan_id == expected_plan)
            .values(plan_id=plan_id, plan_since=since)
        )
        async with self.backend.begin() as conn:
            if (await conn.execute(statement)).rowcount != 1:
                return False
            # A change scheduled earlier is superseded by this one.
            await conn.execute(delete(ScheduledPlanChange).where(ScheduledPlanChange.subscriber_id == line_id))
        return True

    async def schedule_plan(self, line_id: int, plan_id: int, effective_from: date) -> bool:
        async with self.backend.begin() as conn:
            await conn.execute(delete(ScheduledPlanChange).where(ScheduledPlanChange.subscriber_id == line_id))
            change = {"subscriber_id": line_id, "plan_id": plan_id, "effective_from": effective_from}
            await conn.execute(insert(ScheduledPlanChange).values(**change))
        return True


class PolicyWriter:
    """Spending policy of one line or one org unit: the attributes given are set (None:
    inherit from above again); the others are left as they are.

    A change never overwrites: in one transaction it closes the version in force (``valid_to``
    = now) and opens the next (``valid_from`` = now), so charges already rated keep the policy
    they were rated under and a month shows its split per policy period. Changes to one owner
    take turns (a lock per owner on PostgreSQL, the one writer of SQLite): each starts from the
    version the previous one opened, and none is lost."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    async def set_policy(
        self, customer_id: int, changes: dict[str, Any], *, org_unit_id: int | None = None, line_id: int | None = None
    ) -> None:
        owner = (
            SpendingPolicy.org_unit_id == org_unit_id
            if org_unit_id is not None
            else SpendingPolicy.subscriber_id == line_id
        )
        open_version = owner & SpendingPolicy.valid_to.is_(None)
        async with self.backend.begin() as conn:
            await self._take_turn(conn, org_unit_id, line_id)
            current = (await conn.execute(select(*_VERSIONED).where(open_version))).first()
            now = datetime.now(UTC)
            values = {"customer_id": customer_id, "org_unit_id": org_unit_id, "subscriber_id": line_id}
            if current is not None:
                # Another host's clock may run behind: a version never ends before it began.
                now = max(now, aware(current.valid_from))
                await conn.execute(update(SpendingPolicy).where(SpendingPolicy.id == current.id).values(valid_to=now))
                values |= {name: getattr(current, name) for name in _ATTRIBUTES}
            await conn.execute(insert(SpendingPolicy).values(**values | changes, updated_at=now, valid_from=now))

    @staticmethod
    async def _take_turn(conn: AsyncConnection, org_unit_id: int | None, line_id: int | None) -> None:
        """Wait for earlier changes to the same owner to commit: what is read next is their result."""
        if conn.dialect.name == "postgresql":
            key = _POLICY_LOCK + (org_unit_id if org_unit_id is not None else (1 << 32) + (line_id or 0))
            await conn.execute(text("select pg_advisory_xact_lock(:key)"), {"key": key})
        else:  # a write takes SQLite's one write lock, and reads from here on see the latest commit
            await conn.execute(update(SpendingPolicy).where(false()).values(valid_to=None))


_POLICY_LOCK = 0x706F6C69 << 31  # "poli": advisory lock keys of policy owners (int64), clear of the feed's
_ATTRIBUTES = ("monthly_limit_minor", "limit_currency", "limit_action", "company_share_percent", "content_filter",
               "roaming_allowed")  # fmt: skip
_VERSIONED = (SpendingPolicy.id, SpendingPolicy.valid_from, *(getattr(SpendingPolicy, name) for name in _ATTRIBUTES))
