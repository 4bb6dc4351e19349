"""CSV exports keep to the minimum group size too (issue 13, finding 3): a caller without line:read
gets no row of fewer than five lines, the smaller groups in a named remainder row, and the
figures add up to the report's totals."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import httpx
import pytest

from server.app import create_app
from server.auth import issue_token
from tests.system.test_exports import month, parsed
from tests.system.test_http import bearer, make_settings

K = 5
TOTALS = """query($input: SpendingReportInput!) { spendingReport(input: $input) { totals { total { amount } } } }"""


@pytest.fixture
async def client(world) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(make_settings(), sources=world.sources)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://corpcare.test") as http:
        yield http


async def test_the_aggregate_viewers_spending_csv_has_no_group_of_fewer_than_five_lines(
    client, world, aggregate_viewer
):
    params = {"from": month(-3), "to": month(-1), "groupBy": "ORG_UNIT,MONTH,CATEGORY", "unitDepth": "3"}
    response = await client.get(
        "/reports/spending.csv", params=params, headers=bearer(issue_token(make_settings(), aggregate_viewer))
    )
    assert response.status_code == 200, response.text
    rows = parsed(response)
    assert rows and [row for row in rows if int(row["Lines with charges"]) < K] == []
    remainders = [row for row in rows if row["Org unit"] == "(smaller groups)"]
    assert remainders and all(row["Org unit id"] == "" and row["Charge category"] == "" for row in remainders)
    asked = {"from": month(-3), "to": month(-1), "groupBy": ["ORG_UNIT", "MONTH", "CATEGORY"], "unitDepth": 3}
    totals = (await world.data(aggregate_viewer, TOTALS, {"input": asked}))["spendingReport"]["totals"]
    assert sum(Decimal(row["Total"]) for row in rows) == Decimal(totals[0]["total"]["amount"])


async def test_the_aggregate_viewers_usage_csv_has_no_unit_of_fewer_than_five_lines(client, aggregate_viewer):
    params = {"from": month(-3), "to": month(-1), "unitDepth": "3"}
    response = await client.get(
        "/reports/usage.csv", params=params, headers=bearer(issue_token(make_settings(), aggregate_viewer))
    )
    assert response.status_code == 200, response.text
    rows = parsed(response)
    assert rows and [row for row in rows if int(row["Lines"]) < K] == []
    assert [row for row in rows if row["Org unit"] == "(smaller groups)"]


async def test_the_minimum_group_size_is_the_servers_setting(world, aggregate_viewer):
    settings = make_settings().model_copy(update={"min_group_size": 8})
    app = create_app(settings, sources=world.sources)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://corpcare.test") as http:
        params = {"from": month(-3), "to": month(-1), "groupBy": "ORG_UNIT,MONTH", "unitDepth": "2"}
        response = await http.get(
            "/reports/spending.csv", params=params, headers=bearer(issue_token(settings, aggregate_viewer))
        )
        rows = parsed(response)
        assert rows and min(int(row["Lines with charges"]) for row in rows) >= 8
        document = (
            "query($f: Month!, $t: Month!) { usageReport(from: $f, to: $t, unitDepth: 3) "
            "{ rows(first: 10000) { nodes { lines } } } }"
        )
        query = {"query": document, "variables": {"f": month(-3), "t": month(-1)}}
        answer = await http.post("/graphql", json=query, headers=bearer(issue_token(settings, aggregate_viewer)))
        lines = [row["lines"] for row in answer.json()["data"]["usageReport"]["rows"]["nodes"]]
        assert lines and min(lines) >= 8
