"""Changes to the org tree: create, update, move, delete units; move lines between units."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.crm_records import OrgUnitRecord, SubscriberRecord
from core.errors import BadUserInput, CorpcareError, NotFound
from core.text import COST_CENTRE_CODE, UNIT_NAME, checked, optional
from loaders.org import OrgUnitByIdLoader
from permissions.principal import principal_cache_key
from request.context import Context
from resolvers.line_changes import Change, Verdict
from resolvers.node import load_node
from resolvers.unit_changes import Conflict, UnitChange

KINDS = ("company", "division", "department", "team")
NOT_DELETED = {
    "not_empty": "Only an empty unit can be deleted: move its units and lines first.",
    "had_lines": "Lines were in this unit in earlier months, which stay grouped by it: it cannot be deleted.",
    "granted": "A portal user's scope names this unit: change their scope first.",
}


async def _unit(context: Context, global_id: str, field: str) -> OrgUnitRecord:
    try:
        return await load_node(context, global_id, expect="OrgUnit")
    except CorpcareError as error:
        error.extensions["field"] = [field]
        raise


async def forget_principals(context: Context, customer_id: int) -> None:
    """Granted subtrees are cached with their paths: after the tree changes, read them anew."""
    logins = await context.sources.crm.logins_of_customer(customer_id)
    await context.sources.cache.delete(*(principal_cache_key(login) for login in logins))


def create_child(name: str, kind: str | None, cost_centre_code: str | None) -> UnitChange:
    async def change(context: Context, parent: OrgUnitRecord) -> tuple[Any, Any, int | None]:
        if parent.depth + 1 >= len(KINDS):
            raise BadUserInput("A team has no units below it.", field=["parent"])
        expected = KINDS[parent.depth + 1]
        if kind is not None and kind != expected:
            raise BadUserInput(f"A unit under a {parent.kind} is a {expected}.", field=["kind"])
        checked(name, field="name", longest=UNIT_NAME)
        optional(cost_centre_code, field="costCentreCode", longest=COST_CENTRE_CODE)
        if not name.strip():
            raise BadUserInput("A unit needs a name.", field=["name"])
        unit_id = await context.sources.org_writer.create_unit(parent, name.strip(), expected, cost_centre_code)
        return None, {"id": unit_id, "name": name.strip(), "kind": expected}, unit_id

    return change


def update_unit(values: dict[str, Any]) -> UnitChange:
    async def change(context: Context, unit: OrgUnitRecord) -> tuple[Any, Any, int | None]:
        if not values:
            raise BadUserInput("Give a name or a cost-centre code.", field=["name"])
        optional(values.get("name"), field="name", longest=UNIT_NAME)
        optional(values.get("cost_centre_code"), field="costCentreCode", longest=COST_CENTRE_CODE)
        if "name" in values and not (values["name"] or "").strip():
            raise BadUserInput("A unit needs a name.", field=["name"])
        before = {"name": unit.name, "cost_centre_code": unit.cost_centre_code}
        await context.sources.org_writer.update_unit(unit.id, values)
        return before, before | values, unit.id

    return change


def move_under(new_parent_id: str) -> UnitChange:
    async def change(context: Context, unit: OrgUnitRecord) -> tuple[Any, Any, int | None]:
        new_parent = await _unit(context, new_parent_id, "newParent")
        if unit.parent_id is None:
            raise BadUserInput("The company itself cannot move.", field=["orgUnit"])
        if new_parent.path.startswith(unit.path):
            raise BadUserInput("A unit cannot move under itself or its own descendants.", field=["newParent"])
        if new_parent.depth != unit.depth - 1:
            raise BadUserInput(f"A {unit.kind} moves under a {KINDS[unit.depth - 1]}.", field=["newParent"])
        old_parent_path = unit.path[: unit.path.rstrip("/").rfind("/") + 1]
        if not await context.sources.org_writer.move_unit(unit, old_parent_path, new_parent):
            raise Conflict("The tree changed meanwhile; read it again.", field=["orgUnit"])
        await forget_principals(context, unit.customer_id)
        return {"parent": unit.parent_id, "path": unit.path}, {"parent": new_parent.id}, unit.id

    return change


def delete_empty() -> UnitChange:
    async def change(context: Context, unit: OrgUnitRecord) -> tuple[Any, Any, int | None]:
        if unit.parent_id is None:
            raise BadUserInput("The company itself cannot be deleted.", field=["orgUnit"])
        refused = await context.sources.org_writer.delete_unit(unit)
        if refused == "gone":
            raise NotFound("The unit was deleted meanwhile.")
        if refused is not None:
            raise BadUserInput(NOT_DELETED[refused], field=["orgUnit"])
        await forget_principals(context, unit.customer_id)
        return {"name": unit.name, "path": unit.path}, None, None

    return change


@dataclass(slots=True)
class LineMove:
    """Move lines into another unit (in the caller's scope)."""

    unit_id: str
    operation: str = "subscriberMove"
    target: OrgUnitRecord | None = None
    unit_names: dict[int, str] = field(default_factory=dict)  # the lines' units now

    async def prepare(self, context: Context, lines: list[SubscriberRecord]) -> None:
        self.target = await _unit(context, self.unit_id, "orgUnit")
        units = await context.loader(OrgUnitByIdLoader).load_many(sorted({line.org_unit_id for line in lines}))
        self.unit_names = {unit.id: unit.name for unit in units if unit is not None}

    def check(self, line: SubscriberRecord) -> Verdict | None:
        assert self.target is not None
        if line.customer_id != self.target.customer_id:
            return Verdict("failed", "NOT_FOUND", "No such unit for this line.")
        if line.org_unit_id == self.target.id:
            return Verdict("skipped", "ALREADY_IN_STATE", "The line is already in this unit.")
        return None

    def describe(self, line: SubscriberRecord) -> Change:
        assert self.target is not None
        return Change(before=self.unit_names.get(line.org_unit_id, ""), after=self.target.name)

    async def apply(self, context: Context, line: SubscriberRecord) -> bool:
        assert self.target is not None
        return await context.sources.org_writer.move_line(line.id, line.org_unit_id, self.target)
