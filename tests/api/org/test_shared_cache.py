"""The shared cache of the catalogue and the org tree: every scope has its own entries, a change
to the tree is seen at once, and warm reads skip the backend. A change seen at once by another
instance sharing Redis: ``tests/system/test_two_instances.py``."""

from __future__ import annotations

TREE = "{ customer { orgRoot { name children { name children { name } } } } }"
PLAN = "query($id: ID!) { node(id: $id) { ... on TariffPlan { name monthlyFee { amount } includedBundles { name } } } }"
RENAME = """mutation($input: OrgUnitUpdateInput!) { orgUnitUpdate(input: $input) {
  orgUnit { name } userErrors { code } } }"""


def names(tree: dict) -> set[str]:
    root = tree["customer"]["orgRoot"]
    if root is None:
        return set()
    found = {root["name"]}
    for child in root["children"]:
        found |= {child["name"], *(grandchild["name"] for grandchild in child["children"])}
    return found


async def test_each_scope_reads_its_own_tree_from_the_cache(world, customer_admin, unit_admin):
    warm = world.with_empty_cache()
    fresh = {login: await world.with_empty_cache().data(login, TREE) for login in (customer_admin, unit_admin)}
    assert names(fresh[unit_admin]) < names(fresh[customer_admin])
    # The company's admin warms the cache first; the unit admin must still get only its subtree.
    for login in (customer_admin, unit_admin, customer_admin, unit_admin):
        assert await warm.data(login, TREE) == fresh[login]
    warm.counter.reset()
    assert await warm.data(unit_admin, TREE) == fresh[unit_admin]
    assert not [s for s in warm.counter.statements if "org_units" in s], "a warm tree is read from the cache"


async def test_a_change_to_the_tree_is_read_at_once(writable_world, customer_admin):
    world = writable_world.with_empty_cache()
    before = await world.data(customer_admin, TREE)
    sales = next(c for c in before["customer"]["orgRoot"]["children"] if c["name"] == "Sales")
    ids = await world.data(customer_admin, "{ customer { orgRoot { children { id name } } } }")
    sales_id = next(c["id"] for c in ids["customer"]["orgRoot"]["children"] if c["name"] == sales["name"])
    renamed = await world.data(customer_admin, RENAME, {"input": {"orgUnit": sales_id, "name": "Sales & Growth"}})
    assert renamed["orgUnitUpdate"] == {"orgUnit": {"name": "Sales & Growth"}, "userErrors": []}
    after = await world.data(customer_admin, TREE)
    assert "Sales & Growth" in names(after) and "Sales" not in names(after)


async def test_the_catalogue_is_read_once_then_from_the_cache(world, customer_admin):
    warm = world.with_empty_cache()
    plans = await warm.data(customer_admin, "{ tariffPlans { id } }")
    plan = plans["tariffPlans"][0]["id"]
    first = await warm.data(customer_admin, PLAN, {"id": plan})
    assert [s for s in warm.counter.statements if "tariff_plans" in s or "bundles" in s]
    again = await warm.data(customer_admin, PLAN, {"id": plan})
    assert again == first and not [s for s in warm.counter.statements if "tariff_plans" in s or "bundles" in s]
