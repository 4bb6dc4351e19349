"""Helpers the tests share: seeded worlds, callers, in-process execution, SQL counting."""

from __future__ import annotations

import contextlib
import contextvars
import fcntl
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import create_async_engine

from engine.build import build_schema
from infra.cache import InProcessCache
from permissions.principal import Principal, principal_for
from request.context import Context, PageLimits
from sources import Sources
from sources.db import Engines, create_engine

PG_ADMIN_URL = os.environ.get("CORPCARE_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("CORPCARE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
# This process's start of every Redis key and channel (set as the servers' default by conftest):
# the workers of a parallel run, and other runs on the same Redis, keep apart.
REDIS_PREFIX = f"corpcare-test-{uuid.uuid4().hex[:12]}:"

LOGINS = {
    "customer_admin": "acme.admin",
    "unit_admin": "acme.sales.admin",
    "finance": "acme.finance",
    "analyst": "acme.analyst",
    "employee": "acme.employee",
    "support": "operator.support",
    "other_admin": "borealis.admin",
    "aggregate_viewer": "acme.sales.assistant",
}


def today() -> date:
    return datetime.now(UTC).date()


def service_missing(what: str, error: BaseException) -> None:
    """Fail in CI, skip on a developer's machine, when PostgreSQL or Redis is not there."""
    message = f"{what} is not reachable ({type(error).__name__}: {error})"
    if IN_CI:
        pytest.fail(f"{message}; CI requires it", pytrace=False)
    pytest.skip(f"{message}; start it to run these tests")


# Statements sent while this is set (in this task and the tasks it starts) are not counted.
_UNCOUNTED: contextvars.ContextVar[bool] = contextvars.ContextVar("uncounted", default=False)


@contextlib.contextmanager
def uncounted() -> Iterator[None]:
    """Statements sent in here are left out of every ``StatementCounter`` (work the test did not ask for)."""
    token = _UNCOUNTED.set(True)
    try:
        yield
    finally:
        _UNCOUNTED.reset(token)


class StatementCounter:
    """Counts SQL statements sent to any of the engines it watches."""

    def __init__(self) -> None:
        self.count = 0
        self.statements: list[str] = []

    def watch(self, engines: Engines) -> None:
        for engine, _ in engines.pairs():
            event.listen(engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if _UNCOUNTED.get():
            return
        self.count += 1
        self.statements.append(statement)

    def reset(self) -> None:
        self.count = 0
        self.statements.clear()


@dataclass
class World:
    """A seeded set of the three databases, and a way to run operations against it."""

    backend: str
    engines: Engines
    sources: Sources
    counter: StatementCounter
    principals: dict[str, Principal] = field(default_factory=dict)

    async def principal(self, login: str) -> Principal:
        if login not in self.principals:
            user = await self.sources.crm.portal_user_by_login(login)
            assert user is not None, f"demo user {login} missing"
            self.principals[login] = principal_for(user)
        return self.principals[login]

    def context(self, principal: Principal, *, max_page_size: int = 2000) -> Context:
        return Context.of(principal, self.sources, request_id=uuid.uuid4().hex, pages=PageLimits(50, max_page_size))

    async def run(self, login: str, query: str, variables: dict[str, Any] | None = None) -> Any:
        principal = await self.principal(login)
        self.counter.reset()
        return await build_schema().execute(query, variable_values=variables, context_value=self.context(principal))

    async def data(self, login: str, query: str, variables: dict[str, Any] | None = None) -> Any:
        """Run and insist on success."""
        result = await self.run(login, query, variables)
        assert result.errors is None, [e.formatted for e in result.errors]
        return result.data

    def with_empty_cache(self) -> World:
        """The same databases, with nothing in the shared cache yet."""
        return replace(self, sources=replace(self.sources, cache=InProcessCache()))

    async def scalar(self, engine: str, sql: str, **params: Any) -> Any:
        async with getattr(self.engines, engine).connect() as conn:
            return (await conn.execute(text(sql), params)).scalar()

    async def rows(self, engine: str, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        async with getattr(self.engines, engine).connect() as conn:
            return [tuple(row) for row in await conn.execute(text(sql), params)]


async def postgres_urls(name: str) -> tuple[str, str, str]:
    """A fresh database for each backend role, created through the admin connection."""
    admin = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            urls = []
            for part in ("crm", "billing", "state"):
                database = f"{name}_{part}"
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
                await conn.execute(text(f'CREATE DATABASE "{database}"'))
                urls.append(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{database}")
    finally:
        await admin.dispose()
    return urls[0], urls[1], urls[2]


async def drop_postgres(name: str) -> None:
    admin = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            for part in ("crm", "billing", "state"):
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}_{part}" WITH (FORCE)'))
    finally:
        await admin.dispose()


def sqlite_urls(directory: Any) -> tuple[str, str, str]:
    return tuple(f"sqlite+aiosqlite:///{directory}/{part}.db" for part in ("crm", "billing", "state"))  # type: ignore[return-value]


def open_engines(urls: tuple[str, str, str]) -> Engines:
    """Engines as the server makes them, except that each keeps one PostgreSQL connection open
    between uses, not ten: the worlds of every worker stay well inside PostgreSQL's limit."""
    return Engines(*(create_engine(url, kept_idle=1) for url in urls))


def sources_over(engines: Engines) -> Sources:
    return Sources.over(engines, InProcessCache())


def nothing(result: Any) -> bool:
    """Nothing came back: no data at all, or every root field null (root fields fail on their own)."""
    return result.data is None or all(value is None for value in result.data.values())


async def reachable_redis(url: str = REDIS_URL) -> Redis:
    """A client of the tests' Redis; when it is not there, the test fails in CI and is skipped elsewhere."""
    client = Redis.from_url(url)
    try:
        await client.ping()
    except (RedisError, OSError) as error:
        await client.aclose()
        service_missing("Redis", error)
    return client


@contextlib.contextmanager
def exclusive(lock: Path) -> Iterator[None]:
    """Held by one process at a time: the workers of a parallel run, or runs side by side."""
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
