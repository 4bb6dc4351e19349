"""The spending and usage CSVs take the reports' structure: as billed by default, today's tree on
request, the same figures as the GraphQL report either way; without line:read, as billed only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import httpx
import pytest

from server.app import create_app
from server.auth import issue_token
from tests.api.reports.org_history import by_unit_and_month, closed_range, key_of, quantities, usage_by_unit
from tests.api.reports.test_history import reorganise
from tests.system.test_exports import parsed
from tests.system.test_http import bearer, make_settings


@pytest.fixture
async def client(writable_world) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(make_settings(), sources=writable_world.sources)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://corpcare.test") as http:
        yield http


async def _csv(client: httpx.AsyncClient, login: str, **extra: str) -> httpx.Response:
    first, last = closed_range()
    params = {"from": first, "to": last, "groupBy": "ORG_UNIT,MONTH", "unitDepth": "1", **extra}
    return await client.get("/reports/spending.csv", params=params, headers=bearer(issue_token(make_settings(), login)))


def _totals(response: httpx.Response) -> dict[tuple[int | None, str, str], Decimal]:
    assert response.status_code == 200, response.text
    # The remainder row of a caller without line:read names no unit.
    return {(key_of(row["Org unit id"] or None), row["Month"], "total"): Decimal(row["Total"])
            for row in parsed(response)}  # fmt: skip


async def test_the_csv_is_as_billed_by_default_and_follows_todays_tree_when_asked(
    client, writable_world, customer_admin
):
    world = writable_world
    first, last = closed_range()
    before = _totals(await _csv(client, customer_admin))
    await reorganise(world, customer_admin)
    as_billed = _totals(await _csv(client, customer_admin))
    assert as_billed == before == _totals(await _csv(client, customer_admin, structure="AS_BILLED"))
    current = _totals(await _csv(client, customer_admin, structure="current"))
    assert current != as_billed
    report = await by_unit_and_month(world, customer_admin, first, last, 1, "CURRENT")
    assert current == {key: amount for key, amount in report.items() if key[2] == "total"}

    refused = await _csv(client, customer_admin, structure="AS_PLANNED")
    error = refused.json()["errors"][0]
    assert refused.status_code == 400 and error["extensions"] == {"code": "BAD_USER_INPUT", "field": ["structure"]}


async def test_the_aggregate_viewers_csv_keeps_its_closed_months_as_billed_and_may_not_ask_todays_tree(
    client, writable_world, customer_admin, aggregate_viewer
):
    first, last = closed_range()
    response = await _csv(client, aggregate_viewer)
    report = await by_unit_and_month(writable_world, aggregate_viewer, first, last, 1)
    assert _totals(response) == {key: amount for key, amount in report.items() if key[2] == "total"}
    before = parsed(response)
    await reorganise(writable_world, customer_admin)
    assert parsed(await _csv(client, aggregate_viewer)) == before
    refused = await _csv(client, aggregate_viewer, structure="CURRENT")
    error = refused.json()["errors"][0]
    assert refused.status_code == 403 and error["extensions"] == {"code": "FORBIDDEN", "field": ["structure"]}


async def _usage_csv(client: httpx.AsyncClient, login: str, **extra: str) -> httpx.Response:
    first, last = closed_range()
    params = {"from": first, "to": last, "unitDepth": "1", **extra}
    return await client.get("/reports/usage.csv", params=params, headers=bearer(issue_token(make_settings(), login)))


def _quantities(response: httpx.Response) -> dict[tuple[int | None, str, str], Decimal]:
    assert response.status_code == 200, response.text
    return {(key_of(row["Org unit id"] or None), row["Month"], row["Kind"].upper()): Decimal(row["Quantity"])
            for row in parsed(response)}  # fmt: skip


async def test_the_usage_csv_is_as_billed_by_default_and_follows_todays_tree_when_asked(
    client, writable_world, customer_admin
):
    first, last = closed_range()
    before = _quantities(await _usage_csv(client, customer_admin))
    assert before == quantities(await usage_by_unit(writable_world, customer_admin, first, last, 1))
    await reorganise(writable_world, customer_admin)
    as_billed = _quantities(await _usage_csv(client, customer_admin))
    assert as_billed == before == _quantities(await _usage_csv(client, customer_admin, structure="AS_BILLED"))
    current = _quantities(await _usage_csv(client, customer_admin, structure="CURRENT"))
    assert current != as_billed
    assert current == quantities(await usage_by_unit(writable_world, customer_admin, first, last, 1, "CURRENT"))

    refused = await _usage_csv(client, customer_admin, structure="AS_PLANNED")
    error = refused.json()["errors"][0]
    assert refused.status_code == 400 and error["extensions"] == {"code": "BAD_USER_INPUT", "field": ["structure"]}


async def test_the_aggregate_viewers_usage_csv_keeps_its_closed_months_as_billed_and_may_not_ask_todays_tree(
    client, writable_world, customer_admin, aggregate_viewer
):
    first, last = closed_range()
    response = await _usage_csv(client, aggregate_viewer)
    assert _quantities(response) == quantities(await usage_by_unit(writable_world, aggregate_viewer, first, last, 1))
    before = parsed(response)
    assert before
    await reorganise(writable_world, customer_admin)
    assert parsed(await _usage_csv(client, aggregate_viewer)) == before
    refused = await _usage_csv(client, aggregate_viewer, structure="CURRENT")
    error = refused.json()["errors"][0]
    assert refused.status_code == 403 and error["extensions"] == {"code": "FORBIDDEN", "field": ["structure"]}
