"""The operator's view: one structured log line per request (without tokens or personal data),
a slow-operation log, Prometheus metrics, and hooks that cost nothing per field."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections import Counter
from typing import Any

from strawberry.extensions import SchemaExtension

from engine.build import build_schema
from jobs.worker import BulkWorker
from server.auth import issue_token
from server.log_format import JsonFormatter
from server.metrics import Metrics
from tests.api.bulk.test_bulk_operations import OPERATION, acme_lines, service_id, start
from tests.system.test_faults import metric, served
from tests.system.test_http import bearer, make_settings

LINES = """query Lines($search: String) {
  subscribers(first: 2, filter: {search: $search}) { nodes { employeeName msisdn } }
}"""
INLINE = 'query Inline { subscribers(first: 2, filter: {search: "%s"}) { nodes { employeeName msisdn } } }'


def urls_of(world: Any) -> dict[str, str]:
    urls = [engine.url.render_as_string(hide_password=False) for engine, _ in world.engines.pairs()]
    return dict(zip(("crm_url", "billing_url", "state_url"), urls, strict=True))


async def a_surname(world: Any) -> str:
    name = await world.scalar("crm", "select employee_name from subscribers order by id limit 1")
    return str(name).split()[-1]


def records(caplog: Any, logger: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == logger]


async def test_each_request_writes_one_line_with_its_figures_and_nothing_secret_or_personal(world, caplog):
    surname = await a_surname(world)
    caplog.set_level(logging.INFO, logger="corpcare.requests")
    async with served(**urls_of(world)) as http:
        token = http.headers["authorization"].removeprefix("Bearer ")
        response = await http.post("/graphql", json={"query": LINES, "variables": {"search": surname}})
    body = response.json()
    assert "errors" not in body and body["data"]["subscribers"]["nodes"]
    [record] = records(caplog, "corpcare.requests")
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == response.headers["x-request-id"]
    assert line["principal"].isdigit() and isinstance(line["customer"], int)
    assert (line["operation"], line["operation_type"], line["outcome"], line["status"]) == ("Lines", "query", "ok", 200)
    assert line["sql_statements"] >= 1 and line["duration_ms"] > 0 and line["cost"] > 0
    assert line["error_codes"] == []
    written = json.dumps(line)
    shown = [node["msisdn"] for node in body["data"]["subscribers"]["nodes"]]
    for secret in [token, "acme.admin", surname, *shown]:
        assert secret not in written


async def test_a_slow_operation_is_logged_with_its_literals_blanked(world, caplog):
    surname = await a_surname(world)
    caplog.set_level(logging.INFO, logger="corpcare")
    async with served(**urls_of(world), slow_operation_seconds=0) as http:
        response = await http.post("/graphql", json={"query": INLINE % surname})
        metrics = (await http.get("/metrics")).text
    assert "errors" not in response.json()
    [slow] = records(caplog, "corpcare.slow")
    line = json.loads(JsonFormatter().format(slow))
    assert line["level"] == "warning" and line["operation"] == "Inline"
    assert 'search: "…"' in line["query"] and surname not in line["query"]
    assert metric(metrics, "corpcare_slow_operations_total") == 1


async def test_metrics_count_requests_latency_errors_backends_and_cache(world):
    async with served(**urls_of(world)) as http:
        for _ in range(3):
            assert (await http.post("/graphql", json={"query": "{ viewer { login } customer { name } }"})).is_success
        analyst = bearer(issue_token(make_settings(), "acme.analyst"))
        refused = await http.post("/graphql", json={"query": LINES}, headers=analyst)  # personal data
        assert {e["extensions"]["code"] for e in refused.json()["errors"]} == {"FORBIDDEN"}
        scraped = await http.get("/metrics")
    text = scraped.text
    assert scraped.headers["content-type"].startswith("text/plain")
    assert metric(text, 'corpcare_requests_total{operation_type="query",outcome="ok"}') == 3
    assert metric(text, 'corpcare_requests_total{operation_type="query",outcome="errors"}') == 1
    assert metric(text, 'corpcare_errors_total{code="FORBIDDEN"}') == 4  # one per refused field of each of 2 lines
    assert metric(text, 'corpcare_request_seconds_count{operation_type="query"}') == 4
    assert metric(text, 'corpcare_backend_calls_total{backend="crm",outcome="ok"}') >= 3
    assert metric(text, 'corpcare_backend_seconds_count{backend="crm"}') >= 3
    # Four sign-ins: the first of each user misses the principal cache, the others hit it.
    assert metric(text, 'corpcare_cache_requests_total{result="hit"}') == 2
    assert metric(text, 'corpcare_cache_requests_total{result="miss"}') == 2
    assert metric(text, 'corpcare_backend_breaker_open{backend="billing"}') == 0


async def test_metrics_need_the_metrics_token_when_one_is_set(world):
    async with served(**urls_of(world), metrics_token="scrape-me") as http:
        del http.headers["authorization"]
        refused = await http.get("/metrics")
        allowed = await http.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
    assert refused.status_code == 401 and refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert allowed.status_code == 200 and "corpcare_requests_total" in allowed.text


async def test_bulk_progress_is_counted_per_outcome(bulk_world, customer_admin):
    world = bulk_world
    lines = await acme_lines(world, 300, offset=2500)
    service = await service_id(world, "MULTISIM")
    # The world is shared: operations other tests left unfinished are finished first, uncounted.
    await BulkWorker(world.sources).drain()
    operation = (await start(world, customer_admin, lines, service, dryRun=True))["bulkOperation"]["id"]
    metrics = Metrics()
    await BulkWorker(dataclasses.replace(world.sources, observer=metrics)).drain()
    done = (await world.data(customer_admin, OPERATION, {"id": operation}))["node"]
    counted = Counter(
        {
            s.labels["outcome"]: s.value
            for m in metrics.bulk_lines.collect()
            for s in m.samples
            if s.name.endswith("_total")
        }
    )
    assert done["status"] == "COMPLETED" and sum(counted.values()) == 300
    assert counted["would_apply"] == done["wouldApply"] and counted["skipped"] == done["skipped"]


def test_no_schema_extension_runs_per_field():
    """Tracing and limits hook the operation, never each resolved field."""
    for extension in build_schema().extensions:
        made = extension() if not isinstance(extension, type | SchemaExtension) else extension  # a factory
        kind = made if isinstance(made, type) else type(made)
        assert issubclass(kind, SchemaExtension)
        assert kind.resolve is SchemaExtension.resolve, f"{kind.__name__} wraps every field"
