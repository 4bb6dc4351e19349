"""Signing in as Chromium sees it: every sign-in rotates the session's cookie; a form another site
posts, and a request without the CSRF header, are refused; no page of the portal can be framed;
after sign-out the old cookie is worth nothing."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, expect

from server.sessions import DEVELOPMENT_COOKIE
from tests.system.portal.conftest import Portal
from tests.system.portal.test_browser import SIGN_IN
from tests.system.test_graphiql_browser import free_port

PREFLIGHT = {"X-Corpcare-Preflight": "1"}


@pytest.fixture
async def context(browser: Browser) -> AsyncIterator[BrowserContext]:
    made = await browser.new_context()
    try:
        yield made
    finally:
        await made.close()


@contextlib.contextmanager
def other_site(page: str) -> Iterator[str]:
    """Another site (``localhost`` on another port: another origin and, to the cookie, another
    site than ``127.0.0.1``) serving one page; its URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = page.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://localhost:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


async def signed_in(context: BrowserContext, base: str, login: str) -> str:
    """Sign in on the development page as a person would; the session cookie's value."""
    page = await context.new_page()
    await page.goto(f"{base}/auth/sign-in")
    await page.locator(f'button[name="login"][value="{login}"]').click()
    await expect(page).to_have_url(f"{base}/")
    await page.close()
    [cookie] = [c for c in await context.cookies(base) if c["name"] == DEVELOPMENT_COOKIE]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    return cookie["value"]


async def who(portal: Portal, secret: str) -> int | str:
    """Whom the API takes a request with this cookie for (the portal's own ``Shell`` operation: the
    server runs registered operations only): the login, or the refusal's status."""
    shell = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": portal.operations()["Shell"]}}}
    async with httpx.AsyncClient(base_url=portal.base, cookies={DEVELOPMENT_COOKIE: secret}) as http:
        answer = await http.post("/graphql", json=shell, headers=PREFLIGHT)
    return answer.json()["data"]["viewer"]["login"] if answer.status_code == 200 else answer.status_code


async def test_every_sign_in_rotates_the_session_and_the_old_one_ends(portal, context):
    first = await signed_in(context, portal.base, "acme.admin")
    second = await signed_in(context, portal.base, "acme.finance")
    assert second != first
    assert await who(portal, second) == "acme.finance"
    assert await who(portal, first) == 401


async def test_a_script_cannot_read_the_session_cookie(portal, context):
    await signed_in(context, portal.base, "acme.admin")
    page = await context.new_page()
    await page.goto(f"{portal.base}/")
    assert DEVELOPMENT_COOKIE not in await page.evaluate("document.cookie")


async def test_another_sites_form_and_a_request_without_the_csrf_header_are_refused(portal, context):
    secret = await signed_in(context, portal.base, "acme.admin")
    # text/plain makes the body JSON: {"query":"mutation …","x":"="}
    mutation = 'mutation { orgUnitDelete(input: {id: \\"x\\"}) { userErrors { code } } }'
    attack = f"""<!doctype html><form method="post" action="{portal.base}/graphql" enctype="text/plain">
      <input name='{{"query":"{mutation}","x":"' value='"}}'><button>win a phone</button></form>"""
    page = await context.new_page()
    with other_site(attack) as url:
        await page.goto(url)
        async with page.expect_navigation() as landed:
            await page.locator("button").click()
    refused = await landed.value
    assert refused is not None and refused.status == 400
    assert "X-Corpcare-Preflight" in await page.content()

    # The portal's own page, signed in, sending JSON without the header: refused too.
    await page.goto(f"{portal.base}/")
    status = await page.evaluate("""async () => (await fetch('/graphql', {method: 'POST',
        credentials: 'same-origin', headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({query: '{ viewer { login } }'})})).status""")
    assert status == 403
    assert await who(portal, secret) == "acme.admin"  # nothing of this ended or changed the session


async def test_no_page_of_the_portal_can_be_framed(portal, context):
    await signed_in(context, portal.base, "acme.admin")
    framing = f'<!doctype html><iframe src="{portal.base}/" width="800" height="600"></iframe>'
    page = await context.new_page()
    blocked: list[str] = []
    page.on("console", lambda message: blocked.append(message.text))
    with other_site(framing) as url:
        async with page.expect_response(f"{portal.base}/") as framed:
            await page.goto(url)
        answer = await framed.value
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
        assert answer.headers["x-frame-options"] == "DENY"
        frame = page.frames[-1]
        await frame.wait_for_load_state()
        # Chromium shows its own error page in the frame instead of the portal.
        assert frame.url == "chrome-error://chromewebdata/"
        assert await frame.locator("#root").count() == 0


async def test_after_signing_out_the_old_cookie_is_worth_nothing(portal, context):
    secret = await signed_in(context, portal.base, "acme.admin")
    page = await context.new_page()
    await page.goto(f"{portal.base}/")
    await page.get_by_role("button", name="Sign out").click()
    await expect(page).to_have_url(SIGN_IN)
    assert await who(portal, secret) == 401
    await page.goto(f"{portal.base}/")  # the browser's own cookie is gone too: off to sign in
    await expect(page).to_have_url(SIGN_IN)
