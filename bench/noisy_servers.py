"""The processes and stores of the noisy-neighbour benchmark: the demo in PostgreSQL databases
of its own, and pairs of ``corpcare serve`` processes (this checkout's code, production mode)
sharing them and a Redis key prefix of their own."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
from redis.asyncio import Redis

from demo import seed
from server.auth import issue_token
from server.settings import Settings
from tests.support import REDIS_URL, drop_postgres, open_engines, postgres_urls

ROOT = Path(__file__).resolve().parents[1]
# The demo users the benchmark signs in as: Borealis's admin (B), and Acme's (A) callers.
LOGINS = ("borealis.admin", "acme.admin", "acme.analyst", "acme.employee", "acme.sales.admin")


@dataclass
class Stack:
    """What every pair of servers shares: the databases, Redis, a JWT secret and tokens."""

    urls: tuple[str, str, str]
    data_dir: Path
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    redis_url: str = REDIS_URL

    def token(self, login: str) -> str:
        return issue_token(Settings(_env_file=None, jwt_secret=self.secret), login)  # type: ignore[call-arg]

    def tokens(self) -> dict[str, str]:
        return {login: self.token(login) for login in LOGINS}


@contextlib.asynccontextmanager
async def private_database(lines: int) -> AsyncIterator[tuple[str, str, str]]:
    """The demo at ``lines`` lines in databases of their own, dropped afterwards."""
    name = f"corpcare_noisy_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    urls = await postgres_urls(name)
    try:
        engines = open_engines(urls)
        try:
            await seed(engines, subscribers=lines, seed=42, as_of=datetime.now(UTC).date())
        finally:
            await engines.dispose()
        yield urls
    finally:
        await drop_postgres(name)


@contextlib.asynccontextmanager
async def server_pair(stack: Stack, prefix: str) -> AsyncIterator[list[str]]:
    """Two ``corpcare serve`` processes (this checkout's code) under a Redis prefix of their own."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),  # the code beside this file, whatever the venv's editable install says
        "CORPCARE_ENV": "production",
        "CORPCARE_JWT_SECRET": stack.secret,
        "CORPCARE_DATA_DIR": str(stack.data_dir),
        "CORPCARE_REDIS_URL": stack.redis_url,
        "CORPCARE_REDIS_PREFIX": prefix,
        **dict(zip(("CORPCARE_CRM_URL", "CORPCARE_BILLING_URL", "CORPCARE_STATE_URL"), stack.urls, strict=True)),
    }
    processes: list[subprocess.Popen[bytes]] = []
    bases = []
    try:
        for _ in range(2):
            port = _free_port()
            log = stack.data_dir / f"server-{port}.log"
            command = [sys.executable, "-c", "from server.cli import main; main()", "serve", "--port", str(port)]
            with log.open("wb") as output:
                processes.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT))
            bases.append(f"http://127.0.0.1:{port}")
        for process, base in zip(processes, bases, strict=True):
            await _healthy(process, base)
        yield bases
    finally:
        for process in processes:
            process.kill()  # not a graceful stop: a stalled server would hold the run for its grace time
            process.wait()
        await forget(stack.redis_url, prefix)


async def forget(redis_url: str, prefix: str) -> None:
    """Every key under ``prefix``: spent cost allowances, cached sign-ins."""
    async with Redis.from_url(redis_url) as redis:
        if keys := [key async for key in redis.scan_iter(match=prefix + "*")]:
            await redis.delete(*keys)


class Servers:
    """The pair of servers an attack runs against: reused until ``retire`` (after an attack that
    left work on it or saw it fail), then a new one. Each attack starts with nothing in Redis
    (full cost allowances for everyone)."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.prefix = ""
        self._pair: contextlib.AbstractAsyncContextManager[list[str]] | None = None
        self._bases: list[str] | None = None

    async def pair(self) -> list[str]:
        if self._bases is None:
            self.prefix = f"corpcare-noisy-{uuid.uuid4().hex[:8]}:"
            self._pair = server_pair(self.stack, self.prefix)
            self._bases = await self._pair.__aenter__()
        else:
            await forget(self.stack.redis_url, self.prefix)
        return self._bases

    async def retire(self) -> None:
        pair, self._pair, self._bases = self._pair, None, None
        if pair is not None:
            await pair.__aexit__(None, None, None)

    async def __aenter__(self) -> Servers:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.retire()


async def _healthy(process: subprocess.Popen[bytes], base: str) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=5) as http:
        for _ in range(1200):
            if process.poll() is not None:
                raise RuntimeError(f"corpcare serve exited with {process.returncode}; see its log")
            with contextlib.suppress(httpx.TransportError):
                if (await http.get("/healthz")).status_code == 200:
                    return
            await asyncio.sleep(0.05)
    raise RuntimeError(f"corpcare serve did not answer on {base}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
