"""The rooms of DESIGN.md's Layout table depend downwards only: the import contracts in
pyproject.toml (``[tool.importlinter]``, run by import-linter's ``lint-imports``) hold for the
package code, and they catch an import that breaks them."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
PACKAGES = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["root_packages"]


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-logo", "--no-cache"], cwd=root, capture_output=True, text=True, check=False
    )


def test_every_import_contract_holds():
    linted = lint_imports(ROOT)
    assert linted.returncode == 0, linted.stdout + linted.stderr
    assert " 0 broken" in linted.stdout, linted.stdout


@pytest.mark.parametrize(
    ("module", "forbidden", "contract"),
    [
        ("loaders/base.py", "import permissions.roles", "Each room imports only the rooms below it"),
        ("resolvers/node.py", "import jobs.worker", "Each room imports only the rooms below it"),
        ("jobs/worker.py", "import schema.common", "Background jobs use resolvers and below"),
        ("schema/common.py", "import engine.limits", "The schema holds types only"),
        ("sources/db.py", "import redis", "Sources reach Redis only through infra"),
        ("resolvers/node.py", "import infra.pacing", "Resolvers use infra only through"),
        ("demo/feed.py", "import infra.events", "The demo writes through the sources"),
        ("server/app.py", "import demo.feed", "Only the command line and the process it serves start the demo"),
    ],
)
def test_a_forbidden_import_breaks_its_contract(tmp_path: Path, module: str, forbidden: str, contract: str):
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    planted = tmp_path / module
    planted.write_text(planted.read_text() + f"\n{forbidden}  # planted\n")
    linted = lint_imports(tmp_path)
    assert linted.returncode == 1, linted.stdout + linted.stderr
    broken = linted.stdout.split("Broken contracts", 1)[1]
    assert contract in broken, linted.stdout
    assert module.removesuffix(".py").replace("/", ".") in broken, linted.stdout
