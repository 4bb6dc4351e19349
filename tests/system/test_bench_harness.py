"""A small run of the benchmark harness: it measures, replays SQL, and agrees with the naive baseline."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import text

from bench.changes import measure_changes
from bench.datasets import Dataset
from bench.exports import measure_export
from bench.inprocess import StatementLog, count_fields, measure, percentile
from bench.naive import naive_context, naive_schema
from bench.report import render
from bench.suite import Run, _without_cursors
from bench.workload import WORKLOAD, Targets
from engine.build import build_schema
from request.context import Context
from tests.api.access.test_access import line_ids_under, unit_id
from tests.support import today


def test_counting_and_percentiles():
    assert count_fields({"a": 1, "b": [{"c": 2, "d": {"e": 3}}, {"c": 4, "d": None}]}) == 2 + 2 + 1 + 2
    assert percentile([5.0, 1.0, 3.0], 0.5) == 3.0


async def test_the_harness_measures_every_operation_and_matches_the_naive_baseline(world):
    urls = tuple(str(engine.url.render_as_string(hide_password=False)) for engine, _ in world.engines.pairs())
    dataset = Dataset(world.backend, "T", 100, urls, today(), 0.0, reused=True)  # type: ignore[arg-type]
    log = StatementLog(world.engines)
    sales = await unit_id(world, "Sales")
    targets = Targets(unit=sales, line=(await line_ids_under(world, sales))[0], today=today())

    async def corpcare(login: str, document: str, variables: dict) -> object:
        principal = await world.principal(login)
        context = Context.of(principal, world.sources, request_id=uuid.uuid4().hex)
        return await build_schema().execute(document, variable_values=variables, context_value=context)

    async def naive(login: str, document: str, variables: dict) -> object:
        context = naive_context(await world.principal(login), world.engines, today())
        return await naive_schema().execute(document, variable_values=variables, context_value=context)

    for operation in WORKLOAD:
        ours = await measure(dataset, log, corpcare, operation, targets, repeat=1)
        assert ours.fields == count_fields(ours.data) > 0 and ours.db_ms > 0
        if not operation.naive:
            continue
        theirs = await measure(dataset, log, naive, operation, targets, repeat=1)
        assert ours.statements < theirs.statements or operation.name == "subscriber_detail", operation.name
        assert _without_cursors(ours.data) == _without_cursors(theirs.data), operation.name


async def test_the_change_figures_apply_and_then_undo_every_change(bulk_world):
    world = bulk_world
    urls = tuple(str(engine.url.render_as_string(hide_password=False)) for engine, _ in world.engines.pairs())
    dataset = Dataset(world.backend, "T", 7000, urls, today(), 0.0, reused=True)  # type: ignore[arg-type]

    async def corpcare(login: str, document: str, variables: dict) -> object:
        context = Context.of(await world.principal(login), world.sources, request_id=uuid.uuid4().hex)
        return await build_schema().execute(document, variable_values=variables, context_value=context)

    holders = (
        "select count(*) from line_services where service_id = (select id from services where code = 'DATA-PACK-20')"
    )
    # Another company's line gained the service today (as another test's bulk operation may have
    # given it): the harness's own clean-up takes away only the rows it wrote.
    other_company = "select s.{} from subscribers s join customers c on c.id = s.customer_id where c.code <> 'ACME' "
    other = await world.scalar("crm", other_company.format("id") + "order by s.id desc limit 1")
    customer = await world.scalar("crm", other_company.format("customer_id") + f"and s.id = {other}")
    async with world.engines.billing.begin() as conn:
        await conn.execute(
            text("insert into line_services (subscriber_id, service_id, customer_id, activated_on, monthly_fee_minor) "
                 "select :line, id, :customer, :today, 299 from services where code = 'DATA-PACK-20'"),
            {"line": other, "customer": customer, "today": today()},
        )  # fmt: skip
    before = await world.scalar("billing", holders)
    figures = await measure_changes(dataset, world.sources, StatementLog(world.engines), corpcare,
                                    service_code="DATA-PACK-20", bulk_lines=300)  # fmt: skip
    single, added, removed = figures
    assert (single.operation, added.operation, removed.operation) == (
        "single_change",
        "bulk_add_service",
        "bulk_remove_service",
    )
    assert single.statements > 0 and single.mutation_p50_ms > 0
    assert added.lines == removed.lines == 300 and added.lines_per_second and added.floor_lines_per_second
    assert await world.scalar("billing", holders) == before
    report = render(Run(changes=figures), started=datetime.now(UTC), machine="test", command="test")
    assert "| bulk_add_service | 300 |" in report and "## Latency" not in report


async def test_the_export_figure_counts_the_rows_it_streamed(world, finance):
    urls = tuple(str(engine.url.render_as_string(hide_password=False)) for engine, _ in world.engines.pairs())
    dataset = Dataset(world.backend, "T", 100, urls, today(), 0.0, reused=True)  # type: ignore[arg-type]
    figures = await measure_export(dataset, world.sources, await world.principal(finance), lines=75)
    assert figures.grouping == "LINE, MONTH, CATEGORY over 12 months"
    assert figures.rows > 75 * 12 and figures.megabytes > 0 and figures.peak_mb > 0
    report = render(Run(exports=[figures]), started=datetime.now(UTC), machine="test", command="test")
    assert f"| {figures.rows:,} |" in report
