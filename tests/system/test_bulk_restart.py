"""A bulk operation survives its server process being killed: a restarted server finishes it,
and every line is changed exactly once. Real processes, real sockets, real databases."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from core.ids import from_global_id, to_global_id
from server.auth import issue_token
from tests.api.bulk.test_bulk_operations import (
    OPERATION,
    RESULTS,
    SERVICES,
    acme_lines,
    audited_results,
    copies_of,
    expected_outcomes,
    service_id,
)
from tests.faults import free_port
from tests.system.test_http import bearer, make_settings
from tests.waiting import PATIENCE, eventually

SECRET = make_settings().jwt_secret


async def started_server(world: Any, data_dir: Any) -> tuple[subprocess.Popen[bytes], str]:
    """``corpcare serve`` on the world's databases, with a ten-second bulk lease."""
    urls = [engine.url.render_as_string(hide_password=False) for engine, _ in world.engines.pairs()]
    return await serving(dict(zip(("crm_url", "billing_url", "state_url"), urls, strict=True)), data_dir)


async def serving(settings: dict[str, str], data_dir: Any) -> tuple[subprocess.Popen[bytes], str]:
    """``corpcare serve`` in its own process with these settings (and a ten-second bulk lease)."""
    port = free_port()
    env = {
        **os.environ,
        "CORPCARE_DATA_DIR": str(data_dir),
        "CORPCARE_JWT_SECRET": SECRET,
        # A worker writes only while its last renewal was sent less than two thirds of the lease
        # ago (jobs/bulk_lease.py): with one second, a renewal on a busy host may take longer, and
        # the chunk writes nothing. Ten keeps the killed case's wait for the next server short.
        "CORPCARE_BULK_LEASE_SECONDS": "10",
        **{f"CORPCARE_{name.upper()}": value for name, value in settings.items()},
    }
    command = [sys.executable, "-c", "from server.cli import main; main()", "serve", "--port", str(port)]
    log = data_dir / f"server-{port}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"

    async def healthy() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"the server exited: {log.read_text()}")
        try:
            return (await http.get("/healthz")).status_code == 200
        except httpx.TransportError:
            return False

    async with httpx.AsyncClient(base_url=base) as http:
        try:
            # Imports and migrations can take over a minute on a loaded machine.
            await eventually(healthy, "the server to start", seconds=3 * PATIENCE, every=0.05)
        except AssertionError:
            process.kill()
            process.wait()  # reaped here: not a stray process warned about in a later test
            raise
    return process, base


@pytest.fixture
async def servers() -> AsyncIterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait()


async def until(check: Callable[[dict[str, Any]], bool], http: httpx.AsyncClient, operation: str, token: str) -> Any:
    """The operation as first seen passing ``check`` (a whole operation may take minutes on a busy machine)."""

    async def seen() -> Any:
        response = await http.post("/graphql", json={"query": OPERATION, "variables": {"id": operation}},
                                   headers=bearer(token))  # fmt: skip
        node = response.json()["data"]["node"]
        return node if check(node) else None

    return await eventually(seen, "the bulk operation", seconds=5 * PATIENCE, every=0.025)


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGTERM], ids=["killed", "terminated"])
async def test_a_stopped_server_leaves_its_bulk_operation_to_the_next_one_which_finishes_it(
    bulk_world, servers, tmp_path, stop
):
    """Killed, the lease runs out and the next server checks the lines claimed but not recorded;
    terminated, the server finishes the chunk in hand, records it and hands the lease back."""
    world = bulk_world
    lines = await acme_lines(world, 3000, offset=0)
    service = await service_id(world, "DATA-PACK-5")
    expected = await expected_outcomes(world, lines, service)
    before = await copies_of(world, service)
    token = issue_token(make_settings(), "acme.admin")

    first, base = await started_server(world, tmp_path)
    servers.append(first)
    request = {"selection": {"ids": [to_global_id("Subscriber", line) for line in lines]},
               "services": [to_global_id("Service", service)]}  # fmt: skip
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        response = await http.post("/graphql", json={"query": SERVICES, "variables": {"input": request}},
                                    headers=bearer(token))  # fmt: skip
        operation = response.json()["data"]["subscriberServicesAdd"]["bulkOperation"]["id"]
        midway = await until(lambda node: node["done"] >= 200, http, operation, token)
    first.send_signal(stop)
    exit_code = first.wait(60)
    assert midway["status"] == "RUNNING" and midway["done"] < 3000, "the work finished before the kill"
    if stop == signal.SIGTERM:
        # uvicorn shuts down gracefully, then re-raises the signal it caught.
        assert exit_code in (0, -signal.SIGTERM)
        assert "Application shutdown complete" in "".join(p.read_text() for p in tmp_path.glob("server-*.log"))
        id_ = from_global_id(operation)[1]
        claimed = await world.scalar("state", f"select count(*) from bulk_items where operation_id = {id_} "
                                     "and state = 'claimed'")  # fmt: skip
        handed_back = await world.scalar("state", f"select lease_until < current_timestamp from bulk_operations "
                                         f"where id = {id_}")  # fmt: skip
        assert claimed == 0 and handed_back, "a terminated server checkpoints its chunk and gives the lease back"

    second, base = await started_server(world, tmp_path)
    servers.append(second)
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        done = await until(lambda node: node["status"] == "COMPLETED", http, operation, token)
        results: list[dict[str, Any]] = []
        after = None
        while True:
            variables = {"id": operation, "after": after}
            response = await http.post("/graphql", json={"query": RESULTS, "variables": variables},
                                       headers=bearer(token))  # fmt: skip
            page = response.json()["data"]["node"]["results"]
            results += page["nodes"]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]

    applied = {line for line, (outcome, _) in expected.items() if outcome == "applied"}
    print(f"killed with {midway['done']} of 3000 lines recorded; after the restart: {done['applied']} applied, "
          f"{done['skipped']} skipped, {done['failed']} failed")  # fmt: skip
    assert (done["done"], done["applied"]) == (3000, len(applied))
    assert {from_global_id(r["lineId"])[1]: (r["outcome"].lower(), r["code"]) for r in results} == expected
    assert await copies_of(world, service) == before + Counter(dict.fromkeys(applied, 1))
    audited = Counter(r["line_id"] for r in await audited_results(world, operation) if r["outcome"] == "applied")
    assert audited == Counter(dict.fromkeys(applied, 1))
