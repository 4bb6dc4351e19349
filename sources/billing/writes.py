"""Narrow, audited writes to billing: a line's products change in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

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
    they were rated under and a month shows its split per policy period."""

    ATTEMPTS = 3  # a concurrent change to the same owner closed our version first: read again

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
        for attempt in range(self.ATTEMPTS):
            try:
                if await self._replace(owner, customer_id, changes, org_unit_id, line_id):
                    return
            except IntegrityError:  # another change opened its version first
                if attempt == self.ATTEMPTS - 1:
                    raise
        raise PolicyChanged("the policy kept changing under this change")

    async def _replace(
        self, owner: Any, customer_id: int, changes: dict[str, Any], org_unit_id: int | None, line_id: int | None
    ) -> bool:
        now = datetime.now(UTC)
        open_version = owner & SpendingPolicy.valid_to.is_(None)
        async with self.backend.begin() as conn:
            current = (await conn.execute(select(*_VERSIONED).where(open_version))).first()
            values = {"customer_id": customer_id, "org_unit_id": org_unit_id, "subscriber_id": line_id}
            if current is not None:
                still_open = (SpendingPolicy.id == current.id) & SpendingPolicy.valid_to.is_(None)
                if (await conn.execute(update(SpendingPolicy).where(still_open).values(valid_to=now))).rowcount != 1:
                    return False  # closed meanwhile: nothing written, read again
                values |= {name: getattr(current, name) for name in _ATTRIBUTES}
            await conn.execute(insert(SpendingPolicy).values(**values | changes, updated_at=now, valid_from=now))
        return True


class PolicyChanged(Exception):
    """A policy changed concurrently more often than a change tries again."""


_ATTRIBUTES = ("monthly_limit_minor", "limit_action", "company_share_percent", "content_filter", "roaming_allowed")
_VERSIONED = (SpendingPolicy.id, *(getattr(SpendingPolicy, name) for name in _ATTRIBUTES))
