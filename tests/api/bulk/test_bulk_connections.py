"""Bulk operations and their per-line results are complete Relay connections, held to the
specification's algorithm (``tests/relay_spec.py``) on both backends."""

from __future__ import annotations

from collections import Counter

from tests.api.bulk.test_bulk_operations import CountingWriter, acme_lines, service_id, start, worker
from tests.api.engine.test_relay_connections import ARGS, PAGE_FIELDS, VARIABLES, Listed, holds_to_the_specification

OPERATIONS = Listed(f"query({VARIABLES}) {{ bulkOperations({ARGS}) {{ {PAGE_FIELDS} }} }}", ("bulkOperations",), 2000)
RESULTS = f"""query({VARIABLES}, $id: ID!, $outcome: [LineOutcome!]) {{ node(id: $id) {{ ... on BulkOperation {{
  results({ARGS}, outcome: $outcome) {{ {PAGE_FIELDS} }} }} }} }}"""
TOTAL = """query($id: ID!, $outcome: [LineOutcome!]) { node(id: $id) { ... on BulkOperation {
  wouldApply skipped failed results(first: 0, outcome: $outcome) { totalCount } } } }"""


async def test_bulk_operations_and_their_results_page_as_the_specification_says(bulk_world, customer_admin):
    world = bulk_world
    service = await service_id(world, "MULTISIM")
    operations = []
    for n in range(4):  # dry runs above the inline size: background operations that change nothing
        lines = await acme_lines(world, 201, offset=3000 + 201 * n)
        operations.append((await start(world, customer_admin, lines, service, dryRun=True))["bulkOperation"]["id"])
    await worker(world, CountingWriter(world.sources.billing_writer, Counter())).drain()

    assert await holds_to_the_specification(world, OPERATIONS)
    results = Listed(RESULTS, ("node", "results"), 1000, variables={"id": operations[0]})
    assert await holds_to_the_specification(world, results)

    totals = (await world.data(customer_admin, TOTAL, {"id": operations[0]}))["node"]
    assert totals["results"]["totalCount"] == 201
    counts = {"WOULD_APPLY": totals["wouldApply"], "SKIPPED": totals["skipped"], "FAILED": totals["failed"]}
    for outcome, count in counts.items():
        counted = await world.data(customer_admin, TOTAL, {"id": operations[0], "outcome": [outcome]})
        assert counted["node"]["results"]["totalCount"] == count
    assert sum(counts.values()) == 201
