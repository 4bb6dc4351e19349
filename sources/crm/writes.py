"""Narrow, audited writes to the CRM: each line changes in its own transaction."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update

from sources.backend import Backend
from sources.crm.history import record_budget
from sources.crm.models import OrgUnit, Subscriber


class CrmWriter:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    async def set_line_status(self, line_id: int, expected: str, status: str) -> bool:
        """Move a line from ``expected`` to ``status``; False when it was no longer ``expected``."""
        statement = (
            update(Subscriber).where(Subscriber.id == line_id, Subscriber.status == expected).values(status=status)
        )
        async with self.backend.begin() as conn:
            return (await conn.execute(statement)).rowcount == 1

    async def set_unit_budget(
        self, unit_id: int, expected_minor: int | None, budget_minor: int | None, month: date
    ) -> bool:
        """Set a unit's monthly budget from ``month`` (the current one) on; False when it was no longer
        ``expected_minor``. Earlier months keep the budget they had (``unit_budgets``)."""
        current = OrgUnit.monthly_budget_minor
        unchanged = current.is_(None) if expected_minor is None else current == expected_minor
        statement = update(OrgUnit).where(OrgUnit.id == unit_id, unchanged).values(monthly_budget_minor=budget_minor)
        async with self.backend.begin() as conn:
            if (await conn.execute(statement)).rowcount != 1:
                return False
            await record_budget(conn, unit_id, month, budget_minor)
        return True
