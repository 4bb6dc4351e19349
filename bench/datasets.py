"""Benchmark data sets: the demo generator at fixed seeds and sizes, generated once and reused.

S, M and L are 1,000, 10,000 and 100,000 lines. SQLite sets live under `bench/.data/`;
PostgreSQL sets in databases `corpcare_bench_<size>_{crm,billing,state}` (``CORPCARE_BENCH_PG_PREFIX``
instead of ``corpcare_bench``: databases of one's own). A set is reused
while its marker (size, seed, as-of day, generator version: a digest of the generator's and the
sources' code) matches, otherwise regenerated. A PostgreSQL set's marker is the comment on its
CRM database, and it is generated under an advisory lock: checkouts on one machine share the
databases, two processes never generate a set at once, and a revision whose generator or tables
differ regenerates the set rather than reusing one it did not make (a run of the other revision
reading it at that moment fails). A PostgreSQL set is vacuumed and analysed once generated.
"""

from __future__ import annotations

import hashlib
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
# Checkouts of other revisions on the same server regenerate a shared set under a run that reads it:
# a prefix of one's own keeps a run's databases its own (drop them when done).
PG_PREFIX = os.environ.get("CORPCARE_BENCH_PG_PREFIX", "corpcare_bench")
PARTS = ("crm", "billing", "state")
ROOT = Path(__file__).parent.parent


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
    wanted = {"lines": lines, "seed": SEED, "as_of": as_of.isoformat(), "generator": _generator_version(),
              "settled": backend == "postgres"}  # fmt: skip
    if backend == "sqlite":
        DATA.mkdir(exist_ok=True)
        folder = DATA / f"sqlite-{size}"
        folder.mkdir(exist_ok=True)
        urls = tuple(f"sqlite+aiosqlite:///{folder.resolve()}/{part}.db" for part in PARTS)
        marker_file = DATA / f"sqlite-{size}.json"
        marker = json.loads(marker_file.read_text()) if marker_file.exists() else {}
        if _matches(marker, wanted) and all(Path(url.split("///", 1)[1]).exists() for url in urls):
            return Dataset(backend, size, lines, urls, as_of, marker["seconds"], reused=True)  # type: ignore[arg-type]
        seconds = await _generate(urls, lines, as_of)
        marker_file.write_text(json.dumps(wanted | {"seconds": seconds}))
        return Dataset(backend, size, lines, urls, as_of, seconds, reused=False)  # type: ignore[arg-type]

    urls = tuple(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{PG_PREFIX}_{size.lower()}_{part}" for part in PARTS)
    names = [url.rsplit("/", 1)[1] for url in urls]
    admin = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text("SELECT pg_advisory_lock(hashtext(:name))"), {"name": names[0]})
            comment = (await conn.execute(_COMMENT, {"name": names[0]})).scalar()
            marker = json.loads(comment) if comment else {}
            if _matches(marker, wanted):
                return Dataset(backend, size, lines, urls, as_of, marker["seconds"], reused=True)  # type: ignore[arg-type]
            for name in names:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                await conn.execute(text(f'CREATE DATABASE "{name}"'))
            seconds = await _generate(urls, lines, as_of)
            marker_text = json.dumps(wanted | {"seconds": seconds}).replace("'", "''")
            await conn.execute(text(f"COMMENT ON DATABASE \"{names[0]}\" IS '{marker_text}'"))
            return Dataset(backend, size, lines, urls, as_of, seconds, reused=False)  # type: ignore[arg-type]
    finally:
        await admin.dispose()  # the lock ends with the connection


_COMMENT = text("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = :name")


def _matches(marker: dict[str, object], wanted: dict[str, object]) -> bool:
    return {key: marker.get(key) for key in wanted} == wanted


async def _generate(urls: tuple[str, ...], lines: int, as_of: date) -> float:
    engines = Engines(*(create_engine(url) for url in urls))
    started = time.perf_counter()
    try:
        await seed(engines, subscribers=lines, seed=SEED, as_of=as_of)
    finally:
        await engines.dispose()
    for url in urls:
        if url.startswith("postgresql"):
            await _settle(url)
    return round(time.perf_counter() - started, 1)


async def _settle(url: str) -> None:
    """Vacuum and analyse a freshly loaded database, as autovacuum would some time later: until
    then its rows carry no hint bits, its visibility map is empty (an index-only scan reads the
    table too) and the planner has no statistics, and the same statements run 25-40 % slower than
    on a set generated earlier. Every set is measured settled."""
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text("VACUUM (ANALYZE)"))
    finally:
        await engine.dispose()


def _generator_version() -> str:
    """A digest of the code that decides what a data set holds: the generator and the sources' tables."""
    digest = hashlib.sha256()
    for path in sorted([*ROOT.glob("demo/**/*.py"), *ROOT.glob("sources/**/*.py"), *ROOT.glob("sources/**/*.sql")]):
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
