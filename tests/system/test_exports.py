"""CSV exports: the same figures as the GraphQL report, the same sign-in and scope, column names
for spreadsheets, and memory that stays flat as the rows grow."""

from __future__ import annotations

import csv
import io
import tracemalloc
from collections.abc import AsyncIterator
from decimal import Decimal

import httpx
import pytest

from core.values import add_months, month_start
from request.context import Context
from resolvers.spending_report import SpendingReportArgs
from server.app import create_app
from server.auth import issue_token
from server.exports.routes import csv_chunks
from server.exports.spending_rows import spending_csv
from tests.support import today
from tests.system.test_http import bearer, make_settings

REPORT = """query($input: SpendingReportInput!) { spendingReport(input: $input) {
  rowCount totals { total { amount } } } }"""


@pytest.fixture
async def client(world) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(make_settings(), sources=world.sources)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://corpcare.test") as http:
        yield http


def month(offset: int) -> str:
    return add_months(month_start(today()), offset).strftime("%Y-%m")


def parsed(response: httpx.Response) -> list[dict[str, str]]:
    assert response.text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(response.text[1:])))


async def test_the_csv_has_the_reports_rows_and_totals(client, world, finance):
    params = {"from": month(-3), "to": month(-1), "groupBy": "ORG_UNIT,MONTH", "unitDepth": "2"}
    response = await client.get(
        "/reports/spending.csv", params=params, headers=bearer(issue_token(make_settings(), finance))
    )
    assert response.status_code == 200 and response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == f'attachment; filename="spending-{month(-3)}-to-{month(-1)}.csv"'
    rows = parsed(response)
    assert list(rows[0]) == ["Month", "Org unit", "Org unit id", "Currency", "Total", "Company share", "Employee share",
                             "Lines with charges"]  # fmt: skip
    report = await world.data(
        finance,
        REPORT,
        {"input": {"from": month(-3), "to": month(-1), "groupBy": ["ORG_UNIT", "MONTH"], "unitDepth": 2}},
    )
    assert len(rows) == report["spendingReport"]["rowCount"]
    assert sum(Decimal(row["Total"]) for row in rows) == Decimal(
        report["spendingReport"]["totals"][0]["total"]["amount"]
    )
    assert all(row["Org unit"] for row in rows)


async def test_personal_columns_only_for_callers_who_may_read_personal_data(client, customer_admin, analyst):
    params = {"from": month(-1), "to": month(-1), "groupBy": "LINE"}
    admin = parsed(await client.get("/reports/spending.csv", params=params,
                                    headers=bearer(issue_token(make_settings(), customer_admin))))  # fmt: skip
    # Kept as text for spreadsheets: an apostrophe before the E.164 number (server/exports/cells.py).
    assert "Phone number" in admin[0] and admin[0]["Phone number"].startswith("'+")
    other = parsed(await client.get("/reports/spending.csv", params=params,
                                    headers=bearer(issue_token(make_settings(), analyst))))  # fmt: skip
    assert "Phone number" not in other[0] and "Employee" not in other[0] and len(other) == len(admin)


async def test_no_token_and_bad_input_are_refused_with_coded_errors(client, finance):
    refused = await client.get("/reports/spending.csv", params={"from": month(-1), "to": month(-1)})
    assert refused.status_code == 401 and refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    token = bearer(issue_token(make_settings(), finance))
    for params, field in (({"from": month(-1), "to": month(-1), "groupBy": "COLOUR"}, "groupBy"),
                          ({"from": "last year", "to": month(-1)}, None),
                          ({"from": month(-1), "to": month(-1), "unitDepth": "deep"}, "unitDepth"),
                          ({"to": month(-1)}, "from")):  # fmt: skip
        response = await client.get("/reports/spending.csv", params=params, headers=token)
        error = response.json()["errors"][0]
        assert response.status_code == 400 and error["extensions"]["code"] == "BAD_USER_INPUT", params
        if field:
            assert error["extensions"]["field"] == [field]


async def _export_peak(world, login: str, args: SpendingReportArgs) -> tuple[int, int, int]:
    """(rows, bytes, peak traced memory) of the CSV the endpoint would stream."""
    context = Context.of(await world.principal(login), world.sources, request_id="export-test")
    tracemalloc.start()
    try:
        header, rows = await spending_csv(context, args)
        size = count = 0
        async for chunk in csv_chunks(header, rows):
            size += len(chunk)
            count += chunk.count("\n")
        return count - 1, size, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


async def test_memory_stays_flat_from_ten_thousand_to_over_a_hundred_thousand_rows(bulk_world, finance):
    last = add_months(month_start(today()), -1)
    dims = ("line", "month", "category")
    small = await _export_peak(bulk_world, finance, SpendingReportArgs(last, last, ("line", "month")))
    large = await _export_peak(bulk_world, finance, SpendingReportArgs(add_months(last, -11), last, dims))
    print(f"CSV export: {small[0]:,} rows, {small[1]:,} bytes, peak {small[2]:,} B; "
          f"{large[0]:,} rows, {large[1]:,} bytes, peak {large[2]:,} B")  # fmt: skip
    assert large[0] >= 100_000 and large[0] >= 10 * small[0]
    # Flat: no more memory for ten times the rows, and less than the file itself (nothing buffered).
    assert large[2] < 2 * small[2] and large[2] < large[1]


