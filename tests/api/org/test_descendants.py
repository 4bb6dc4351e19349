"""A unit's descendants: its whole subtree in tree order, and only its own, also when one query asks
for a unit and a unit below it at once (their subtrees are read in one batch)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from core.ids import to_global_id
from sources.crm.models import OrgUnit, PortalUser
from sources.crm.source import CrmSource

DESCENDANTS = "query($ids: [ID!]!) { nodes(ids: $ids) { ... on OrgUnit { id descendants { id } } } }"


async def acme_tree(world: Any) -> list[tuple[int, str]]:
    """(id, path) of every unit of Acme, in tree order, read straight from the CRM."""
    acme = select(PortalUser.customer_id).where(PortalUser.login == "acme.admin").scalar_subquery()
    async with world.engines.crm.connect() as conn:
        rows = await conn.execute(select(OrgUnit.id, OrgUnit.path).where(OrgUnit.customer_id == acme))
        return sorted(((unit, path) for unit, path in rows), key=lambda row: row[1])


def below(tree: list[tuple[int, str]], path: str) -> list[str]:
    return [to_global_id("OrgUnit", unit) for unit, other in tree if other.startswith(path) and other != path]


@pytest.mark.executed_once
async def test_a_root_and_one_of_its_divisions_asked_together_each_get_exactly_their_own_subtree(
    world, customer_admin, monkeypatch
):
    tree = await acme_tree(world)
    (root, root_path), (division, division_path) = tree[0], tree[1]  # the company, then its first division
    assert division_path.startswith(root_path) and below(tree, division_path)
    batches: list[list[str]] = []
    read = CrmSource.org_units_under

    async def recorded(self: CrmSource, paths: Any, scope: Any) -> Any:
        batches.append(list(paths))
        return await read(self, paths, scope)

    monkeypatch.setattr(CrmSource, "org_units_under", recorded)
    ids = [to_global_id("OrgUnit", root), to_global_id("OrgUnit", division)]
    answer = (await world.data(customer_admin, DESCENDANTS, {"ids": ids}))["nodes"]

    assert batches == [[root_path, division_path]]  # both subtrees in one read
    of_root, of_division = ([unit["id"] for unit in node["descendants"]] for node in answer)
    assert of_root == below(tree, root_path) and ids[1] in of_root  # the division asked for is below the root
    assert of_division == below(tree, division_path) and ids[0] not in of_division
