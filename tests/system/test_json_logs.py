"""``corpcare serve`` with JSON logs, as an operator runs it: every line any of its processes
writes, on stdout or stderr, is one JSON object — the first start's seeding and migrations,
uvicorn's banner, the workers' start and stop, the request log, and a line per CSV export and
per refused export. Real processes on the embedded default (a fresh data directory). And, in
process, the lines of a request made inside a span name its trace and span."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace import TracerProvider

from server.app import create_app
from server.auth import issue_token
from tests.faults import free_port
from tests.system.test_http import bearer, make_settings
from tests.unit.server.test_log_format import json_logs  # noqa: F401  (the fixture)
from tests.waiting import PATIENCE, within

Line = dict[str, Any]


class Output:
    """One stream of the server's output, read line by line as it comes; a waiter is woken by
    each line (no clock involved, but the bound on a wait that would hang)."""

    def __init__(self, stream: asyncio.StreamReader) -> None:
        self.raw: list[str] = []
        self.ended = False
        self._new = asyncio.Condition()
        self.reading = asyncio.create_task(self._read(stream))

    async def _read(self, stream: asyncio.StreamReader) -> None:
        try:
            async for raw in stream:
                async with self._new:
                    self.raw.append(raw.decode())
                    self._new.notify_all()
        finally:
            async with self._new:
                self.ended = True
                self._new.notify_all()

    def parsed(self) -> list[Line]:
        """Every line that is a JSON object (the test asserts all of them are, at the end)."""
        lines = []
        for raw in self.raw:
            try:
                line = json.loads(raw)
            except ValueError:
                continue
            if isinstance(line, dict):
                lines.append(line)
        return lines

    async def until(self, found: Callable[[list[Line]], Any], what: str) -> Any:
        async def seen() -> Any:
            async with self._new:
                while not (answer := found(self.parsed())):
                    if self.ended:
                        raise AssertionError(f"the output ended before {what}: {''.join(self.raw)}")
                    await self._new.wait()
                return answer

        return await within(seen(), 3 * PATIENCE)


class Server:
    def __init__(self, process: asyncio.subprocess.Process, port: int) -> None:
        self.process, self.port = process, port
        assert process.stdout is not None and process.stderr is not None
        self.stdout, self.stderr = Output(process.stdout), Output(process.stderr)

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)  # as an orchestrator stops it
            try:
                await within(self.process.wait(), 3 * PATIENCE)
            finally:
                if self.process.returncode is None:
                    os.killpg(self.process.pid, signal.SIGKILL)
                    await self.process.wait()
        await within(asyncio.gather(self.stdout.reading, self.stderr.reading))


@pytest.fixture
async def started() -> AsyncIterator[list[Server]]:
    servers: list[Server] = []
    yield servers
    for server in servers:
        if server.process.returncode is None:
            os.killpg(server.process.pid, signal.SIGKILL)  # the supervisor and its workers: one session
            await server.process.wait()


def json_environment(data_dir: Path) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("CORPCARE_")},
        "PYTHONPATH": str(Path(__file__).parents[2]),
        "CORPCARE_LOG_JSON": "true",
        "CORPCARE_DATA_DIR": str(data_dir),
        "CORPCARE_SEED_SUBSCRIBERS": "60",
        "CORPCARE_JWT_SECRET": make_settings().jwt_secret,
    }


async def serve(data_dir: Path, workers: int) -> Server:
    environment = json_environment(data_dir)
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from server.cli import main; main()", "serve", "--port", str(port),
        "--workers", str(workers), env=environment, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        start_new_session=True,
    )  # fmt: skip
    return Server(process, port)


def of(logger: str, message: str | None = None) -> Callable[[list[Line]], list[Line]]:
    return lambda lines: [
        line for line in lines if line["logger"] == logger and (message is None or message in line["message"])
    ]


def with_request_id(logger: str, request_id: str) -> Callable[[list[Line]], Line | None]:
    return lambda lines: next(
        (line for line in lines if line["logger"] == logger and line.get("request_id") == request_id), None
    )


@pytest.mark.parametrize("workers", [1, 2])
async def test_every_line_of_every_process_is_one_json_object_with_exports_and_refusals(tmp_path, started, workers):
    server = await serve(tmp_path / "data", workers)
    started.append(server)
    log = server.stderr
    await log.until(lambda lines: len(of("uvicorn.error", "Application startup complete")(lines)) == workers,
                    f"{workers} worker(s) to start")  # fmt: skip
    token = issue_token(make_settings(), "acme.admin")
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}", headers=bearer(token)) as http:
        answered = await http.post("/graphql", json={"query": "query Me { viewer { login } }"})
        exported = await http.get("/reports/invoices.csv")
        refused = await http.get("/reports/budget.csv")  # no months
    assert answered.json()["data"]["viewer"]["login"] == "acme.admin"
    assert exported.status_code == 200 and exported.text.count("\n") > 1
    assert refused.status_code == 400
    [refusal_code] = [error["extensions"]["code"] for error in refused.json()["errors"]]

    request = await log.until(with_request_id("corpcare.requests", answered.headers["x-request-id"]), "request line")
    export = await log.until(with_request_id("corpcare.exports", exported.headers["x-request-id"]), "export line")
    refusal = await log.until(with_request_id("corpcare.exports", refused.headers["x-request-id"]), "refusal line")
    await server.stop()

    assert (request["operation"], request["operation_type"], request["outcome"]) == ("Me", "query", "ok")
    assert request["principal"].isdigit() and isinstance(request["customer"], int)
    assert (export["export"], export["outcome"], export["status"]) == ("invoices", "ok", 200)
    assert export["error_code"] is None
    assert export["rows"] == exported.text.count("\n") - 1  # the header is not a row
    assert export["bytes"] == len(exported.content)
    assert export["principal"] == request["principal"] and export["customer"] == request["customer"]
    assert export["duration_ms"] >= 0 and export["level"] == "info"
    assert (refusal["export"], refusal["outcome"], refusal["status"]) == ("budget", "refused", 400)
    assert refusal["error_code"] == refusal_code == "BAD_USER_INPUT"
    assert (refusal["rows"], refusal["bytes"], refusal["level"]) == (0, 0, "warning")

    everything = server.stdout.raw + server.stderr.raw
    for raw in everything:
        line = json.loads(raw)
        assert isinstance(line, dict), raw
        assert list(line)[:4] == ["time", "level", "logger", "message"], raw
        assert "\x1b" not in raw and "\\u001b" not in raw and "color_message" not in line, raw
    assert token not in "".join(everything)
    assert not any("acme.admin" in json.dumps(line) for line in (request, export, refusal))  # ids, not logins

    lines = log.parsed()
    # The first start, before uvicorn runs: seeding and the state database's migrations.
    assert of("corpcare.cli", "First start: seeding 60 demo lines")(lines)
    assert of("alembic.runtime.migration", "Running upgrade")(lines)
    # uvicorn's banner and every worker's start and stop.
    assert of("uvicorn.error", "Uvicorn running on")(lines)
    started_pids = {line["message"] for line in of("uvicorn.error", "Started server process")(lines)}
    assert len(started_pids) == workers
    assert len(of("uvicorn.error", "Finished server process")(lines)) == workers
    if workers > 1:
        assert of("uvicorn.error", "Started parent process")(lines)


async def test_corpcare_migrate_writes_json_lines_too(tmp_path):
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from server.cli import main; main()", "migrate", env=json_environment(tmp_path),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await within(process.communicate(), 3 * PATIENCE)
    assert process.returncode == 0, err.decode()
    lines = [json.loads(raw) for raw in (out + err).decode().splitlines()]
    assert all(isinstance(line, dict) and list(line)[:4] == ["time", "level", "logger", "message"] for line in lines)
    assert of("alembic.runtime.migration", "Running upgrade")(lines)
    assert of("corpcare.cli", "State database at revision")(lines)


async def test_the_lines_of_a_traced_request_name_its_trace_and_span(world, json_logs, customer_admin):  # noqa: F811
    app = create_app(make_settings(), sources=world.sources)
    tracer = TracerProvider().get_tracer("corpcare.test")  # the test's own provider, not the global one
    headers = bearer(issue_token(make_settings(), customer_admin))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://corpcare.test") as http:
        with tracer.start_as_current_span("request") as span:
            answered = await http.post("/graphql", json={"query": "query Me { viewer { login } }"}, headers=headers)
            exported = await http.get("/reports/invoices.csv", headers=headers)
        untraced = await http.get("/reports/invoices.csv", headers=headers)
    lines = json_logs()
    request = with_request_id("corpcare.requests", answered.headers["x-request-id"])(lines)
    export = with_request_id("corpcare.exports", exported.headers["x-request-id"])(lines)
    outside = with_request_id("corpcare.exports", untraced.headers["x-request-id"])(lines)
    assert request is not None and export is not None and outside is not None
    context = span.get_span_context()
    for line in (request, export):
        assert (line["trace_id"], line["span_id"]) == (f"{context.trace_id:032x}", f"{context.span_id:016x}")
    assert "trace_id" not in outside and "span_id" not in outside


async def test_a_refusal_of_the_command_line_is_a_json_line_with_its_exit_code(tmp_path):
    environment = {k: v for k, v in json_environment(tmp_path).items() if k != "CORPCARE_JWT_SECRET"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from server.cli import main; main()", "serve", "--host", "0.0.0.0",
        "--port", str(free_port()), env=environment, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        out, err = await within(process.communicate(), 3 * PATIENCE)
    finally:
        if process.returncode is None:  # it started serving: the public secret beyond loopback
            process.kill()
            await process.wait()
    assert process.returncode == 1
    [line] = [json.loads(raw) for raw in (out + err).decode().splitlines()]
    assert (line["logger"], line["level"], line["exit_code"]) == ("corpcare.cli", "error", 1)
    assert "development secret" in line["message"] and "Error:" not in line["message"]
