"""Row scope held against a row in hand (an event) agrees with row scope in SQL: for every demo
caller, and (a property) for any scope over any rows, on SQLite and on PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, Integer, MetaData, Table, delete, insert, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from core.scope import RowScope, in_subtree
from sources.crm.models import OrgUnit, PathString, Subscriber
from sources.scope import scope_predicate
from tests.support import LOGINS, PG_ADMIN_URL, service_missing


async def test_a_row_in_hand_is_admitted_exactly_when_sql_would_return_it(world):
    async with world.engines.crm.connect() as conn:
        lines = (await conn.execute(select(Subscriber.id, Subscriber.customer_id, Subscriber.org_path))).all()
        units = (await conn.execute(select(OrgUnit.id, OrgUnit.customer_id, OrgUnit.path))).all()
        for login in LOGINS.values():
            scope = (await world.principal(login)).scope
            in_sql = select(Subscriber.id).where(scope_predicate(
                scope, customer_id=Subscriber.customer_id, path=Subscriber.org_path, subscriber_id=Subscriber.id
            ))  # fmt: skip
            units_in_sql = select(OrgUnit.id).where(
                scope_predicate(scope, customer_id=OrgUnit.customer_id, path=OrgUnit.path)
            )
            seen = {row[0] for row in await conn.execute(in_sql)}
            seen_units = {row[0] for row in await conn.execute(units_in_sql)}
            assert {line for line, customer, path in lines if scope.admits(customer, path, line)} == seen, login
            assert {unit for unit, customer, path in units if scope.admits(customer, path)} == seen_units, login
            assert len(seen) + len(seen_units) > 0, login


# Materialised paths as the CRM writes them (``/1/4/17/``), from ids with shared leading digits
# (1, 12, 123) so that a prefix without its closing slash would reach into a sibling's subtree.
_ids = st.sampled_from([1, 2, 12, 21, 123])
_paths = st.lists(_ids, min_size=1, max_size=4).map(lambda ids: "/" + "/".join(map(str, ids)) + "/")
_customers = st.integers(1, 3)
_ROWS = 24
_rows = st.lists(st.tuples(_customers, _paths), min_size=1, max_size=_ROWS)
_scopes = st.builds(
    RowScope,
    customer_ids=st.none() | st.frozensets(_customers, max_size=3),
    org_paths=st.none() | st.lists(_paths, max_size=3).map(tuple),
    subscriber_ids=st.none() | st.frozensets(st.integers(1, _ROWS), max_size=1),  # an employee's line
)
_table = Table(
    "scoped_rows",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, nullable=False),
    Column("path", PathString, nullable=False),  # the CRM's own path type (byte order on PostgreSQL)
)


@pytest.fixture(params=["sqlite", "postgres"])
async def rows_table(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """An empty ``scoped_rows`` table: in a SQLite file, or in a private PostgreSQL database dropped after."""
    if request.param == "sqlite":
        engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path}/rows.db")
        database = None
    else:
        database = f"corpcare_scope_{uuid.uuid4().hex[:12]}"
        admin = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        try:
            async with admin.connect() as conn:
                await conn.execute(text(f'CREATE DATABASE "{database}"'))
        except (OSError, DBAPIError) as error:
            await admin.dispose()
            service_missing("PostgreSQL", error)
        engine = create_async_engine(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{database}", poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_table.metadata.create_all)
        yield engine
    finally:
        await engine.dispose()
        if database is not None:
            async with admin.connect() as conn:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            await admin.dispose()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=_rows, scopes=st.lists(_scopes, min_size=1, max_size=6))
async def test_for_any_scope_and_rows_the_python_check_and_the_sql_predicate_agree(rows_table, rows, scopes):
    async with rows_table.begin() as conn:
        await conn.execute(delete(_table))
        await conn.execute(insert(_table), [{"id": i, "customer_id": c, "path": p} for i, (c, p) in enumerate(rows, 1)])
        for scope in scopes:
            as_lines = scope_predicate(scope, customer_id=_table.c.customer_id, path=_table.c.path,
                                       subscriber_id=_table.c.id)  # fmt: skip
            as_units = scope_predicate(scope, customer_id=_table.c.customer_id, path=_table.c.path)
            lines = set((await conn.execute(select(_table.c.id).where(as_lines))).scalars())
            units = set((await conn.execute(select(_table.c.id).where(as_units))).scalars())
            assert lines == {i for i, (c, p) in enumerate(rows, 1) if scope.admits(c, p, i)}, scope
            assert units == {i for i, (c, p) in enumerate(rows, 1) if scope.admits(c, p)}, scope


@given(scope=_scopes, subtree=st.just("") | _paths, customer=_customers, path=_paths, line=st.integers(1, _ROWS))
def test_a_scope_narrowed_to_a_subtree_admits_exactly_its_rows_inside_the_subtree(scope, subtree, customer, path, line):
    inside = scope.admits(customer, path, line) and in_subtree(path, subtree)
    assert scope.narrowed_to(subtree).admits(customer, path, line) == inside
