"""CSV exports are safe to open in a spreadsheet and show no more than GraphQL (issue 13,
findings 4 and 5): cells a spreadsheet would run are written as text, phone numbers stay text,
and every column obeys the same field rules as GraphQL, with the same rows in view."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator

import httpx
import pytest

from core.values import add_months, month_start
from server.app import create_app
from server.auth import issue_token
from server.exports.cells import safe_cell
from server.exports.columns import COLUMNS
from tests.api.access.test_access import unit_id
from tests.support import World, today
from tests.system.test_http import bearer, make_settings

EVIL = '=HYPERLINK("http://evil.example","x")'
RENAME = """mutation($input: OrgUnitUpdateInput!) { orgUnitUpdate(input: $input) { userErrors { code } } }"""


def month(offset: int) -> str:
    return add_months(month_start(today()), offset).strftime("%Y-%m")


def cells(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    return list(csv.DictReader(io.StringIO(response.text.removeprefix("\ufeff"))))


@pytest.fixture
async def renamed(writable_world: World) -> AsyncIterator[tuple[World, httpx.AsyncClient]]:
    """A fresh demo in which an org:write holder has named the Sales division as a formula."""
    world = writable_world
    sales = await unit_id(world, "Sales")
    answer = await world.data("acme.admin", RENAME, {"input": {"orgUnit": sales, "name": EVIL}})
    assert answer["orgUnitUpdate"]["userErrors"] == []
    app = create_app(make_settings(), sources=world.sources)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://corpcare.test") as http:
        yield world, http


def runnable(cell: str) -> bool:
    """Whether a spreadsheet would run the cell as a formula (a plain number is not one)."""
    try:
        float(cell)
        return False
    except ValueError:
        return cell[:1] in ("\t", "\r") or cell.lstrip(" \t\r\n")[:1] in ("=", "+", "-", "@")


async def test_a_unit_named_as_a_formula_is_text_in_every_export_another_role_downloads(renamed):
    _world, http = renamed
    exports = [
        ("spending", {"from": month(-1), "to": month(-1), "groupBy": "ORG_UNIT"}, "acme.finance"),
        ("budget", {"from": month(-1), "to": month(0)}, "acme.finance"),
        ("usage", {"from": month(-1), "to": month(-1)}, "acme.analyst"),
    ]
    for report, params, login in exports:
        response = await http.get(f"/reports/{report}.csv", params=params,
                                  headers=bearer(issue_token(make_settings(), login)))  # fmt: skip
        rows = cells(response)
        assert "'" + EVIL in {row["Org unit"] for row in rows}, report
        assert not [cell for row in rows for cell in row.values() if runnable(cell)], report
        # In the file itself: quoted, the apostrophe first.
        assert '"\'=HYPERLINK(""http://evil.example"",""x"")"' in response.text, report


async def test_phone_numbers_are_written_as_text(world, customer_admin):
    app = create_app(make_settings(), sources=world.sources)
    token = bearer(issue_token(make_settings(), customer_admin))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://corpcare.test") as http:
        by_line = cells(await http.get("/reports/spending.csv", params={"from": month(-1), "to": month(-1),
                                                                        "groupBy": "LINE"}, headers=token))  # fmt: skip
        spenders = cells(await http.get("/reports/top-spenders.csv", params={"from": month(-1), "to": month(-1)},
                                        headers=token))  # fmt: skip
    numbers = {row["Phone number"] for row in by_line + spenders}
    assert numbers and all(n.startswith("'+") and n[2:].isdigit() for n in numbers), sorted(numbers)[:3]
    # Amounts stay numbers, even negative ones, so that they still add up.
    assert all(not row["Total"].startswith("'") for row in by_line)


async def test_an_employees_exports_show_no_unit_graphql_would_not_show(world, employee):
    app = create_app(make_settings(), sources=world.sources)
    token = bearer(issue_token(make_settings(), employee))
    last = month(-1)
    report = f'usageReport(from: "{last}", to: "{last}")'
    graphql = await world.run(employee, f"{{ {report} {{ rows {{ nodes {{ orgUnit {{ id }} }} }} }} }}")
    assert {row["orgUnit"] for row in graphql.data["usageReport"]["rows"]["nodes"]} == {None}
    # A unit's name is org:read, which an employee lacks; with no unit to name, nothing is refused.
    named = await world.run(employee, f"{{ {report} {{ rows {{ nodes {{ orgUnit {{ name }} }} }} }} }}")
    assert named.errors is None and {row["orgUnit"] for row in named.data["usageReport"]["rows"]["nodes"]} == {None}
    months = {"from": last, "to": last}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://corpcare.test") as http:
        usage = cells(await http.get("/reports/usage.csv", params=months, headers=token))
        spending = cells(
            await http.get("/reports/spending.csv", params=months | {"groupBy": "ORG_UNIT"}, headers=token)
        )
    for rows in (usage, spending):
        assert rows and "Org unit" not in rows[0]  # OrgUnit.name needs org:read
        assert {row["Org unit id"] for row in rows} == {""}  # the unit is out of the employee's view


async def test_every_column_each_export_writes_has_a_field_rule(world, customer_admin):
    app = create_app(make_settings(), sources=world.sources)
    token = bearer(issue_token(make_settings(), customer_admin))
    dimensions = "ORG_UNIT,COST_CENTRE,LINE,MONTH,CATEGORY,TARIFF_PLAN,SERVICE"
    every = {"from": month(-1), "to": month(-1), "groupBy": dimensions}
    params = {"spending": every, "budget": every, "top-spenders": every, "usage": every, "savings": {},
              "anomalies": {"month": month(-1)}}  # fmt: skip
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://corpcare.test") as http:
        for report, given in params.items():
            response = await http.get(f"/reports/{report}.csv", params=given, headers=token)
            header = next(csv.reader(io.StringIO(response.text.removeprefix("\ufeff"))))
            assert header and set(header) <= set(COLUMNS[report]), (report, set(header) - set(COLUMNS[report]))


@pytest.mark.parametrize(
    ("cell", "text", "written"),
    [
        (EVIL, False, "'" + EVIL),
        ("+1+cmd|' /C calc'!A0", False, "'+1+cmd|' /C calc'!A0"),
        ("-2+3", False, "'-2+3"),
        ("@SUM(A1:A9)", False, "'@SUM(A1:A9)"),
        ("  =1+1", False, "'  =1+1"),
        ("\t=1+1", False, "'\t=1+1"),
        ("\r=1+1", False, "'\r=1+1"),
        ("\uff1d1+1", False, "'\uff1d1+1"),
        ("-12.50", False, "-12.50"),
        ("12", False, "12"),
        ("Sales", False, "Sales"),
        ("CC-10", False, "CC-10"),
        ("", False, ""),
        ("+4915112345678", True, "'+4915112345678"),
        ("8949000000000000001", True, "'8949000000000000001"),
        ("0042", True, "'0042"),
        ("CC-10", True, "CC-10"),
    ],
)
def test_a_cell_is_written_so_that_no_spreadsheet_runs_or_reshapes_it(cell, text, written):
    assert safe_cell(cell, text=text) == written
