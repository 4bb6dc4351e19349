"""The CRM source's reads of the org tree, against the seeded CRM on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from core.scope import RowScope
from sources.crm.models import OrgUnit


async def all_paths(world) -> list[str]:
    async with world.engines.crm.connect() as conn:
        return sorted((await conn.execute(select(OrgUnit.path))).scalars())


def strictly_under(paths: list[str], prefixes: list[str]) -> list[str]:
    return sorted(path for path in paths if any(path.startswith(p) and path != p for p in prefixes))


async def test_units_under_a_root_and_one_of_its_divisions_asked_together_include_that_division(world):
    paths = await all_paths(world)
    root = next(path for path in paths if path.count("/") == 2)  # a company's top unit: /1/
    division = next(path for path in paths if path.startswith(root) and path.count("/") == 3)
    assert strictly_under(paths, [division])  # a division with units of its own
    under = await world.sources.crm.org_units_under([root, division], RowScope.everything())
    assert division in [unit.path for unit in under]
    assert [unit.path for unit in under] == strictly_under(paths, [root])


async def test_units_under_any_set_of_paths_are_every_unit_strictly_below_one_of_them_in_tree_order(world):
    paths = await all_paths(world)
    roots = [path for path in paths if path.count("/") == 2]
    asked = [
        roots,  # whole companies at once
        [path for path in paths if path.count("/") == 3],  # every division
        paths,  # every unit, each below another but the roots
        [roots[0], *[path for path in paths if path.startswith(roots[0])][1:4], roots[-1]],
        [path for path in paths if path.count("/") == 5][:3],  # teams: nothing below them
    ]
    for prefixes in asked:
        under = await world.sources.crm.org_units_under(prefixes, RowScope.everything())
        assert [unit.path for unit in under] == strictly_under(paths, prefixes), prefixes
