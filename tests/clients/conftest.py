"""The JavaScript clients in ``clients/``, installed once per session with ``npm ci`` from the
committed lock file, and run under Node against a real ``corpcare serve``."""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

from tests.server.test_bulk_restart import servers  # noqa: F401 (fixture)
from tests.support import IN_CI, exclusive
from tests.waiting import PATIENCE

CLIENTS = Path(__file__).parents[2] / "clients"


def _missing(message: str) -> None:
    """CI installs everything itself and must run these tests; a bare laptop may skip them."""
    if IN_CI:
        pytest.fail(f"{message}; CI requires it", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def node() -> str:
    """Node with the packages of ``clients/package-lock.json``; ``npm ci`` when they are not there."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        _missing("node and npm are missing (Node 20 or later: apt-get install nodejs npm)")
    assert node is not None and npm is not None
    # One install at a time (the workers of a parallel run all ask): the others wait, then find it done.
    with exclusive(Path(tempfile.gettempdir()) / f"corpcare-npm-ci-{hashlib.sha256(bytes(CLIENTS)).hexdigest()[:16]}"):
        # npm writes node_modules/.package-lock.json last: without it the install never finished.
        if not (CLIENTS / "node_modules" / ".package-lock.json").is_file():
            installed = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=CLIENTS, capture_output=True,
                                       text=True, timeout=10 * PATIENCE, check=False)  # fmt: skip
            assert installed.returncode == 0, f"npm ci failed:\n{installed.stdout}\n{installed.stderr}"
    return node


async def run_node(node: str, script: str, plan: dict[str, Any], seconds: float = 3 * PATIENCE) -> Any:
    """What ``clients/<script>`` printed (one JSON object) after it ran ``plan``."""
    process = await asyncio.create_subprocess_exec(node, script, json.dumps(plan), cwd=CLIENTS,
                                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    try:
        out, err = await asyncio.wait_for(process.communicate(), seconds)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise AssertionError(f"{script} did not finish within {seconds:g} s") from None
    assert process.returncode == 0, f"{script} failed:\n{err.decode()}"
    return json.loads(out)
