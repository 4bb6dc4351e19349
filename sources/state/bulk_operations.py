"""Bulk operations: a change to thousands of lines, recorded item by item so work survives a restart.

A worker *leases* an operation (``claim_next``) and keeps the lease while it works
(``renew``); when a process dies, its lease runs out and another worker takes the
operation over. Every claim moves the operation's *fence* on by one, and every later write of
the holder (renew, claim_items, record, finish, release) names the worker and the fence it was
given: a holder whose lease was taken over — even by a worker of the same name — is refused
(``LeaseLost``) instead of overwriting the new holder's progress. Each item goes pending →
claimed (its write is about to happen; the planned before/after are kept) → done. An item found
claimed after a restart may or may not have been written: the resumer checks the line again
instead of writing blindly.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import (
    Integer,
    String,
    TextClause,
    and_,
    bindparam,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection

from core.scope import RowScope
from core.values import aware
from sources.backend import Backend
from sources.db import key_in
from sources.keyset import Span, bounds, reading_order
from sources.scope import bulk_operation_predicate
from sources.state.audit import AuditEntry, write_entry
from sources.state.models import BulkItemRecord, BulkOperationRecord

OPEN_STATUSES = ("queued", "running")
# Lines of a new operation written by one statement.
ITEM_BATCH = 5_000


@dataclass(slots=True)
class ItemResult:
    """What happened (or, in a dry run, would happen) to one line."""

    line_id: int
    outcome: str  # applied, skipped, failed, would_apply
    code: str | None = None
    message: str | None = None
    before: str | None = None
    after: str | None = None
    # Change of the line's monthly recurring fees, in minor units of ``currency``.
    cost_delta_minor: int = 0
    currency: str | None = None


@dataclass(frozen=True, slots=True)
class BulkStart:
    """Who starts which change over which lines."""

    customer_id: int | None
    user_id: int
    login: str
    role: str
    request_id: str
    operation: str
    input: dict[str, Any]
    dry_run: bool


@dataclass(frozen=True, slots=True)
class BulkOperationRow:
    id: int
    customer_id: int | None
    user_id: int
    login: str
    role: str
    request_id: str
    operation: str
    input: dict[str, Any]
    dry_run: bool
    status: str
    cancel_requested: bool
    total: int
    done: int
    applied: int
    skipped: int
    failed: int
    would_apply: int
    cost_delta_minor: int
    currency: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class OpenItem:
    line_id: int
    claimed: ItemResult | None  # the planned change, when a write may already have happened


@dataclass(frozen=True, slots=True)
class Lease:
    """One claim of an operation: who holds it, under which fence, for how long a silent holder keeps it."""

    operation: BulkOperationRow  # as it was when claimed
    worker: str
    fence: int
    length: timedelta
    # ``time.monotonic()`` just before the claim was sent: the lease is counted from no earlier.
    taken_at: float

    @property
    def operation_id(self) -> int:
        return self.operation.id


_OP = BulkOperationRecord
_ITEM = BulkItemRecord
_OP_KEY = (_OP.id,)
_ITEM_KEY = (_ITEM.line_id,)
_COLUMNS = tuple(getattr(_OP, name) for name in BulkOperationRow.__dataclass_fields__)
_RESULT_COLUMNS = tuple(getattr(_ITEM, name) for name in ItemResult.__dataclass_fields__)


class LeaseLost(Exception):
    """Another worker holds the operation now: stop working on it."""


class BulkStore:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        # Set when work arrives, so a worker in this process starts without waiting for its poll.
        self.arrived = asyncio.Event()

    async def create(
        self, start: BulkStart, line_ids: Sequence[int], pace: Callable[[], Awaitable[None]] | None = None
    ) -> int:
        """The operation and its pending items, in one transaction. ``pace`` is awaited before each
        batch of items on PostgreSQL (on SQLite a rest inside the transaction would hold its one
        write lock from every other writer, so the batches go at once)."""
        now = datetime.now(UTC)
        async with self.backend.begin() as conn:
            inserted = await conn.execute(
                insert(_OP).values(
                    customer_id=start.customer_id, user_id=start.user_id, login=start.login, role=start.role,
                    request_id=start.request_id, operation=start.operation, input=start.input,
                    dry_run=start.dry_run, status="queued", cancel_requested=False, total=len(line_ids), done=0,
                    applied=0, skipped=0, failed=0, would_apply=0, cost_delta_minor=0, created_at=now,
                )
            )  # fmt: skip
            key = inserted.inserted_primary_key
            assert key is not None
            # One set-based statement per batch (ids as one array / JSON parameter), never one
            # executemany of every line: 100,000 lines are twenty short statements, and the loop
            # gets a turn between them.
            paced = pace if pace is not None and self.backend.dialect.name == "postgresql" else None
            for first in range(0, len(line_ids), ITEM_BATCH):
                if paced is not None:
                    await paced()
                batch = list(line_ids[first : first + ITEM_BATCH])
                await conn.execute(_pending_items(int(key[0]), batch, self.backend.dialect.name))
        self.arrived.set()
        return int(key[0])

    # the worker's side ------------------------------------------------------------------

    async def claim_next(self, worker: str, length: timedelta) -> Lease | None:
        """Lease the oldest operation that is queued, or running under a lease that ran out."""
        taken_at = time.monotonic()
        now = datetime.now(UTC)
        claimable = or_(_OP.status == "queued", and_(_OP.status == "running", _OP.lease_until < now))
        async with self.backend.connect() as conn:
            candidates = (await conn.execute(select(_OP.id).where(claimable).order_by(_OP.id).limit(10))).scalars()
            for operation_id in list(candidates):
                fence = (await conn.execute(
                    update(_OP)
                    .where(_OP.id == operation_id, claimable)
                    .values(status="running", worker=worker, fence=_OP.fence + 1, lease_until=now + length,
                            started_at=func.coalesce(_OP.started_at, now))
                    .returning(_OP.fence)
                )).scalar_one_or_none()  # fmt: skip
                await conn.commit()
                if fence is not None:
                    return Lease(await self._one(conn, operation_id), worker, fence, length, taken_at)
        return None

    async def renew(self, lease: Lease) -> BulkOperationRow:
        """Extend the lease; the fresh row tells whether a cancel was asked for."""
        async with self.backend.begin() as conn:
            await self._extend(conn, lease)
            return await self._one(conn, lease.operation_id)

    async def open_items(self, operation_id: int, limit: int, after_line: int | None = None) -> list[OpenItem]:
        """The next items not done, in line order. A worker passes the last line of its previous
        chunk, so each chunk walks the primary key from there instead of past every done item
        again (quadratic over 100,000 lines)."""
        statement = (
            select(_ITEM.state, *_RESULT_COLUMNS)
            .where(_ITEM.operation_id == operation_id, _ITEM.state != "done")
            .order_by(_ITEM.line_id)
            .limit(limit)
        )
        if after_line is not None:
            statement = statement.where(_ITEM.line_id > after_line)
        async with self.backend.connect() as conn:
            rows = (await conn.execute(statement)).all()
        return [OpenItem(row.line_id, ItemResult(*row[1:]) if row.state == "claimed" else None) for row in rows]

    async def claim_items(self, lease: Lease, planned: Sequence[ItemResult]) -> None:
        """Mark lines as about to be written, keeping what the write will change."""
        if not planned:
            return
        async with self.backend.begin() as conn:
            await self._extend(conn, lease)
            await conn.execute(_set_items(lease.operation_id, planned, "claimed", self.backend.dialect.name))

    async def record(
        self, lease: Lease, results: Sequence[ItemResult], audit: AuditEntry | None, unwritten: Sequence[int] = ()
    ) -> None:
        """Items done, the counters moved and the audit record written, in one transaction.
        ``unwritten`` lines were claimed but their write never started: pending again."""
        counted = [r for r in results if r.outcome in ("applied", "would_apply")]
        counts = {name: sum(1 for r in results if r.outcome == name) for name in _OUTCOMES}
        operation_id = lease.operation_id
        async with self.backend.begin() as conn:
            moved = await conn.execute(
                update(_OP)
                .where(*_held(lease))
                .values(
                    done=_OP.done + len(results),
                    cost_delta_minor=_OP.cost_delta_minor + sum(r.cost_delta_minor for r in counted),
                    currency=func.coalesce(_OP.currency, next((r.currency for r in counted), None)),
                    **{name: getattr(_OP, name) + count for name, count in counts.items()},
                )
            )
            if moved.rowcount != 1:
                raise LeaseLost(operation_id)
            if results:
                await conn.execute(_set_items(operation_id, results, "done", self.backend.dialect.name))
            if unwritten:
                lines = key_in(_ITEM.line_id, unwritten, self.backend.dialect.name)
                await conn.execute(
                    update(_ITEM)
                    .where(_ITEM.operation_id == operation_id, lines)
                    .values(state="pending", **dict.fromkeys(_PLANNED, None), cost_delta_minor=0)
                )
            if audit is not None:
                await write_entry(conn, audit)

    async def finish(self, lease: Lease, status: str) -> None:
        async with self.backend.begin() as conn:
            finished = await conn.execute(
                update(_OP).where(*_held(lease)).values(status=status, finished_at=datetime.now(UTC), lease_until=None)
            )
        if finished.rowcount != 1:
            raise LeaseLost(lease.operation_id)

    async def release(self, lease: Lease) -> None:
        """Give the lease back (on shutdown) so another worker can go on at once."""
        async with self.backend.begin() as conn:
            released = await conn.execute(
                update(_OP).where(*_held(lease)).values(lease_until=datetime.now(UTC) - timedelta(seconds=1))
            )
        if released.rowcount != 1:
            raise LeaseLost(lease.operation_id)

    async def _extend(self, conn: AsyncConnection, lease: Lease) -> None:
        extended = await conn.execute(
            update(_OP).where(*_held(lease)).values(lease_until=datetime.now(UTC) + lease.length)
        )
        if extended.rowcount != 1:
            raise LeaseLost(lease.operation_id)

    # the caller's side ------------------------------------------------------------------

    async def request_cancel(self, operation_id: int) -> bool:
        """False when the operation has already ended."""
        async with self.backend.begin() as conn:
            asked = await conn.execute(
                update(_OP).where(_OP.id == operation_id, _OP.status.in_(OPEN_STATUSES)).values(cancel_requested=True)
            )
        return asked.rowcount == 1

    async def operations(self, ids: Sequence[int], scope: RowScope) -> list[BulkOperationRow]:
        statement = select(*_COLUMNS).where(key_in(_OP.id, ids, self.backend.dialect.name), _visible(scope))
        async with self.backend.connect() as conn:
            return [_row(row) for row in (await conn.execute(statement)).all()]

    async def page(self, scope: RowScope, statuses: Sequence[str], span: Span) -> list[BulkOperationRow]:
        """The operations of ``span`` (newest first, keyset on the id), in reading order."""
        statement = (
            select(*_COLUMNS)
            .where(*_listed(scope, statuses), *bounds(_OP_KEY, span, descending=True))
            .order_by(*reading_order(_OP_KEY, span, descending=True))
            .limit(span.fetch)
        )
        async with self.backend.connect() as conn:
            return [_row(row) for row in (await conn.execute(statement)).all()]

    async def count(self, scope: RowScope, statuses: Sequence[str]) -> int:
        statement = select(func.count(_OP.id)).where(*_listed(scope, statuses))
        async with self.backend.connect() as conn:
            return int((await conn.execute(statement)).scalar_one())

    async def results(self, operation_id: int, outcomes: Sequence[str], span: Span) -> list[ItemResult]:
        """Finished items of ``span`` (line order, keyset on the line id), in reading order."""
        statement = (
            select(*_RESULT_COLUMNS)
            .where(*_finished(operation_id, outcomes), *bounds(_ITEM_KEY, span))
            .order_by(*reading_order(_ITEM_KEY, span))
            .limit(span.fetch)
        )
        async with self.backend.connect() as conn:
            return [ItemResult(*row) for row in (await conn.execute(statement)).all()]

    async def count_results(self, operation_id: int, outcomes: Sequence[str]) -> int:
        """Finished items with one of ``outcomes`` (any, when none) as they were kept."""
        statement = select(func.count(_ITEM.line_id)).where(*_finished(operation_id, outcomes))
        async with self.backend.connect() as conn:
            return int((await conn.execute(statement)).scalar_one())

    async def started_by(self, request_id: str, operation: str) -> int | None:
        """The operation a request started (the recovery pass asks, for a request that stopped)."""
        statement = select(_OP.id).where(_OP.request_id == request_id, _OP.operation == operation)
        async with self.backend.connect() as conn:
            return (await conn.execute(statement.order_by(_OP.id).limit(1))).scalar()

    async def _one(self, conn: AsyncConnection, operation_id: int) -> BulkOperationRow:
        return _row((await conn.execute(select(*_COLUMNS).where(_OP.id == operation_id))).one())


_OUTCOMES = ("applied", "skipped", "failed", "would_apply")
# What a claim keeps of the planned change, cleared when the line goes back to pending.
_PLANNED = ("outcome", "code", "message", "before", "after", "currency")


def _held(lease: Lease) -> tuple[Any, ...]:
    """The operation, still running under this very claim."""
    return (
        _OP.id == lease.operation_id, _OP.worker == lease.worker, _OP.fence == lease.fence, _OP.status == "running"
    )  # fmt: skip


def _listed(scope: RowScope, statuses: Sequence[str]) -> list[Any]:
    return [_visible(scope), *([_OP.status.in_(list(statuses))] if statuses else [])]


def _visible(scope: RowScope) -> Any:
    return bulk_operation_predicate(scope, customer_id=_OP.customer_id, user_id=_OP.user_id)


def _finished(operation_id: int, outcomes: Sequence[str]) -> list[Any]:
    conditions = [_ITEM.operation_id == operation_id, _ITEM.state == "done"]
    return [*conditions, _ITEM.outcome.in_(list(outcomes))] if outcomes else conditions


def _pending_items(operation_id: int, line_ids: list[int], dialect: str) -> Any:
    """``INSERT … SELECT`` of one batch of pending items from a single bound parameter."""
    if dialect == "postgresql":
        lines: Any = func.unnest(bindparam("b_lines", line_ids, type_=ARRAY(Integer)))
        source = select(literal(operation_id, Integer), lines, literal("pending", String))
    else:
        as_json = bindparam("b_lines", orjson.dumps(line_ids).decode(), type_=String())
        source = select(
            literal(operation_id, Integer), literal_column("value"), literal("pending", String)
        ).select_from(func.json_each(as_json))
    return insert(_ITEM).from_select(["operation_id", "line_id", "state"], source)


_RESULT_FIELDS = tuple(name for name in ItemResult.__dataclass_fields__ if name != "line_id")
_RESULT_TYPES = {"cost_delta_minor": "bigint"}  # the others are text


def _set_items(operation_id: int, results: Sequence[ItemResult], state: str, dialect: str) -> TextClause:
    """One ``UPDATE … FROM`` setting every result's item, the results bound as one JSON document.

    A chunk's 1,000 results as an executemany cost a parameter set each to bind (half the CPU of
    a dry run's chunk, all of it holding the event loop); as JSON they are one ``orjson.dumps``,
    and the database takes them apart."""
    if dialect == "postgresql":
        columns = ", ".join(f'"{name}" {_RESULT_TYPES.get(name, "text")}' for name in _RESULT_FIELDS)
        source = f"jsonb_to_recordset(CAST(:results AS jsonb)) AS v(line_id integer, {columns})"
    else:
        picked = ", ".join(f"json_extract(value, '$.{name}') AS \"{name}\"" for name in ("line_id", *_RESULT_FIELDS))
        # Ordered, the results are read first and each item found by its key; unordered, SQLite's
        # planner walks the operation's every item against every result (100 s at 100,000 items).
        source = f"(SELECT {picked} FROM json_each(:results) ORDER BY 1) AS v"
    sets = ", ".join(f'"{name}" = v."{name}"' for name in _RESULT_FIELDS)
    statement = text(
        f"UPDATE bulk_items SET state = :state, {sets} FROM {source} "
        "WHERE bulk_items.operation_id = :operation AND bulk_items.line_id = v.line_id"
    )
    return statement.bindparams(results=orjson.dumps(list(results)).decode(), state=state, operation=operation_id)


def _row(row: Any) -> BulkOperationRow:
    values = row._asdict()
    for name in ("created_at", "started_at", "finished_at"):
        if values[name] is not None:
            values[name] = aware(values[name])
    return BulkOperationRow(**values)


_MOMENTS = ("created_at", "started_at", "finished_at")


def progress_event(row: BulkOperationRow) -> bytes:
    """The operation as it is now, for its subscribers (``bulk:<id>`` on the event bus)."""
    return orjson.dumps(asdict(row))


def from_progress_event(data: bytes) -> BulkOperationRow:
    fields = orjson.loads(data)
    for name in _MOMENTS:
        if fields[name] is not None:
            fields[name] = datetime.fromisoformat(fields[name])
    return BulkOperationRow(**fields)


def progress_channel(operation_id: int) -> str:
    return f"bulk:{operation_id}"
