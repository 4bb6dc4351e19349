"""corpcare as an Apollo Federation v2 subgraph (``CORPCARE_FEDERATION``): ``_service`` prints the
subgraph's SDL, and ``_entities`` answers the gateway's references under the same type
permissions, field rules, row scope, batching and cost as ``node``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from strawberry.federation.schema_directives import Key

from core.ids import to_global_id
from engine.build import build_schema
from engine.cost import MAX_REPRESENTATIONS
from schema.federation import ENTITIES as ENTITY_CLASSES
from server.app import create_app
from server.auth import issue_token
from tests.api.access.test_access import codes, forged, line_ids_under, unit_id
from tests.support import World
from tests.system.test_http import assert_unauthenticated, bearer, make_settings

SUBGRAPH_FILE = Path(__file__).parents[3] / "schema.subgraph.graphql"
LINK = 'schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])'
ENTITIES = """query($r: [_Any!]!) { _entities(representations: $r) { __typename
  ... on Customer { id name } ... on OrgUnit { id unit: name } ... on Subscriber { id status } } }"""
LINES = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Subscriber { id status orgUnit { name } } } }"


def subgraph() -> Any:
    return build_schema(federation=True)


async def run(world: World, login: str, query: str, variables: dict[str, Any] | None = None) -> Any:
    """The operation on the subgraph schema, as ``login``, with the statement counter reset."""
    principal = await world.principal(login)
    world.counter.reset()
    return await subgraph().execute(query, variable_values=variables, context_value=world.context(principal))


def refs(type_name: str, *ids: str) -> list[dict[str, str]]:
    return [{"__typename": type_name, "id": id_} for id_ in ids]


def test_the_subgraph_sdl_links_federation_v2_and_keys_the_three_entity_types():
    sdl = subgraph().as_str()
    assert LINK in sdl
    for entity in ("Customer", "OrgUnit", "Subscriber"):
        assert f'type {entity} implements Node @key(fields: "id")' in sdl
    assert "union _Entity = Customer | OrgUnit | Subscriber" in sdl
    assert "_entities(representations: [_Any!]!): [_Entity]! @public" in sdl
    assert "_service: _Service! @public" in sdl
    export = f"run: corpcare export-schema --subgraph --output {SUBGRAPH_FILE.name}"
    assert SUBGRAPH_FILE.read_text() == sdl + "\n", export


def test_without_the_setting_the_schema_has_no_federation_at_all():
    sdl = build_schema().as_str()
    for federated in ("@key", "@link", "_entities", "_service", "_Any", "_Entity"):
        assert federated not in sdl
    # Building the subgraph left the entity types, which both schemas share, without a key.
    subgraph()
    for entity in ENTITY_CLASSES.values():
        assert not any(isinstance(d, Key) for d in entity.__strawberry_definition__.directives)


async def test_service_answers_the_same_sdl_as_the_checked_in_file(world, customer_admin):
    result = await run(world, customer_admin, "{ _service { sdl } }")
    assert result.errors is None
    assert result.data["_service"]["sdl"] + "\n" == SUBGRAPH_FILE.read_text()


async def test_entities_resolves_each_type_in_scope_in_the_order_asked(world, customer_admin):
    sales = await unit_id(world, "Sales")
    line = (await line_ids_under(world, sales))[0]
    customer = to_global_id("Customer", 1)
    asked = [*refs("Subscriber", line), *refs("Customer", customer), *refs("OrgUnit", sales)]
    result = await run(world, customer_admin, ENTITIES, {"r": asked})
    assert result.errors is None
    entities = result.data["_entities"]
    assert [e["__typename"] for e in entities] == ["Subscriber", "Customer", "OrgUnit"]
    assert [e["id"] for e in entities] == [line, customer, sales]
    assert entities[1]["name"] == "Acme Logistics" and entities[2]["unit"] == "Sales"
    # The same objects as node answers.
    node = await world.data(customer_admin, "query($id: ID!) { node(id: $id) { ... on Subscriber { status } } }",
                            {"id": line})  # fmt: skip
    assert node["node"]["status"] == entities[0]["status"]


async def test_an_entity_outside_the_scope_is_null_like_a_missing_one_and_without_an_error(
    world, unit_admin, other_admin
):
    inside = (await line_ids_under(world, await unit_id(world, "Sales")))[0]
    outside = (await line_ids_under(world, await unit_id(world, "Operations")))[0]
    operations = await unit_id(world, "Operations")
    missing = forged("Subscriber", 999_999)
    asked = [
        *refs("Subscriber", inside, outside, missing),
        *refs("OrgUnit", operations, forged("OrgUnit", 999_999)),
        *refs("Customer", to_global_id("Customer", 2)),
    ]
    result = await run(world, unit_admin, ENTITIES, {"r": asked})
    assert result.errors is None  # nothing says which of the nulls exist
    assert result.data["_entities"][0]["id"] == inside
    assert result.data["_entities"][1:] == [None] * 5
    # Another company's admin sees none of Acme's: the answer is the one for ids that name nothing.
    theirs = await run(world, other_admin, ENTITIES, {"r": [*refs("Subscriber", inside), *refs("Subscriber", missing)]})
    assert theirs.errors is None and theirs.data["_entities"] == [None, None]


async def test_a_type_the_role_may_not_read_is_null_too(world, employee, aggregate_viewer):
    sales = await unit_id(world, "Sales")
    line = (await line_ids_under(world, sales))[0]
    # An employee has no org:read: no unit, as for a missing one; its own line only.
    result = await run(world, employee, ENTITIES, {"r": refs("OrgUnit", sales) + refs("Subscriber", line)})
    assert result.errors is None and result.data["_entities"] == [None, None]
    # Without line:read (groups only), no single line.
    result = await run(world, aggregate_viewer, ENTITIES, {"r": refs("Subscriber", line) + refs("OrgUnit", sales)})
    assert result.errors is None
    assert result.data["_entities"] == [None, {"__typename": "OrgUnit", "id": sales, "unit": "Sales"}]


async def test_fields_of_an_entity_obey_the_roles_field_rules(world, finance):
    line = (await line_ids_under(world, await unit_id(world, "Sales")))[0]
    query = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Subscriber { id employeeName } } }"
    result = await run(world, finance, query, {"r": refs("Subscriber", line)})
    assert result.data == {"_entities": [{"id": line, "employeeName": None}]}
    assert codes(result) == ["FORBIDDEN"]
    assert result.errors[0].path == ["_entities", 0, "employeeName"]


async def test_representations_are_read_in_one_batched_statement_per_type_whatever_their_number(
    large_world, customer_admin
):
    world = large_world
    lines = await line_ids_under(world, await unit_id(world, "Sales"))
    assert len(lines) >= 100
    counts = []
    for many in (2, 100):
        result = await run(world, customer_admin, LINES, {"r": refs("Subscriber", *lines[:many])})
        assert result.errors is None and len(result.data["_entities"]) == many
        assert all(entity["orgUnit"]["name"] for entity in result.data["_entities"])
        counts.append(world.counter.count)
    print(f"\n_entities statements ({world.backend}): {counts[0]} for 2 lines, {counts[1]} for 100")
    # The lines in one statement, their units in one more (none when the shared cache holds the org tree):
    # not one per line.
    assert counts[0] == counts[1] <= 2, world.counter.statements


async def test_a_malformed_representation_is_bad_input_at_its_place(world, customer_admin):
    line = (await line_ids_under(world, await unit_id(world, "Sales")))[0]
    asked = [
        {"__typename": "Invoice", "id": line},  # not an entity type
        {"__typename": "OrgUnit", "id": line},  # a line's id as a unit's
        {"__typename": "Subscriber", "id": "garbage"},
        {"__typename": "Subscriber"},
        *refs("Subscriber", line),
    ]
    result = await run(world, customer_admin, LINES, {"r": asked})
    assert result.data["_entities"][:4] == [None] * 4 and result.data["_entities"][4]["id"] == line
    assert codes(result) == ["BAD_USER_INPUT"] * 4
    assert sorted(error.path[1] for error in result.errors) == [0, 1, 2, 3]


async def test_entities_are_priced_per_representation_and_too_many_are_refused_before_anything_runs(
    world, customer_admin
):
    line = (await line_ids_under(world, await unit_id(world, "Sales")))[0]
    one = await run(world, customer_admin, LINES, {"r": refs("Subscriber", line)})
    hundred = await run(world, customer_admin, LINES, {"r": refs("Subscriber", *[line] * 100)})
    cost_of = lambda result: result.extensions["cost"]["requestedQueryCost"]  # noqa: E731
    assert cost_of(hundred) >= 100 * 2 > cost_of(one)  # each line and its unit
    refused = await run(world, customer_admin, LINES, {"r": refs("Subscriber", *[line] * 10_000)})
    assert refused.data is None and codes(refused) == ["BAD_USER_INPUT"]
    assert refused.errors[0].extensions["maximum"] == MAX_REPRESENTATIONS
    assert world.counter.count == 0


# Over HTTP: the setting, authentication, and production.


async def post(world: World, query: str, token: str | None, **settings: Any) -> httpx.Response:
    app = create_app(make_settings(**settings), sources=world.sources)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://corpcare.test") as http:
        headers = bearer(token) if token else {}
        return await http.post("/graphql", json={"query": query}, headers=headers)


CUSTOMER = '{ _entities(representations: [{__typename: "Customer", id: "%s"}]) { ... on Customer { name } } }'


async def test_entities_over_http_refuse_an_unauthenticated_caller(world):
    query = CUSTOMER % to_global_id("Customer", 1)
    assert_unauthenticated(await post(world, query, None, federation=True))
    assert_unauthenticated(await post(world, "{ _service { sdl } }", None, federation=True))


@pytest.mark.parametrize("env", ["development", "production"])
async def test_entities_over_http_need_the_setting_and_production_keeps_the_sdl_closed(world, env):
    token = issue_token(make_settings(), "acme.admin")
    query = CUSTOMER % to_global_id("Customer", 1)
    served = await post(world, query, token, federation=True, env=env)
    assert served.json()["data"] == {"_entities": [{"name": "Acme Logistics"}]}
    unknown = (await post(world, query, token, env=env)).json()
    assert unknown["data"] is None and unknown["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    sdl = (await post(world, "{ _service { sdl } }", token, federation=True, env=env)).json()
    if env == "development":
        assert LINK in sdl["data"]["_service"]["sdl"]
    else:
        assert sdl["data"] is None and sdl["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        assert "export-schema --subgraph" in sdl["errors"][0]["message"]
