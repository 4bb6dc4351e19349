"""Engines for the three databases and the few statement helpers every source shares."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    MetaData,
    String,
    any_,
    bindparam,
    event,
    exc,
    func,
    inspect,
    literal_column,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql.expression import Executable
from sqlalchemy.types import TypeEngine

from infra.telemetry import Observer
from sources.backend import Backend, BackendLimits, StaleConnection
from sources.billing.models import BillingBase
from sources.billing.upgrade import upgrade_billing
from sources.crm.models import CrmBase
from sources.crm.upgrade import upgrade_crm
from sources.direct import DirectReads
from sources.state.models import StateBase


def create_engine(
    url: str,
    *,
    pool_size: int = 10,
    pool_timeout: float = 30.0,
    statement_seconds: float | None = None,
    kept_idle: int | None = None,
) -> AsyncEngine:
    """An engine; ``statement_seconds`` has PostgreSQL cancel a statement that runs longer,
    ``pool_timeout`` is how long a caller waits for a pooled connection before giving up.
    PostgreSQL connections number up to twice ``pool_size``, of which ``pool_size`` (or
    ``kept_idle``, when given) stay open when idle."""
    # hide_parameters: an error's text names the statement, never its bound values (names, numbers,
    # logins), wherever it goes: a log line, a span, a chained exception.
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
        _tune_sqlite(engine.sync_engine)
        return engine
    # No JIT: the reports join data handed over as a parameter (``unnest``), whose size the
    # planner cannot know; overestimated a thousandfold, a 100 ms sum paid a second of compiling.
    server_settings = {"jit": "off"}
    connect_args: dict[str, Any] = {"server_settings": server_settings}
    if statement_seconds is not None:
        connect_args["timeout"] = statement_seconds  # to open a connection
        server_settings["statement_timeout"] = str(int(statement_seconds * 1000))
    engine = create_async_engine(
        url,
        hide_parameters=True,
        pool_size=pool_size if kept_idle is None else kept_idle,
        max_overflow=pool_size if kept_idle is None else 2 * pool_size - kept_idle,
        pool_timeout=pool_timeout,
        # No pre-ping (a round trip before every checkout): a connection the server has closed is
        # replaced at checkout without one (below), a read that finds its connection dead all the
        # same is sent again once (``SqlSource._rows``), and none is kept long enough for a
        # firewall's idle timeout to cut it silently.
        pool_recycle=RECYCLE_SECONDS,
        connect_args=connect_args,
    )
    event.listen(engine.sync_engine.pool, "checkout", _replace_if_closed)
    return engine


# Connections older than this are closed and opened again when next checked out.
RECYCLE_SECONDS = 1800


def _replace_if_closed(_dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """A pooled connection whose session the server ended (a restart, ``pg_terminate_backend``, an
    idle timeout) is known closed to asyncpg, which saw the socket close while it sat in the pool:
    the pool replaces it before it is lent, without asking the server."""
    driver = record.driver_connection
    if driver is not None and driver.is_closed():
        raise exc.DisconnectionError("the server closed this pooled connection")


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


async def _again_if_stale(
    connect: Callable[..., AbstractAsyncContextManager[Any]], read: Callable[[Any], Awaitable[Sequence[Any]]]
) -> Sequence[Any]:
    """``read`` on a connection from ``connect``; sent once more on another when the pooled
    connection it was given is found dead by the statement (a read may go twice)."""
    try:
        async with connect(retryable=True) as conn:
            return await read(conn)
    except StaleConnection:
        async with connect() as conn:
            return await read(conn)


class SqlSource:
    """A backend's reads; each is one statement on a pooled connection."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.dialect = backend.dialect.name
        self._direct = DirectReads()

    async def _rows(self, statement: Executable, parameters: dict[str, Any] | None = None) -> Sequence[Any]:
        """The rows of one read; ``parameters`` bind a statement built once (``bound_keys``), which
        runs without SQLAlchemy's per-execution work after its first run (``sources/direct.py``)."""
        known = None if parameters is None else self._direct.known(statement)
        if known is not None:
            # Learned: asyncpg runs it on a pooled connection lent as it is (``sources/lent.py``).
            return await _again_if_stale(self.backend.lend, lambda conn: known.rows(conn, statement, parameters))
        return await _again_if_stale(self.backend.read, lambda conn: self._run(conn, statement, parameters))

    async def _run(self, conn: Any, statement: Executable, parameters: dict[str, Any] | None) -> Sequence[Any]:
        if parameters is None:
            return (await conn.execute(statement)).all()
        return await self._direct.rows(conn, statement, parameters)

    async def as_of(self) -> datetime:
        """The moment this source's reads see (the answer's, when it reads in one)."""
        return await self.backend.as_of()


@dataclass(frozen=True, slots=True)
class Backends:
    crm: Backend
    billing: Backend
    state: Backend

    def all(self) -> tuple[Backend, Backend, Backend]:
        return (self.crm, self.billing, self.state)


