"""Issue 13, finding 6, by the other door: a CSV export computes what its report computes, so it
is charged to the caller's cost allowances by that work and the rows it writes, before anything is
read (server/exports/cost.py)."""

from __future__ import annotations

from dataclasses import replace

import httpx

from core.values import add_months, month_start
from infra.cache import InProcessCache
from infra.throttle import InProcessThrottle
from server.app import create_app
from server.auth import issue_token
from tests.support import today
from tests.system.test_http import bearer, make_settings

# 36 months by line, month and category: priced as 75 lines give up to 16,200 rows, about 20,000
# points (the demo has charges in fewer months and categories: about 1,600 rows come back).
HEAVY = {"groupBy": "LINE,MONTH,CATEGORY"}


def month(offset: int) -> str:
    return add_months(month_start(today()), offset).strftime("%Y-%m")


async def test_a_repeated_heavy_export_is_refused_by_the_allowance_before_billing_is_read(world, analyst):
    # An allowance smaller than one such export: the first needs it full and empties it.
    settings = make_settings(cost_allowances={"ANALYST": {"maximum": 5_000, "restore_rate": 1}})
    sources = replace(world.sources, cache=InProcessCache(), throttle=InProcessThrottle())
    app = create_app(settings, sources=sources)
    params = {"from": month(-36), "to": month(-1), **HEAVY}
    token = bearer(issue_token(settings, analyst))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://corpcare.test") as http:
        first = await http.get("/reports/spending.csv", params=params, headers=token)
        world.counter.reset()
        again = await http.get("/reports/spending.csv", params=params, headers=token)
    assert first.status_code == 200 and len(first.text.splitlines()) > 1_000
    assert again.status_code == 429, again.text
    error = again.json()["errors"][0]
    assert error["extensions"]["code"] == "RATE_LIMITED" and error["extensions"]["budget"] == "principal"
    assert int(again.headers["retry-after"]) >= 1
    assert [s for s in world.counter.statements if "daily_charges" in s] == []


async def test_a_light_export_is_charged_little_and_runs_again(world, analyst):
    settings = make_settings(cost_allowances={"ANALYST": {"maximum": 5_000, "restore_rate": 1}})
    sources = replace(world.sources, cache=InProcessCache(), throttle=InProcessThrottle())
    app = create_app(settings, sources=sources)
    params = {"from": month(-3), "to": month(-1), "groupBy": "ORG_UNIT,MONTH"}
    token = bearer(issue_token(settings, analyst))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://corpcare.test") as http:
        answers = [await http.get("/reports/spending.csv", params=params, headers=token) for _ in range(5)]
    assert [answer.status_code for answer in answers] == [200] * 5
