"""The one table that says what a failed call tells of its database, class by class: each
PostgreSQL error here is raised by the real server (a ``RAISE`` with that SQLSTATE) and reaches
the judge as asyncpg raises it and as SQLAlchemy wraps it; each SQLite error is SQLite's own."""

from __future__ import annotations

import asyncio
import socket
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import exc, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from sources.failures import Verdict, judge
from tests.faults import free_port
from tests.support import PG_ADMIN_URL, service_missing

UNAVAILABLE, BUSY, STATEMENT = Verdict.UNAVAILABLE, Verdict.BUSY, Verdict.STATEMENT

# (SQLSTATE, what it is, the verdict once a connection is open)
POSTGRES = [
    ("08000", "connection exception", UNAVAILABLE),
    ("08006", "connection failure", UNAVAILABLE),
    ("08P01", "protocol violation", UNAVAILABLE),
    ("25006", "read-only SQL transaction", UNAVAILABLE),
    ("25P02", "in failed SQL transaction: our own bug", STATEMENT),
    ("53300", "too many connections", UNAVAILABLE),
    ("53100", "disk full", UNAVAILABLE),
    ("53200", "out of memory", UNAVAILABLE),
    ("57014", "query cancelled (statement_timeout, pg_cancel_backend)", UNAVAILABLE),
    ("57P01", "admin shutdown", UNAVAILABLE),
    ("57P03", "cannot connect now", UNAVAILABLE),
    ("57P04", "database dropped", UNAVAILABLE),
    ("58030", "I/O error", UNAVAILABLE),
    ("55000", "object not in prerequisite state, after connecting: a statement's own", STATEMENT),
    ("3D000", "invalid catalog name, after connecting: a statement's own", STATEMENT),
    ("42601", "syntax error", STATEMENT),
    ("42703", "undefined column", STATEMENT),
    ("42P01", "undefined table", STATEMENT),
    ("23505", "unique violation", STATEMENT),
    ("23503", "foreign key violation", STATEMENT),
    ("22012", "division by zero", STATEMENT),
    ("40001", "serialization failure: a conflict its caller may retry", STATEMENT),
    ("40P01", "deadlock detected: a conflict its caller may retry", STATEMENT),
    ("XX000", "internal error", STATEMENT),
]


@pytest.fixture(scope="module")
async def postgres() -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(PG_ADMIN_URL, pool_size=1)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("select 1"))
    except OSError as error:
        await engine.dispose()
        service_missing("PostgreSQL", error)
    yield engine
    await engine.dispose()


async def raised_by_postgres(engine: AsyncEngine, sqlstate: str) -> exc.DBAPIError:
    """The error PostgreSQL sends with ``sqlstate``, as SQLAlchemy hands it over."""
    raising = f"DO $$ BEGIN RAISE EXCEPTION 'raised as {sqlstate}' USING ERRCODE = '{sqlstate}'; END $$"
    with pytest.raises(exc.DBAPIError) as raised:
        async with engine.connect() as conn:
            await conn.execute(text(raising))
    return raised.value


@pytest.mark.parametrize(("sqlstate", "meaning", "verdict"), POSTGRES, ids=[row[0] for row in POSTGRES])
async def test_each_postgresql_error_class_is_judged_by_what_it_says_of_the_database(
    postgres, sqlstate, meaning, verdict
):
    wrapped = await raised_by_postgres(postgres, sqlstate)
    asyncpgs_own = wrapped.orig.__cause__
    assert getattr(asyncpgs_own, "sqlstate", None) == sqlstate
    assert judge(wrapped, opening=False) is verdict, meaning
    assert judge(asyncpgs_own, opening=False) is verdict, meaning


@pytest.mark.parametrize("sqlstate", ["55000", "3D000", "28P01", "53300", "42601"])
async def test_any_error_postgresql_sends_while_a_connection_opens_says_it_is_unavailable(postgres, sqlstate):
    """55000 is how a database set ``ALLOW_CONNECTIONS false`` refuses a new connection; nothing
    of ours has run yet, so whatever the code, the database cannot be used."""
    wrapped = await raised_by_postgres(postgres, sqlstate)
    assert judge(wrapped, opening=True) is UNAVAILABLE
    assert judge(wrapped.orig.__cause__, opening=True) is UNAVAILABLE


