"""A read built once runs through SQLAlchemy once, then straight on the driver connection, with
the same rows, the same statement listeners and the same errors (``sources/direct.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Integer, Numeric, TypeDecorator, bindparam, cast, event, exc, func, literal, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncEngine

from sources.backend import Backend
from sources.db import SqlSource, create_engine
from sources.moment import MomentBackend, one_moment
from tests.support import PG_ADMIN_URL, service_missing


class Doubled(TypeDecorator[int]):
    """A result processor of the application's own: SQLAlchemy applies it, so must the direct read."""

    impl = Integer
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        return None if value is None else value * 2


N = bindparam("n", type_=Integer)
# Built once, as the sources build their hot reads: values arrive as parameters.
FIGURES = select(
    N.label("given"),
    type_coerce(N, Doubled).label("doubled"),
    cast(N, Numeric(10, 2)).label("money"),
)


class Seen:
    """Statements SQLAlchemy executed, and statements sent to the driver."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.executed = 0
        self.sent: list[tuple[str, Any]] = []
        event.listen(engine.sync_engine, "before_execute", self._executed)
        event.listen(engine.sync_engine, "before_cursor_execute", self._sent)

    def _executed(self, *_: Any) -> None:
        self.executed += 1

    def _sent(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        self.sent.append((statement, parameters))


@pytest.fixture
async def postgres() -> AsyncIterator[AsyncEngine]:
    engine = create_engine(PG_ADMIN_URL, pool_size=1)
    try:
        async with engine.connect():
            pass
    except OSError as error:
        await engine.dispose()
        service_missing("PostgreSQL", error)
    yield engine
    await engine.dispose()


async def test_a_read_built_once_is_executed_by_sqlalchemy_once_and_every_run_is_seen(postgres):
    seen = Seen(postgres)
    source = SqlSource(Backend("billing", postgres))

    answers = [(await source._rows(FIGURES, {"n": n}))[0] for n in (1, 2, 3)]

    assert seen.executed == 1
    assert [parameters for _, parameters in seen.sent] == [(1,), (2,), (3,)]
    assert len({statement for statement, _ in seen.sent}) == 1
    assert [tuple(row) for row in answers] == [(n, 2 * n, Decimal(f"{n}.00")) for n in (1, 2, 3)]
    assert [(row.given, row.doubled, row.money) for row in answers] == [tuple(row) for row in answers]


async def test_a_read_built_once_runs_in_the_answers_moment(postgres):
    source = SqlSource(MomentBackend(Backend("billing", postgres)))
    began = select(N, func.transaction_timestamp())
    async with one_moment():
        first = {(await source._rows(began, {"n": n}))[0][1] for n in (1, 2, 3)}
    async with one_moment():
        second = {(await source._rows(began, {"n": n}))[0][1] for n in (1, 2, 3)}
    assert len(first) == len(second) == 1  # each answer's reads in one transaction
    assert first != second


async def test_reads_of_one_shape_keep_their_own_values(postgres):
    """Statements built once per caller's scope share SQLAlchemy's compiled form; each keeps its own
    values (the scope's), not those of the statement that was compiled first."""
    source = SqlSource(Backend("crm", postgres))
    five, seven = (select(literal(value, Integer) + N) for value in (5, 7))

    for _ in range(2):
        assert (await source._rows(five, {"n": 1}))[0][0] == 6
        assert (await source._rows(seven, {"n": 1}))[0][0] == 8


class Tripled(TypeDecorator[int]):
    """A bind processor of the application's own: a value is sent as SQLAlchemy would send it."""

    impl = Integer
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        return None if value is None else value * 3


async def test_a_read_sends_its_own_values_and_the_callers_as_sqlalchemy_does(postgres):
    """The statement's own values are bound once; the caller's are processed at every run; a run that
    leaves out a parameter the first run gave gets the statement's default, as through SQLAlchemy."""
    seen = Seen(postgres)
    source = SqlSource(Backend("crm", postgres))
    tripled, defaulted = bindparam("t", type_=Tripled), bindparam("d", value=100, type_=Integer)
    statement = select(literal(5, Tripled) + tripled + N + defaulted)

    assert (await source._rows(statement, {"t": 1, "n": 2, "d": 3}))[0][0] == 15 + 3 + 2 + 3
    assert (await source._rows(statement, {"t": 2, "n": 4, "d": 6}))[0][0] == 15 + 6 + 4 + 6
    assert (await source._rows(statement, {"t": 2, "n": 4}))[0][0] == 15 + 6 + 4 + 100

    assert seen.executed == 1
    assert [parameters for _, parameters in seen.sent] == [(15, 3, 2, 3), (15, 6, 4, 6), (15, 6, 4, 100)]


async def test_reads_built_once_per_scope_keep_the_scopes_they_were_built_with(postgres):
    """A scope's customers are an expanding ``IN`` in the statement: its text, expanded on the first
    run, serves every run of that statement, and another scope's statement keeps its own."""
    seen = Seen(postgres)
    source = SqlSource(Backend("crm", postgres))
    numbers = func.generate_series(1, 10).table_valued("value").render_derived(name="numbers")
    one, three = (
        select(func.count() + N).select_from(numbers).where(numbers.c.value.in_(scope)) for scope in ([4], [1, 2, 3])
    )

    for n in (0, 10, 20):
        assert (await source._rows(one, {"n": n}))[0][0] == 1 + n
        assert (await source._rows(three, {"n": n}))[0][0] == 3 + n
    assert seen.executed == 2  # by SQLAlchemy, the first run of each


async def test_a_statement_error_is_raised_as_sqlalchemy_raises_it(postgres):
    source = SqlSource(Backend("billing", postgres))
    quotient = select(literal(1, Integer) / bindparam("d", type_=Integer))
    assert (await source._rows(quotient, {"d": 1}))[0][0] == 1

    with pytest.raises(exc.DBAPIError) as direct:
        await source._rows(quotient, {"d": 0})
    with pytest.raises(exc.DBAPIError) as through_sqlalchemy:
        await source._rows(select(literal(1, Integer) / literal(0, Integer)))

    assert type(direct.value) is type(through_sqlalchemy.value)
    assert type(direct.value.orig) is type(through_sqlalchemy.value.orig)
    assert not direct.value.connection_invalidated
    assert (await source._rows(quotient, {"d": 1}))[0][0] == 1  # the connection serves on


async def test_sqlite_reads_go_through_sqlalchemy_every_time(tmp_path: Path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'direct.db'}")
    try:
        seen = Seen(engine)
        source = SqlSource(Backend("billing", engine))
        answers = [tuple((await source._rows(FIGURES, {"n": n}))[0]) for n in (1, 2)]
        assert seen.executed == 2
        assert answers == [(n, 2 * n, Decimal(f"{n}.00")) for n in (1, 2)]
    finally:
        await engine.dispose()
