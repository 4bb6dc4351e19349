"""One benchmark run: for each data set, the in-process figures of corpcare and of the naive
baseline, then the HTTP figures against real uvicorn servers."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text

from bench.changes import ChangeFigures, measure_changes
from bench.datasets import Dataset, prepare
from bench.exports import ExportFigures, measure_export
from bench.inprocess import Sample, StatementLog, measure
from bench.server import ServerProcess, summary
from bench.workload import LINE_QUERY, TARGETS_QUERY, WORKLOAD, Operation, Targets
from engine.build import build_schema
from infra.cache import InProcessCache
from permissions.principal import Principal, principal_for
from request.context import Context
from server.collector import freeze_and_tune
from server.settings import Settings
from sources import Sources

CONCURRENCY = (1, 4, 16)


@dataclass(frozen=True, slots=True)
class Options:
    sizes: list[str]
    backends: list[str]
    operations: list[str] | None
    throughput_seconds: float
    http: bool
    naive: bool
    changes: bool = True
    exports: bool = True


@dataclass
class Result:
    dataset: Dataset
    operation: str
    corpcare: Sample
    naive: Sample | None = None
    naive_matches: bool | None = None
    http: tuple[float, float, float] | None = None
    naive_http_p50: float | None = None
    throughput: dict[int, dict[int, float]] = field(default_factory=dict)  # workers -> clients -> req/s
    peak_rss_mb: dict[int, float] = field(default_factory=dict)  # workers -> MB


@dataclass
class Run:
    results: list[Result] = field(default_factory=list)
    changes: list[ChangeFigures] = field(default_factory=list)
    exports: list[ExportFigures] = field(default_factory=list)


async def run_suite(options: Options) -> Run:
    # In-process figures under the collector settings the server runs with.
    freeze_and_tune()
    run = Run()
    operations = [op for op in WORKLOAD if options.operations is None or op.name in options.operations]
    for size in options.sizes:
        for backend in options.backends:
            dataset = await prepare(backend, size)
            print(f"== {dataset.label}: data {'reused' if dataset.reused else 'generated'} "
                  f"({dataset.seconds_to_generate:.1f} s to generate)", flush=True)  # fmt: skip
            await _bench_dataset(dataset, operations, options, run)
    return run


async def _bench_dataset(dataset: Dataset, operations: list[Operation], options: Options, run: Run) -> None:
    engines = dataset.engines()
    sources = Sources.over(engines, InProcessCache())
    log = StatementLog(engines)
    principals: dict[str, Principal] = {}

    async def principal(login: str) -> Principal:
        if login not in principals:
            user = await sources.crm.portal_user_by_login(login)
            assert user is not None, login
            principals[login] = principal_for(user)
        return principals[login]

    async def corpcare(login: str, document: str, variables: dict[str, Any]) -> Any:
        caller = await principal(login)
        context = Context.of(caller, sources, request_id=uuid.uuid4().hex, today=dataset.as_of)
        try:
            return await build_schema().execute(document, variable_values=variables, context_value=context)
        finally:
            context.loaders.clear()  # as the server does once it has answered (server/endpoint.py)

    naive = await _naive_executor(engines, principal, dataset) if options.naive else None
    targets = await _targets(corpcare, dataset)
    results = []
    try:
        for operation in operations:
            print(f"   {operation.name}: in-process", flush=True)
            result = Result(
                dataset, operation.name, await measure(dataset, log, corpcare, operation, targets, operation.repeat)
            )
            if naive is not None and operation.naive:
                result.naive = await measure(dataset, log, naive, operation, targets, max(3, operation.repeat // 5))
                result.naive_matches = _without_cursors(result.naive.data) == _without_cursors(result.corpcare.data)
            results.append(result)
        if options.changes:
            print("   single_change, bulk_add_service: in-process", flush=True)
            # The worker as the server runs it.
            concurrency = Settings(_env_file=None).bulk_concurrency  # type: ignore[call-arg]
            run.changes += await measure_changes(dataset, sources, log, corpcare, concurrency=concurrency)
        if options.exports:
            print("   csv_export_100k: in-process", flush=True)
            acme = await _acme_lines(sources)
            run.exports.append(await measure_export(dataset, sources, await principal("acme.finance"), acme))
    finally:
        await engines.dispose()
    if options.http:
        _http_figures(dataset, operations, targets, results, options)
    run.results += results


async def _naive_executor(
    engines: Any, principal: Callable[[str], Awaitable[Principal]], dataset: Dataset
) -> Callable[[str, str, dict[str, Any]], Awaitable[Any]]:
    from bench.naive import naive_context, naive_schema

    schema = naive_schema()

    async def execute(login: str, document: str, variables: dict[str, Any]) -> Any:
        context = naive_context(await principal(login), engines, dataset.as_of)
        return await schema.execute(document, variable_values=variables, context_value=context)

    return execute


async def _targets(execute: Callable[..., Awaitable[Any]], dataset: Dataset) -> Targets:
    tree = await execute("acme.admin", TARGETS_QUERY, {})
    divisions = tree.data["customer"]["orgRoot"]["children"]
    unit = max(divisions, key=lambda d: d["subscriberCount"])["id"]
    line = (await execute("acme.admin", LINE_QUERY, {"u": unit})).data["subscribers"]["nodes"][0]["id"]
    return Targets(unit=unit, line=line, today=dataset.as_of)


def _http_figures(
    dataset: Dataset, operations: list[Operation], targets: Targets, results: list[Result], options: Options
) -> None:
    by_name = {result.operation: result for result in results}
    bodies = {op.name: {"query": op.document, "variables": op.variables(targets)} for op in operations}
    for workers in (1, 2):
        with ServerProcess("corpcare", dataset.env(), workers) as server:
            for operation in operations:
                result = by_name[operation.name]
                print(f"   {operation.name}: HTTP, {workers} worker(s)", flush=True)
                body = bodies[operation.name]
                if workers == 1:
                    result.http = summary(server.latencies(operation.login, body, operation.repeat))
                result.throughput[workers] = {
                    clients: server.throughput(operation.login, body, clients, options.throughput_seconds)
                    for clients in CONCURRENCY
                }
            rss = server.peak_rss_mb()
        for result in results:
            result.peak_rss_mb[workers] = rss
    if options.naive:
        with ServerProcess("naive", dataset.env(), 1) as server:
            for operation in (op for op in operations if op.naive):
                print(f"   {operation.name}: HTTP, naive", flush=True)
                latencies = server.latencies(operation.login, bodies[operation.name], max(3, operation.repeat // 5), 1)
                by_name[operation.name].naive_http_p50 = summary(latencies)[0]


async def _acme_lines(sources: Sources) -> int:
    async with sources.crm.backend.engine.connect() as conn:
        query = "select count(*) from subscribers s join customers c on c.id = s.customer_id where c.code = 'ACME'"
        return int((await conn.execute(text(query))).scalar_one())


def _without_cursors(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_cursors(v) for k, v in value.items() if k not in {"cursor", "endCursor"}}
    if isinstance(value, list):
        return [_without_cursors(item) for item in value]
    return value
