"""One ``corpcare serve`` for the portal's tests (development, safelist mode, a small embedded
demo), Debian's Chromium, and the portal's npm packages (``web/package-lock.json``)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, async_playwright

from server.auth import issue_token
from server.portal.manifest import MANIFEST, read_manifest
from tests.support import IN_CI, exclusive
from tests.system.test_graphiql_browser import CHROMIUM, CHROMIUM_ARGS, free_port
from tests.system.test_http import bearer, make_settings
from tests.waiting import PATIENCE, eventually

ROOT = Path(__file__).parents[3]
WEB = ROOT / "web"


def missing(message: str) -> None:
    """CI installs everything itself and must run these tests; a developer's machine may skip."""
    if IN_CI:
        pytest.fail(f"{message}; CI requires it", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium() -> str:
    if not Path(CHROMIUM).is_file():
        missing(f"{CHROMIUM} is missing (apt-get install --no-install-recommends chromium; .ci/run does)")
    return CHROMIUM


@pytest.fixture(scope="module")
async def browser(chromium: str) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture(scope="session")
def npm() -> str:
    found = shutil.which("npm")
    if found is None or shutil.which("node") is None:
        missing("node and npm are missing (Node 20 or later: apt-get install nodejs npm)")
    assert found is not None
    return found


def _installed() -> bool:
    """Whether web/node_modules holds the lock file's packages at their versions."""
    hidden = WEB / "node_modules" / ".package-lock.json"  # npm writes it last
    if not hidden.is_file():
        return False
    have = json.loads(hidden.read_text())["packages"]
    wanted = json.loads((WEB / "package-lock.json").read_text())["packages"]
    return all(
        have.get(path, {}).get("version") == package.get("version")
        for path, package in wanted.items()
        if path and not package.get("optional")  # another platform's builds (rolldown's, for one)
    )


@pytest.fixture(scope="session")
def web_modules(npm: str) -> Path:
    """web/node_modules, installed with ``npm ci`` when it is not the lock file's."""
    lock = Path(tempfile.gettempdir()) / f"corpcare-web-npm-ci-{hashlib.sha256(bytes(WEB)).hexdigest()[:16]}"
    with exclusive(lock):
        if not _installed():
            installed = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=WEB, capture_output=True,
                                       text=True, timeout=10 * PATIENCE, check=False)  # fmt: skip
            assert installed.returncode == 0, f"npm ci failed:\n{installed.stdout}\n{installed.stderr}"
    return WEB / "node_modules"


@dataclass(frozen=True)
class Portal:
    """The running server: its base URL, its data folder (SQLite files) and its environment."""

    base: str
    data: Path
    env: dict[str, str]

    def token(self, login: str) -> str:
        return issue_token(make_settings(), login)

    def operations(self) -> dict[str, str]:
        """The portal's operations by name: their hashes (without the manifest's ``sha256:``)."""
        return {operation.operation_names[0]: operation.hash for operation in read_manifest(MANIFEST)}

    async def ask(
        self,
        operation: str,
        login: str,
        variables: dict[str, Any] | None = None,
        *,
        expected: frozenset[str] = frozenset(),
        **more: Any,
    ) -> dict[str, Any]:
        """The portal's ``operation`` sent by its hash as ``login`` (bearer token), with ``variables``
        (and any given by name): the API's data, with no error but of the ``expected`` codes (a
        figure in several currencies, say)."""
        answer = await self.answer(operation, login, variables, **more)
        codes = {error["extensions"]["code"] for error in answer.get("errors", ())}
        assert codes <= expected, answer
        return answer["data"]

    async def answer(
        self, operation: str, login: str, variables: dict[str, Any] | None = None, **more: Any
    ) -> dict[str, Any]:
        """The whole answer, ``errors`` too (a field the role may not read is null with FORBIDDEN)."""
        body = {
            "variables": {**(variables or {}), **more},
            "extensions": {"persistedQuery": {"version": 1, "sha256Hash": self.operations()[operation]}},
        }
        async with httpx.AsyncClient(base_url=self.base) as http:
            response = await http.post("/graphql", json=body, headers=bearer(self.token(login)))
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer


@asynccontextmanager
async def serving(here: Path, **settings: str) -> AsyncIterator[Portal]:
    """``corpcare serve`` in development and safelist mode on a small embedded demo in ``here``
    (``settings`` added as CORPCARE_ variables: ``bulk_worker="false"``), until the block ends:
    only registered operations run, so the portal works only if start-up registered its manifest."""
    port = free_port()
    env = {
        **{name: value for name, value in os.environ.items() if not name.startswith("CORPCARE_")},
        "CORPCARE_ENV": "development",
        "CORPCARE_DATA_DIR": str(here / "data"),
        "CORPCARE_SEED_SUBSCRIBERS": "100",
        "CORPCARE_PERSISTED_QUERIES": "safelist",
        "CORPCARE_JWT_SECRET": make_settings().jwt_secret,
        "PYTHONPATH": str(ROOT),
        **{f"CORPCARE_{name.upper()}": value for name, value in settings.items()},
    }
    command = [sys.executable, "-c", "from server.cli import main; main()", "serve", "--port", str(port)]
    log = here / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=here, env=env, stdout=output, stderr=subprocess.STDOUT)
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
            await eventually(healthy, "the server to start", seconds=3 * PATIENCE, every=0.05)
        yield Portal(base, here / "data", env)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="package")
async def portal(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Portal]:
    """The portal's server, its data still: nothing feeds usage."""
    async with serving(tmp_path_factory.mktemp("portal")) as served:
        yield served


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """tests/artifacts/portal/ (ignored by git): the screenshots, kept for CI to collect."""
    folder = ROOT / "tests" / "artifacts" / "portal"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
