"""The portal's subscriptions go over graphql-ws by hash alone (web/src/client.ts): on a
safelist-mode server a registered subscription runs by its hash over the socket, and an
unregistered text or an unknown hash is refused there as over HTTP."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from typing import Any

from websockets.asyncio.client import connect

from core.ids import to_global_id
from tests.waiting import PATIENCE, within

PROGRESS = "subscription Progress($id: ID!) { bulkOperationProgress(id: $id) { id status done } }\n"


async def first_answer(base: str, token: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The first message a subscribe gets back: its error, or its first update."""
    url = base.replace("http://", "ws://") + "/graphql"
    async with connect(url, subprotocols=["graphql-transport-ws"]) as socket:
        await socket.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
        assert json.loads(await within(socket.recv()))["type"] == "connection_ack"
        await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        return json.loads(await within(socket.recv()))


def by_hash(text: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": hashlib.sha256(text.encode()).hexdigest()}}


async def test_a_registered_subscription_runs_by_its_hash_over_the_socket_and_others_are_refused(portal, tmp_path):
    (tmp_path / "progress.graphql").write_text(PROGRESS)
    command = [sys.executable, "-c", "from server.cli import main; main()", "register-operations", str(tmp_path)]
    registered = subprocess.run(command, env=portal.env, capture_output=True, text=True, timeout=PATIENCE, check=False)
    assert registered.returncode == 0, registered.stderr
    token = portal.token("acme.admin")
    unknown_operation = {"id": to_global_id("BulkOperation", 999_999_999)}

    ran = await first_answer(portal.base, token, {"variables": unknown_operation, "extensions": by_hash(PROGRESS)})
    # It ran: the resolver found no such operation (not a refusal of the persisted-query layer).
    assert ran["type"] == "next", ran
    assert [e["extensions"]["code"] for e in ran["payload"]["errors"]] == ["NOT_FOUND"], ran
    # graphql-ws's own client sends a string as `query`: an empty one beside the hash is no text.
    empty = await first_answer(
        portal.base, token, {"query": "", "variables": unknown_operation, "extensions": by_hash(PROGRESS)}
    )
    assert [e["extensions"]["code"] for e in empty["payload"]["errors"]] == ["NOT_FOUND"], empty

    # graphql-ws (the portal's client) sends a string query in every subscribe: empty, it is the hash alone.
    empty = await first_answer(portal.base, token, {"query": "", "variables": unknown_operation,
                                                    "extensions": by_hash(PROGRESS)})  # fmt: skip
    assert empty["type"] == "next", empty
    assert [e["extensions"]["code"] for e in empty["payload"]["errors"]] == ["NOT_FOUND"], empty

    other = PROGRESS.replace("done", "total")
    refused = await first_answer(portal.base, token, {"query": other, "variables": unknown_operation})
    assert [e["extensions"]["code"] for e in refused["payload"]] == ["PERSISTED_QUERY_NOT_ALLOWED"], refused
    unknown = await first_answer(portal.base, token, {"variables": unknown_operation, "extensions": by_hash(other)})
    assert [e["extensions"]["code"] for e in unknown["payload"]] == ["PERSISTED_QUERY_NOT_IN_LIST"], unknown
    unknown = await first_answer(portal.base, token, {"query": "", "variables": unknown_operation,
                                                      "extensions": by_hash(other)})  # fmt: skip
    assert [e["extensions"]["code"] for e in unknown["payload"]] == ["PERSISTED_QUERY_NOT_IN_LIST"], unknown
