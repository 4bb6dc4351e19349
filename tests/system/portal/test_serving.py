"""How ``corpcare serve`` serves the portal: index.html for its screens under the strict CSP and
never in a frame, hashed assets kept for a year, nothing else under /assets/, the manifest not
served but registered, so a safelist-mode server runs the portal's operations and no others."""

from __future__ import annotations

import re
import sqlite3

import httpx
import pytest

from server import portal as served
from server.portal import DIST
from server.portal.manifest import MANIFEST, read_manifest
from server.portal.preload import read_build_manifest
from tests.system.test_http import bearer

ROOT = DIST.parents[2]
BUILD = read_build_manifest(DIST)
ASSETS = sorted(path.name for path in (DIST / "assets").iterdir())
# Each screen's path, a line's global id in place of its parameter.
SCREEN_PATHS = [path.replace("{id}", "U3Vic2NyaWJlcjoxNw") for path in served.SCREENS]


@pytest.fixture
async def http(portal):
    async with httpx.AsyncClient(base_url=portal.base) as client:
        yield client


def preloaded(page: str, rel: str) -> list[str]:
    return re.findall(rf'<link rel="{rel}" crossorigin href="/assets/([^"]+)">', page)


@pytest.mark.parametrize(("path", "module"), list(zip(SCREEN_PATHS, served.SCREENS.values(), strict=True)))
async def test_each_screen_is_index_html_naming_its_own_chunks_under_the_strict_csp(http, path, module):
    response = await http.get(path)
    assert response.status_code == 200
    page = response.text
    # The built page, with links to the screen's chunks added at the end of its head.
    built = (DIST / "index.html").read_text()
    head, _, body = built.partition("</head>")
    assert page.startswith(head) and page.endswith("</head>" + body)
    own = BUILD[module]["file"].removeprefix("assets/")
    scripts = preloaded(page.removeprefix(head), "modulepreload")
    assert scripts[0] == own and len(set(scripts)) == len(scripts) and set(scripts) <= set(ASSETS)
    assert not set(scripts) & set(preloaded(built, "modulepreload")), "the shell's own are in the page already"
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-security-policy"] == served.CSP
    assert "frame-ancestors 'none'" in served.CSP and "unsafe-inline" not in served.CSP
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-cache"


def test_the_servers_screens_are_the_routers_with_the_modules_it_loads():
    source = (ROOT / "web" / "src" / "screens.ts").read_text()
    loaded = dict(re.findall(r'const (\w+) = lazyScreen\(\(\) => import\("\./([^"]+)"\)\)', source))
    routed = re.findall(r'\{ path: "([^"]+)",.*component: (\w+) \}', source)
    assert routed, "screens.ts lists no screen in the shape this test reads"
    expected = {path.replace(":id", "{id}"): f"src/{loaded[component]}.tsx" for path, component in routed}
    assert expected == served.SCREENS


async def test_index_html_names_only_the_hashed_assets_and_no_inline_script(http):
    page = (await http.get("/")).text
    named = [name for name in ASSETS if f'"/assets/{name}"' in page]
    # The rest are chunks loaded later (a screen, its charts): each named by a script the page
    # loads, or by a chunk such a script loads in turn.
    reached, scripts = set(named), [name for name in named if name.endswith(".js")]
    while scripts:
        text = (DIST / "assets" / scripts.pop()).read_text()
        for name in ASSETS:
            if name not in reached and name in text:
                reached.add(name)
                if name.endswith(".js"):
                    scripts.append(name)
    assert named and reached == set(ASSETS), set(ASSETS) - reached
    assert "<script>" not in page and '<script type="module">' not in page


@pytest.mark.parametrize("name", ASSETS)
async def test_hashed_assets_are_kept_for_a_year(http, name):
    response = await http.get(f"/assets/{name}")
    assert response.status_code == 200
    assert response.content == (DIST / "assets" / name).read_bytes()
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize("path", ["/assets/index-00000000.js", "/assets/", "/assets/../index.html",
                                  "/persisted-documents.json", "/index.html", "/nowhere", "/dashboard/x",
                                  "/lines/17/usage", "/me/17", "/line/17"])  # fmt: skip
async def test_what_is_not_a_screen_or_an_asset_is_not_found(http, path):
    response = await http.get(path)
    assert response.status_code == 404
    assert b'<div id="root">' not in response.content


@pytest.mark.parametrize("path", ["/graphql", "/healthz", "/graphql/stream"])
async def test_the_apis_paths_are_not_the_portals(http, path):
    response = await http.get(path, headers={"Accept": "text/html"})
    assert b'<div id="root">' not in response.content
    assert response.headers.get("content-security-policy") != served.CSP


async def test_start_up_registered_the_manifest_under_the_source_portal(portal):
    with sqlite3.connect(portal.data / "state.db") as db:
        rows = db.execute("select hash, document, source from persisted_operations where source = 'portal'").fetchall()
    shipped = {operation.hash: operation.document for operation in read_manifest(MANIFEST)}
    assert {h: document for h, document, _ in rows} == shipped


@pytest.mark.parametrize("operation", ["Shell", "Dashboard"])
async def test_in_safelist_mode_the_portals_operations_run_by_hash(portal, operation):
    data = await portal.ask(operation, "acme.admin")
    assert data["viewer"]


async def test_in_safelist_mode_any_other_text_is_refused(portal, http):
    token = portal.token("acme.admin")
    response = await http.post("/graphql", json={"query": "{ viewer { login } }"}, headers=bearer(token))
    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_ALLOWED"


async def test_signed_out_the_portals_operation_answers_401_unauthenticated(portal, http):
    body = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": portal.operations()["Shell"]}}}
    response = await http.post("/graphql", json=body, headers={"X-Corpcare-Preflight": "1"})
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
