"""The number of SQL statements depends on the shape of a query, not on the rows it returns."""

from __future__ import annotations

from pathlib import Path

DASHBOARD = (Path(__file__).parents[3] / "bench" / "operations" / "dashboard.graphql").read_text()
# customer; org units (root, two levels of children, the filter's unit batched with one of
# them); subscriber counts (one batch: LevelExecutor loads the tree under ``customer`` at once);
# line membership and per-line sums for every level's spending; the page, its total count,
# plans, services, bundles and line spending; billing's BEGIN and ROLLBACK around the answer's
# one moment (sources/moment.py); and the open month's two versions, of its charges and of its
# stays (loaders/closed_months.py), read before the line membership and sums they key.
DASHBOARD_STATEMENTS = 18
# With the org tree and the open month's sums in the shared cache: the root, both levels of
# children and the filter's unit come from it, and the two versions stand for the membership and
# sums.
WARM_DASHBOARD_STATEMENTS = 12


async def _dashboard_statements(world, login: str) -> tuple[int, int, dict]:
    """Statements of the dashboard with the shared cache empty, then again with it warm."""
    root = await world.data(login, "{ customer { orgRoot { children { id name } } } }")
    largest = max(root["customer"]["orgRoot"]["children"], key=lambda unit: unit["name"])
    cold = world.with_empty_cache()
    data = await cold.data(login, DASHBOARD, {"unit": largest["id"]})
    cold_count = cold.counter.count
    assert await cold.data(login, DASHBOARD, {"unit": largest["id"]}) == data
    return cold_count, cold.counter.count, data


async def test_dashboard_statement_count_does_not_grow_with_the_data(world, large_world, customer_admin):
    small_count, small_warm, small = await _dashboard_statements(world, customer_admin)
    large_count, large_warm, large = await _dashboard_statements(large_world, customer_admin)
    print(f"\ndashboard statements ({world.backend}): {small_count} at 100 lines, {large_count} at 2,000 lines; "
          f"{small_warm} and {large_warm} with the org tree cached")  # fmt: skip
    assert len(large["subscribers"]["edges"]) == 50
    assert large["subscribers"]["totalCount"] > len(small["subscribers"]["edges"])
    assert small_count == large_count == DASHBOARD_STATEMENTS
    assert small_warm == large_warm == WARM_DASHBOARD_STATEMENTS
