"""The development GraphiQL page: corpcare's own files under a strict CSP, driven in real
headless Chromium against a real server; and nothing of it in production."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.async_api import async_playwright, expect

from server import graphiql
from server.app import create_app
from server.auth import issue_token
from tests.support import IN_CI
from tests.system.test_http import bearer, make_settings
from tests.waiting import PATIENCE, eventually

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium reaches out to Google's services.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]  # fmt: skip
QUERY = "{ viewer { name role } }"
ASSETS = ("react.production.min.js", "react-dom.production.min.js", "graphiql.min.js", "graphiql.min.css",
          "corpcare-graphiql.js", "corpcare-graphiql.css")  # fmt: skip
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.DOTALL)
ATTRIBUTE_URL = re.compile(r"""\b(?:src|href)\s*=\s*["']([^"']*)["']""")


@pytest.fixture
def chromium() -> str:
    """Debian's Chromium; CI must have it, a developer's machine may skip."""
    if Path(CHROMIUM).is_file():
        return CHROMIUM
    message = f"{CHROMIUM} is missing (apt-get install --no-install-recommends chromium; .ci/run does)"
    if IN_CI:
        pytest.fail(f"{message}; CI requires it", pytrace=False)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[str]:
    """``corpcare serve`` in development on a small embedded demo; yields its base URL."""
    port = free_port()
    env = {
        **{name: value for name, value in os.environ.items() if not name.startswith("CORPCARE_")},
        "CORPCARE_ENV": "development",
        "CORPCARE_DATA_DIR": str(tmp_path / "data"),
        "CORPCARE_SEED_SUBSCRIBERS": "100",
        "CORPCARE_JWT_SECRET": make_settings().jwt_secret,
        "PYTHONPATH": str(Path(__file__).parents[2]),
    }
    command = [sys.executable, "-c", "from server.cli import main; main()", "serve", "--port", str(port)]
    log = tmp_path / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=output, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"

    async def healthy() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"the server exited: {log.read_text()}")
        try:
            return (await http.get("/healthz")).status_code == 200
        except httpx.TransportError:
            return False

    try:
        async with httpx.AsyncClient(base_url=base) as http:
            # Imports, migrations and seeding the demo can take over a minute on a loaded machine: the
            # time every other server the tests start is given (1,200 tries 50 ms apart gave about one).
            await eventually(healthy, "the server to start", seconds=3 * PATIENCE, every=0.05)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def test_graphiql_in_chromium_runs_a_query_with_a_bearer_token_using_only_corpcares_own_files(chromium, server):
    token = issue_token(make_settings(), "acme.admin")
    async with httpx.AsyncClient(base_url=server) as http:
        direct = (await http.post("/graphql", json={"query": QUERY}, headers=bearer(token))).json()
    assert direct["data"] == {"viewer": {"name": "Claudia Becker", "role": "CUSTOMER_ADMIN"}}

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page()
            page.set_default_timeout(30_000)
            requests, console, crashes = [], [], []
            page.on("request", lambda request: requests.append(request))
            page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
            page.on("pageerror", lambda error: crashes.append(str(error)))
            # Chrome logs CSP refusals to the console; the event also catches those it does not log.
            await page.add_init_script(
                "document.addEventListener('securitypolicyviolation', e =>"
                " console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`))"
            )

            opened = await page.goto(f"{server}/graphql")
            assert opened is not None and opened.status == 200
            assert opened.headers["content-security-policy"] == graphiql.CSP

            headers = page.locator(".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror")
            await headers.click()
            await page.keyboard.press("Control+A")
            await page.keyboard.insert_text(json.dumps({"Authorization": f"Bearer {token}"}))
            editor = page.locator(".graphiql-query-editor .CodeMirror")
            await editor.click()
            await page.keyboard.press("Control+A")
            await page.keyboard.insert_text(QUERY)
            await page.locator(".graphiql-execute-button").click()

            result = page.locator(".graphiql-response .CodeMirror-code")
            await expect(result).to_contain_text('"viewer"', timeout=30_000)
            # CodeMirror renders the indentation as no-break spaces.
            shown = json.loads((await result.inner_text()).replace("\xa0", " "))
        finally:
            await browser.close()

    assert shown["data"] == direct["data"]
    origin = urlsplit(server)[:2]
    assert [r.url for r in requests if urlsplit(r.url)[:2] != origin] == []
    loaded = {urlsplit(r.url).path for r in requests if r.method == "GET"}
    assert loaded == {"/graphql"} | {f"{graphiql.PREFIX}/{name}" for name in ASSETS}
    sent = [r for r in requests if r.method == "POST" and QUERY in (r.post_data or "")]
    assert len(sent) == 1 and urlsplit(sent[0].url).path == "/graphql"
    assert sent[0].headers["content-type"] == "application/json"
    assert sent[0].headers["authorization"] == f"Bearer {token}"
    assert sent[0].headers["x-corpcare-preflight"] == "1"
    assert [line for line in console if "Content Security Policy" in line or "CSP" in line] == []
    assert crashes == []


async def test_the_page_references_only_corpcares_own_files_served_under_the_csp():
    app = create_app(make_settings(env="development"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://corpcare.test") as http:
        page = await http.get("/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 200
        assert page.headers["content-security-policy"] == graphiql.CSP
        assert "://" not in page.text
        scripts = SCRIPT.findall(page.text)
        assert scripts and all(" src=" in tag and not body.strip() for tag, body in scripts), "an inline script"
        urls = ATTRIBUTE_URL.findall(page.text)
        assets = [url for url in urls if url != "data:,"]
        assert sorted(assets) == sorted(f"{graphiql.PREFIX}/{name}" for name in ASSETS), urls
        for url in assets:
            response = await http.get(url)
            assert response.status_code == 200, url
            assert response.headers["content-security-policy"] == graphiql.CSP
            assert response.headers["content-type"].split(";")[0] in {"text/javascript", "text/css"}


async def test_production_serves_neither_the_graphiql_page_nor_its_files():
    app = create_app(make_settings(env="production"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://corpcare.test") as http:
        page = await http.get("/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 401
        assert "graphiql" not in page.text.lower()
        for name in ASSETS:
            assert (await http.get(f"{graphiql.PREFIX}/{name}")).status_code == 404, name
