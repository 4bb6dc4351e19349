"""Prometheus metrics at ``/metrics``: requests, latency, errors by code, backend calls, cache
results, bulk progress and cost allowances. One registry per app, so several apps in one process
(tests) keep their own counts."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import Response

from infra.breaker import BreakerState
from infra.telemetry import Observer
from sources.backend import Backend

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class Metrics(Observer):
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter(
            "corpcare_requests", "GraphQL requests answered.", ["operation_type", "outcome"], registry=r
        )
        self.latency = Histogram(
            "corpcare_request_seconds", "Time to answer a GraphQL request.", ["operation_type"],
            buckets=_LATENCY_BUCKETS, registry=r,
        )  # fmt: skip
        self.errors = Counter("corpcare_errors", "GraphQL errors returned, by code.", ["code"], registry=r)
        self.backend_calls = Counter(
            "corpcare_backend_calls", "Calls to a backend database, by outcome.", ["backend", "outcome"], registry=r
        )
        self.backend_time = Histogram(
            "corpcare_backend_seconds", "Time spent in one backend call.", ["backend"],
            buckets=_LATENCY_BUCKETS, registry=r,
        )  # fmt: skip
        self.breaker_open = Gauge(
            "corpcare_backend_breaker_open", "1 while a backend's circuit breaker is open.", ["backend"], registry=r
        )
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
        self.admission_running = Gauge("corpcare_admission_running", "Requests executing now.", registry=r)
        self.admission_queued = Gauge("corpcare_admission_queued", "Requests waiting for their turn.", registry=r)
        self.sse_operations = Gauge(
            "corpcare_sse_operations", "GraphQL operations running over Server-Sent Events (/graphql/stream).",
            registry=r,
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

    def cache(self, result: str) -> None:
        self.cache_results.labels(result).inc()

    def bulk_line(self, outcome: str, count: int = 1) -> None:
        self.bulk_lines.labels(outcome).inc(count)

    def throttled(self, allowance: str) -> None:
        self.throttled_requests.labels(allowance).inc()

    def throttle_fallback(self) -> None:
        self.throttle_fallbacks.inc()

    def watch(self, backends: Iterable[Backend]) -> None:
        for backend in backends:
            gauge = self.breaker_open.labels(backend.name)
            gauge.set_function(lambda b=backend: float(b.breaker.state is BreakerState.OPEN))  # type: ignore[misc]

    async def endpoint(self, _request: Request) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)
