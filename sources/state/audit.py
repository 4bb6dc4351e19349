"""The audit log: who did or read what, on behalf of which customer, and whether it was allowed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from sources.backend import Backend
from sources.state.models import AuditRecord, AuditTarget
from sources.values import aware


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
    # (kind, id) of every object touched, e.g. ("Subscriber", 42).
    targets: tuple[tuple[str, int], ...] = ()
    at: datetime | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class AuditQuery:
    customer_ids: frozenset[int] | None  # None: every customer (operator staff)
    since: datetime | None = None
    until: datetime | None = None
    login: str | None = None
    action: str | None = None
    target: tuple[str, int] | None = None
    after: tuple[datetime, int] | None = None  # (at, id) of the last record seen
    limit: int = 50


class AuditLog:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    async def record(self, entry: AuditEntry) -> None:
        async with self.backend.begin() as conn:
            await write_entry(conn, entry)

    async def recent(self, login: str, limit: int = 50) -> list[AuditEntry]:
        return await self.page(AuditQuery(customer_ids=None, login=login, limit=limit))

    async def page(self, query: AuditQuery) -> list[AuditEntry]:
        """Newest first; keyset pagination on (time, id)."""
        statement = select(*COLUMNS).order_by(AuditRecord.at.desc(), AuditRecord.id.desc()).limit(query.limit)
        if query.customer_ids is not None:
            statement = statement.where(AuditRecord.customer_id.in_(sorted(query.customer_ids)))
        if query.since is not None:
            statement = statement.where(AuditRecord.at >= query.since)
        if query.until is not None:
            statement = statement.where(AuditRecord.at < query.until)
        if query.login is not None:
            statement = statement.where(AuditRecord.login == query.login)
        if query.action is not None:
            statement = statement.where(AuditRecord.action == query.action)
        if query.target is not None:
            kind, target_id = query.target
            touched = select(AuditTarget.audit_id).where(AuditTarget.kind == kind, AuditTarget.target_id == target_id)
            statement = statement.where(AuditRecord.id.in_(touched))
        if query.after is not None:
            statement = statement.where(tuple_(AuditRecord.at, AuditRecord.id) < tuple_(*query.after))
        async with self.backend.connect() as conn:
            rows = (await conn.execute(statement)).all()
        return [
            AuditEntry(
                request_id=row.request_id, user_id=row.user_id, login=row.login, role=row.role,
                customer_id=row.customer_id, action=row.action, outcome=row.outcome, detail=row.detail,
                at=aware(row.at), id=row.id,
            )
            for row in rows
        ]  # fmt: skip


COLUMNS = (
    AuditRecord.id,
    AuditRecord.at,
    AuditRecord.request_id,
    AuditRecord.user_id,
    AuditRecord.login,
    AuditRecord.role,
    AuditRecord.customer_id,
    AuditRecord.action,
    AuditRecord.outcome,
    AuditRecord.detail,
)


async def write_entry(conn: AsyncConnection, entry: AuditEntry) -> None:
    """Write one record and its targets in the caller's transaction."""
    inserted = await conn.execute(
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
    if entry.targets:
        key = inserted.inserted_primary_key
        assert key is not None
        rows = [{"audit_id": key[0], "kind": kind, "target_id": target} for kind, target in set(entry.targets)]
        await conn.execute(insert(AuditTarget), rows)
