"""How pytest-xdist shares the tests out (``-n 4 --dist load`` in pyproject.toml).

One by one, as ``load`` does — except a module that defines a module-scoped fixture (a private
PostgreSQL cluster, a pair of servers, a seeded database of its own): its tests go to one worker,
which makes that fixture once. (``--dist loadgroup`` would say this with marks, but its worker
side renames node ids in a way pytest 9 no longer honours.)
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest
from xdist.scheduler import LoadScopeScheduling


@functools.cache
def has_module_fixture(path: Path) -> bool:
    """Whether the test module at ``path`` defines a fixture scoped wider than a test but narrower than the run."""
    try:
        tree = ast.parse(path.read_text())
    except (OSError, SyntaxError):
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and ast.unparse(node.func) in ("pytest.fixture", "fixture"):
            for keyword in node.keywords:
                if keyword.arg == "scope" and ast.unparse(keyword.value) in ("'module'", "'package'", "'class'"):
                    return True
    return False


class ByTestKeepingModuleFixtures(LoadScopeScheduling):
    def __init__(self, config: pytest.Config, log: object | None = None) -> None:
        super().__init__(config, log)  # type: ignore[arg-type]
        self.root = config.rootpath

    def _split_scope(self, nodeid: str) -> str:
        module = nodeid.split("::", 1)[0]
        return module if has_module_fixture(self.root / module) else nodeid


class Plugin:
    @staticmethod
    def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> LoadScopeScheduling | None:
        return ByTestKeepingModuleFixtures(config, log) if config.getvalue("dist") == "load" else None
