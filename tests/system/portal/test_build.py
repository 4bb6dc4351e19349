"""The committed build is the source's: web/ rebuilt from its lock file, in a copy, gives
server/portal/dist/ byte for byte (the manifest included)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from server.portal import DIST
from tests.system.portal.conftest import ROOT, WEB
from tests.waiting import PATIENCE

GENERATED = ("node_modules", "gql")  # installed, and codegen's output: the rebuild makes both


def files(folder: Path) -> dict[str, bytes]:
    found = sorted(path for path in folder.rglob("*") if path.is_file())
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in found}


def test_the_committed_build_is_what_the_source_and_its_lock_file_build(npm, tmp_path):
    copy = tmp_path / "web"
    shutil.copytree(WEB, copy, ignore=shutil.ignore_patterns(*GENERATED))
    shutil.copy(ROOT / "schema.graphql", tmp_path / "schema.graphql")  # codegen reads ../schema.graphql
    out = tmp_path / "dist"
    env = {**os.environ, "PORTAL_OUT_DIR": str(out)}
    for step in (["ci", "--no-audit", "--no-fund"], ["run", "codegen"], ["run", "typecheck"], ["run", "build"]):
        done = subprocess.run([npm, *step], cwd=copy, env=env, capture_output=True, text=True,
                              timeout=10 * PATIENCE, check=False)  # fmt: skip
        assert done.returncode == 0, f"npm {' '.join(step)} failed:\n{done.stdout}\n{done.stderr}"
    built, committed = files(out), files(DIST)
    assert sorted(built) == sorted(committed), "rebuild web/ (cd web && npm ci && npm run codegen && npm run build)"
    changed = [name for name in built if built[name] != committed[name]]
    assert changed == [], f"the committed build differs from the source's in {changed}: rebuild web/"
