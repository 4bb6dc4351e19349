"""Bulk loading of row tuples: COPY on PostgreSQL, large executemany batches on SQLite.

Everything one database receives, its schema reset included, happens in one transaction,
so a failed seed leaves the previous data in place.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, MetaData, Table
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

SQLITE_BATCH = 50_000
COPY_BATCH = 200_000

Adapter = Callable[[Any], Any]


class BulkWriter:
    def __init__(self, conn: AsyncConnection, driver: Any) -> None:
        self._driver = driver  # asyncpg or aiosqlite connection under the SQLAlchemy one
        self._postgres = conn.dialect.name == "postgresql"
        self.counts: dict[str, int] = {}
        # Called with the size of every batch written; the caller turns it into progress.
        self.on_batch: Callable[[int], None] | None = None

    async def write(self, table: Table, rows: Sequence[tuple]) -> None:
        """Append ``rows`` (tuples in the table's column order) to ``table``."""
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)
        if not rows:
            return
        columns = [column.name for column in table.columns]
        if len(rows[0]) != len(columns):
            raise ValueError(f"{table.name}: rows have {len(rows[0])} values, not {len(columns)}")
        if self._postgres:
            for start in range(0, len(rows), COPY_BATCH):
                batch = rows[start : start + COPY_BATCH]
                await self._driver.copy_records_to_table(table.name, records=batch, columns=columns)
                self._tick(len(batch))
            return
        marks = ", ".join("?" * len(columns))
        sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"
        adapt = _sqlite_adapter(table)
        for start in range(0, len(rows), SQLITE_BATCH):
            batch = rows[start : start + SQLITE_BATCH]
            cursor = await self._driver.executemany(sql, map(adapt, batch) if adapt else batch)
            await cursor.close()
            self._tick(len(batch))

    def _tick(self, size: int) -> None:
        if self.on_batch is not None:
            self.on_batch(size)

    async def _fix_sequences(self, metadata: MetaData) -> None:
        """COPY bypasses the id sequences: move each past the largest id it now has to beat."""
        if not self._postgres:
            return
        for table in metadata.sorted_tables:
            key = list(table.primary_key.columns)
            if len(key) != 1 or key[0].name != "id" or table.name not in self.counts:
                continue
            await self._driver.execute(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"coalesce(max(id), 0) + 1, false) FROM {table.name}"
            )


@asynccontextmanager
async def bulk_writer(engine: AsyncEngine, metadata: MetaData) -> AsyncIterator[BulkWriter]:
    """A writer into ``engine`` whose tables of ``metadata`` have just been recreated empty."""
    async with engine.begin() as conn:
        # The schema statements also open the driver's transaction, which COPY then joins.
        await conn.run_sync(metadata.drop_all)
        await conn.run_sync(metadata.create_all)
        raw = await conn.get_raw_connection()
        writer = BulkWriter(conn, raw.driver_connection)
        yield writer
        await writer._fix_sequences(metadata)
    await refresh_statistics(engine)


async def refresh_statistics(engine: AsyncEngine) -> None:
    """Planner statistics (and, on PostgreSQL, the visibility map that index-only scans
    need) for tables just filled in bulk: without them the planner guesses and sorts."""
    async with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.exec_driver_sql("VACUUM ANALYZE")
        else:
            await conn.exec_driver_sql("ANALYZE")
            await conn.commit()


def _sqlite_adapter(table: Table) -> Callable[[tuple], list] | None:
    """Values in SQLAlchemy's SQLite storage formats, so that its own reads and comparisons
    (ISO dates, ``YYYY-MM-DD HH:MM:SS.ffffff`` UTC timestamps, 0/1) see what they expect."""
    converters: list[tuple[int, Adapter]] = []
    for index, column in enumerate(table.columns):
        if isinstance(column.type, DateTime):
            converters.append((index, _timestamp))
        elif isinstance(column.type, Date):
            converters.append((index, date.isoformat))
        elif isinstance(column.type, Boolean):
            converters.append((index, int))
    if not converters:
        return None

    def adapt(row: tuple) -> list:
        values = list(row)
        for index, convert in converters:
            if values[index] is not None:
                values[index] = convert(values[index])
        return values

    return adapt


def _timestamp(value: datetime) -> str:
    if value.utcoffset():
        raise ValueError(f"demo timestamps are UTC, got {value.isoformat()}")
    return value.isoformat(" ", "microseconds")[:26]
