"""The audit log: who did or read what, on behalf of which customer, and whether it was allowed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from sources.state.models import AuditRecord


@dataclass(frozen=True, slots=True)
class AuditEntry:
    request_id: str
    user_id: int | None
    login: str
    role: str
    customer_id: int | None
    action: str
    outcome: str  # allowed, denied
    detail: dict[str, Any] = field(default_factory=dict)


class AuditLog:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def record(self, entry: AuditEntry) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                insert(AuditRecord).values(
                    at=datetime.now(UTC),
                    request_id=entry.request_id,
                    user_id=entry.user_id,
                    login=entry.login,
                    role=entry.role,
                    customer_id=entry.customer_id,
                    action=entry.action,
                    outcome=entry.outcome,
                    detail=entry.detail,
                )
            )

    async def recent(self, login: str, limit: int = 50) -> list[AuditEntry]:
        statement = (
            select(
                AuditRecord.request_id,
                AuditRecord.user_id,
                AuditRecord.login,
                AuditRecord.role,
                AuditRecord.customer_id,
                AuditRecord.action,
                AuditRecord.outcome,
                AuditRecord.detail,
            )
            .where(AuditRecord.login == login)
            .order_by(AuditRecord.id.desc())
            .limit(limit)
        )
        async with self.engine.connect() as conn:
            return [AuditEntry(*row) for row in (await conn.execute(statement)).all()]
