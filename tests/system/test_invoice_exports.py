"""Invoices as CSV: the invoice history and one invoice's lines, with the figures GraphQL answers
the same caller, the same permission (invoice:read) and the same company scope."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator

import httpx
import pytest

from core.ids import to_global_id
from server.app import create_app
from server.auth import issue_token
from server.exports.columns import COLUMNS
from tests.system.test_http import bearer, make_settings

HISTORY = """{ customer { billingAccounts { id name number invoices(first: 100) {
  nodes { id number period issuedOn dueOn status total { amount currency } companyShare { amount }
  employeeShare { amount } } } } } }"""
LINES = """query($id: ID!) { node(id: $id) { ... on Invoice { bySubscriber(first: 1000) {
  totalCount nodes { subscriber { id msisdn employeeName } total { amount currency } companyShare { amount }
  employeeShare { amount } } } } } }"""
FINANCE_LINES = """query($id: ID!) { node(id: $id) { ... on Invoice { bySubscriber(first: 1000) {
  nodes { subscriber { id } total { amount } } } } } }"""


@pytest.fixture
async def client(world) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(make_settings(), sources=world.sources)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://corpcare.test") as http:
        yield http


def token(login: str) -> dict[str, str]:
    return bearer(issue_token(make_settings(), login))


def parsed(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.text.removeprefix("\ufeff"))))


def code(response: httpx.Response) -> str:
    return response.json()["errors"][0]["extensions"]["code"]


async def history(world, login: str) -> list[dict]:
    accounts = (await world.data(login, HISTORY))["customer"]["billingAccounts"]
    return [dict(invoice, account=account) for account in accounts for invoice in account["invoices"]["nodes"]]


async def test_the_invoice_history_csv_has_the_invoices_graphql_answers(client, world, finance):
    expected = await history(world, finance)
    rows = parsed(await client.get("/reports/invoices.csv", headers=token(finance)))
    assert expected and len(rows) == len(expected)
    assert [
        (r["Invoice id"], r["Invoice number"], r["Billing account"], r["Period"], r["Issued on"], r["Due on"],
         r["Status"], r["Currency"], r["Total"], r["Company share"], r["Employee share"])
        for r in rows
    ] == [
        (i["id"], i["number"], i["account"]["name"], i["period"], i["issuedOn"], i["dueOn"], i["status"],
         i["total"]["currency"], i["total"]["amount"], i["companyShare"]["amount"], i["employeeShare"]["amount"])
        for i in expected
    ]  # fmt: skip
    assert set(rows[0]) <= set(COLUMNS["invoices"])


async def test_one_accounts_invoices_when_the_account_is_named(client, world, finance):
    expected = await history(world, finance)
    account = expected[0]["account"]
    rows = parsed(
        await client.get("/reports/invoices.csv", params={"billingAccount": account["id"]}, headers=token(finance))
    )
    assert [r["Invoice id"] for r in rows] == [i["id"] for i in expected if i["account"]["id"] == account["id"]]


async def test_an_invoices_lines_csv_has_the_lines_graphql_answers(client, world, finance, customer_admin):
    invoice = (await history(world, finance))[0]
    response = await client.get("/reports/invoice-lines.csv", params={"invoice": invoice["id"]},
                                headers=token(customer_admin))  # fmt: skip
    assert response.headers["content-disposition"].startswith('attachment; filename="invoice-')
    rows = parsed(response)
    answer = (await world.data(customer_admin, LINES, {"id": invoice["id"]}))["node"]["bySubscriber"]
    assert len(rows) == answer["totalCount"] == len(answer["nodes"]) > 0
    assert [(r["Line id"], r["Phone number"].removeprefix("'"), r["Employee"], r["Total"], r["Company share"],
             r["Employee share"]) for r in rows] == [
        (n["subscriber"]["id"], n["subscriber"]["msisdn"], n["subscriber"]["employeeName"], n["total"]["amount"],
         n["companyShare"]["amount"], n["employeeShare"]["amount"]) for n in answer["nodes"]
    ]  # fmt: skip
    # Finance reads no personal data: the same lines, without number and name.
    theirs = parsed(await client.get("/reports/invoice-lines.csv", params={"invoice": invoice["id"]},
                                     headers=token(finance)))  # fmt: skip
    assert "Phone number" not in theirs[0] and "Employee" not in theirs[0]
    same = (await world.data(finance, FINANCE_LINES, {"id": invoice["id"]}))["node"]["bySubscriber"]["nodes"]
    assert [(r["Line id"], r["Total"]) for r in theirs] == [(n["subscriber"]["id"], n["total"]["amount"]) for n in same]


async def test_a_caller_without_invoice_read_is_refused(client, world, finance, unit_admin, employee):
    invoice = (await history(world, finance))[0]
    for login in (unit_admin, employee):
        for path, params in (("invoices", {}), ("invoice-lines", {"invoice": invoice["id"]})):
            response = await client.get(f"/reports/{path}.csv", params=params, headers=token(login))
            assert response.status_code == 403 and code(response) == "FORBIDDEN", (login, path)


async def test_another_companys_invoice_and_account_are_not_found(client, world, finance, other_admin):
    invoice = (await history(world, finance))[0]
    lines = await client.get("/reports/invoice-lines.csv", params={"invoice": invoice["id"]},
                             headers=token(other_admin))  # fmt: skip
    assert lines.status_code == 404 and code(lines) == "NOT_FOUND"
    account = await client.get("/reports/invoices.csv", params={"billingAccount": invoice["account"]["id"]},
                               headers=token(other_admin))  # fmt: skip
    assert account.status_code == 404 and code(account) == "NOT_FOUND"
    # Their own history holds none of this company's invoices.
    own = parsed(await client.get("/reports/invoices.csv", headers=token(other_admin)))
    assert invoice["id"] not in {r["Invoice id"] for r in own}
    missing = await client.get("/reports/invoice-lines.csv", params={"invoice": to_global_id("Invoice", 10**8)},
                               headers=token(finance))  # fmt: skip
    assert missing.status_code == 404 and code(missing) == "NOT_FOUND"


async def test_an_invoices_lines_need_the_invoice_named(client, finance):
    response = await client.get("/reports/invoice-lines.csv", headers=token(finance))
    assert response.status_code == 400 and code(response) == "BAD_USER_INPUT"
