"""Latency of the dashboard query over HTTP against a real uvicorn server.

Seeds the demo (default 10,000 lines) on SQLite and on PostgreSQL, starts `uvicorn` in a
separate process for each, sends warm-up requests, then sequential requests, and prints
p50/p95/p99 in milliseconds. Not a test: it decides nothing, it measures.

    .venv/bin/python bench/dashboard_latency.py [--lines 10000] [--requests 200] [--backend sqlite --backend postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from server.auth import issue_token  # noqa: E402
from server.settings import Settings  # noqa: E402
from sources.db import Engines, create_engine  # noqa: E402
from sources.demo import seed  # noqa: E402

DASHBOARD = (ROOT / "bench" / "operations" / "dashboard.graphql").read_text()
SECRET = "benchmark-secret-of-at-least-thirty-two-bytes"
PG_ADMIN = os.environ.get("CORPCARE_BENCH_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")


async def prepare(backend: str, lines: int, work: Path) -> tuple[dict[str, str], float]:
    """Database URLs with the demo seeded, and the seeding time."""
    if backend == "sqlite":
        work.mkdir(parents=True, exist_ok=True)
        urls = [f"sqlite+aiosqlite:///{work}/{part}.db" for part in ("crm", "billing", "state")]
    else:
        admin = create_async_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        urls = []
        async with admin.connect() as conn:
            for part in ("crm", "billing", "state"):
                await conn.execute(text(f'DROP DATABASE IF EXISTS "corpcare_bench_{part}" WITH (FORCE)'))
                await conn.execute(text(f'CREATE DATABASE "corpcare_bench_{part}"'))
                urls.append(PG_ADMIN.rsplit("/", 1)[0] + f"/corpcare_bench_{part}")
        await admin.dispose()
    engines = Engines(*(create_engine(url) for url in urls))
    started = time.perf_counter()
    await seed(engines, subscribers=lines, seed=42, as_of=datetime.now(UTC).date())
    elapsed = time.perf_counter() - started
    await engines.dispose()
    env = {"CORPCARE_CRM_URL": urls[0], "CORPCARE_BILLING_URL": urls[1], "CORPCARE_STATE_URL": urls[2]}
    return env, elapsed


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def measure(env: dict[str, str], requests: int, warmup: int) -> list[float]:
    port = free_port()
    server_env = os.environ | env | {"CORPCARE_JWT_SECRET": SECRET}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "server.asgi:app",
            "--factory",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=server_env,
    )
    try:
        token = issue_token(Settings(_env_file=None, jwt_secret=SECRET), "acme.admin")  # type: ignore[call-arg]
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=30) as client:
            for _ in range(100):
                try:
                    client.get("/healthz")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            tree = client.post("/graphql", json={"query": "{ customer { orgRoot { children { id name } } } }"}).json()
            unit = tree["data"]["customer"]["orgRoot"]["children"][0]["id"]
            body = {"query": DASHBOARD, "variables": {"unit": unit}}
            for _ in range(warmup):
                assert "errors" not in client.post("/graphql", json=body).json()
            timings = []
            for _ in range(requests):
                started = time.perf_counter()
                response = client.post("/graphql", json=body)
                timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
        return timings
    finally:
        server.terminate()
        server.wait(10)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    rows = []
    for backend in args.backend or ["sqlite", "postgres"]:
        env, seeded = asyncio.run(prepare(backend, args.lines, ROOT / "bench" / ".data" / f"{backend}-{args.lines}"))
        timings = measure(env, args.requests, args.warmup)
        rows.append((backend, seeded, timings))
    print(
        f"\nDashboard query over HTTP, {args.lines:,} lines, "
        f"{args.requests} sequential requests after {args.warmup} warm-up"
    )
    print("| backend | seeding (s) | p50 (ms) | p95 (ms) | p99 (ms) | mean (ms) |")
    print("|---|---|---|---|---|---|")
    for backend, seeded, timings in rows:
        print(
            f"| {backend} | {seeded:.1f} | {percentile(timings, 0.5):.1f} | {percentile(timings, 0.95):.1f} "
            f"| {percentile(timings, 0.99):.1f} | {statistics.mean(timings):.1f} |"
        )


if __name__ == "__main__":
    main()
