"""Metrics an operator's fleet can use: ``/metrics`` of ``corpcare serve --workers 2`` adds both
workers up (real processes, Prometheus multiprocess mode), per-operation latency and errors by
client with their labels bounded, and the process's own figures in one process."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from server.auth import issue_token
from server.metric_labels import OperationLabels
from tests.faults import free_port
from tests.system.processes import ProcessGroup
from tests.system.test_faults import served
from tests.system.test_http import bearer, make_settings
from tests.system.test_observability import urls_of
from tests.system.test_persisted_queries import (
    answered,
    app_client,
    persisted,
    register_folder,
    sha,
    unique,
    write_operations,
)
from tests.waiting import PATIENCE, eventually

PROBE = "query FleetProbe { __typename }"


def samples(text: str, name: str, **labels: str) -> list[tuple[dict[str, str], float]]:
    """The samples called ``name`` whose labels include ``labels``."""
    return [
        (sample.labels, sample.value)
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name and labels.items() <= sample.labels.items()
    ]


def total(text: str, name: str, **labels: str) -> float:
    return sum(value for _, value in samples(text, name, **labels))


class Fleet(ProcessGroup):
    """``corpcare serve --workers 2`` in a session of its own, its metrics files in ``folder``."""

    def __init__(self, world: Any, root: Path, *, given: bool) -> None:
        """``given``: the directory in ``PROMETHEUS_MULTIPROC_DIR``; else the one ``corpcare
        serve`` makes (in the test's own ``TMPDIR``, to be found)."""
        self.temporary = root / "tmp"
        self.temporary.mkdir()
        self.given = root / "metrics" if given else None
        chosen = {}
        if self.given is not None:
            self.given.mkdir()
            (self.given / "counter_1.db").write_bytes(b"left by an earlier run")  # cleaned at start
            chosen = {"PROMETHEUS_MULTIPROC_DIR": str(self.given)}
        environment = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("CORPCARE_", "PROMETHEUS_"))},
            "PYTHONPATH": str(Path(__file__).parents[2]),
            "TMPDIR": str(self.temporary),
            **chosen,
            "CORPCARE_DATA_DIR": str(root),
            "CORPCARE_JWT_SECRET": make_settings().jwt_secret,
            "CORPCARE_BULK_WORKER": "false",
            "CORPCARE_POOL_SIZE": "2",
            **{f"CORPCARE_{key.upper()}": url for key, url in urls_of(world).items()},
        }
        self.port = free_port()
        self.log = root / "serve.log"
        command = [sys.executable, "-c", "from server.cli import main; main()", "serve", "--port", str(self.port),
                   "--workers", "2"]  # fmt: skip
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(
                command, env=environment, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    @property
    def folder(self) -> Path:
        if self.given is not None:
            return self.given
        [made] = self.temporary.glob("corpcare-metrics-*")
        return made

    def requests_by_worker(self) -> dict[int, float]:
        """``corpcare_requests_total`` in each worker's own file: who answered what."""
        counts: dict[int, float] = {}
        for path in self.folder.glob("counter_*.db"):
            pid = int(path.stem.removeprefix("counter_"))
            for family in MultiProcessCollector.merge([str(path)]):
                for sample in family.samples:
                    if sample.name == "corpcare_requests_total":
                        counts[pid] = counts.get(pid, 0.0) + sample.value
        return counts


@pytest.mark.parametrize("backend", ["postgres"], indirect=True, scope="session")
@pytest.mark.parametrize("given", [True, False], ids=["given-directory", "own-directory"])
async def test_two_workers_answer_one_metrics_page_that_adds_them_both_up(world, tmp_path, started, given):
    fleet = Fleet(world, tmp_path, given=given)
    started.append(fleet)
    token = issue_token(make_settings(), "acme.admin")
    base = f"http://127.0.0.1:{fleet.port}"

    async def serving() -> bool:
        if fleet.process.poll() is not None:
            raise AssertionError(f"corpcare serve exited: {fleet.text()}")
        try:
            async with httpx.AsyncClient(base_url=base) as http:
                return (await http.get("/healthz")).status_code == 200
        except httpx.TransportError:
            return False

    await eventually(serving, "corpcare serve to answer", seconds=3 * PATIENCE, every=0.1)
    await eventually(lambda: fleet.text().count("Application startup complete") == 2, "both workers to start",
                     seconds=3 * PATIENCE, every=0.1)  # fmt: skip
    assert not (fleet.folder / "counter_1.db").exists()  # an earlier run's files are gone (given: one was there)

    async def probe() -> None:
        # A connection of its own each time: the kernel hands each one to either worker.
        async with httpx.AsyncClient(base_url=base, headers=bearer(token)) as http:
            response = await http.post(
                "/graphql", json={"query": PROBE}, headers={"apollographql-client-name": "fleet-test"}
            )
        assert response.status_code == 200 and response.json()["data"] == {"__typename": "Query"}

    sent = 0
    for _ in range(100):  # a bound, not a wait: both workers answer long before
        await asyncio.gather(*(probe() for _ in range(4)))
        sent += 4
        # A request is counted once its answer has gone out: the client may read it a moment before.
        await eventually(lambda sent=sent: sum(fleet.requests_by_worker().values()) == sent, "the batch counted",
                         seconds=PATIENCE, every=0.05)  # fmt: skip
        by_worker = fleet.requests_by_worker()
        if len(by_worker) == 2 and all(by_worker.values()):
            break
    by_worker = fleet.requests_by_worker()
    assert len(by_worker) == 2 and all(count > 0 for count in by_worker.values()), by_worker
    assert sum(by_worker.values()) == sent

    async with httpx.AsyncClient(base_url=base) as http:
        scraped = (await http.get("/metrics")).text
    assert total(scraped, "corpcare_requests_total") == sent
    assert total(scraped, "corpcare_requests_total", operation_type="query", outcome="ok") == sent
    assert total(scraped, "corpcare_request_seconds_count") == sent
    probes = {"operation_name": "FleetProbe", "client_name": "fleet-test", "client_version": "unknown"}
    assert total(scraped, "corpcare_operation_seconds_count", **probes) == sent
    # Gauges: one value per backend or in all, whatever the workers.
    assert {labels["backend"] for labels, _ in samples(scraped, "corpcare_backend_breaker_open")} == {
        "crm", "billing", "state",
    }  # fmt: skip
    assert total(scraped, "corpcare_backend_breaker_open") == 0
    assert len(samples(scraped, "corpcare_admission_running")) == 1
    assert total(scraped, "corpcare_admission_queued") == 0
    assert not samples(scraped, "process_cpu_seconds_total")  # not added up across processes: see server/metrics.py

    # A worker killed is replaced; its live gauges go, its counts stay.
    victim = min(by_worker)
    os.kill(victim, signal.SIGKILL)
    await eventually(lambda: "starting another" in fleet.text(), "the worker to be replaced",
                     seconds=3 * PATIENCE, every=0.1)  # fmt: skip
    await eventually(lambda: not list(fleet.folder.glob(f"gauge_live*_{victim}.db")), "the dead worker's gauges gone",
                     seconds=PATIENCE, every=0.1)  # fmt: skip
    await eventually(serving, "the workers to answer", seconds=3 * PATIENCE, every=0.1)
    async with httpx.AsyncClient(base_url=base) as http:
        scraped = (await http.get("/metrics")).text
    assert total(scraped, "corpcare_requests_total") == sent
    assert total(scraped, "corpcare_backend_breaker_open") == 0

    # Stopped, the server removes a directory it made; a given one is the operator's.
    folder = fleet.folder
    fleet.process.send_signal(signal.SIGTERM)
    assert fleet.process.wait(timeout=PATIENCE) == 0, fleet.text()
    assert folder.exists() is given


async def test_latency_and_errors_by_operation_name_and_client(world):
    async with served(**urls_of(world)) as http:
        client = {"apollographql-client-name": "portal", "apollographql-client-version": "2.3.1"}
        assert (await http.post("/graphql", json={"query": PROBE}, headers=client)).status_code == 200
        await http.post("/graphql", json={"query": "{ __typename }"}, headers=client)
        denied = await http.post("/graphql", json={"query": "query Staff { customers { id } }"})
        denied_code = denied.json()["errors"][0]["extensions"]["code"]
        refused = await http.post("/graphql", json={"query": "query Broken { nothing }"})
        assert refused.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        await http.post("/graphql", content=b"not json", headers={"content-type": "application/json"})
        odd = {"apollographql-client-name": "x" * 65, "apollographql-client-version": "1.0\u00e9"}
        await http.post("/graphql", json={"query": PROBE}, headers={k: v.encode() for k, v in odd.items()})
        scraped = (await http.get("/metrics")).text
    seen = {
        (labels["operation_name"], labels["client_name"], labels["client_version"]): value
        for labels, value in samples(scraped, "corpcare_operation_seconds_count")
    }
    assert seen[("FleetProbe", "portal", "2.3.1")] == 1
    assert seen[("anonymous", "portal", "2.3.1")] == 1
    assert seen[("FleetProbe", "other", "other")] == 1  # a name too long, a version that is no version
    assert seen[("Staff", "unknown", "unknown")] == 1
    assert total(scraped, "corpcare_operation_errors_total", operation_name="Staff", code=denied_code) == 1
    # Refused before an operation was chosen (an invalid document, a body that is no JSON): "none".
    assert seen[("none", "unknown", "unknown")] == 2
    assert total(scraped, "corpcare_operation_errors_total", operation_name="none",
                 code="GRAPHQL_VALIDATION_FAILED") == 1  # fmt: skip
    assert total(scraped, "corpcare_operation_errors_total", operation_name="none", code="BAD_REQUEST") == 1


async def test_a_flood_of_invented_operation_names_makes_no_more_series_than_the_bound(world):
    async with served(**urls_of(world)) as http:
        bound = http.app.state.metrics.operation_labels.names.limit  # type: ignore[attr-defined]
        for number in range(bound + 20):
            response = await http.post("/graphql", json={"query": f"query Invented{number} {{ __typename }}"})
            assert response.status_code == 200
        scraped = (await http.get("/metrics")).text
    names = {labels["operation_name"] for labels, _ in samples(scraped, "corpcare_operation_seconds_count")}
    assert len(names) == bound + 1 and "other" in names
    assert total(scraped, "corpcare_operation_seconds_count", operation_name="other") == 20
    assert total(scraped, "corpcare_operation_seconds_count") == bound + 20


async def test_one_process_shows_its_own_cpu_memory_files_and_collector(world):
    async with served(**urls_of(world)) as http:
        scraped = (await http.get("/metrics")).text
    for name in ("process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds",
                 "process_start_time_seconds", "python_gc_objects_collected_total", "python_info"):  # fmt: skip
        assert samples(scraped, name), name
    assert total(scraped, "process_resident_memory_bytes") > 0
    assert total(scraped, "process_open_fds") > 0


async def test_registered_operations_keep_their_names_after_a_flood_of_invented_ones(world, tmp_path):
    document = unique("query RegisteredProbe { viewer { login } }")
    await register_folder(world, write_operations(tmp_path / "operations", probe=document))
    bound = OperationLabels().names.limit
    async with app_client(world) as http:
        for number in range(bound + 1):
            await http.post("/graphql", json={"query": f"query Invented{number} {{ __typename }}"})
        assert (await http.post("/graphql", json={"query": "query LateComer { __typename }"})).status_code == 200
        assert answered(await http.post("/graphql", json=persisted(sha(document)))) == {
            "viewer": {"login": "acme.admin"}
        }
        scraped = (await http.get("/metrics")).text
    assert total(scraped, "corpcare_operation_seconds_count", operation_name="RegisteredProbe") == 1
    assert not samples(scraped, "corpcare_operation_seconds_count", operation_name="LateComer")
