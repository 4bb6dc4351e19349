"""A real uvicorn server in its own process, and what the HTTP figures are taken with."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from bench.inprocess import percentile
from permissions.roles import Role
from server.auth import issue_token
from server.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SECRET = "benchmark-secret-of-at-least-thirty-two-bytes"
# The benchmark measures the server, not the cost allowances: each operation is still charged and
# settled, but no caller ever waits.
_PLENTY = {"maximum": 10**12, "restore_rate": 10**12}
ALLOWANCES = {
    "CORPCARE_COST_ALLOWANCES": json.dumps({role.name: _PLENTY for role in Role}),
    "CORPCARE_CUSTOMER_COST_ALLOWANCE": json.dumps(_PLENTY),
}
# Every operation comes from one company here: fair share would hold it to two heavy operations at
# once per process and to its share of worker time (429 TIME_SHARE), and the run at M could not
# finish. Nothing counts as heavy unless a benchmark says otherwise (its env wins).
UNGATED = {"CORPCARE_HEAVY_OPERATION_COST": str(10**12)}
APPS = {"corpcare": "server.asgi:app", "naive": "bench.naive.asgi:app"}


def token(login: str) -> str:
    return issue_token(Settings(_env_file=None, jwt_secret=SECRET), login)  # type: ignore[call-arg]


class ServerProcess:
    def __init__(
        self, app: str, env: dict[str, str], workers: int = 1, cwd: Path = ROOT, mode: str = "production"
    ) -> None:
        # ``cwd``: the tree whose code the server runs (another revision's worktree, for an A/B).
        # ``mode``: CORPCARE_ENV (the portal's benchmark signs in on the development page).
        self.app, self.env, self.workers, self.cwd, self.mode = app, env, workers, cwd, mode
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> ServerProcess:
        command = [sys.executable, "-m", "uvicorn", APPS[self.app], "--factory", "--port", str(self.port)]
        command += ["--workers", str(self.workers), "--log-level", "warning", "--no-access-log"]
        env = os.environ | UNGATED | self.env | ALLOWANCES
        env |= {"CORPCARE_JWT_SECRET": SECRET, "CORPCARE_ENV": self.mode}
        self.process = subprocess.Popen(command, cwd=self.cwd, env=env | {"PYTHONPATH": str(self.cwd)})
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError(f"{self.app} did not start on {self.url}")

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        assert self.process is not None
        self.process.terminate()
        self.process.wait(30)

    def peak_rss_mb(self) -> float:
        """The largest peak resident set of the server's processes (each worker counts alone)."""
        assert self.process is not None
        pids = [self.process.pid, *_children(self.process.pid)]
        return max(_peak_rss_kb(pid) for pid in pids) / 1024

    def latencies(self, login: str, body: dict[str, Any], repeat: int, warmup: int = 5) -> list[float]:
        with httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {token(login)}"}, timeout=120) as http:
            for _ in range(warmup):
                _check(http.post("/graphql", json=body))
            timings = []
            for _ in range(repeat):
                started = time.perf_counter()
                _check(http.post("/graphql", json=body))
                timings.append((time.perf_counter() - started) * 1000)
        return timings

    def throughput(self, login: str, body: dict[str, Any], concurrency: int, seconds: float) -> float:
        """Requests per second with ``concurrency`` clients, the load coming from another process."""
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump(body, handle)
        try:
            command = [sys.executable, "-m", "bench.load", self.url, token(login), handle.name]
            command += ["--concurrency", str(concurrency), "--seconds", str(seconds)]
            output = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout
        finally:
            os.unlink(handle.name)
        return float(json.loads(output)["requests_per_second"])


def _check(response: httpx.Response) -> None:
    if response.status_code != 200 or "errors" in response.json():
        raise RuntimeError(f"HTTP {response.status_code}: {response.text[:300]}")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _peak_rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def summary(latencies: list[float]) -> tuple[float, float, float]:
    return percentile(latencies, 0.5), percentile(latencies, 0.95), percentile(latencies, 0.99)
