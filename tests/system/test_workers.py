"""``corpcare serve --workers 2`` on a loaded host: workers that take longer than uvicorn's 5 s
to start are given the time (``--worker-healthcheck``, ``CORPCARE_WORKER_HEALTHCHECK``), and a
worker that is replaced is replaced with its reason in the log. Real processes.

The loaded host is played by a ``sitecustomize`` module (on ``PYTHONPATH``, for the test's
processes only) that holds every new interpreter for a while before anything runs, as imports
on a busy machine do: a worker answers no health check until it has started."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.faults import free_port
from tests.system.processes import ProcessGroup
from tests.system.test_http import make_settings
from tests.waiting import PATIENCE, eventually

pytestmark = pytest.mark.parametrize("backend", ["postgres"], indirect=True, scope="session")

START_SECONDS = 8  # every interpreter's start on the loaded host: past uvicorn's 5 s
SLOW_START = f"import time\ntime.sleep({START_SECONDS})\n"


class Serve(ProcessGroup):
    """``corpcare serve --workers 2`` in a session of its own, its log in a file."""

    def __init__(self, world: Any, root: Path, *options: str, **env: str) -> None:
        (root / "slow").mkdir()
        (root / "slow" / "sitecustomize.py").write_text(SLOW_START)
        urls = [engine.url.render_as_string(hide_password=False) for engine, _ in world.engines.pairs()]
        environment = {
            **{k: v for k, v in os.environ.items() if not k.startswith("CORPCARE_")},
            "PYTHONPATH": os.pathsep.join([str(root / "slow"), str(Path(__file__).parents[2])]),
            "CORPCARE_DATA_DIR": str(root),
            "TMPDIR": str(root),  # the workers' metrics directory too: a killed server cannot remove it
            "CORPCARE_JWT_SECRET": make_settings().jwt_secret,
            "CORPCARE_BULK_WORKER": "false",
            **dict(zip(("CORPCARE_CRM_URL", "CORPCARE_BILLING_URL", "CORPCARE_STATE_URL"), urls, strict=True)),
            **env,
        }
        self.port = free_port()
        self.log = root / "serve.log"
        command = [sys.executable, "-c", "from server.cli import main; main()", "serve", "--port", str(self.port),
                   "--workers", "2", *options]  # fmt: skip
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(
                command, env=environment, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )

    def text(self) -> str:
        return self.log.read_text(errors="replace")


async def test_two_workers_that_start_slowly_are_given_the_time_and_serve(world, tmp_path, started):
    serve = Serve(world, tmp_path)
    started.append(serve)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{serve.port}") as http:

        async def serving() -> bool:
            if serve.process.poll() is not None:
                raise AssertionError(f"corpcare serve exited: {serve.text()}")
            try:
                return (await http.get("/healthz")).status_code == 200
            except httpx.TransportError:
                return False

        await eventually(serving, "corpcare serve to answer", seconds=3 * PATIENCE, every=0.1)
        await eventually(lambda: serve.text().count("Application startup complete") == 2, "both workers to start",
                         seconds=3 * PATIENCE, every=0.1)  # fmt: skip
    log = serve.text()
    assert "starting another" not in log and "died" not in log, log


async def test_a_worker_that_misses_its_health_check_is_replaced_and_the_log_says_why(world, tmp_path, started):
    serve = Serve(world, tmp_path, "--worker-healthcheck", "2")
    started.append(serve)
    await eventually(lambda: "did not answer the health check within 2 s" in serve.text(), "the reason in the log",
                     seconds=3 * PATIENCE, every=0.1)  # fmt: skip
    assert "starting another" in serve.text()
