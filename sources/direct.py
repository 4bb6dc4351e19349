"""Reads built once, sent straight to asyncpg after SQLAlchemy has run them once.

A statement that holds no values (``keys_bound``) is the same text on every run; only its
parameters change. SQLAlchemy still pays, per run, for an execution context, the cursor adapter,
the greenlet that carries it and the result object: on a line's page that was more than the
database's own time. So the first run of such a statement goes through SQLAlchemy as any
other, and what it settled is kept (``DirectRead``): the SQL text sent, the order of the
parameters and their bind processors, the result's metadata (its columns and result
processors). Later runs bind the parameters as SQLAlchemy did, send the text on the connection's
asyncpg connection through the adapter's own prepared-statement cache, and make the same ``Row``
objects.

What stays as it was: the connection comes from the backend (the moment's transaction, the time
limit, the breaker), outside a moment a pooled one lent as it is (``sources/lent.py``);
``before_cursor_execute`` listeners see every statement (the request's statement count, the
tests' budgets, the benchmark's replay), and a statement sent here is a span of its own when
tracing is on (``infra/tracing.py``); a driver error is raised as SQLAlchemy raises it, the
connection invalidated when it is dead (so ``StaleConnection`` still sends a read again).
SQLite, and any statement whose text depends on the values it is run with (an expanding ``IN`` of
a bound parameter), goes through SQLAlchemy every time.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import CursorResult, Row
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.expression import Executable
from sqlalchemy.util.concurrency import greenlet_spawn

from infra.tracing import sql_span
from sources.lent import Lent


class DirectRead:
    """What SQLAlchemy's first run of a statement settled, to run it again without SQLAlchemy."""

    __slots__ = ("binds", "compiled", "constants", "extracted", "fixed", "given", "metadata", "positions", "sql")

    def __init__(self, result: CursorResult[Any], parameters: dict[str, Any]) -> None:
        context: Any = result.context
        compiled = self.compiled = context.compiled
        # The statement's own values (scope ids) where the compiled form is shared by statements
        # of the same shape: SQLAlchemy's cached compilation holds another's.
        self.extracted = context.extracted_parameters
        self.sql: str = context.statement
        self.metadata: Any = result._metadata
        self.binds: dict[str, Any] = dict(compiled._bind_processors)
        self.positions: tuple[str, ...] = tuple(compiled.positiontup)
        # Values rendered into the text (an expanding IN of the scope's customers) are the
        # statement's own, never the caller's (``learnable``): the text expanded on the first run,
        # with the parameters it expanded to, serves every run.
        self.fixed: dict[str, Any] = {}
        if compiled.literal_execute_params or compiled.post_compile_params:
            values = compiled.construct_params(parameters, extracted_parameters=self.extracted)
            expanded = compiled._process_parameters_for_postcompile(values)
            self.sql = expanded.statement
            self.binds.update(expanded.processors)
            self.positions = tuple(expanded.positiontup)
            self.fixed = {key: value for key, value in expanded.parameters.items() if key not in parameters}
        # The parameters the caller does not give are the statement's own, the same at every run:
        # bound (and processed) once, when no bind computes its value as it runs and every given
        # one is sent as given (no escaped name). ``None``: each run asks SQLAlchemy for them.
        self.given = frozenset(parameters)
        self.constants: dict[str, Any] | None = None
        values = compiled.construct_params(parameters, extracted_parameters=self.extracted)
        values.update(self.fixed)
        if all(bind.callable is None for bind in compiled.binds.values()) and all(
            key in values and values[key] is value for key, value in parameters.items()
        ):
            self.constants = {key: self._processed(key, values[key]) for key in self.positions if key not in self.given}

    @staticmethod
    def learnable(result: CursorResult[Any], given: frozenset[str]) -> bool:
        context: Any = result.context
        compiled = getattr(context, "compiled", None)
        if context.dialect.driver != "asyncpg" or compiled is None or not compiled.positional:
            return False
        rendered = {param.key for param in (*compiled.literal_execute_params, *compiled.post_compile_params)}
        return (
            not (rendered & given)
            and not compiled.schema_translate_map
            and result.returns_rows
            and result._metadata._tuplefilter is None
        )

    def arguments(self, parameters: dict[str, Any] | None) -> tuple[Any, ...]:
        """The positional parameters as SQLAlchemy sends them (``DefaultExecutionContext._init_compiled``)."""
        constants = self.constants
        if constants is not None and parameters is not None and parameters.keys() == self.given:
            return tuple(
                constants[key] if key in constants else self._processed(key, parameters[key]) for key in self.positions
            )
        values = self.compiled.construct_params(parameters, extracted_parameters=self.extracted)
        if self.fixed:
            values.update(self.fixed)
        binds = self.binds
        return tuple(binds[key](values[key]) if key in binds else values[key] for key in self.positions)

    def _processed(self, key: str, value: Any) -> Any:
        process = self.binds.get(key)
        return value if process is None else process(value)

    async def rows(
        self, conn: AsyncConnection | Lent, statement: Executable, parameters: dict[str, Any] | None
    ) -> Sequence[Any]:
        """The rows on ``conn``: a moment's connection, or one lent by the pool (``sources/lent.py``)."""
        if isinstance(conn, Lent):
            # No transaction begun on it: PostgreSQL runs the statement as its own.
            engine = conn.engine
            arguments = self.arguments(parameters)
            if engine._has_events:
                # Its listeners (the statement counts) are given no connection: none was made.
                engine.dispatch.before_cursor_execute(None, None, self.sql, arguments, None, False)
            adapter = conn.pooled.dbapi_connection
            try:
                with sql_span(engine, self.sql):
                    return await self._fetch(adapter, arguments, engine.dialect)
            except Exception as error:
                await greenlet_spawn(_raise_as_sqlalchemy, conn.connection(), adapter, error, self.sql, arguments)
                raise  # not reached: the above raises
        sync = conn.sync_connection
        assert sync is not None
        adapter = sync.connection.dbapi_connection
        if adapter is None or (adapter._transaction is None and not adapter.autocommit):
            # A transaction of SQLAlchemy's own to begin first (reads run in autocommit or in the
            # moment's explicit one): let it do so.
            return (await conn.execute(statement, parameters)).all()
        arguments = self.arguments(parameters)
        if sync._has_events or sync.engine._has_events:
            sync.dispatch.before_cursor_execute(sync, None, self.sql, arguments, None, False)
        try:
            with sql_span(sync.engine, self.sql):
                return await self._fetch(adapter, arguments, sync.dialect)
        except Exception as error:
            await greenlet_spawn(_raise_as_sqlalchemy, sync, adapter, error, self.sql, arguments)
            raise  # not reached: the above raises

    async def _fetch(self, adapter: Any, arguments: tuple[Any, ...], dialect: Any) -> list[Row[Any]]:
        async with adapter._execute_mutex:
            prepared, _ = await adapter._prepare(self.sql, dialect._invalidate_schema_cache_asof)
            records = await prepared.fetch(*arguments)
        metadata = self.metadata
        processors, key_to_index = metadata._effective_processors, metadata._key_to_index
        return [Row(metadata, processors, key_to_index, record) for record in records]


