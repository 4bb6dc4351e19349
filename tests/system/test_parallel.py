"""The suite's scheduling under pytest-xdist (tests/parallel.py), run on a small suite of its own:
modules marked ``alone`` start only once every other worker has finished its tests and stopped."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]

CONFTEST = f"""
import os, sys
from pathlib import Path
sys.path.insert(0, {str(ROOT)!r})

def pytest_configure(config):
    from tests.parallel import Plugin
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(Plugin(), "corpcare-parallel")

def pytest_sessionfinish(session):
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:  # every test of this worker has run and torn down
        (Path(__file__).parent / "finished" / worker).write_text("")
"""

SHARED = """
import os
from pathlib import Path

import pytest

@pytest.mark.parametrize("n", range(40))
def test_shared(n):
    (Path(__file__).parent / "ran" / f"{{__name__}}-{{n}}").write_text(os.environ["PYTEST_XDIST_WORKER"])
"""

ALONE = """
import os
from pathlib import Path

import pytest

pytestmark = [pytest.mark.alone]
HERE = Path(__file__).parent

@pytest.mark.parametrize("n", range(3))
def test_alone(n):
    me = os.environ["PYTEST_XDIST_WORKER"]
    assert len(list((HERE / "ran").iterdir())) == {shared}  # every other test has run ...
    others = {{f"gw{{i}}" for i in range(3)}} - {{me}}
    assert {{path.name for path in (HERE / "finished").iterdir()}} == others  # ... and its worker has stopped
"""


def run_suite(project: Path, *, shared_modules: int, alone_modules: int) -> subprocess.CompletedProcess[str]:
    (project / "ran").mkdir()
    (project / "finished").mkdir()
    (project / "pytest.ini").write_text("[pytest]\nmarkers =\n    alone: runs alone\n")
    (project / "conftest.py").write_text(CONFTEST)
    # The alone modules sort first: plain load scheduling would start them at once.
    for index in range(alone_modules):
        (project / f"test_a{index}_alone.py").write_text(ALONE.format(shared=40 * shared_modules))
    for index in range(shared_modules):
        (project / f"test_b{index}_shared.py").write_text(SHARED.format())
    command = [sys.executable, "-m", "pytest", "-n", "3", "--dist", "load", "-p", "no:cacheprovider", "-q", "."]
    return subprocess.run(command, cwd=project, capture_output=True, text=True, check=False, timeout=300)


def test_modules_marked_alone_run_after_every_other_test_with_the_other_workers_stopped(tmp_path: Path):
    result = run_suite(tmp_path, shared_modules=3, alone_modules=2)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "126 passed" in result.stdout, result.stdout


def test_a_run_of_only_modules_marked_alone_finishes(tmp_path: Path):
    result = run_suite(tmp_path, shared_modules=0, alone_modules=2)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "6 passed" in result.stdout, result.stdout
