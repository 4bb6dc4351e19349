"""Issue 13, finding 6 and part of 7: an operation is priced by the work it will do, not by the
objects it returns. Reports by the lines in scope times the months and groups they compute,
input lists by their items, and `nodes(ids:)` has a cap."""

from __future__ import annotations

import uuid

import pytest

from bench.workload import LINE_QUERY, TARGETS_QUERY, WORKLOAD, Targets
from core.ids import to_global_id
from core.values import add_months, month_start
from engine.build import build_schema
from request.context import Context, QueryLimits
from tests.api.access.test_access import codes
from tests.support import LOGINS, World, today

REPORT = "spendingReport(input: {from: $from, to: $to, groupBy: [LINE, MONTH, CATEGORY]%s}) { rowCount }"


def month(offset: int) -> str:
    return add_months(month_start(today()), offset).strftime("%Y-%m")


def aliased_reports(count: int, *, customer: bool = False) -> str:
    """``count`` aliases of the finding's report: 36 months by line, month and category."""
    scope = ", customer: $customer" if customer else ""
    fields = " ".join(f"r{i}: " + REPORT % scope for i in range(count))
    header = "$from: Month!, $to: Month!" + (", $customer: ID" if customer else "")
    return f"query({header}) {{ {fields} }}"


def thirty_six_months(customer: bool) -> dict[str, str]:
    variables = {"from": month(-36), "to": month(-1)}
    if customer:
        variables["customer"] = to_global_id("Customer", 1)
    return variables


def estimate(result) -> int:
    return int(result.extensions["cost"]["requestedQueryCost"])


def billing_statements(world: World) -> list[str]:
    return [s for s in world.counter.statements if "daily_charges" in s or "usage_records" in s]


@pytest.mark.parametrize("role", ["customer_admin", "unit_admin", "finance", "analyst", "support", "aggregate_viewer"])
async def test_thirty_aliases_of_a_36_month_report_by_line_month_and_category_are_refused_before_billing_is_read(
    large_world, role
):
    operator = role == "support"
    result = await large_world.run(LOGINS[role], aliased_reports(30, customer=operator), thirty_six_months(operator))
    assert result.data is None and codes(result) == ["QUERY_TOO_COMPLEX"], result.errors
    cost = result.errors[0].extensions["cost"]
    assert cost > 100_000 and result.errors[0].extensions["maximum"] == 100_000
    # Priced from one count of the lines in scope; no charge was summed.
    assert billing_statements(large_world) == []


async def test_the_same_aliases_over_an_employees_one_line_cost_what_one_line_computes(large_world, employee):
    """The price is the work: thirty reports over one line are thirty times 36 months by six
    categories, far below the limit, and they run."""
    result = await large_world.run(employee, aliased_reports(30), thirty_six_months(False))
    assert result.errors is None
    assert 30 * 36 * 6 / 4 <= estimate(result) < 10_000


async def test_a_reports_estimate_grows_with_the_months_and_the_lines_in_scope(world, large_world, finance, unit_admin):
    single = "query($from: Month!, $to: Month!) { " + REPORT % "" + " }"

    async def cost(seeded: World, login: str, months: int) -> int:
        result = await seeded.run(login, single, {"from": month(-months), "to": month(-1)})
        assert result.errors is None, result.errors
        return estimate(result)

    by_months = [await cost(large_world, finance, months) for months in (1, 12, 36)]
    assert by_months[0] < by_months[1] < by_months[2], by_months
    # About linear in the months: the groups are lines times months times categories.
    assert by_months[2] > 2.5 * by_months[1]
    small, large = await cost(world, finance, 12), await cost(large_world, finance, 12)
    assert large > 10 * small, (small, large)
    # A unit admin's subtree holds fewer lines than the whole company.
    assert await cost(large_world, unit_admin, 12) < large


async def test_extensions_cost_shows_the_estimate_and_the_actual_work_of_a_report(large_world, finance):
    query = """query($from: Month!, $to: Month!) { spendingReport(input: {from: $from, to: $to,
      groupBy: [ORG_UNIT, MONTH], unitDepth: 2}) { rowCount rows(first: 5) { nodes { month lines } } } }"""
    result = await large_world.run(finance, query, {"from": month(-12), "to": month(-1)})
    assert result.errors is None
    cost = result.extensions["cost"]
    objects = 1 + len(result.data["spendingReport"]["rows"]["nodes"])  # the report and its rows
    # The actual cost is the objects returned and the groups summed over every line and month.
    assert cost["requestedQueryCost"] >= cost["actualQueryCost"] > objects + 100, cost