async def send(conn: AsyncConnection, sql: str) -> None:
    """A statement of no parameters and no rows (``BEGIN``, ``ROLLBACK``) as ``exec_driver_sql`` sends
    it, and seen by the same listeners; on asyncpg in one round trip (the simple query protocol), with
    no execution context."""
    sync = conn.sync_connection
    assert sync is not None
    adapter: Any = sync.connection.dbapi_connection
    if sync.dialect.driver != "asyncpg" or adapter is None:
        await conn.exec_driver_sql(sql)
        return
    if sync._has_events or sync.engine._has_events:
        sync.dispatch.before_cursor_execute(sync, None, sql, (), None, False)
    try:
        with sql_span(sync.engine, sql):
            async with adapter._execute_mutex:
                await adapter._connection.execute(sql)
    except Exception as error:
        await greenlet_spawn(_raise_as_sqlalchemy, sync, adapter, error, sql, ())
        raise  # not reached: the above raises


def _raise_as_sqlalchemy(sync: Any, adapter: Any, error: Exception, sql: str, arguments: tuple[Any, ...]) -> None:
    """Raise the driver's error as ``Connection.execute`` would: translated to the DBAPI's class, wrapped
    in SQLAlchemy's, and the connection invalidated when the error says it is dead."""
    try:
        adapter._handle_exception(error)
    except Exception as dbapi_error:
        sync._handle_dbapi_exception(dbapi_error, sql, arguments, None, None)


class DirectReads:
    """The statements of one source learned so far, kept while the source keeps the statement."""

    def __init__(self) -> None:
        self._learned: weakref.WeakKeyDictionary[Executable, DirectRead | None] = weakref.WeakKeyDictionary()

    def known(self, statement: Executable) -> DirectRead | None:
        """The statement as learned from its first run, to run on a lent connection (``Backend.lend``);
        ``None`` before that run, and for a statement that always goes through SQLAlchemy."""
        return self._learned.get(statement)

    async def rows(
        self, conn: AsyncConnection, statement: Executable, parameters: dict[str, Any] | None
    ) -> Sequence[Any]:
        if statement not in self._learned:
            result = await conn.execute(statement, parameters)
            learned = None
            if parameters is not None and DirectRead.learnable(result, frozenset(parameters)):
                learned = DirectRead(result, parameters)
            self._learned[statement] = learned
            return result.all()
        known = self._learned[statement]
        if known is None:
            return (await conn.execute(statement, parameters)).all()
        return await known.rows(conn, statement, parameters)
