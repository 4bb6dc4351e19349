"""What each kind of caller can and cannot read. Denials are asserted before successes."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

from sqlalchemy import insert

from sources.state.models import AuditRecord
from tests.support import World, nothing

LINES = "{ subscribers(first: 2000) { totalCount nodes { id status orgUnit { id } } } }"
PERSONAL = "{ subscribers(first: 5) { nodes { msisdn employeeName email iccid imsi } } }"
NODE = "query($id: ID!) { node(id: $id) { id ... on Subscriber { status } ... on OrgUnit { name } } }"


def codes(result) -> list[str]:
    return [error.extensions["code"] for error in result.errors or []]


async def unit_id(world: World, name: str) -> str:
    data = await world.data("acme.admin", "{ customer { orgRoot { children { id name } } } }")
    return next(u["id"] for u in data["customer"]["orgRoot"]["children"] if u["name"] == name)


async def line_ids_under(world: World, unit: str) -> list[str]:
    data = await world.data(
        "acme.admin", "query($u: ID!) { subscribers(first: 2000, filter: {orgUnit: $u}) { nodes { id } } }", {"u": unit}
    )
    return [node["id"] for node in data["subscribers"]["nodes"]]


def forged(type_name: str, key: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{key}".encode()).decode().rstrip("=")


# customer admin --------------------------------------------------------------------


async def test_customer_admin_sees_every_line_of_the_company_and_no_other(world, customer_admin):
    expected = await world.scalar("crm", "select count(*) from subscribers where customer_id = 1")
    data = await world.data(customer_admin, LINES)
    assert data["subscribers"]["totalCount"] == expected == len(data["subscribers"]["nodes"])


async def test_customer_admin_reads_personal_data_and_invoices(world, customer_admin):
    data = await world.data(customer_admin, PERSONAL)
    assert all(node["msisdn"].startswith("+") and node["iccid"] for node in data["subscribers"]["nodes"])
    data = await world.data(
        customer_admin, "{ customer { billingAccounts { number invoices(first: 2) { nodes { number } } } } }"
    )
    assert data["customer"]["billingAccounts"] and data["customer"]["billingAccounts"][0]["invoices"]["nodes"]


# unit admin ------------------------------------------------------------------------


async def test_unit_admin_cannot_read_a_line_outside_its_subtree(world, unit_admin):
    outside = (await line_ids_under(world, await unit_id(world, "Operations")))[0]
    result = await world.run(unit_admin, NODE, {"id": outside})
    assert result.data == {"node": None}
    assert codes(result) == ["NOT_FOUND"]
    missing = await world.run(unit_admin, NODE, {"id": forged("Subscriber", 999_999)})
    # The same answer as for an id that does not exist: existence is not revealed.
    assert missing.data == result.data and codes(missing) == codes(result)
    assert result.errors[0].message.replace(outside, "X") == missing.errors[0].message.replace(
        forged("Subscriber", 999_999), "X"
    )


async def test_unit_admin_cannot_list_or_open_units_outside_its_subtree(world, unit_admin):
    operations = await unit_id(world, "Operations")
    listed = await world.run(
        unit_admin, "query($u: ID!) { subscribers(filter: {orgUnit: $u}) { nodes { id } } }", {"u": operations}
    )
    assert codes(listed) == ["NOT_FOUND"] and nothing(listed)
    opened = await world.run(unit_admin, NODE, {"id": operations})
    assert opened.data == {"node": None} and codes(opened) == ["NOT_FOUND"]
    tree = await world.data(unit_admin, "{ customer { orgRoot { id } } }")
    assert tree["customer"]["orgRoot"] is None


async def test_unit_admin_sees_exactly_the_lines_of_its_subtree(world, unit_admin):
    sales = await unit_id(world, "Sales")
    expected = set(await line_ids_under(world, sales))
    data = await world.data(unit_admin, LINES)
    assert {node["id"] for node in data["subscribers"]["nodes"]} == expected
    counted = await world.data(unit_admin, "{ customer { subscriberCount } }")
    assert counted["customer"]["subscriberCount"] == len(expected)
    assert data["subscribers"]["totalCount"] == len(expected)
    scope = await world.data(unit_admin, "{ viewer { scope { wholeCompany units { id name parent { id } } } } }")
    assert scope["viewer"]["scope"]["wholeCompany"] is False
    # The parent of the granted unit is outside the scope: null, without an error.
    assert scope["viewer"]["scope"]["units"] == [{"id": sales, "name": "Sales", "parent": None}]


async def test_unit_admin_aggregates_count_only_its_subtree(world, unit_admin, customer_admin):
    sales = await unit_id(world, "Sales")
    query = """query($u: ID!) { customer { spending { total { amount } } }
        node(id: $u) { ... on OrgUnit { spending { total { amount } } subscriberCount } } }"""
    scoped = await world.data(unit_admin, query, {"u": sales})
    whole = await world.data(customer_admin, query, {"u": sales})
    # The unit admin's company total is the total of its subtree.
    assert scoped["customer"]["spending"]["total"] == whole["node"]["spending"]["total"]
    assert scoped["node"] == whole["node"]


async def test_unit_admin_has_no_invoices(world, unit_admin):
    result = await world.run(unit_admin, "{ customer { name billingAccounts { number } } }")
    assert set(codes(result)) == {"FORBIDDEN"} and result.data["customer"]["billingAccounts"] is None
    assert result.data["customer"]["name"] and [e.path for e in result.errors] == [["customer", "billingAccounts"]]


# finance and analyst ------------------------------------------------------------------


async def test_finance_cannot_read_personal_data_and_no_sql_runs_for_it(world, finance):
    listed = await world.data(finance, "{ subscribers(first: 5) { nodes { id } } }")
    without = world.counter.count
    result = await world.run(finance, PERSONAL)
    personal = ["email", "employeeName", "iccid", "imsi", "msisdn"]
    assert result.data == {"subscribers": {"nodes": [dict.fromkeys(personal)] * len(listed["subscribers"]["nodes"])}}
    assert sorted((error.path[2], error.path[3], error.extensions["field"]) for error in result.errors) == sorted(
        (index, name, f"Subscriber.{name}") for index in range(5) for name in personal
    )
    assert set(codes(result)) == {"FORBIDDEN"}
    assert world.counter.count == without  # the list's statements, none for the personal data


async def test_finance_reads_spending_budgets_and_invoices(world, finance):
    data = await world.data(
        finance,
        """{ customer { spending { total { amount } }
             orgRoot { monthlyBudget { amount } children { monthlyBudget { amount } } }
             billingAccounts { invoices(first: 1) { nodes { total { amount } } } } } }""",
    )
    assert data["customer"]["billingAccounts"][0]["invoices"]["nodes"][0]["total"]["amount"]


async def test_analyst_cannot_read_itemised_usage_or_search_by_name(world, analyst):
    usage = await world.run(analyst, "{ subscribers(first: 1) { nodes { usage { nodes { kind } } } } }")
    assert codes(usage) == ["FORBIDDEN"]
    search = await world.run(analyst, '{ subscribers(filter: {search: "a"}) { nodes { id } } }')
    assert codes(search) == ["FORBIDDEN"]
    ordered = await world.run(analyst, "{ subscribers(orderBy: {field: NAME}) { nodes { id } } }")
    assert codes(ordered) == ["FORBIDDEN"]
    data = await world.data(
        analyst, "{ subscribers(first: 3) { nodes { status activatedOn tariffPlan { name } bundles { used } } } }"
    )
    dates = [node["activatedOn"] for node in data["subscribers"]["nodes"]]
    assert dates == sorted(dates)


# employee --------------------------------------------------------------------------


async def test_employee_sees_only_their_own_line(world, employee):
    other = (await line_ids_under(world, await unit_id(world, "Sales")))[0]
    result = await world.run(
        employee, "query($id: ID!) { node(id: $id) { id ... on Subscriber { status } } }", {"id": other}
    )
    assert result.data == {"node": None} and codes(result) == ["NOT_FOUND"]
    tree = await world.run(employee, "{ customer { orgRoot { name } } }")
    assert set(codes(tree)) == {"FORBIDDEN"}
    data = await world.data(
        employee,
        """{ viewer { scope { line { id employeeName usage(first: 5) { nodes { kind amount { amount } } } } } }
             subscribers { totalCount nodes { id } } }""",
    )
    own = data["viewer"]["scope"]["line"]
    assert data["subscribers"] == {"totalCount": 1, "nodes": [{"id": own["id"]}]}
    assert own["usage"]["nodes"]


# operator support and the other company ----------------------------------------------


async def test_support_must_name_the_customer_and_sees_every_company(world, support):
    unnamed = await world.run(support, "{ customer { name } }")
    assert codes(unnamed) == ["BAD_USER_INPUT"]
    everyone = await world.scalar("crm", "select count(*) from subscribers")
    data = await world.data(support, "{ subscribers(first: 1) { totalCount } }")
    assert data["subscribers"]["totalCount"] == everyone
    named = await world.data(support, "query($c: ID!) { customer(id: $c) { name } }", {"c": forged("Customer", 2)})
    assert named["customer"]["name"] == "Borealis Energy"


async def test_support_finds_companies_by_part_of_their_name_or_code_and_others_may_not_look(
    world, support, customer_admin
):
    query = "query($s: String!, $n: Int! = 20) { customers(search: $s, first: $n) { id code name } }"
    every = await world.data(support, query, {"s": ""})
    stored = await world.rows("crm", "select id, code, name from customers order by name, id")
    assert [(c["code"], c["name"]) for c in every["customers"]] == [(code, name) for _, code, name in stored][:20]
    found = await world.data(support, query, {"s": "bOREAL"})
    assert [c["name"] for c in found["customers"]] == ["Borealis Energy"]
    assert found["customers"][0]["id"] == forged("Customer", 2)
    by_code = await world.data(support, query, {"s": stored[0][1].lower()})
    assert stored[0][2] in [c["name"] for c in by_code["customers"]]
    # LIKE's own characters are text to look for, not patterns.
    assert (await world.data(support, query, {"s": "%"}))["customers"] == []
    assert (await world.data(support, query, {"s": "_"}))["customers"] == []
    assert len((await world.data(support, query, {"s": "", "n": 1}))["customers"]) == 1
    for bad in ({"s": "", "n": 0}, {"s": "", "n": 51}, {"s": "x" * 201}):
        refused = await world.run(support, query, bad)
        assert codes(refused) == ["BAD_USER_INPUT"] and refused.data == {"customers": None}
    # A company's own people have their company, not a search of the operator's.
    denied = await world.run(customer_admin, query, {"s": ""})
    assert codes(denied) == ["FORBIDDEN"] and denied.data == {"customers": None}


async def test_support_narrows_portal_users_and_the_audit_log_to_one_company(writable_world, support, customer_admin):
    world = writable_world
    users = "query($c: ID) { portalUsers(customer: $c) { login } }"
    audit = "query($c: ID) { auditLog(first: 500, filter: {customer: $c}) { totalCount nodes { login } } }"
    acme, borealis = forged("Customer", 1), forged("Customer", 2)
    stored = await world.rows("crm", "select customer_id, login from portal_users where customer_id is not null")
    logins = {customer: sorted(login for c, login in stored if c == customer) for customer in (1, 2)}
    everyone = sorted(u["login"] for u in (await world.data(support, users, {"c": None}))["portalUsers"])
    assert everyone == sorted(logins[1] + logins[2] + [login for c, login in stored if c not in (1, 2)])
    for customer, key in ((acme, 1), (borealis, 2)):
        named = (await world.data(support, users, {"c": customer}))["portalUsers"]
        assert sorted(u["login"] for u in named) == logins[key]
    # A change recorded for each company (the demo's audit log starts empty).
    async with world.engines.state.begin() as conn:
        for key in (1, 2, 1):
            await conn.execute(insert(AuditRecord).values(
                at=datetime.now(UTC), request_id=f"r{key}", user_id=None, login="someone", role="customer_admin",
                customer_id=key, action="orgUnitUpdate", outcome="allowed", detail={}))  # fmt: skip
    counted = {}
    for customer, key in ((acme, 1), (borealis, 2)):
        counted[key] = (await world.data(support, audit, {"c": customer}))["auditLog"]["totalCount"]
        stored_count = await world.scalar("state", "select count(*) from audit_log where customer_id = :c", c=key)
        assert counted[key] == stored_count > 0
    everything = (await world.data(support, audit, {"c": None}))["auditLog"]["totalCount"]
    assert everything >= counted[1] + counted[2]
    # A company's admin may name its own company, and no other.
    own = (await world.data(customer_admin, users, {"c": acme}))["portalUsers"]
    assert sorted(u["login"] for u in own) == logins[1]
    for query in (users, audit):
        other = await world.run(customer_admin, query, {"c": borealis})
        assert codes(other) == ["NOT_FOUND"]


async def test_another_companys_admin_sees_nothing_of_this_one(world, other_admin):
    acme_line = (await line_ids_under(world, await unit_id(world, "Sales")))[0]
    for global_id in (acme_line, forged("Customer", 1), await unit_id(world, "Sales")):
        result = await world.run(other_admin, NODE, {"id": global_id})
        assert result.data == {"node": None} and codes(result) == ["NOT_FOUND"]
    foreign = await world.run(
        other_admin,
        "query($c: ID!) { subscribers(filter: {customer: $c}) { nodes { id } } }",
        {"c": forged("Customer", 1)},
    )
    assert codes(foreign) == ["NOT_FOUND"]
    own = await world.scalar("crm", "select count(*) from subscribers where customer_id = 2")
    data = await world.data(other_admin, "{ customer { name } subscribers(first: 2000) { totalCount } }")
    assert data["customer"]["name"] == "Borealis Energy" and data["subscribers"]["totalCount"] == own


# ids -------------------------------------------------------------------------------


async def test_malformed_or_tampered_ids_are_bad_input_not_errors(world, customer_admin):
    bad_ids = (
        "garbage!",
        forged("Subscriber", 1)[:-2] + "@@",
        forged("Nope", 1),
        base64.urlsafe_b64encode(b"Subscriber:1x").decode(),
        base64.urlsafe_b64encode(b"Subscriber:-1").decode(),
    )
    for bad in bad_ids:
        result = await world.run(customer_admin, NODE, {"id": bad})
        assert codes(result) == ["BAD_USER_INPUT"], bad
    wrong_kind = await world.run(
        customer_admin,
        "query($u: ID!) { subscribers(filter: {orgUnit: $u}) { nodes { id } } }",
        {"u": forged("Subscriber", 1)},
    )
    assert codes(wrong_kind) == ["BAD_USER_INPUT"]


async def test_nodes_answers_each_id_on_its_own(world, unit_admin):
    inside = (await line_ids_under(world, await unit_id(world, "Sales")))[0]
    outside = (await line_ids_under(world, await unit_id(world, "Operations")))[0]
    result = await world.run(
        unit_admin, "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": [inside, outside, "bad"]}
    )
    assert result.data == {"nodes": [{"id": inside}, None, None]}
    assert sorted(codes(result)) == ["BAD_USER_INPUT", "NOT_FOUND"]


async def test_every_read_by_operator_support_is_audited(world, support, customer_admin):
    # Every entry so far: the tests run before this one on the shared world may have read as support
    # more than ``recent``'s usual 50 times.
    everything = 100_000
    before = len(await world.sources.audit.recent(support, limit=everything))
    query = "query($c: ID!) { customer(id: $c) { name } }"
    await world.data(support, query, {"c": forged("Customer", 2)})
    failed = await world.run(support, "{ customer { name } }")  # audited even when it fails
    assert codes(failed) == ["BAD_USER_INPUT"]
    entries = await world.sources.audit.recent(support, limit=everything)
    assert len(entries) == before + 2
    latest, previous = entries[0], entries[1]
    assert (previous.action, previous.outcome, previous.role) == ("graphql.read", "allowed", "support")
    assert previous.detail == {"query": query, "variables": {"c": forged("Customer", 2)}}
    assert latest.detail["query"] == "{ customer { name } }" and latest.request_id != previous.request_id
    # Other tests' writes on the shared world may have audited the admin: only this read must not.
    admin_before = await world.sources.audit.recent(customer_admin)
    await world.data(customer_admin, "{ viewer { login } }")
    assert await world.sources.audit.recent(customer_admin) == admin_before
