"""The audit log: who did or read what, on behalf of which customer, and whether it was allowed.

A change records its *intent* before it touches a backend (``begin``: outcome ``pending``, the
input, and the targets known so far), adds what it plans to write (``plan``), and its outcome
after (``settle``). An intent still pending past its hold is one whose process
stopped: the recovery pass (``resolvers/recovery.py``) settles it against the backends. A
pending intent is *held* by its change until a time it renews while it runs (``hold``): past
that time, the change's process has stopped.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Select, TextClause, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from core.scope import RowScope
from core.values import aware
from sources.backend import Backend
from sources.keyset import FIRST_PAGE, Span, bounds, reading_order
from sources.scope import audit_entry_predicate
from sources.state.models import AuditRecord, AuditTarget


@dataclass(frozen=True, slots=True)
class AuditEntry:
    request_id: str
    user_id: int | None
    login: str
    role: str
    customer_id: int | None
    action: str
    outcome: str  # allowed, denied; pending (an intent), interrupted
    detail: dict[str, Any] = field(default_factory=dict)
    # (kind, id) of every object touched, e.g. ("Subscriber", 42).
    targets: tuple[tuple[str, int], ...] = ()
    at: datetime | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class AuditQuery:
    scope: RowScope  # the caller's: its customers' records (operator staff: every customer's)
    since: datetime | None = None
    until: datetime | None = None
    login: str | None = None
    action: str | None = None
    outcome: str | None = None
    target: tuple[str, int] | None = None
    span: Span = FIRST_PAGE  # newest first, keyset on (time, id)


class AuditLog:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    async def record(self, entry: AuditEntry) -> None:
        async with self.backend.begin() as conn:
            await write_entry(conn, entry)

    async def begin(self, entry: AuditEntry, held_until: datetime) -> int:
        """Record a change's intent (``entry.outcome`` is ignored), held by its change until
        ``held_until`` (``hold`` renews it): its id, to settle later."""
        async with self.backend.begin() as conn:
            return await write_entry(conn, replace(entry, outcome="pending"), held_until)

    async def hold(self, audit_id: int, until: datetime) -> None:
        """The change behind a pending intent is still at work."""
        async with self.backend.begin() as conn:
            await conn.execute(
                update(AuditRecord)
                .where(AuditRecord.id == audit_id, AuditRecord.outcome == "pending")
                .values(held_until=until)
            )

    async def plan(self, audit_id: int, detail: dict[str, Any], targets: tuple[tuple[str, int], ...]) -> None:
        """What a pending change is about to write, before it writes it."""
        async with self.backend.begin() as conn:
            await conn.execute(
                update(AuditRecord)
                .where(AuditRecord.id == audit_id, AuditRecord.outcome == "pending")
                .values(detail=detail)
            )
            await _add_targets(conn, audit_id, targets)

    async def settle(
        self, audit_id: int, outcome: str, detail: dict[str, Any], targets: tuple[tuple[str, int], ...]
    ) -> bool:
        """A pending change's outcome; False when it was settled already (by the recovery pass)."""
        async with self.backend.begin() as conn:
            settled = await conn.execute(
                update(AuditRecord)
                .where(AuditRecord.id == audit_id, AuditRecord.outcome == "pending")
                .values(outcome=outcome, detail=detail)
            )
            if settled.rowcount != 1:
                return False
            await _add_targets(conn, audit_id, targets)
        return True

    async def abandoned(self, now: datetime, limit: int = 100) -> list[AuditEntry]:
        """Intents still pending whose change stopped renewing its hold before ``now``, oldest first."""
        statement = (
            select(*COLUMNS)
            .where(AuditRecord.outcome == "pending", AuditRecord.held_until < now)
            .order_by(AuditRecord.held_until, AuditRecord.id)
            .limit(limit)
        )
        async with self.backend.connect() as conn:
            return [_entry(row) for row in (await conn.execute(statement)).all()]

    async def one(self, audit_id: int) -> AuditEntry | None:
        async with self.backend.connect() as conn:
            row = (await conn.execute(select(*COLUMNS).where(AuditRecord.id == audit_id))).first()
        return _entry(row) if row is not None else None

    async def recent(self, login: str, limit: int = 50) -> list[AuditEntry]:
        return (await self.page(AuditQuery(RowScope.everything(), login=login, span=Span(limit))))[:limit]

    async def page(self, query: AuditQuery) -> list[AuditEntry]:
        """The records of ``query.span``, in reading order (``sources.keyset``)."""
        span = query.span
        statement = (
            self._matching(query, *COLUMNS)
            .where(*bounds(_KEY, span, descending=True))
            .order_by(*reading_order(_KEY, span, descending=True))
            .limit(span.fetch)
        )
        async with self.backend.connect() as conn:
            rows = (await conn.execute(statement)).all()
        return [_entry(row) for row in rows]

    async def count(self, query: AuditQuery) -> int:
        """How many records match ``query``'s filters (its span aside)."""
        async with self.backend.connect() as conn:
            return int((await conn.execute(self._matching(query, func.count(AuditRecord.id)))).scalar_one())

    @staticmethod
    def _matching(query: AuditQuery, *columns: Any) -> Select[Any]:
        statement = select(*columns).where(audit_entry_predicate(query.scope, AuditRecord.customer_id))
        if query.since is not None:
            statement = statement.where(AuditRecord.at >= query.since)
        if query.until is not None:
            statement = statement.where(AuditRecord.at < query.until)
        if query.login is not None:
            statement = statement.where(AuditRecord.login == query.login)
        if query.action is not None:
            statement = statement.where(AuditRecord.action == query.action)
        if query.outcome is not None:
            statement = statement.where(AuditRecord.outcome == query.outcome)
        if query.target is not None:
            kind, target_id = query.target
            touched = select(AuditTarget.audit_id).where(AuditTarget.kind == kind, AuditTarget.target_id == target_id)
            statement = statement.where(AuditRecord.id.in_(touched))
        return statement


