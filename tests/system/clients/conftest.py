"""The JavaScript clients in ``clients/``, installed once per session with ``npm ci`` from the
committed lock file, and run under Node against a real ``corpcare serve``; and the pinned
``ariadne-codegen`` that generates the typed Python client, in an environment of its own."""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from tests.support import IN_CI, exclusive
from tests.system.test_bulk_restart import servers  # noqa: F401 (fixture)
from tests.waiting import PATIENCE

CLIENTS = Path(__file__).parents[3] / "clients"


def _missing(message: str) -> None:
    """CI installs everything itself and must run these tests; a bare laptop may skip them."""
    if IN_CI:
        pytest.fail(f"{message}; CI requires it", pytrace=False)
    pytest.skip(message)


def _installed(folder: Path = CLIENTS) -> bool:
    """Whether ``node_modules`` holds every package of the lock file at its locked version (after
    a pull that changed the lock file, an older install does not)."""
    # npm writes node_modules/.package-lock.json last: without it the install never finished.
    hidden = folder / "node_modules" / ".package-lock.json"
    if not hidden.is_file():
        return False
    have = json.loads(hidden.read_text())["packages"]
    wanted = json.loads((folder / "package-lock.json").read_text())["packages"]
    return all(
        have.get(path, {}).get("version") == package.get("version")
        for path, package in wanted.items()
        if path and not package.get("optional")
    )


@pytest.fixture(scope="session")
def node() -> str:
    """Node with the packages of ``clients/package-lock.json``; ``npm ci`` when they are not there."""
    return node_with_packages(CLIENTS)


def node_with_packages(folder: Path) -> str:
    """Node, with the packages of ``folder/package-lock.json`` installed by ``npm ci`` unless they are."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        _missing("node and npm are missing (Node 20 or later: apt-get install nodejs npm)")
    assert node is not None and npm is not None
    # One install at a time (the workers of a parallel run all ask): the others wait, then find it done.
    with exclusive(_lock_path("npm-ci" if folder == CLIENTS else f"npm-ci-{folder.name}")):
        if not _installed(folder):
            installed = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=folder, capture_output=True,
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


CODEGEN_TOOL = CLIENTS / "python" / "requirements.txt"


@pytest.fixture(scope="session")
def ariadne_codegen() -> Path:
    """The ``ariadne-codegen`` command, installed from ``clients/python/requirements.txt`` into an
    environment of its own (it needs graphql-core 3.2, and corpcare's Strawberry 3.3): kept in
    ``clients/python/.ariadne-codegen/`` and installed again when the requirements change."""
    tool = CLIENTS / "python" / ".ariadne-codegen"
    command, stamp = tool / "bin" / "ariadne-codegen", tool / "installed-requirements.txt"
    wanted = CODEGEN_TOOL.read_text()
    # One install at a time (the workers of a parallel run all ask): the others wait, then find it done.
    with exclusive(_lock_path("ariadne-codegen")):
        # The stamp is written last: without it, or with other requirements, the install is not this one.
        if not command.is_file() or not stamp.is_file() or stamp.read_text() != wanted:
            shutil.rmtree(tool, ignore_errors=True)
            subprocess.run([sys.executable, "-m", "venv", "--without-pip", tool], check=True, timeout=PATIENCE)
            pip = [sys.executable, "-m", "pip", "--python", tool / "bin" / "python", "install",
                   "--disable-pip-version-check", "-q", "-r", CODEGEN_TOOL]  # fmt: skip
            installed = subprocess.run(pip, capture_output=True, text=True, timeout=10 * PATIENCE, check=False)
            if installed.returncode != 0:
                _missing(f"ariadne-codegen did not install:\n{installed.stderr}")
            stamp.write_text(wanted)
    return command


def _lock_path(what: str) -> Path:
    """A lock file for ``what`` of this checkout's clients, shared by every worker of a run."""
    return Path(tempfile.gettempdir()) / f"corpcare-{what}-{hashlib.sha256(bytes(CLIENTS)).hexdigest()[:16]}"
