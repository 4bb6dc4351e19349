"""An answer's read transaction (its moment, ``sources/moment.py``) ends once the answer is sent:
the client does not wait for the ``ROLLBACK``, the request's admission turn is free by then (a
client sending its next request on the answer is not refused for a turn still held), and the
connection is back in the pool when the request is done."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import event
from starlette.types import Message, Receive, Scope, Send

from server.app import create_app
from server.auth import issue_token
from tests.system.test_http import bearer, make_settings
from tests.system.test_observability import urls_of

BUNDLES = {"query": "{ subscribers(first: 3) { nodes { id bundles { kind used } } } }"}


async def test_an_answers_read_transaction_ends_after_the_answer_is_sent(world):
    settings = make_settings(bulk_worker=False, **urls_of(world))
    app = create_app(settings)
    order: list[str] = []
    turns_held: list[int] = []

    async def watched(scope: Scope, receive: Receive, send: Send) -> None:
        async def sending(message: Message) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                order.append("answer sent")

        await app(scope, receive, sending)

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith(("BEGIN", "ROLLBACK")):
            order.append(statement.split()[0])
        if statement.startswith("ROLLBACK"):
            turns_held.append(app.state.admission.running)

    async with app.router.lifespan_context(app):
        [billing] = [backend for backend in app.state.sources.backends() if backend.name == "billing"]
        engine = billing.engine.sync_engine
        event.listen(engine, "before_cursor_execute", seen)
        try:
            transport = httpx.ASGITransport(app=watched)
            async with httpx.AsyncClient(transport=transport, base_url="http://corpcare.test") as http:
                http.headers.update(bearer(issue_token(settings, "acme.admin")))
                response = await http.post("/graphql", json=BUNDLES)
        finally:
            event.remove(engine, "before_cursor_execute", seen)

        assert response.status_code == 200 and "errors" not in response.json(), response.text[:300]
        assert order == ["BEGIN", "answer sent", "ROLLBACK"]
        assert turns_held == [0]  # the turn went back with the answer, before the ROLLBACK
        assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
