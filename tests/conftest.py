"""Seeded worlds on SQLite and PostgreSQL, one caller fixture per role, and the HTTP app."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from redis import Redis
from redis.exceptions import RedisError

from tests import plan_differential
from tests.seeded import drop_templates, postgres_copy, run_id, sqlite_copy, template
from tests.support import (
    LOGINS,
    REDIS_PREFIX,
    REDIS_URL,
    StatementCounter,
    World,
    drop_postgres,
    open_engines,
    service_missing,
    sources_over,
    today,
)

SMALL = 100
LARGE = 2000
BULK = 7000  # the first company gets 75 %: 5,250 lines


def pytest_configure(config: pytest.Config) -> None:
    if config.pluginmanager.hasplugin("xdist"):
        from tests.parallel import Plugin

        config.pluginmanager.register(Plugin(), "corpcare-parallel")
    if plan_differential.ENABLED:
        config.pluginmanager.register(plan_differential.Plugin(), "corpcare-plan-differential")
    run_id()  # named before any worker of a parallel run starts: they inherit it
    # Servers the tests start (in process or not) keep their Redis keys and channels under this
    # process's prefix: neither another worker's servers nor another run on the same Redis see them.
    os.environ["CORPCARE_REDIS_PREFIX"] = REDIS_PREFIX


TIERS = ("unit", "api", "system")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Each test is marked with its tier, the folder under tests/ it lives in: ``pytest -m unit``."""
    tests = Path(__file__).parent
    for item in items:
        tier = item.path.relative_to(tests).parts[0]
        if tier in TIERS:
            item.add_marker(tier)


def pytest_sessionfinish(session: pytest.Session) -> None:
    with contextlib.suppress(RedisError, OSError), Redis.from_url(REDIS_URL) as redis:
        keys = list(redis.scan_iter(match=f"{REDIS_PREFIX}*"))
        if keys:
            redis.delete(*keys)
    if not hasattr(session.config, "workerinput"):  # the run's last process: every worker has finished
        with contextlib.suppress(OSError, ConnectionError):
            asyncio.run(drop_templates())


def _shared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run's temporary folder, which the workers of a parallel run share (each has its own below it)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


async def _world(
    backend: str, lines: int, tmp_path_factory: pytest.TempPathFactory, label: str = "read"
) -> AsyncIterator[World]:
    name = f"corpcare_test_{os.getpid()}_{label}_{lines}"
    try:
        seeded = await template(backend, lines, today(), _shared(tmp_path_factory))
        if backend == "postgres":
            urls = await postgres_copy(name, seeded)
        else:
            urls = sqlite_copy(tmp_path_factory.mktemp(f"sqlite_{label}_{lines}"), seeded)
    except (OSError, ConnectionError) as error:
        if backend != "postgres":
            raise
        service_missing("PostgreSQL", error)
    engines = open_engines(urls)
    counter = StatementCounter()
    counter.watch(engines)
    world = World(backend, engines, sources_over(engines), counter)
    try:
        yield world
    finally:
        await engines.dispose()
        if backend == "postgres":
            await drop_postgres(name)


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    """SQLite is the embedded default; PostgreSQL the production backend."""
    return request.param


@pytest.fixture(scope="session")
async def world(backend: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    """The demo companies at a small size."""
    async for seeded in _world(backend, SMALL, tmp_path_factory):
        yield seeded


@pytest.fixture(scope="session")
async def large_world(backend: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    """The same demo at 2,000 lines, for statement counts that must not grow with the data."""
    async for seeded in _world(backend, LARGE, tmp_path_factory):
        yield seeded


@pytest.fixture(scope="session")
async def bulk_world(backend: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    """Enough lines for bulk operations; each test changes its own lines or its own service."""
    async for seeded in _world(backend, BULK, tmp_path_factory, label="bulk"):
        yield seeded


@pytest.fixture
async def writable_world(backend: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    """A fresh small demo for one test that changes data (the shared worlds stay as seeded)."""
    async for seeded in _world(backend, SMALL, tmp_path_factory, label="write"):
        yield seeded


# One fixture per kind of caller: each names the demo user who plays that role.


@pytest.fixture
def customer_admin() -> str:
    return LOGINS["customer_admin"]


@pytest.fixture
def unit_admin() -> str:
    return LOGINS["unit_admin"]


@pytest.fixture
def finance() -> str:
    return LOGINS["finance"]


@pytest.fixture
def analyst() -> str:
    return LOGINS["analyst"]


@pytest.fixture
def employee() -> str:
    return LOGINS["employee"]


@pytest.fixture
def support() -> str:
    return LOGINS["support"]


@pytest.fixture
def other_admin() -> str:
    return LOGINS["other_admin"]


@pytest.fixture
def aggregate_viewer() -> str:
    return LOGINS["aggregate_viewer"]
