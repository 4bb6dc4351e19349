"""Subscriptions in a real browser (Debian's headless Chromium, driven by Playwright) against a
real ``corpcare serve``: a page subscribes with the reference client ``graphql-ws``, and the
development GraphiQL runs a subscription from its own editor."""

from __future__ import annotations

import functools
import json
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page, WebSocket, async_playwright, expect

from core.ids import to_global_id
from tests.system.clients.conftest import CLIENTS
from tests.system.clients.test_graphql_ws import feeding_server
from tests.system.test_graphiql_browser import CHROMIUM_ARGS, chromium  # noqa: F401 (fixture)
from tests.system.test_live_usage import BALANCES, line_of
from tests.system.test_subscriptions import token

GRAPHQL_WS = CLIENTS / "node_modules" / "graphql-ws" / "umd" / "graphql-ws.min.js"
# In the page: subscribe, take `take` values, then complete the subscription and close; what
# the client saw, and how it failed if it did.
SUBSCRIBE = """async ({ url, token, query, variables, take }) => {
  const client = graphqlWs.createClient({ url, connectionParams: { Authorization: `Bearer ${token}` },
                                          retryAttempts: 0 });
  const values = [];
  const failure = await new Promise((resolve) => {
    const unsubscribe = client.subscribe({ query, variables }, {
      next: (value) => { values.push(value); if (values.length === take) { unsubscribe(); resolve(null); } },
      error: (error) => resolve(error instanceof CloseEvent ? `closed ${error.code}`
                                : error instanceof Event ? `socket ${error.type}` : JSON.stringify(error)),
      complete: () => resolve(null),
    });
  });
  await client.dispose();
  return { values, failure };
}"""


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[int]:
    """A front end's own web server (another origin than the API's): a blank page that loads
    graphql-ws's browser build. Yields its port."""
    site = tmp_path / "portal"
    site.mkdir()
    (site / "index.html").write_text('<!doctype html><title>portal</title><script src="graphql-ws.min.js"></script>')
    shutil.copy(GRAPHQL_WS, site / GRAPHQL_WS.name)

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        serving.join()
        server.server_close()


def watch_frames(page: Page, frames: list[Any]) -> None:
    """Every WebSocket frame the page receives, as the browser handed it over (text or bytes)."""

    def opened(socket: WebSocket) -> None:
        socket.on("framereceived", lambda payload: frames.append(payload))

    page.on("websocket", opened)


async def test_a_page_subscribes_with_graphql_ws_in_chromium_and_graphiql_runs_a_subscription(
    chromium,  # noqa: F811
    node,
    portal,
    writable_world,
    servers,
    tmp_path,
):
    world = writable_world
    line = to_global_id("Subscriber", await line_of(world, "acme.employee"))
    # The portal's origin is listed; the same page under another name (localhost) is another origin.
    listed, unlisted = f"http://127.0.0.1:{portal}", f"http://localhost:{portal}"
    process, base, url = await feeding_server(world, tmp_path, development=True, origins=[listed])
    servers.append(process)
    plan = {"url": url, "token": token("acme.admin"), "query": BALANCES, "variables": {"line": line}, "take": 2}

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            crashes: list[str] = []
            frames: list[Any] = []
            outcomes = []
            for origin in (unlisted, listed):
                page = await browser.new_page()
                page.set_default_timeout(60_000)
                page.on("pageerror", lambda error: crashes.append(str(error)))
                watch_frames(page, frames)
                await page.goto(f"{origin}/index.html")
                outcomes.append(await page.evaluate(SUBSCRIBE, plan))
            graphiql = await browser.new_page()
            graphiql.set_default_timeout(60_000)
            graphiql.on("pageerror", lambda error: crashes.append(str(error)))
            shown = await subscribed_in_graphiql(graphiql, base, plan["token"], line)
        finally:
            await browser.close()

    refused, served = outcomes
    # Browsers send the page's origin with the handshake: one CORS does not list is refused (403).
    assert refused["values"] == [] and refused["failure"] in {"socket error", "closed 1006"}, refused
    log = "".join(path.read_text() for path in tmp_path.glob("server-*.log"))
    assert f"Rejected WebSocket connection from origin {unlisted!r}" in log
    assert served["failure"] is None and len(served["values"]) == 2, served
    assert all("errors" not in value for value in served["values"]), served
    used = [sum(b["used"] for b in value["data"]["bundleUpdates"]) for value in served["values"]]
    # The second is sent when usage arrives on the line; usage no bundle counts leaves `used` as it was.
    assert used[0] <= used[1]
    # Every frame the browser got was text: a binary one reaches the page as a Blob.
    assert frames and all(isinstance(frame, str) for frame in frames), [f for f in frames if not isinstance(f, str)]
    assert '"bundleUpdates"' in shown and '"kind"' in shown and '"used"' in shown, shown
    assert '"errors"' not in shown, shown
    assert crashes == []


async def subscribed_in_graphiql(page: Page, base: str, credential: str, line: str) -> str:
    """What GraphiQL's response pane shows once a subscription typed into its editor has an event."""
    opened = await page.goto(f"{base}/graphql")
    assert opened is not None and opened.status == 200
    headers = page.locator(".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror")
    await headers.click()
    await page.keyboard.press("Control+A")
    await page.keyboard.insert_text(json.dumps({"Authorization": f"Bearer {credential}"}))
    editor = page.locator(".graphiql-query-editor .CodeMirror")
    await editor.click()
    await page.keyboard.press("Control+A")
    subscription = f'subscription {{ bundleUpdates(subscriber: "{line}") {{ kind used }} }}'
    await page.keyboard.insert_text(subscription)
    # GraphiQL parses the editor's text a moment after a change (then keeps it in localStorage);
    # run before that and it sends the new text with the old document's kind, over HTTP.
    await page.wait_for_function("text => localStorage.getItem('graphiql:query') === text", arg=subscription)
    await page.locator(".graphiql-execute-button").click()
    result = page.locator(".graphiql-response .CodeMirror-code")
    await expect(result).to_contain_text('"bundleUpdates"', timeout=60_000)
    # The pane is rewritten as events arrive (and CodeMirror draws only what is in view): its text.
    return await result.inner_text()
