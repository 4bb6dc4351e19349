"""Real backends the fault tests may stop: a private PostgreSQL cluster and a private Redis,
each on its own port, so stopping them leaves the shared servers alone."""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.support import service_missing
from tests.waiting import PATIENCE


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_postgres(*command: str) -> None:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=60)


class PrivatePostgres:
    """A PostgreSQL cluster of the test's own (initdb, pg_ctl start/stop)."""

    def __init__(self) -> None:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not found or (os.geteuid() == 0 and shutil.which("runuser") is None):
            service_missing("A private PostgreSQL cluster", FileNotFoundError("initdb (Debian's postgresql)"))
        self.bin = Path(found[-1]).parent
        # Its own folder, outside pytest's (which the postgres user may not enter).
        self.root = Path(tempfile.mkdtemp(prefix="corpcare-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.running = False
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        _as_postgres(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        # -l: the server writes to a file, not to the pipe this process reads to its end.
        log = str(self.root / "server.log")
        _as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", log, "-o", options, "-w", "start")
        self.running = True

    def stop(self) -> None:
        _as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
        self.running = False

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def create_database(self, name: str) -> None:
        _as_postgres(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)


class PrivateRedis:
    def __init__(self, root: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            service_missing("A private Redis", FileNotFoundError("redis-server"))
        self.binary = str(binary)
        self.root = root
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                   "--dir", str(self.root)]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.02)
        raise AssertionError("the private Redis did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(PATIENCE)
            self.process = None


class Blackhole:
    """A port that accepts connections and never answers: a backend that hangs."""

    def __init__(self) -> None:
        self.server: asyncio.Server | None = None
        self.port = 0
        self._held: list[asyncio.StreamWriter] = []

    async def __aenter__(self) -> Blackhole:
        async def hold(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self._held.append(writer)

        self.server = await asyncio.start_server(hold, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    @property
    def connections(self) -> int:
        return len(self._held)

    async def __aexit__(self, *_: object) -> None:
        for writer in self._held:
            writer.close()
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()


@asynccontextmanager
async def billing_locked(billing_url: str) -> AsyncIterator[None]:
    """A real slow billing (PostgreSQL): another session holds the tables a dashboard request reads."""
    engine = create_async_engine(billing_url)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("LOCK TABLE daily_charges, line_services IN ACCESS EXCLUSIVE MODE"))
            yield
            await conn.rollback()
    finally:
        await engine.dispose()


async def waiting_on_a_lock(billing_url: str) -> bool:
    """Whether a session of this billing database waits for a lock (a request, on the tables held);
    other databases' waits (tests beside this one) do not count."""
    engine = create_async_engine(billing_url)
    try:
        async with engine.connect() as conn:
            waiting = await conn.execute(text(
                "select count(*) from pg_locks l join pg_database d on d.oid = l.database "
                "where not l.granted and d.datname = current_database()"
            ))  # fmt: skip
            return bool(waiting.scalar())
    finally:
        await engine.dispose()
