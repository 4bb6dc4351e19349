"""Money adds up: lines to units, units to the company, the company to its invoices."""

from __future__ import annotations

from decimal import Decimal

from core.values import add_months, month_start
from tests.api.access.test_access import line_ids_under, unit_id
from tests.support import today

UNIT = """query($u: ID!, $m: Month) { node(id: $u) { ... on OrgUnit {
  spending(month: $m) { total { amount currency } companyShare { amount } employeeShare { amount } lineCount } } } }"""
LINES = """query($u: ID!, $m: Month) { subscribers(first: 2000, filter: {orgUnit: $u}) {
  nodes { spending(month: $m) { total { amount } companyShare { amount } employeeShare { amount }
                                byCategory { category amount { amount } } } } } }"""


def amount(money) -> Decimal:
    return Decimal(money["amount"])


def previous_month() -> str:
    return add_months(month_start(today()), -1).strftime("%Y-%m")


async def test_a_units_spending_is_the_sum_of_its_lines(world, customer_admin):
    for division in ("Sales", "Technology"):
        unit = await unit_id(world, division)
        for month in (None, previous_month()):
            rolled = (await world.data(customer_admin, UNIT, {"u": unit, "m": month}))["node"]["spending"]
            lines = (await world.data(customer_admin, LINES, {"u": unit, "m": month}))["subscribers"]["nodes"]
            assert amount(rolled["total"]) == sum(amount(line["spending"]["total"]) for line in lines)
            assert amount(rolled["companyShare"]) + amount(rolled["employeeShare"]) == amount(rolled["total"])
            for line in lines:
                spending = line["spending"]
                assert sum(amount(c["amount"]) for c in spending["byCategory"]) == amount(spending["total"])
                assert amount(spending["companyShare"]) + amount(spending["employeeShare"]) == amount(spending["total"])
            assert rolled["total"]["currency"] == "EUR"


async def test_company_spending_of_a_closed_month_equals_its_invoices(world, finance):
    month = previous_month()
    data = await world.data(
        finance,
        """query($m: Month) { customer { spending(month: $m) { total { amount } }
             billingAccounts { invoices(first: 12) { nodes { period total { amount }
               bySubscriber(first: 200) { totalCount nodes { total { amount } } }
               byCategory { amount { amount } } } } } } }""",
        {"m": month},
    )
    invoices = [i for account in data["customer"]["billingAccounts"] for i in account["invoices"]["nodes"]]
    this_month = [invoice for invoice in invoices if invoice["period"] == month]
    assert len(this_month) == len(data["customer"]["billingAccounts"]) == 2
    assert sum(amount(i["total"]) for i in this_month) == amount(data["customer"]["spending"]["total"])
    for invoice in invoices:
        lines = invoice["bySubscriber"]
        assert len(lines["nodes"]) == lines["totalCount"]
        assert sum(amount(line["total"]) for line in lines["nodes"]) == amount(invoice["total"])
        assert sum(amount(c["amount"]) for c in invoice["byCategory"]) == amount(invoice["total"])


async def test_policy_is_inherited_down_the_tree_unless_overridden(world, customer_admin):
    query = """query($u: ID!) { node(id: $u) { ... on OrgUnit { effectivePolicy { companySharePercent roamingAllowed
                 contentFilter overrides }
                 children { effectivePolicy { companySharePercent roamingAllowed overrides } } } } }"""
    sales = (await world.data(customer_admin, query, {"u": await unit_id(world, "Sales")}))["node"]
    operations = (await world.data(customer_admin, query, {"u": await unit_id(world, "Operations")}))["node"]
    assert sales["effectivePolicy"] == {
        "companySharePercent": 80, "roamingAllowed": True, "contentFilter": "MODERATE", "overrides": True,
    }  # fmt: skip
    assert operations["effectivePolicy"]["roamingAllowed"] is False
    assert all(child["effectivePolicy"]["companySharePercent"] == 80 for child in sales["children"])
    assert all(child["effectivePolicy"]["roamingAllowed"] is False for child in operations["children"])


async def test_bundles_and_usage_pages(world, customer_admin):
    line = (await line_ids_under(world, await unit_id(world, "Sales")))[0]
    query = """query($id: ID!, $after: String) { node(id: $id) { ... on Subscriber {
        bundles { allowance used remaining unit kind }
        usage(first: 9, after: $after) {
          pageInfo { hasNextPage endCursor } nodes { startedAt amount { amount } } } } } }"""
    seen, after = [], None
    while True:
        node = (await world.data(customer_admin, query, {"id": line, "after": after}))["node"]
        seen.extend(node["usage"]["nodes"])
        if not node["usage"]["pageInfo"]["hasNextPage"]:
            break
        after = node["usage"]["pageInfo"]["endCursor"]
    from core.ids import from_global_id

    expected = await world.scalar(
        "billing", "select count(*) from usage_records where subscriber_id = :s", s=from_global_id(line)[1]
    )
    assert len(seen) == expected > 0
    stamps = [record["startedAt"] for record in seen]
    assert stamps == sorted(stamps, reverse=True) and all(s.endswith("+00:00") for s in stamps)
    by_month = """query($id: ID!, $m: Month, $since: DateTime) { node(id: $id) { ... on Subscriber {
        usage(first: 500, month: $m, since: $since, kinds: [DATA, VOICE]) { nodes { startedAt period kind } } } } }"""
    month = previous_month()
    in_month = (await world.data(customer_admin, by_month, {"id": line, "m": month}))["node"]["usage"]["nodes"]
    assert in_month and all(r["period"] == month and r["kind"] in {"DATA", "VOICE"} for r in in_month)
    late = f"{month}-15T00:00:00"  # no zone: read as UTC
    after_15th = (await world.data(customer_admin, by_month, {"id": line, "m": month, "since": late}))["node"]["usage"]
    assert all(r["startedAt"] >= f"{month}-15T00:00:00+00:00" for r in after_15th["nodes"])
    assert [r for r in in_month if r["startedAt"] >= f"{month}-15"] == after_15th["nodes"]
    for bundle in node["bundles"]:
        assert bundle["remaining"] == max(bundle["allowance"] - bundle["used"], 0)