_KEY = (AuditRecord.at, AuditRecord.id)


def _entry(row: Any) -> AuditEntry:
    return AuditEntry(
        request_id=row.request_id, user_id=row.user_id, login=row.login, role=row.role,
        customer_id=row.customer_id, action=row.action, outcome=row.outcome, detail=row.detail,
        at=aware(row.at), id=row.id,
    )  # fmt: skip


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


async def write_entry(conn: AsyncConnection, entry: AuditEntry, held_until: datetime | None = None) -> int:
    """Write one record and its targets in the caller's transaction; its id."""
    inserted = await conn.execute(
        insert(AuditRecord).values(
            held_until=held_until,
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
    key = inserted.inserted_primary_key
    assert key is not None
    if entry.targets:
        await conn.execute(_insert_targets(int(key[0]), set(entry.targets), conn.dialect.name))
    return int(key[0])


async def _add_targets(conn: AsyncConnection, audit_id: int, targets: tuple[tuple[str, int], ...]) -> None:
    """Targets not yet recorded for the entry (a settled change names those its intent did, and more)."""
    if not targets:
        return
    known = select(AuditTarget.kind, AuditTarget.target_id).where(AuditTarget.audit_id == audit_id)
    have = {(row.kind, row.target_id) for row in (await conn.execute(known)).all()}
    if new := set(targets) - have:
        await conn.execute(_insert_targets(audit_id, new, conn.dialect.name))


def _insert_targets(audit_id: int, targets: set[tuple[str, int]], dialect: str) -> TextClause:
    """One ``INSERT … SELECT`` of a record's targets, bound as one JSON document of ``[kind, id]``
    pairs: a bulk chunk names 1,000 lines, which as an executemany cost a parameter set each."""
    if dialect == "postgresql":
        pairs = "jsonb_array_elements(CAST(:targets AS jsonb)) AS t(pair)"
        kind, target = "t.pair ->> 0", "CAST(t.pair ->> 1 AS integer)"
    else:
        pairs, kind, target = "json_each(:targets)", "json_extract(value, '$[0]')", "json_extract(value, '$[1]')"
    columns = "INSERT INTO audit_targets (audit_id, kind, target_id)"
    statement = text(f"{columns} SELECT :audit, {kind}, {target} FROM {pairs}")
    return statement.bindparams(audit=audit_id, targets=orjson.dumps(sorted(targets)).decode())
