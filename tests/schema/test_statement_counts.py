"""The number of SQL statements depends on the shape of a query, not on the rows it returns."""

from __future__ import annotations

from pathlib import Path

DASHBOARD = (Path(__file__).parents[2] / "bench" / "operations" / "dashboard.graphql").read_text()
# customer; org units (root, two levels of children, the filter's unit batched with one of
# them); subscriber counts (two batches: LevelExecutor loads the tree under a list at once);
# line membership and per-line sums for every level's spending; the page, its total count,
# plans, services, bundles and line spending.
DASHBOARD_STATEMENTS = 15


async def _dashboard_statements(world, login: str) -> tuple[int, dict]:
    root = await world.data(login, "{ customer { orgRoot { children { id name } } } }")
    largest = max(root["customer"]["orgRoot"]["children"], key=lambda unit: unit["name"])
    data = await world.data(login, DASHBOARD, {"unit": largest["id"]})
    return world.counter.count, data


async def test_dashboard_statement_count_does_not_grow_with_the_data(world, large_world, customer_admin):
    small_count, small = await _dashboard_statements(world, customer_admin)
    large_count, large = await _dashboard_statements(large_world, customer_admin)
    print(f"\ndashboard statements ({world.backend}): {small_count} at 100 lines, {large_count} at 2,000 lines")
    assert len(large["subscribers"]["edges"]) == 50
    assert large["subscribers"]["totalCount"] > len(small["subscribers"]["edges"])
    assert small_count == large_count == DASHBOARD_STATEMENTS
