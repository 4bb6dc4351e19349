"""A finished request leaves nothing large behind: once its response is sent, its answer, its
loaders (and their caches) and its decoded body are unreachable, though timers it started (its
own time limit, each statement's) stay scheduled, cancelled, for up to 30 s and hold the context
they were started in. Held for those 10 to 300 s, every answer of a busy worker stayed resident.

The app is served by uvicorn over a real socket of this process (each request its own task, as
in production), and what is still reachable is found with the garbage collector, not timed."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import httpx
from graphql import ExecutionResult
from starlette.routing import Route
from strawberry.types.execution import ExecutionContext

from loaders import Loaders, SourceLoader
from server.app import create_app
from server.auth import issue_token
from tests.system.test_admission import served
from tests.system.test_http import bearer, make_settings
from tests.waiting import PATIENCE

# Large enough to be worth keeping an eye on: every line of the company, each with its unit and plan.
LINES = """query MemoryProbe($first: Int!) {
  subscribers(first: $first) { nodes { id status orgUnit { name } tariffPlan { code monthlyFee { amount } } } }
}"""
REQUESTS = 5


def _decoded_bodies(sent: dict[str, Any]) -> list[Any]:
    found = (o for o in gc.get_objects() if type(o) is dict and o.get("operationName") == "MemoryProbe")
    return [o for o in found if o is not sent]


KINDS = {"answers": ExecutionResult, "operations": ExecutionContext, "loader sets": Loaders, "loaders": SourceLoader}


def _alive(kind: type[Any]) -> list[Any]:
    return [o for o in gc.get_objects() if isinstance(o, kind)]


def already_alive() -> list[Any]:
    """What the process held before the requests (other tests' worlds, a failed test's traceback
    kept by pytest): held here, so their ids are not reused, and not counted as leftovers."""
    gc.collect()
    return [o for kind in KINDS.values() for o in _alive(kind)]


def leftovers(sent: dict[str, Any], before: list[Any]) -> dict[str, int]:
    """What of the finished requests the collector still finds reachable, by kind."""
    gc.collect()
    old = {id(o) for o in before}
    found = {name: sum(1 for o in _alive(kind) if id(o) not in old) for name, kind in KINDS.items()}
    found["decoded bodies"] = len(_decoded_bodies(sent))
    return {kind: count for kind, count in found.items() if count}


async def test_nothing_of_a_finished_request_stays_reachable_while_its_timers_are_pending(world, customer_admin):
    app = create_app(make_settings(), sources=world.sources)
    body = {"query": LINES, "operationName": "MemoryProbe", "variables": {"first": 300}}
    token = bearer(issue_token(make_settings(), customer_admin))
    before = already_alive()
    async with served(app) as base:
        async with httpx.AsyncClient(base_url=base, timeout=PATIENCE) as http:
            for _ in range(REQUESTS):
                response = await http.post("/graphql", json=body, headers=token)
                assert response.status_code == 200 and "errors" not in response.json(), response.text
                assert len(response.json()["data"]["subscribers"]["nodes"]) >= 50
        del response
        # Still serving: the requests' cancelled timers are in the loop's schedule.
        assert leftovers(body, before) == {}


async def test_a_requests_loaders_hold_nothing_once_its_response_is_sent(world, customer_admin, monkeypatch):
    # Anything that outlives the request and names its context (a task it started, a socket's
    # context) must not keep the rows its loaders cached.
    app = create_app(make_settings(), sources=world.sources)
    endpoint = next(route.app for route in app.routes if isinstance(route, Route) and route.path == "/graphql")
    contexts: list[Any] = []
    made: Callable[..., Any] = endpoint.get_context

    async def kept(*args: Any, **kwargs: Any) -> Any:
        contexts.append(await made(*args, **kwargs))
        return contexts[-1]

    monkeypatch.setattr(endpoint, "get_context", kept)
    body = {"query": LINES, "operationName": "MemoryProbe", "variables": {"first": 300}}
    token = bearer(issue_token(make_settings(), customer_admin))
    async with served(app) as base, httpx.AsyncClient(base_url=base, timeout=PATIENCE) as http:
        response = await http.post("/graphql", json=body, headers=token)
        assert response.status_code == 200 and "errors" not in response.json(), response.text
    [context] = contexts
    gc.collect()
    assert _alive(SourceLoader) == []
    assert context.loaders.get  # the context itself still works: a late reader gets fresh loaders


def test_a_serving_worker_does_not_load_the_migrations():
    # Migrations run before the workers start (the supervisor, `corpcare migrate`); Alembic and
    # the revisions would stay resident in every worker for nothing.
    probe = (
        "import sys; from server.asgi import app; app(); "
        "print(sorted(m for m in sys.modules if m == 'alembic' or m.startswith(('alembic.', 'sources.state.migrat'))))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
