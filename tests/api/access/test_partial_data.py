"""Reads degrade field by field: a field the caller's role lacks is null with a FORBIDDEN error at
its path, the rest is served, and nothing runs for it. Mutations are still refused whole.

Every demo role runs the README's viewer query, the dashboard and the subscriber detail; the
expected refusals are computed from the document, the rules and the role, path by path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    parse,
)

from engine.build import build_schema
from permissions.authorize import RuleTable, rules_of
from permissions.roles import Permission
from request.context import Context, QueryLimits
from tests.api.access.test_access import line_ids_under, unit_id
from tests.support import LOGINS, World, today

OPERATIONS = Path(__file__).parents[3] / "bench" / "operations"
VIEWER = "{ viewer { permissions scope { wholeCompany units { name } line { msisdn } } } }"
DASHBOARD = (OPERATIONS / "dashboard.graphql").read_text()
DETAIL = (OPERATIONS / "subscriber_detail.graphql").read_text()
# Errors that are not about fields: rows out of the role's view, and operator staff who must name
# the customer (tests/api/access/test_access.py).
OTHER_ERRORS = {
    "employee": {("NOT_FOUND", ("subscribers",))},
    "aggregate_viewer": {("NOT_FOUND", ("node",))},
    "support": {("BAD_USER_INPUT", ("customer",))},
}
ROLES = [role for role in LOGINS if role != "other_admin"]  # every demo role (other_admin is a second admin)


def forbidden_paths(schema: GraphQLSchema, document: str, data: Any, held: frozenset[Permission]) -> set[tuple]:
    """The paths in ``data`` whose field the rules deny to ``held``: walked over the answer itself,
    so a denied field under a null or an empty list is (rightly) expected nowhere."""
    parsed = parse(document)
    rules = rules_of(schema)
    operation = next(d for d in parsed.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {d.name.value: d for d in parsed.definitions if not isinstance(d, OperationDefinitionNode)}
    found: set[tuple] = set()

    def walk(type_: Any, selection_set: SelectionSetNode, value: dict[str, Any], path: tuple) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                walk(schema.get_type(condition.name.value) if condition else type_, selection.selection_set, value,
                     path)  # fmt: skip
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments[selection.name.value]
                walk(schema.get_type(fragment.type_condition.name.value), fragment.selection_set, value, path)
            elif isinstance(selection, FieldNode):
                key = (selection.alias or selection.name).value
                assert key in value, (path, key)
                if _denied(rules, type_.name, selection.name.value, held):
                    found.add((*path, key))
                elif selection.selection_set is not None:
                    inner = get_named_type(type_.fields[selection.name.value].type)
                    items = value[key] if isinstance(value[key], list) else [value[key]]
                    for index, item in enumerate(items):
                        at = (*path, key, index) if isinstance(value[key], list) else (*path, key)
                        if item is not None:
                            walk(inner, selection.selection_set, item, at)

    walk(schema.get_root_type(operation.operation), operation.selection_set, data, ())
    return found


def _denied(rules: RuleTable, type_name: str, field: str, held: frozenset[Permission]) -> bool:
    needed = rules[(type_name, field)]
    return needed is not None and needed not in held


def value_at(data: Any, path: tuple) -> Any:
    for step in path:
        data = data[step]
    return data


async def own_line_or_one_in_view(world: World, role: str) -> str:
    principal = await world.principal(LOGINS[role])
    if principal.scope.subscriber_ids:
        return (await world.data(LOGINS[role], "{ viewer { scope { line { id } } } }"))["viewer"]["scope"]["line"]["id"]
    return (await line_ids_under(world, await unit_id(world, "Sales")))[0]


@pytest.mark.parametrize("role", ROLES)
async def test_every_role_gets_the_shared_documents_with_a_refusal_exactly_where_it_lacks_a_field(world, role):
    schema = build_schema()._schema
    principal = await world.principal(LOGINS[role])
    sales = await unit_id(world, "Sales")
    month = today().replace(day=1).isoformat()[:7]
    runs = [
        (VIEWER, {}),
        (DASHBOARD, {"unit": sales}),
        (DETAIL, {"line": await own_line_or_one_in_view(world, role), "month": month}),
    ]
    refused_somewhere, others = False, set()
    for document, variables in runs:
        result = await world.run(LOGINS[role], document, variables)
        assert result.data is not None, (role, result.errors)
        errors = result.errors or []
        forbidden = {tuple(e.path): e for e in errors if e.extensions["code"] == "FORBIDDEN"}
        expected = forbidden_paths(schema, document, result.data, principal.permissions)
        assert set(forbidden) == expected, (role, document[:40])
        for path, error in forbidden.items():
            assert value_at(result.data, path) is None
            field = error.extensions["field"]
            assert Permission(error.extensions["permission"]) not in principal.permissions, field
        others |= {(e.extensions["code"], tuple(e.path)) for e in errors if e.extensions["code"] != "FORBIDDEN"}
        refused_somewhere |= bool(forbidden)
    # An employee's dashboard names a unit it cannot see, and an aggregate viewer opens no single line.
    assert others == OTHER_ERRORS.get(role, set()), role
    # Roles holding every read these documents use are refused nothing (a unit admin lacks only
    # invoices, users and the audit log); each of the others something.
    assert refused_somewhere == (role not in ("customer_admin", "unit_admin", "support")), role


async def test_the_readme_viewer_query_serves_an_employee_its_line(world):
    result = await world.run(LOGINS["employee"], VIEWER)
    scope = result.data["viewer"]["scope"]
    assert scope["units"] is None and scope["line"]["msisdn"].startswith("+")
    [error] = result.errors
    assert error.path == ["viewer", "scope", "units"] and error.extensions["permission"] == "org:read"


async def test_denied_fields_send_no_sql(world):
    """The same statements with and without the denied relations, under a list and at the root
    (a report's scope is not even sized)."""
    analyst, employee = LOGINS["analyst"], LOGINS["employee"]
    cases = [
        (analyst, "{ subscribers(first: 20) { nodes { id status usage(first: 5) { nodes { kind } } } } }",
         "{ subscribers(first: 20) { nodes { id status } } }"),
        (employee, "{ customer { name orgRoot { name children { name } } } }", "{ customer { name } }"),
        (employee, '{ viewer { name } budgetReport(input: {from: "2020-01", to: "2020-12"}) { asOf } }',
         "{ viewer { name } }"),
    ]  # fmt: skip
    for login, denied, allowed in cases:
        await world.data(login, allowed)
        without = world.counter.count
        result = await world.run(login, denied)
        assert {e.extensions["code"] for e in result.errors} == {"FORBIDDEN"}, denied
        assert world.counter.count == without, denied


async def test_a_mutation_selecting_a_denied_field_is_still_refused_whole_and_writes_nothing(writable_world):
    world, unit_admin = writable_world, LOGINS["unit_admin"]  # may suspend lines; no invoice:read
    line = (await line_ids_under(world, await unit_id(world, "Sales")))[0]
    status = "query($id: ID!) { node(id: $id) { ... on Subscriber { status } } }"
    before = await world.data(unit_admin, status, {"id": line})
    mutation = """mutation($input: SubscriberSuspendInput!) { subscriberSuspend(input: $input) {
      results { line { id orgUnit { customer { billingAccounts { number } } } } } userErrors { code } } }"""
    variables = {"input": {"selection": {"ids": [line]}, "reason": "LEAVE"}}
    result = await world.run(unit_admin, mutation, variables)
    assert result.data is None
    assert [(e.extensions["code"], e.extensions["field"]) for e in result.errors] == [
        ("FORBIDDEN", "Customer.billingAccounts"),
        ("FORBIDDEN", "BillingAccount.number"),
    ]
    assert await world.data(unit_admin, status, {"id": line}) == before


async def test_cost_limits_still_measure_everything_that_runs(world):
    """Denied fields cannot smuggle work past the limits: what is served is priced as before."""
    principal = await world.principal(LOGINS["analyst"])

    def tight() -> Context:
        return Context.of(principal, world.sources, request_id="tight", limits=QueryLimits(max_cost=150))

    world.counter.reset()
    result = await build_schema().execute("{ subscribers(first: 200) { nodes { id msisdn } } }", context_value=tight())
    assert result.data is None and [e.extensions["code"] for e in result.errors] == ["QUERY_TOO_COMPLEX"]
    assert result.errors[0].extensions["cost"] == 201 and world.counter.count == 0
    served = await build_schema().execute("{ subscribers(first: 100) { nodes { id msisdn } } }", context_value=tight())
    assert served.data["subscribers"]["nodes"] and {e.extensions["code"] for e in served.errors} == {"FORBIDDEN"}
    assert served.extensions["cost"]["requestedQueryCost"] == 101