async def test_a_report_that_failed_is_not_charged_its_work(large_world, finance):
    query = """query($from: Month!, $to: Month!) { spendingReport(input: {from: $from, to: $to,
      groupBy: [LINE, LINE]}) { rowCount } }"""
    result = await large_world.run(finance, query, {"from": month(-12), "to": month(-1)})
    assert codes(result) == ["BAD_USER_INPUT"]
    assert result.extensions["cost"]["requestedQueryCost"] > 100
    # Only its input list's half point an item (groupBy) remains: no group was summed.
    assert result.extensions["cost"]["actualQueryCost"] == 1


async def test_nodes_with_100000_ids_is_refused_before_anything_runs(world, employee):
    ids = [to_global_id("Subscriber", n) for n in range(1, 100_001)]
    result = await world.run(employee, "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids})
    assert result.data is None and "BAD_USER_INPUT" in codes(result)
    [capped] = [e.extensions for e in result.errors if "ids" in e.extensions]
    assert capped == {"code": "BAD_USER_INPUT", "ids": 100_000, "maximum": 100}
    assert world.counter.count == 0


async def test_nodes_takes_up_to_100_ids(world, customer_admin):
    ids = [to_global_id("Subscriber", n) for n in range(1, 101)]
    result = await world.run(customer_admin, "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids})
    assert "BAD_USER_INPUT" not in codes(result) and len(result.data["nodes"]) == 100


async def test_every_item_of_an_input_list_is_priced(world, customer_admin):
    """A list the operation will coerce, load and check costs what it names, not what comes back."""
    query = "query($plans: [ID!]) { subscribers(first: 1, filter: {tariffPlans: $plans}) { nodes { id } } }"
    context = Context.of(await world.principal(customer_admin), world.sources, request_id=uuid.uuid4().hex,
                         limits=QueryLimits(max_cost=1_000))  # fmt: skip
    plans = [to_global_id("TariffPlan", n) for n in range(10_000)]
    result = await build_schema(QueryLimits(max_cost=1_000)).execute(
        query, variable_values={"plans": plans}, context_value=context
    )
    assert result.data is None and codes(result) == ["QUERY_TOO_COMPLEX"]
    assert result.errors[0].extensions["cost"] >= 10_000 // 2
    few = await world.run(customer_admin, query, {"plans": plans[:2]})
    assert few.errors is None and estimate(few) <= 10


async def test_the_products_heaviest_operations_stay_within_the_cost_limit(large_world):
    """The benchmark's operations, as their callers send them: the model must not refuse the product."""
    root = (await large_world.data("acme.admin", TARGETS_QUERY))["customer"]["orgRoot"]["children"]
    unit = max(root, key=lambda u: u["subscriberCount"])["id"]
    line = (await large_world.data("acme.admin", LINE_QUERY, {"u": unit}))["subscribers"]["nodes"][0]["id"]
    targets = Targets(unit, line, today())
    for operation in WORKLOAD:
        result = await large_world.run(operation.login, operation.document, operation.variables(targets))
        assert result.errors is None, (operation.name, result.errors)
        print(
            f"\n{operation.name}: estimated {estimate(result)}, actual {result.extensions['cost']['actualQueryCost']}"
        )
        assert estimate(result) <= 100_000


async def test_a_page_of_report_rows_is_priced_by_its_size_whichever_end_it_is_read_from(large_world, finance):
    def page(size: str) -> str:
        head = "query($from: Month!, $to: Month!) { spendingReport(input: {from: $from, to: $to, "
        head += "groupBy: [LINE, MONTH]})"
        return head + " { rows(" + size + ") { totalCount nodes { month total { amount } } } } }"

    months = {"from": month(-3), "to": month(-1)}
    estimates = {}
    for size in ("first: 10", "last: 10", "first: 5000", "last: 5000"):
        result = await large_world.run(finance, page(size), months)
        assert result.errors is None, size
        estimates[size] = result.extensions["cost"]["requestedQueryCost"]
    assert estimates["first: 10"] == estimates["last: 10"]
    assert estimates["first: 5000"] == estimates["last: 5000"] > estimates["first: 10"] + 5000


async def test_a_kept_shape_still_prices_a_report_by_the_lines_in_scope_now(world, large_world, finance):
    """The same document, variables and permissions keep their first measure (engine/shape_cache.py),
    but a report's price is measured again over the lines its scope holds at the time: the same
    report over more lines costs more, asked in either order, and the same as when first asked."""
    single = "query($from: Month!, $to: Month!) { " + REPORT % "" + " }"
    variables = {"from": month(-12), "to": month(-1)}

    async def cost(seeded: World) -> int:
        result = await seeded.run(finance, single, variables)
        assert result.errors is None, result.errors
        return estimate(result)

    small, large = await cost(world), await cost(large_world)
    assert large > 10 * small, (small, large)
    assert (await cost(world), await cost(large_world), await cost(world)) == (small, large, small)
