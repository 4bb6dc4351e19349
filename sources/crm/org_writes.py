"""Writes to the org tree. A move rewrites the materialised paths of the whole subtree,
units and lines alike, and records from when each moved line sits where it now is
(``sources/crm/history.py``), in one transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, insert, literal, select, update
from sqlalchemy.exc import IntegrityError

from core.crm_records import OrgUnitRecord
from sources.backend import Backend
from sources.crm.history import end_stays, start_stays
from sources.crm.models import LineMembership, OrgUnit, ScopeGrant, Subscriber, UnitBudget
from sources.scope import under


class OrgTreeWriter:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    async def create_unit(self, parent: OrgUnitRecord, name: str, kind: str, cost_centre_code: str | None) -> int:
        values = {"customer_id": parent.customer_id, "parent_id": parent.id, "name": name, "kind": kind,
                  "path": parent.path, "depth": parent.depth + 1, "cost_centre_code": cost_centre_code}  # fmt: skip
        async with self.backend.begin() as conn:
            unit_id = (await conn.execute(insert(OrgUnit).values(**values).returning(OrgUnit.id))).scalar_one()
            # The path holds the unit's own id, known only now.
            await conn.execute(update(OrgUnit).where(OrgUnit.id == unit_id).values(path=f"{parent.path}{unit_id}/"))
        return unit_id

    async def update_unit(self, unit_id: int, values: dict[str, Any]) -> None:
        async with self.backend.begin() as conn:
            await conn.execute(update(OrgUnit).where(OrgUnit.id == unit_id).values(**values))

    async def move_unit(
        self, unit: OrgUnitRecord, old_parent_path: str, new_parent: OrgUnitRecord, at: datetime | None = None
    ) -> bool:
        """Put ``unit`` (and its subtree) under ``new_parent``; False if the tree moved meanwhile.
        Every line below it starts a new stay with its new path on the day of ``at`` (now)."""
        at = at or datetime.now(UTC)
        shift = new_parent.depth + 1 - unit.depth
        rest = len(old_parent_path) + 1  # SQL strings count from 1

        def rewrite(path: Any) -> Any:
            return literal(new_parent.path) + func.substr(path, rest)

        async with self.backend.begin() as conn:
            moved = await conn.execute(
                update(OrgUnit).where(OrgUnit.id == unit.id, OrgUnit.path == unit.path).values(parent_id=new_parent.id)
            )
            if moved.rowcount != 1:
                return False
            subtree = under(OrgUnit.path, unit.path)
            await conn.execute(
                update(OrgUnit).where(subtree).values(path=rewrite(OrgUnit.path), depth=OrgUnit.depth + shift)
            )
            lines = under(Subscriber.org_path, unit.path)
            await conn.execute(update(Subscriber).where(lines).values(org_path=rewrite(Subscriber.org_path)))
            # The lines just rewritten (and locked, on PostgreSQL): the moved unit's id is in no other path.
            moved = under(Subscriber.org_path, new_parent.path + unit.path[len(old_parent_path) :])
            await end_stays(conn, select(Subscriber.id).where(moved).scalar_subquery(), at.date())
            await start_stays(conn, moved, at.date(), at)
        return True

    async def delete_unit(self, unit: OrgUnitRecord) -> str | None:
        """Delete an empty unit, with its budgets; or say why it cannot be: "not_empty" (units or
        lines below it), "had_lines" (lines sat in it once: closed months stay grouped by it),
        "granted" (a portal user's scope names it) or "gone" (deleted meanwhile)."""
        try:
            async with self.backend.begin() as conn:
                children = (await conn.execute(select(func.count()).where(OrgUnit.parent_id == unit.id))).scalar_one()
                lines = (await conn.execute(select(func.count()).where(Subscriber.org_unit_id == unit.id))).scalar_one()
                if children or lines:
                    return "not_empty"
                stays = select(func.count()).where(LineMembership.org_unit_id == unit.id)
                if (await conn.execute(stays)).scalar_one():
                    return "had_lines"
                if (await conn.execute(select(func.count()).where(ScopeGrant.org_unit_id == unit.id))).scalar_one():
                    return "granted"
                await conn.execute(delete(UnitBudget).where(UnitBudget.org_unit_id == unit.id))
                if (await conn.execute(delete(OrgUnit).where(OrgUnit.id == unit.id))).rowcount != 1:
                    return "gone"
        except IntegrityError:
            # A line, unit, budget or grant came in between the checks and the delete (their
            # foreign keys refuse it): the unit is not empty now, and nothing was deleted.
            return "not_empty"
        return None

    async def move_line(
        self, line_id: int, expected_unit: int, unit: OrgUnitRecord, at: datetime | None = None
    ) -> bool:
        """Move a line into ``unit`` from ``expected_unit``; False when it was no longer there.
        Its stay in the old unit ends, and one in ``unit`` starts, on the day of ``at`` (now)."""
        at = at or datetime.now(UTC)
        statement = (
            update(Subscriber)
            .where(Subscriber.id == line_id, Subscriber.org_unit_id == expected_unit)
            .values(org_unit_id=unit.id, org_path=unit.path)
        )
        async with self.backend.begin() as conn:
            if (await conn.execute(statement)).rowcount != 1:
                return False
            await end_stays(conn, [line_id], at.date())
            await start_stays(conn, Subscriber.id == line_id, at.date(), at)
        return True
