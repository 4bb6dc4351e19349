"""Seeded worlds on SQLite and PostgreSQL, one caller fixture per role, and the HTTP app."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest

from sources.demo import seed
from tests.support import (
    LOGINS,
    StatementCounter,
    World,
    drop_postgres,
    open_engines,
    postgres_urls,
    service_missing,
    sources_over,
    sqlite_urls,
    today,
)

SMALL = 100
LARGE = 2000
BULK = 7000  # the first company gets 75 %: 5,250 lines


async def _world(
    backend: str, lines: int, tmp_path_factory: pytest.TempPathFactory, label: str = "read"
) -> AsyncIterator[World]:
    name = f"corpcare_test_{os.getpid()}_{label}_{lines}"
    if backend == "postgres":
        try:
            urls = await postgres_urls(name)
        except (OSError, ConnectionError) as error:
            service_missing("PostgreSQL", error)
    else:
        urls = sqlite_urls(tmp_path_factory.mktemp(f"sqlite_{label}_{lines}"))
    engines = open_engines(urls)
    await seed(engines, subscribers=lines, seed=7, as_of=today())
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