async def test_every_report_has_a_csv_with_the_same_figures(client, world, customer_admin, finance):
    admin = bearer(issue_token(make_settings(), customer_admin))
    last, first = month(-1), month(-3)
    months = {"f": first, "t": last}
    cases = [
        ("budget", {"from": first, "to": month(0)}, {"f": first, "t": month(0)},
         "query($f: Month!, $t: Month!) { r: budgetReport(input: {from: $f, to: $t}) "
         "{ rows(first: 10000) { nodes { v: actual { amount } } } } }",
         lambda d: [r["v"]["amount"] for r in d["r"]["rows"]["nodes"]], "Actual"),
        ("top-spenders", {"from": first, "to": last, "first": "7"}, months,
         "query($f: Month!, $t: Month!) { r: topSpenders(from: $f, to: $t, first: 7) "
         "{ lines { v: total { amount } } } }",
         lambda d: [r["v"]["amount"] for r in d["r"]["lines"]], "Total"),
        ("usage", {"from": last, "to": last, "unitDepth": "2"}, {"f": last, "t": last},
         "query($f: Month!, $t: Month!) { r: usageReport(from: $f, to: $t, unitDepth: 2) "
         "{ rows(first: 10000) { nodes { quantity } } } }",
         lambda d: [r["quantity"] for r in d["r"]["rows"]["nodes"]], "Quantity"),
        ("savings", {"months": "2"}, {},
         "{ r: savingsFinder(months: 2) { lines { v: monthlySaving { amount } } } }",
         lambda d: [r["v"]["amount"] for r in d["r"]["lines"]], "Monthly saving"),
    ]  # fmt: skip
    for name, params, variables, document, values, column in cases:
        response = await client.get(f"/reports/{name}.csv", params=params, headers=admin)
        assert response.status_code == 200, (name, response.text)
        rows = parsed(response)
        expected = values(await world.data(customer_admin, document, variables))
        assert [row[column] for row in rows] == expected and expected, name
    spenders = parsed(await client.get("/reports/top-spenders.csv", params={"from": first, "to": last},
                                       headers=bearer(issue_token(make_settings(), finance))))  # fmt: skip
    assert "Phone number" not in spenders[0] and len(spenders) == 10


async def test_unknown_reports_and_missing_permissions_are_refused(client, aggregate_viewer):
    token = bearer(issue_token(make_settings(), aggregate_viewer))
    missing = await client.get("/reports/payroll.csv", headers=token)
    assert missing.status_code == 404 and missing.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    refused = await client.get("/reports/savings.csv", headers=token)
    assert refused.status_code == 403 and refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


ANOMALIES = """query($m: Month!) { r: spendingAnomalies(month: $m) {
  overLimit { line { id } spent { amount currency } limit { amount } limitAction }
  growth { line { id } current { amount currency } earlier { amount } growthPercent }
  roamingSpikes { line { id } current { amount currency } earlier { amount } growthPercent } } }"""


async def test_the_anomalies_csv_lists_what_spending_anomalies_answers(client, world, customer_admin, finance):
    answer = (await world.data(customer_admin, ANOMALIES, {"m": month(-1)}))["r"]
    expected = [
        ["OVER_LIMIT", month(-1), r["line"]["id"], r["spent"]["currency"], r["spent"]["amount"], r["limit"]["amount"],
         r["limitAction"], "", ""]
        for r in answer["overLimit"]
    ] + [
        [kind, month(-1), r["line"]["id"], r["current"]["currency"], r["current"]["amount"], "", "",
         r["earlier"]["amount"], r["growthPercent"] or ""]
        for kind, rows in (("GROWTH", answer["growth"]), ("ROAMING_SPIKE", answer["roamingSpikes"]))
        for r in rows
    ]  # fmt: skip
    assert answer["growth"], "the demo has lines that grew on the month before"
    response = await client.get(
        "/reports/anomalies.csv", params={"month": month(-1)}, headers=bearer(issue_token(make_settings(), finance))
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == f'attachment; filename="anomalies-{month(-1)}.csv"'
    rows = parsed(response)
    assert list(rows[0]) == ["Anomaly", "Month", "Line id", "Currency", "Spent", "Limit", "Limit action", "Earlier",
                             "Growth percent"]  # fmt: skip
    assert [list(row.values()) for row in rows] == expected  # finance sees the same lines, without personal data
    admin = bearer(issue_token(make_settings(), customer_admin))
    named = parsed(await client.get("/reports/anomalies.csv", params={"month": month(-1)}, headers=admin))
    assert [row["Line id"] for row in named] == [row[2] for row in expected]
    assert all(row["Phone number"].startswith("'+") for row in named)  # text, apostrophe first


async def test_the_anomalies_csv_needs_a_month_and_single_lines(client, finance, aggregate_viewer):
    missing = await client.get("/reports/anomalies.csv", headers=bearer(issue_token(make_settings(), finance)))
    assert missing.status_code == 400 and missing.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    # A number past GraphQL's Int range is refused as the field's argument would be, not sent to the database.
    for percent in ("2147483648", "9" * 30, "-2147483649"):
        huge = await client.get("/reports/anomalies.csv", params={"month": month(-1), "percent": percent},
                                headers=bearer(issue_token(make_settings(), finance)))  # fmt: skip
        assert huge.status_code == 400 and huge.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    token = bearer(issue_token(make_settings(), aggregate_viewer))
    refused = await client.get("/reports/anomalies.csv", params={"month": month(-1)}, headers=token)
    assert refused.status_code == 403 and refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
