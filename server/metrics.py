"""Prometheus metrics at ``/metrics``: requests, latency and errors (by operation type, and by
operation name and client), backend calls, cache results, breaker states, bulk progress, cost
allowances, and the process's own figures.

**One process** (``corpcare serve``, tests): one registry per app, so several apps in one process
(tests) keep their own counts, with the process's CPU, memory, open files and start time
(``process_*``) and the interpreter's garbage collector and version (``python_*``).

**Several workers** (``corpcare serve --workers N``, or ``PROMETHEUS_MULTIPROC_DIR`` given):
prometheus_client's multiprocess mode. Each worker writes its figures to files in that
directory, and ``/metrics``, whichever worker answers it, adds up every worker's files: the
figures of the whole host, those of replaced workers included (a counter never goes back).
The supervisor cleans the directory at start and marks a worker that is gone as dead, so the
gauges of the workers alive now (``live*`` modes) drop its values. In that mode:

- gauges have a mode saying how the workers' values combine: ``livesum`` for what each worker
  holds (requests running, queued, SSE operations), ``livemax`` for a breaker (1 when it is
  open in any worker);
- ``Gauge.set_function`` does not work (a scrape reads files, not the other workers'
  functions). Those gauges are sampled instead (``sample``): each worker writes its values once
  a second (``SAMPLE_SECONDS``) and when it answers a scrape, so a scrape sees the other workers'
  values at most that old. Writing at every change would mean a file write in the admission
  path of every request, for a figure Prometheus reads every 15 s or so;
- there are no ``process_*`` or ``python_*`` metrics: prometheus_client's documentation lists
  "custom collectors do not work (e.g. cpu and memory metrics)" among the mode's limits, since
  one process's figures cannot be added up. Watch the host or the container for those
  (node_exporter, cAdvisor / the kubelet), as its documentation leaves to the deployment.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.gc_collector import GCCollector
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from infra.breaker import BreakerState
from infra.telemetry import Observer, RequestStats
from server.metric_files import multiprocess_dir
from server.metric_labels import OperationLabels
from sources.backend import Backend

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
SAMPLE_SECONDS = 1.0
CLIENT_NAME = b"apollographql-client-name"
CLIENT_VERSION = b"apollographql-client-version"


class Metrics(Observer):
    def __init__(self, known_clients: frozenset[str] = frozenset()) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.multiprocess = multiprocess_dir() is not None
        if self.multiprocess:
            # Every worker's files, added up; this process's registry is not shown (its figures
            # are in the files already).
            self.exposed = CollectorRegistry()
            MultiProcessCollector(self.exposed)
        else:
            self.exposed = r
            ProcessCollector(registry=r)
            PlatformCollector(registry=r)
            GCCollector(registry=r)
        self._sampled: list[tuple[Gauge, Callable[[], float]]] = []
        self.requests = Counter(
            "corpcare_requests", "GraphQL requests answered.", ["operation_type", "outcome"], registry=r
        )
        self.latency = Histogram(
            "corpcare_request_seconds", "Time to answer a GraphQL request.", ["operation_type"],
            buckets=_LATENCY_BUCKETS, registry=r,
        )  # fmt: skip
        self.errors = Counter("corpcare_errors", "GraphQL errors returned, by code.", ["code"], registry=r)
        self.operation_labels = OperationLabels(known_clients=known_clients)
        self.operation_latency = Histogram(
            "corpcare_operation_seconds",
            "Time to answer a GraphQL request, by operation name and client (name and version from the "
            "apollographql-client-name / -version headers).",
            ["operation_name", "client_name", "client_version"], buckets=_LATENCY_BUCKETS, registry=r,
        )  # fmt: skip
        self.operation_errors = Counter(
            "corpcare_operation_errors", "GraphQL errors returned, by operation name, client and code.",
            ["operation_name", "client_name", "client_version", "code"], registry=r,
        )  # fmt: skip
        self.backend_calls = Counter(
            "corpcare_backend_calls", "Calls to a backend database, by outcome.", ["backend", "outcome"], registry=r
        )
        self.backend_time = Histogram(
            "corpcare_backend_seconds", "Time spent in one backend call.", ["backend"],
            buckets=_LATENCY_BUCKETS, registry=r,
        )  # fmt: skip
        self.breaker_open = Gauge(
            "corpcare_backend_breaker_open", "1 while a backend's circuit breaker is open (in any worker).",
            ["backend"], registry=r, multiprocess_mode="livemax",
        )  # fmt: skip
        self.cache_results = Counter(
            "corpcare_cache_requests", "Shared cache reads: hit, miss or unavailable.", ["result"], registry=r
        )
        self.bulk_lines = Counter(
            "corpcare_bulk_lines", "Lines of bulk operations worked through, by outcome.", ["outcome"], registry=r
        )
        self.slow = Counter("corpcare_slow_operations", "Operations slower than the slow-log limit.", registry=r)
        self.throttled_requests = Counter(
            "corpcare_throttled_requests", "Operations refused (RATE_LIMITED) by the cost allowance that was short.",
            ["budget"], registry=r,  # the label dashboards know: which allowance
        )  # fmt: skip
        self.throttle_fallbacks = Counter(
            "corpcare_throttle_fallbacks", "Cost-allowance charges answered in process because Redis did not answer.",
            registry=r,
        )  # fmt: skip
        self.persisted_queries = Counter(
            "corpcare_persisted_queries", "Persisted-query lookups: hit, miss, registered or refused.", ["result"],
            registry=r,
        )  # fmt: skip

        self.shed = Counter(
            "corpcare_shed_requests", "Requests shed by admission control (503 OVERLOADED), by reason.", ["reason"],
            registry=r,
        )  # fmt: skip
        self.admission_running = Gauge(
            "corpcare_admission_running", "Requests executing now.", registry=r, multiprocess_mode="livesum"
        )
        self.admission_queued = Gauge(
            "corpcare_admission_queued", "Requests waiting for their turn.", registry=r, multiprocess_mode="livesum"
        )
        self.sse_operations = Gauge(
            "corpcare_sse_operations", "GraphQL operations running over Server-Sent Events (/graphql/stream).",
            registry=r, multiprocess_mode="livesum",
        )  # fmt: skip
        self._backend_children: dict[tuple[str, str], tuple[Counter, Histogram | None]] = {}
        self.disconnects = Counter(
            "corpcare_client_disconnects", "Requests whose client went away before the answer; their work cancelled.",
            registry=r,
        )  # fmt: skip

    def backend_call(self, backend: str, outcome: str, seconds: float) -> None:
        super().backend_call(backend, outcome, seconds)
        children = self._backend_children.get((backend, outcome))
        if children is None:
            children = self._backend_children[backend, outcome] = self._children_of(backend, outcome)
        calls, time = children
        calls.inc()
        if time is not None:
            time.observe(seconds)

    def _children_of(self, backend: str, outcome: str) -> tuple[Counter, Histogram | None]:
        """The series one backend call counts into, found once (``labels()`` costs a lock and a
        lookup of its own, at every statement)."""
        return self.backend_calls.labels(backend, outcome), (
            None if outcome == "rejected" else self.backend_time.labels(backend)
        )

    def operation(
        self, stats: RequestStats, client: tuple[str | None, str | None], *, registered: bool, seconds: float
    ) -> None:
        """An answered GraphQL request, by its operation's name and its client."""
        name, client_name, version = self.operation_labels.of(
            stats.operation_name, stats.operation_type is not None, *client, registered=registered
        )
        self.operation_latency.labels(name, client_name, version).observe(seconds)
        for code in stats.codes:
            self.operation_errors.labels(name, client_name, version, code).inc()

    def cache(self, result: str) -> None:
        self.cache_results.labels(result).inc()

    def bulk_line(self, outcome: str, count: int = 1) -> None:
        self.bulk_lines.labels(outcome).inc(count)

    def throttled(self, allowance: str) -> None:
        self.throttled_requests.labels(allowance).inc()

    def throttle_fallback(self) -> None:
        self.throttle_fallbacks.inc()

    def sample(self, gauge: Gauge, value: Callable[[], float]) -> None:
        """``gauge`` shows ``value()``: read at each scrape in one process; in multiprocess mode
        written every ``SAMPLE_SECONDS`` and at each scrape of this worker (see the module's notes)."""
        if self.multiprocess:
            self._sampled.append((gauge, value))
            gauge.set(value())
        else:
            gauge.set_function(value)

    def write_samples(self) -> None:
        for gauge, value in self._sampled:
            gauge.set(value())

    async def sample_forever(self) -> None:
        """In multiprocess mode, write the sampled gauges every ``SAMPLE_SECONDS`` (a worker's
        lifespan runs it); in one process there is nothing to do."""
        if not self.multiprocess:
            return
        while True:
            self.write_samples()
            await asyncio.sleep(SAMPLE_SECONDS)

    def watch(self, backends: Iterable[Backend]) -> None:
        for backend in backends:
            self.sample(self.breaker_open.labels(backend.name), _open(backend))

    async def endpoint(self, _request: Request) -> Response:
        if not self.multiprocess:
            return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)
        self.write_samples()
        # Reading every worker's files is disk work: off the event loop.
        body = await asyncio.to_thread(generate_latest, self.exposed)
        return Response(body, media_type=CONTENT_TYPE_LATEST)


def _open(backend: Backend) -> Callable[[], float]:
    return lambda: float(backend.breaker.state is BreakerState.OPEN)


def client_of(scope: Scope) -> tuple[str | None, str | None]:
    """The client's name and version, from Apollo's ``apollographql-client-name`` / ``-version``
    headers (unchecked: ``OperationLabels`` bounds them)."""
    name = version = None
    for key, value in scope.get("headers", ()):
        if key == CLIENT_NAME:
            name = value.decode("latin-1")
        elif key == CLIENT_VERSION:
            version = value.decode("latin-1")
    return name, version
