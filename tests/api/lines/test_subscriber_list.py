"""The subscribers list: filters, ordering, keyset pages and their limits."""

from __future__ import annotations

from tests.api.access.test_access import codes

PAGE = """query($first: Int, $after: String, $filter: SubscriberFilter, $order: SubscriberOrder) {
  subscribers(first: $first, after: $after, filter: $filter, orderBy: $order) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id employeeName msisdn status activatedOn tariffPlan { id } services { service { id } } }
  }
}"""


async def all_pages(world, login, first, **variables):
    seen, after = [], None
    while True:
        data = await world.data(login, PAGE, {"first": first, "after": after, **variables})
        page = data["subscribers"]
        seen.extend(page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            return seen, page["totalCount"]
        after = page["pageInfo"]["endCursor"]


async def test_pages_cover_the_list_once_in_order(world, customer_admin):
    for order in ({"field": "NAME"}, {"field": "ACTIVATED_ON", "direction": "DESC"}, {"field": "MSISDN"}):
        nodes, total = await all_pages(world, customer_admin, 7, order=order)
        assert len(nodes) == total == len({node["id"] for node in nodes})
        key = {"NAME": "employeeName", "ACTIVATED_ON": "activatedOn", "MSISDN": "msisdn"}[order["field"]]
        values = [node[key] for node in nodes]
        assert values == sorted(values, reverse=order.get("direction") == "DESC")


async def test_status_plan_service_and_search_filters(world, customer_admin):
    suspended, total = await all_pages(world, customer_admin, 50, filter={"statuses": ["SUSPENDED"]})
    expected = await world.scalar(
        "crm", "select count(*) from subscribers where customer_id = 1 and status = 'suspended'"
    )
    assert total == expected >= 2 and {node["status"] for node in suspended} == {"SUSPENDED"}

    everyone, _ = await all_pages(world, customer_admin, 200)
    plan = everyone[0]["tariffPlan"]["id"]
    on_plan, _ = await all_pages(world, customer_admin, 200, filter={"tariffPlans": [plan]})
    assert on_plan and {node["id"] for node in on_plan} == {n["id"] for n in everyone if n["tariffPlan"]["id"] == plan}

    with_service = next(n for n in everyone if n["services"])
    service = with_service["services"][0]["service"]["id"]
    having, _ = await all_pages(world, customer_admin, 200, filter={"services": [service]})
    assert with_service["id"] in {node["id"] for node in having}
    assert all(service in {s["service"]["id"] for s in node["services"]} for node in having)

    needle = everyone[3]["employeeName"].split()[-1][1:4].upper()
    found, _ = await all_pages(world, customer_admin, 200, filter={"search": needle})
    assert everyone[3]["id"] in {node["id"] for node in found}
    assert all(needle.lower() in node["employeeName"].lower() or needle in node["msisdn"] for node in found)


async def test_page_size_is_capped_and_cursors_are_checked(world, customer_admin):
    too_many = await world.run(customer_admin, PAGE, {"first": 2001})
    assert codes(too_many) == ["BAD_USER_INPUT"]
    assert too_many.errors[0].extensions["maximum"] == 2000
    for cursor, order in (("nonsense", "NAME"), ("W10", "NAME"), ("WyJhIl0", "NAME"), ("WyJ4IiwxXQ", "ACTIVATED_ON"),
                          ("WzEsMV0", "NAME")):  # fmt: skip
        result = await world.run(customer_admin, PAGE, {"first": 2, "after": cursor, "order": {"field": order}})
        assert codes(result) == ["BAD_USER_INPUT"], cursor
