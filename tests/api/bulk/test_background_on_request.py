"""A few lines run in the background when asked (``background: true``): the portal follows any
selection's change with a progress bar and can cancel it, not only selections above 200 lines."""

from __future__ import annotations

from collections import Counter

from core.ids import from_global_id
from tests.api.bulk.test_bulk_operations import (
    OPERATION,
    CountingWriter,
    acme_lines,
    all_results,
    expected_outcomes,
    service_id,
    start,
    worker,
)


async def test_three_lines_asked_to_run_in_the_background_become_a_bulk_operation(writable_world, customer_admin):
    world = writable_world
    lines = await acme_lines(world, 3)
    service = await service_id(world, "CONF-CALL")
    expected = await expected_outcomes(world, lines, service)

    started = await start(world, customer_admin, lines, service, background=True)
    assert started["userErrors"] == [] and started["results"] == []
    operation = started["bulkOperation"]
    assert (operation["status"], operation["total"], operation["done"]) == ("QUEUED", 3, 0)

    written: Counter[int] = Counter()
    await worker(world, CountingWriter(world.sources.billing_writer, written)).drain()
    done = (await world.data(customer_admin, OPERATION, {"id": operation["id"]}))["node"]
    assert (done["status"], done["done"], done["percentDone"]) == ("COMPLETED", 3, 100.0)
    results = await all_results(world, customer_admin, operation["id"])
    assert {from_global_id(r["lineId"])[1]: (r["outcome"].lower(), r["code"]) for r in results} == expected


async def test_background_work_is_not_all_or_nothing(writable_world, customer_admin):
    world = writable_world
    lines = await acme_lines(world, 2)
    service = await service_id(world, "CONF-CALL")
    refused = await start(world, customer_admin, lines, service, background=True, allOrNothing=True)
    assert refused["bulkOperation"] is None
    assert [error["field"] for error in refused["userErrors"]] == [["allOrNothing"]]


async def test_without_background_a_few_lines_are_answered_at_once(world, customer_admin):
    lines = await acme_lines(world, 2)
    service = await service_id(world, "CONF-CALL")
    answered = await start(world, customer_admin, lines, service, dryRun=True)
    assert answered["bulkOperation"] is None and len(answered["results"]) == 2
