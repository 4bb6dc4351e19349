"""Hostile requests over HTTP through the real app, table-driven, on both backends.

Every answer is below 500, is JSON, codes every error (the GraphQL codes of DESIGN.md, or the
HTTP layer's own refusals), shows nothing of the server's insides, and leaves no pooled
connection checked out; mutations change nothing. Cases covered elsewhere are not repeated:
``tests/system/test_http.py`` (a batch, a mutation over GET, ``{not json``, text/plain without
a preflight, a body over the limit) and ``tests/api/engine/test_limits.py`` (cost, depth, aliases,
tokens, directives and input lists, in-process).
"""

from __future__ import annotations

import base64
import json
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from server.app import create_app
from server.auth import issue_token
from tests.api.engine.fuzzing import CODES, LEAKY
from tests.oracle import fingerprint, global_id, read_rows
from tests.support import LOGINS, World
from tests.system.test_http import bearer, make_settings

# The HTTP layer's own refusals (server/app.py, server/http_guard.py), besides the GraphQL codes.
HTTP_CODES = {"BAD_REQUEST", "PAYLOAD_TOO_LARGE", "METHOD_NOT_ALLOWED", "UNSUPPORTED_MEDIA_TYPE"}
# A modern client: request errors come back as 400 rather than 200.
ACCEPT = {"Accept": "application/graphql-response+json, application/json;q=0.9"}


@dataclass(frozen=True)
class Case:
    id: str
    json: Any = None
    content: bytes | None = None
    content_type: str = "application/json"
    method: str = "POST"
    url: str = "/graphql"
    params: dict[str, str] | None = None
    login: str = LOGINS["customer_admin"]
    status: int = 200
    codes: frozenset[str] = frozenset()  # exactly the codes expected; empty: no error
    expect: dict[str, Any] = field(default_factory=dict)  # paths into data -> value


def case(id: str, query: str | None = None, variables: Any = None, **kw: Any) -> Any:
    codes = frozenset(kw.pop("codes", ()))
    body = (
        kw.pop("json", None) if query is None else {"query": query, **({"variables": variables} if variables else {})}
    )
    return pytest.param(Case(id, json=body, codes=codes, **kw), id=id)


def nested(levels: int) -> str:
    return "{ customer { orgRoot " + "{ children " * levels + "{ id }" + " }" * levels + " } }"


