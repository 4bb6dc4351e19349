"""Benchmark data sets: the demo generator at fixed seeds and sizes, generated once and reused.

S, M and L are 1,000, 10,000 and 100,000 lines. SQLite sets live under `bench/.data/`;
PostgreSQL sets in databases `corpcare_bench_<size>_{crm,billing,state}`. A set is reused
while its marker (size, seed, as-of day, generator version) matches, otherwise regenerated.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from demo import seed
from sources.db import Engines, create_engine

SIZES = {"S": 1_000, "M": 10_000, "L": 100_000}
SEED = 42
DATA = Path(__file__).parent / ".data"
PG_ADMIN_URL = os.environ.get("CORPCARE_BENCH_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
PARTS = ("crm", "billing", "state")


@dataclass(frozen=True, slots=True)
class Dataset:
    backend: str  # sqlite or postgres
    size: str  # S, M or L
    lines: int
    urls: tuple[str, str, str]
    as_of: date
    seconds_to_generate: float
    reused: bool

    @property
    def label(self) -> str:
        return f"{self.size} ({self.lines:,} lines), {self.backend}"

    def env(self) -> dict[str, str]:
        """The server's configuration for this data set."""
        return dict(zip(("CORPCARE_CRM_URL", "CORPCARE_BILLING_URL", "CORPCARE_STATE_URL"), self.urls, strict=True))

    def engines(self) -> Engines:
        return Engines(*(create_engine(url) for url in self.urls))


async def prepare(backend: str, size: str, *, today: date | None = None) -> Dataset:
    as_of = today or datetime.now(UTC).date()
    lines = SIZES[size]
    DATA.mkdir(exist_ok=True)
    marker_file = DATA / f"{backend}-{size}.json"
    wanted = {"lines": lines, "seed": SEED, "as_of": as_of.isoformat()}
    if backend == "sqlite":
        folder = DATA / f"sqlite-{size}"
        folder.mkdir(exist_ok=True)
        urls = tuple(f"sqlite+aiosqlite:///{folder.resolve()}/{part}.db" for part in PARTS)
    else:
        urls = tuple(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/corpcare_bench_{size.lower()}_{part}" for part in PARTS)
    marker = json.loads(marker_file.read_text()) if marker_file.exists() else {}
    if {key: marker.get(key) for key in wanted} == wanted and await _exists(backend, urls):
        return Dataset(backend, size, lines, urls, as_of, marker["seconds"], reused=True)  # type: ignore[arg-type]

    if backend == "postgres":
        await _create_databases(urls)
    engines = Engines(*(create_engine(url) for url in urls))
    started = time.perf_counter()
    try:
        await seed(engines, subscribers=lines, seed=SEED, as_of=as_of)
    finally:
        await engines.dispose()
    seconds = time.perf_counter() - started
    marker_file.write_text(json.dumps(wanted | {"seconds": round(seconds, 1)}))
    return Dataset(backend, size, lines, urls, as_of, seconds, reused=False)  # type: ignore[arg-type]


async def _exists(backend: str, urls: tuple[str, ...]) -> bool:
    if backend == "sqlite":
        return all(Path(url.split("///", 1)[1]).exists() for url in urls)
    engine = create_async_engine(urls[0])
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1 FROM customers LIMIT 1"))
        return True
    except Exception:
        return False
    finally:
        await engine.dispose()


async def _create_databases(urls: tuple[str, ...]) -> None:
    admin = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            for url in urls:
                name = url.rsplit("/", 1)[1]
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                await conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await admin.dispose()