@dataclass(frozen=True, slots=True)
class Engines:
    crm: AsyncEngine
    billing: AsyncEngine
    state: AsyncEngine

    def pairs(self) -> list[tuple[AsyncEngine, type[DeclarativeBase]]]:
        return [(self.crm, CrmBase), (self.billing, BillingBase), (self.state, StateBase)]

    async def create_schemas(self, *, migrate_state: bool = True) -> None:
        """The reference backends' tables where missing, and the columns they gained added in place
        (``sources/crm/upgrade.py``, ``sources/billing/upgrade.py``); the state database migrated to the
        newest revision (unless the caller migrates or resets it itself)."""
        companies: dict[int, str] = {}
        for engine, base in ((self.crm, CrmBase), (self.billing, BillingBase)):
            async with engine.begin() as conn:
                # Checked before create_all, which would add them empty (SQLite keeps DDL on rollback).
                missing = await conn.run_sync(_missing_history, base.metadata)
                if not missing:
                    await conn.run_sync(base.metadata.create_all)
                    if base is CrmBase:
                        await conn.run_sync(upgrade_crm)
                        rows = await conn.execute(text("select id, currency from customers"))
                        companies = {int(key): str(currency) for key, currency in rows}
                    else:
                        await conn.run_sync(upgrade_billing, companies)
                    missing = await conn.run_sync(_missing_columns, base.metadata)
                if missing:
                    raise OutdatedSchema(
                        f"The database at {engine.url.render_as_string()} was made by an older corpcare and lacks "
                        f"{', '.join(missing)}: generate the demo data again with `corpcare seed`."
                    )
        if not migrate_state:
            return
        # Alembic only here: serving workers never migrate (the supervisor or the CLI did, before
        # they started), and its import would stay resident in each of them.
        from sources.state import migrate

        await migrate.upgrade(self.state)

    def backends(self, limits: BackendLimits | None = None, observer: Observer | None = None) -> Backends:
        return Backends(*(Backend(name, engine, limits or BackendLimits(), observer) for name, engine in self.named()))

    def named(self) -> list[tuple[str, AsyncEngine]]:
        return [("crm", self.crm), ("billing", self.billing), ("state", self.state)]

    async def dispose(self) -> None:
        for engine, _ in self.pairs():
            await engine.dispose()


class OutdatedSchema(RuntimeError):
    """A reference backend's existing tables lack columns that this version reads."""


def _missing_history(conn: Connection, metadata: MetaData) -> list[str]:
    """Tables written together with another (``info["seeded_with"]``) that an existing database has
    without them: created empty, they would silently say the rows have no history."""
    present = set(inspect(conn).get_table_names())
    return [
        table.name
        for table in metadata.sorted_tables
        if table.info.get("seeded_with") in present and table.name not in present
    ]


def _missing_columns(conn: Connection, metadata: MetaData) -> list[str]:
    """Columns of the reference schema that an existing table lacks (create_all adds only tables)."""
    inspector = inspect(conn)
    missing = []
    for table in metadata.sorted_tables:
        present = {column["name"] for column in inspector.get_columns(table.name)}
        missing += [f"{table.name}.{column.name}" for column in table.columns if column.name not in present]
    return missing


def key_in(col: Any, keys: Iterable[Any], dialect: str, type_: TypeEngine[Any] | None = None) -> ColumnElement[bool]:
    """``col IN keys`` as one bound parameter, whatever the number of keys.

    PostgreSQL gets ``= ANY(:array)``; SQLite reads the keys from one JSON parameter, so
    neither hits a bound-parameter limit and the statement text stays the same for any
    batch size (which keeps the statement cache useful).
    """
    value = bound_keys(keys, dialect)
    return _member_of(col, dialect, type_, lambda param_type: bindparam(None, value, type_=param_type))


def keys_bound(col: Any, name: str, dialect: str, type_: TypeEngine[Any] | None = None) -> ColumnElement[bool]:
    """``col IN keys`` as ``key_in`` writes it, the keys bound to ``name`` when the statement runs
    (``bound_keys``). A statement that holds no values is built once and run again and again: no
    clauses built, no cache key computed, no result columns matched again for each call."""
    return _member_of(col, dialect, type_, lambda param_type: bindparam(name, type_=param_type))


def _member_of(
    col: Any, dialect: str, type_: TypeEngine[Any] | None, param: Callable[[TypeEngine[Any]], Any]
) -> ColumnElement[bool]:
    if dialect == "postgresql":
        return col == any_(param(ARRAY(type_ or col.type)))
    return col.in_(select(literal_column("value")).select_from(func.json_each(param(String()))))


def bound_keys(keys: Iterable[Any], dialect: str) -> Any:
    """The value of a ``keys_bound`` parameter."""
    values = list(keys)
    return values if dialect == "postgresql" else json.dumps(values, default=str)