def cursor(*values: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


SEARCH = "query($s: String!) { subscribers(first: 2000, filter: {search: $s}) { totalCount } }"
NODE = "query($id: ID!) { node(id: $id) { id } }"
FIRST = "query($n: Int!) { subscribers(first: $n) { totalCount } }"
AFTER = "query($c: String) { subscribers(after: $c) { totalCount } }"
INVALID = frozenset({"GRAPHQL_VALIDATION_FAILED"})

DOCUMENTS = [
    case("deep nesting, 200 levels", nested(200), status=400, codes={"GRAPHQL_PARSE_FAILED"}),
    case("deep nesting of a list literal", "{ nodes(ids: " + "[" * 500 + '"x"' + "]" * 500 + ") { id } }",
         status=400, codes={"GRAPHQL_PARSE_FAILED"}),
    case("a chain of 300 fragments", "{ customer { orgRoot { ...F0 } } } " + " ".join(
        f"fragment F{i} on OrgUnit {{ children {{ ...F{i + 1} }} }}" for i in range(300)
    ) + " fragment F300 on OrgUnit { id }", status=400, codes=INVALID),
    case("a fragment cycle", "{ customer { orgRoot { ...A } } } fragment A on OrgUnit { children { ...B } } "
         "fragment B on OrgUnit { children { ...A } }", status=400, codes=INVALID),
    case("10,000 aliases", "{ " + " ".join(f"a{i}: viewer {{ login }}" for i in range(10_000)) + " }",
         status=400, codes={"QUERY_TOO_COMPLEX"}),
    case("3,000 aliases within the token limit", "{ " + " ".join(f"a{i}: __typename" for i in range(3000)) + " }",
         status=400, codes={"QUERY_TOO_COMPLEX"}),
    case("3,000 @include on one field", "{ viewer { login " + "@include(if: true) " * 3000 + "} }",
         status=400, codes={"QUERY_TOO_COMPLEX"}),
    case("40 @include on one field", "{ viewer { login " + "@include(if: true) " * 40 + "} }",
         status=400, codes=INVALID),
    case("introspection nested ten deep", "{ __schema { types " + "{ fields { type " * 4 + "{ name }" + " } }" * 4
         + " } }", status=400, codes=INVALID),
    case("a NUL in the document", "{ viewer { login } }\x00", status=400, codes={"GRAPHQL_PARSE_FAILED"}),
    case("two anonymous operations", "{ viewer { login } } { viewer { name } }", status=400, codes=INVALID),
    case("a subscription", "subscription { viewer { login } }", status=400, codes=INVALID),
    case("a body above the size limit", "{ viewer { login } }", {"x": "y" * 4_100_000},
         status=413, codes={"PAYLOAD_TOO_LARGE"}),
]  # fmt: skip

BODIES = [
    case("JSON null", content=b"null", status=400, codes={"BAD_REQUEST"}),
    case("a JSON number", content=b"123", status=400, codes={"BAD_REQUEST"}),
    case("a JSON string", content=b'"{ viewer { login } }"', status=400, codes={"BAD_REQUEST"}),
    case("bytes that are not UTF-8", content=b'{"query": "{ viewer { \xff\xfe } }"}', status=400,
         codes={"BAD_REQUEST"}),
    case("JSON nested 100,000 deep", content=b'{"query": "{ viewer { login } }", "variables": {"x": '
         + b"[" * 100_000 + b"]" * 100_000 + b"}}", status=400, codes={"BAD_REQUEST"}),
    case("an empty body", content=b"", status=400, codes={"BAD_REQUEST"}),
    case("an empty object", json={}, status=400, codes={"BAD_REQUEST"}),
    case("a query that is a number", json={"query": 123}, status=400, codes={"BAD_REQUEST"}),
    case("variables that are a string", json={"query": "{ viewer { login } }", "variables": "x"}, status=400,
         codes={"BAD_REQUEST"}),
    case("an unknown operation name", json={"query": "query A { viewer { login } }", "operationName": "B"},
         status=400, codes={"BAD_REQUEST"}),
    case("extensions that are a string", json={"query": "{ viewer { login } }", "extensions": "x"}, status=400,
         codes={"BAD_REQUEST"}),
    case("an empty batch", json=[], status=400, codes={"BAD_REQUEST"}),
    case("a batch of 1,000", json=[{"query": "{ viewer { login } }"}] * 1000, status=400, codes={"BAD_REQUEST"}),
    case("application/xml", content=b"<query/>", content_type="application/xml", status=400,
         codes={"BAD_REQUEST"}),
    case("multipart without a preflight", content=b"--x--", content_type="multipart/form-data; boundary=x",
         status=400, codes={"BAD_REQUEST"}),
    case("GET with variables that are not JSON", method="GET", status=400, codes={"BAD_REQUEST"},
         params={"query": FIRST, "variables": "{bad"}),
    case("PUT", json={"query": "{ viewer { login } }"}, method="PUT", status=405, codes={"METHOD_NOT_ALLOWED"}),
]  # fmt: skip

VARIABLES = [
    case("a required variable missing", FIRST, status=400, codes={"BAD_USER_INPUT"}),
    case("null for a non-null variable", FIRST, {"n": None}, status=400, codes={"BAD_USER_INPUT"}),
    case("a string for an Int", FIRST, {"n": "5"}, status=400, codes={"BAD_USER_INPUT"}),
    case("a float for an Int", FIRST, {"n": 1.5}, status=400, codes={"BAD_USER_INPUT"}),
    case("an Int of 10^30", FIRST, {"n": 10**30}, status=400, codes={"BAD_USER_INPUT"}),
    case("an unknown enum value", "query($s: [LineStatus!]) { subscribers(filter: {statuses: $s}) { totalCount } }",
         {"s": ["DELETED"]}, status=400, codes={"BAD_USER_INPUT"}),
    case("an unknown input field", "query($f: SubscriberFilter) { subscribers(filter: $f) { totalCount } }",
         {"f": {"search": "a", "customer_id": 2}}, status=400, codes={"BAD_USER_INPUT"}),
    case("an object for a String", SEARCH, {"s": {"$ne": None}}, status=400, codes={"BAD_USER_INPUT"}),
    case("a month out of range as a variable", "query($m: Month!) { spendingAnomalies(month: $m) { month } }",
         {"m": "9999-12"}, status=400, codes={"BAD_USER_INPUT"}),
    case("an unused variable nested 900 deep", "{ viewer { login } }", {"x": json.loads("[" * 900 + "]" * 900)},
         codes=set(), expect={"viewer.login": "acme.admin"}),
    case("a number for an ID", NODE, {"id": 12345}, codes={"BAD_USER_INPUT"}, expect={"node": None}),
    case("first: 2^31 written in the document", "{ subscribers(first: 2147483648) { totalCount } }",
         status=400, codes=INVALID),
    case("first: -1", FIRST, {"n": -1}, codes={"BAD_USER_INPUT"}, expect={"subscribers": None}),
    case("first: 100,000", FIRST, {"n": 100_000}, codes={"BAD_USER_INPUT"}, expect={"subscribers": None}),
]  # fmt: skip

# Each of these was a 500 on PostgreSQL (a key past 32 bits, NUL, a moment out of range) or on both
# backends (months past 9999, NaN amounts) before the fixes that came with these tests.
IDS = [
    case("random base64 as an id", NODE, {"id": "bm90IGFuIGlk"}, codes={"BAD_USER_INPUT"}, expect={"node": None}),
    case("an id that is not base64", NODE, {"id": "!!!"}, codes={"BAD_USER_INPUT"}, expect={"node": None}),
    case("SQL inside an id", NODE, {"id": global_id("Subscriber", "1 OR 1=1")}, codes={"BAD_USER_INPUT"},
         expect={"node": None}),
    case("an id of the wrong type", "query($u: ID!) { subscribers(filter: {orgUnit: $u}) { totalCount } }",
         {"u": global_id("Invoice", 1)}, codes={"BAD_USER_INPUT"}, expect={"subscribers": None}),
    case("an id that names nothing", NODE, {"id": global_id("Subscriber", 999_999)}, codes={"NOT_FOUND"},
         expect={"node": None}),
    case("another company's unit", NODE, {"id": global_id("OrgUnit", 1)}, login=LOGINS["other_admin"],
         codes={"NOT_FOUND"}, expect={"node": None}),
    case("a key of 2^31", NODE, {"id": global_id("Subscriber", 2**31)}, codes={"BAD_USER_INPUT"},
         expect={"node": None}),
    case("a bulk operation key of 2^63", NODE, {"id": global_id("BulkOperation", 2**63)},
         codes={"BAD_USER_INPUT"}, expect={"node": None}),
    case("an audit target past 32 bits", "query($t: ID!) { auditLog(filter: {target: $t}) { nodes { action } } }",
         {"t": global_id("BulkOperation", 2**40)}, expect={"auditLog.nodes": []}),
    case("a NUL inside an id", NODE, {"id": global_id("Subscriber", "1\x00")}, codes={"BAD_USER_INPUT"},
         expect={"node": None}),
    case("an id of 100,000 characters", NODE, {"id": "A" * 100_000}, codes={"BAD_USER_INPUT"},
         expect={"node": None}),
    case("a cursor with a key past 32 bits", AFTER, {"c": cursor("subscribers.name", "a", 2**40)},
         codes={"BAD_USER_INPUT"}, expect={"subscribers": None}),
    case("a cursor holding a NUL", AFTER, {"c": cursor("subscribers.name", "a\x00", 1)},
         codes={"BAD_USER_INPUT"}, expect={"subscribers": None}),
    case("a usage cursor in year 1", "query($c: String) { subscribers(first: 1) { nodes { usage(after: $c) { "
         "totalCount } } } }", {"c": cursor("usage", "0001-01-01T00:00:00+14:00", 1)}, codes={"BAD_USER_INPUT"}),
]  # fmt: skip

VALUES = [
    case("a month in year 9999", '{ topSpenders(from: "9999-12", to: "9999-12") { lines { rank } } }',
         status=400, codes={"BAD_USER_INPUT"}),
    case("a month in year 1", '{ spendingAnomalies(month: "0001-01") { month } }', status=400,
         codes={"BAD_USER_INPUT"}),
    case("a moment in year 1", '{ auditLog(filter: {since: "0001-01-01T00:00:00+14:00"}) { nodes { action } } }',
         status=400, codes={"BAD_USER_INPUT"}),
    case("a moment in year 9999", '{ subscribers(first: 1) { nodes { usage(since: "9999-12-31T23:59:59-12:00") '
         '{ totalCount } } } }', status=400, codes={"BAD_USER_INPUT"}),
    case("NaN as an amount", '{ spendingAnomalies(month: "2026-01") { roamingSpikes(minimum: "NaN") { spent: '
         'current { amount } } } }', status=400, codes={"BAD_USER_INPUT"}),
    case("an amount of 1e999999", '{ spendingAnomalies(month: "2026-01") { roamingSpikes(minimum: "1e999999") '
         '{ current { amount } } } }', status=400, codes={"BAD_USER_INPUT"}),
    case("a CSV export for year 9999", method="GET", url="/reports/spending.csv",
         params={"from": "9999-12", "to": "9999-12"}, status=400, codes={"BAD_USER_INPUT"}),
]  # fmt: skip

FILTERS = [
    case("search: ' OR 1=1 --", SEARCH, {"s": "' OR 1=1 --"}, expect={"subscribers.totalCount": "literal"}),
    case("search: %", SEARCH, {"s": "%"}, expect={"subscribers.totalCount": "literal"}),
    case("search: _", SEARCH, {"s": "_"}, expect={"subscribers.totalCount": "literal"}),
    case("search: a backslash", SEARCH, {"s": "\\"}, expect={"subscribers.totalCount": "literal"}),
    case("search: JSON", SEARCH, {"s": '{"$ne": null}'}, expect={"subscribers.totalCount": "literal"}),
    case("search: unicode", SEARCH, {"s": "Ünïcödé 😀 \u202e"}, expect={"subscribers.totalCount": "literal"}),
    case("search: only punctuation", SEARCH, {"s": "-/.()"}, expect={"subscribers.totalCount": 0}),
    case("search: a lone combining accent", SEARCH, {"s": "\u0301"}, expect={"subscribers.totalCount": 0}),
    case("search: 200 digits", SEARCH, {"s": "0" * 200}, expect={"subscribers.totalCount": 0}),
    case("search: a plus and 199 digits", SEARCH, {"s": "+" + "9" * 199}, expect={"subscribers.totalCount": 0}),
    case("search: a lone surrogate", content=json.dumps({"query": SEARCH, "variables": {"s": "a\ud800"}}).encode(),
         status=400, codes={"BAD_REQUEST"}),
    case("search: a NUL", SEARCH, {"s": "a\x00b"}, codes={"BAD_USER_INPUT"}, expect={"subscribers": None}),
    case("search: 100,000 characters", SEARCH, {"s": "x" * 100_000}, codes={"BAD_USER_INPUT"},
         expect={"subscribers": None}),
    case("audit actor: ' OR 1=1 --", "{ auditLog(filter: {actor: \"' OR 1=1 --\"}) { nodes { action } } }",
         expect={"auditLog.nodes": []}),
    case("audit action: a NUL", "query($a: String) { auditLog(filter: {action: $a}) { nodes { action } } }",
         {"a": "\x00"}, codes={"BAD_USER_INPUT"}, expect={"auditLog": None}),
]  # fmt: skip

ALL = DOCUMENTS + BODIES + VARIABLES + IDS + VALUES + FILTERS


@pytest.fixture
async def app(world: World) -> AsyncIterator[httpx.AsyncClient]:
    application = create_app(make_settings(), sources=world.sources)
    transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://corpcare.test", timeout=60) as http:
        yield http


async def send(http: httpx.AsyncClient, hostile: Case) -> httpx.Response:
    headers = bearer(issue_token(make_settings(), hostile.login)) | ACCEPT
    url = hostile.url
    if hostile.method == "GET":
        return await http.get(url, params=hostile.params, headers=headers)
    if hostile.content is not None:
        headers["Content-Type"] = hostile.content_type
        return await http.request(hostile.method, url, content=hostile.content, headers=headers)
    return await http.request(hostile.method, url, json=hostile.json, headers=headers)


def sane(response: httpx.Response, hostile: Case) -> dict[str, Any]:
    """The answer, after the checks every hostile request must pass."""
    note = f"{hostile.id}: {response.status_code} {response.text[:300]!r}"
    assert response.status_code < 500, note
    assert response.headers["content-type"].startswith(("application/json", "application/graphql-response+json")), note
    body = response.json()
    assert isinstance(body, dict), note
    for error in body.get("errors") or ():
        assert (error.get("extensions") or {}).get("code") in CODES | HTTP_CODES, note
        assert not [fragment for fragment in LEAKY if fragment in error["message"]], note
    assert "Traceback" not in response.text and "sqlalchemy" not in response.text, note
    return body


def at(data: Any, path: str) -> Any:
    for part in path.split("."):
        data = data[part] if data is not None else None
    return data


async def literal_matches(world: World, text: str) -> int:
    """Acme's lines whose name (without case or accents) or number holds ``text`` as written (no
    wildcards), read with plain SQL."""
    async with world.engines.crm.connect() as conn:
        rows = (await conn.exec_driver_sql("select employee_name, msisdn from subscribers where customer_id = 1")).all()
    return sum(1 for name, msisdn in rows if unaccented(text) in unaccented(name) or text in msisdn)


def unaccented(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(ch))


@pytest.mark.parametrize("hostile", ALL)
async def test_a_hostile_request_gets_a_coded_answer_below_500(app, world, hostile):
    response = await send(app, hostile)
    body = sane(response, hostile)
    codes = {(e.get("extensions") or {}).get("code") for e in body.get("errors") or ()}
    assert (response.status_code, codes) == (hostile.status, set(hostile.codes)), response.text[:300]
    for path, wanted in hostile.expect.items():
        if wanted == "literal":
            wanted = await literal_matches(world, hostile.json["variables"]["s"])
        assert at(body.get("data"), path) == wanted, (path, body)
    assert sum(engine.sync_engine.pool.checkedout() for engine, _ in world.engines.pairs()) == 0


# (id, login, mutation, variables, codes of the errors, the input field its user error names)
SUSPEND = (
    "mutation($ids: [ID!]!, $k: String) { subscriberSuspend(input: {selection: {ids: $ids}, reason: OTHER, "
    "idempotencyKey: $k}) { failed results { outcome code } userErrors { field code } } }"
)
SEARCHED = (
    "mutation($s: String) { subscriberSuspend(input: {selection: {filter: {search: $s}}, reason: OTHER}) { "
    "userErrors { field code } } }"
)
CREATE = (
    "mutation($p: ID!, $n: String!, $c: String) { orgUnitCreate(input: {parent: $p, name: $n, costCentreCode: "
    "$c}) { orgUnit { id } userErrors { field code } } }"
)
INVITE = (
    "mutation($l: String!, $n: String!, $e: String) { portalUserInvite(input: {login: $l, name: $n, email: $e, "
    "role: ANALYST}) { user { id } userErrors { field code } } }"
)
LONG = "x" * 300
MUTATIONS = [
    ("an idempotency key of 300 characters", "customer_admin", SUSPEND, {"ids": ["LINE"], "k": LONG}, set(),
     ["idempotencyKey"]),
    ("an idempotency key holding a NUL", "customer_admin", SUSPEND, {"ids": ["LINE"], "k": "a\x00"}, set(),
     ["idempotencyKey"]),
    ("a selection searching for a NUL", "customer_admin", SEARCHED, {"s": "a\x00"}, set(), ["search"]),
    ("a line key past 32 bits", "customer_admin", SUSPEND, {"ids": [global_id("Subscriber", 2**40)]}, set(),
     ["selection"]),
    ("another company's line", "other_admin", SUSPEND, {"ids": ["LINE"]}, set(), None),
    ("a unit name of 300 characters", "customer_admin", CREATE, {"p": "UNIT", "n": LONG}, set(), ["name"]),
    ("a unit name holding a NUL", "customer_admin", CREATE, {"p": "UNIT", "n": "a\x00"}, set(), ["name"]),
    ("a cost-centre code of 40 characters", "customer_admin", CREATE, {"p": "UNIT", "n": "Ok", "c": "c" * 40},
     set(), ["costCentreCode"]),
    ("a login of 300 characters", "customer_admin", INVITE, {"l": LONG, "n": "Ok"}, set(), ["login"]),
    ("a name holding a NUL", "customer_admin", INVITE, {"l": "new.user", "n": "a\x00"}, set(), ["name"]),
    ("an e-mail of 300 characters", "customer_admin", INVITE, {"l": "new.user", "n": "Ok", "e": LONG}, set(),
     ["email"]),
    ("NaN as a budget", "customer_admin", 'mutation { orgUnitSetBudget(input: {orgUnit: "UNIT", monthlyBudget: '
     '"NaN"}) { userErrors { code } } }', None, {"BAD_USER_INPUT"}, None),
    ("Infinity as a spending limit", "customer_admin", 'mutation { subscriberPolicySet(input: {selection: {ids: '
     '["LINE"]}, policy: {monthlyLimit: "Infinity"}}) { userErrors { code } } }', None, {"BAD_USER_INPUT"}, None),
    ("a suspension by the analyst", "analyst", SUSPEND, {"ids": ["LINE"]}, {"FORBIDDEN"}, None),
]  # fmt: skip


async def test_hostile_mutations_are_refused_and_change_nothing(writable_world):
    world = writable_world
    rows = await read_rows(world)
    line = global_id("Subscriber", min(k for k, (customer, _) in rows.lines.items() if customer == 1))
    unit = global_id(
        "OrgUnit", await world.scalar("crm", "select id from org_units where name = 'Sales' and customer_id = 1")
    )
    before = await fingerprint(world, rows, customer=1)
    application = create_app(make_settings(), sources=world.sources)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=application), base_url="http://corpcare.test"
    ) as http:
        for label, role, mutation, variables, codes, field_at_fault in MUTATIONS:
            given = json.loads(json.dumps(variables).replace('"LINE"', f'"{line}"').replace('"UNIT"', f'"{unit}"'))
            hostile = Case(label, json={"query": mutation.replace("LINE", line).replace("UNIT", unit),
                                        "variables": given}, login=LOGINS[role])  # fmt: skip
            body = sane(await send(http, hostile), hostile)
            assert {e["extensions"]["code"] for e in body.get("errors") or ()} == codes, (label, body)
            if field_at_fault is not None:
                payload = next(iter(body["data"].values()))
                assert [e["field"] for e in payload["userErrors"]] == [field_at_fault], (label, payload)
            if role == "other_admin":
                payload = body["data"]["subscriberSuspend"]
                assert payload["failed"] == 1 and payload["results"][0]["code"] == "NOT_FOUND", payload
    assert await fingerprint(world, rows, customer=1) == before
    assert sum(engine.sync_engine.pool.checkedout() for engine, _ in world.engines.pairs()) == 0