def sqlite_error(database: str | Path, *statements: str, uri: bool = False, hold: bool = False) -> sqlite3.Error:
    """The error SQLite raises running ``statements`` on ``database``; with ``hold``, while another
    connection holds the write lock."""
    holder = None
    if hold:
        holder = sqlite3.connect(database, isolation_level=None)
        holder.execute("begin immediate")
    conn = None
    try:
        conn = sqlite3.connect(database, timeout=0, isolation_level=None, uri=uri)
        for statement in statements:
            conn.execute(statement)
    except sqlite3.Error as error:
        return error
    finally:
        for opened in (conn, holder):
            if opened is not None:
                opened.close()
    raise AssertionError(f"SQLite ran {statements} without an error")


def sqlite_errors(tmp: Path) -> list[tuple[str, sqlite3.Error, Verdict]]:
    database = tmp / "crm.db"
    with sqlite3.connect(database) as conn:
        conn.execute("create table marks (n integer primary key)")
        conn.execute("insert into marks values (1)")
    (tmp / "garbage.db").write_bytes(b"this is no database, " * 100)
    return [
        ("locked by our own writer", sqlite_error(database, "insert into marks values (2)", hold=True), BUSY),
        ("unable to open database file", sqlite_error(tmp / "missing" / "crm.db", "select 1"), UNAVAILABLE),
        ("file is not a database", sqlite_error(tmp / "garbage.db", "select * from marks"), UNAVAILABLE),
        ("attempt to write a readonly database",
         sqlite_error(f"file:{database}?mode=ro", "insert into marks values (3)", uri=True), UNAVAILABLE),
        ("syntax error", sqlite_error(database, "selec 1"), STATEMENT),
        ("no such table", sqlite_error(database, "select * from nowhere"), STATEMENT),
        ("no such column", sqlite_error(database, "select nothing from marks"), STATEMENT),
        ("unique constraint", sqlite_error(database, "insert into marks values (1)"), STATEMENT),
    ]  # fmt: skip


def test_each_sqlite_error_is_judged_by_its_result_code(tmp_path):
    for what, error, verdict in sqlite_errors(tmp_path):
        assert judge(error, opening=False) is verdict, (what, error)


def test_while_an_sqlite_connection_opens_only_our_own_lock_is_busy(tmp_path):
    for what, error, verdict in sqlite_errors(tmp_path):
        assert judge(error, opening=True) is (BUSY if verdict is BUSY else UNAVAILABLE), (what, error)


def refused() -> OSError:
    with socket.socket() as client:
        try:
            client.connect(("127.0.0.1", free_port()))
        except OSError as error:
            return error
    raise AssertionError("a closed port accepted a connection")


def unresolved() -> OSError:
    try:
        socket.getaddrinfo("corpcare-nowhere.invalid", 5432)  # .invalid never resolves (RFC 6761)
    except OSError as error:
        return error
    raise AssertionError("corpcare-nowhere.invalid resolved")


def test_network_failures_and_time_limits_are_unavailable_at_any_moment():
    for error in (refused(), unresolved(), TimeoutError(), ConnectionResetError()):
        assert judge(error, opening=True) is UNAVAILABLE, error
        assert judge(error, opening=False) is UNAVAILABLE, error


def test_our_own_errors_are_statement_errors_and_a_pool_wait_is_busy():
    pool_wait = exc.TimeoutError("QueuePool limit of size 1 overflow 1 reached")
    assert judge(pool_wait, opening=True) is BUSY
    for ours in (ValueError("a bug"), KeyError("a bug"), asyncio.CancelledError(), FileNotFoundError("an export")):
        assert judge(ours, opening=False) is STATEMENT, ours
