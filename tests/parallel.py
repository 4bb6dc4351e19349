"""How pytest-xdist shares the tests out (``-n 4 --dist load`` in pyproject.toml).

One by one, as ``load`` does — except:

- a module that defines a module-scoped fixture (a private PostgreSQL cluster, a pair of servers,
  a seeded database of its own): its tests go to one worker, which makes that fixture once;
- a module marked ``alone`` (``pytestmark = [pytest.mark.alone, ...]``), whose tests measure
  latency: it waits until every other test has finished, then runs on one worker while the
  others have stopped, so the machine's cores are its own and not the other workers'.

(``--dist loadgroup`` would say the first with marks, but its worker side renames node ids in a
way pytest 9 no longer honours.)
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest
from xdist.scheduler import LoadScopeScheduling
from xdist.workermanage import WorkerController


@functools.cache
def _module(path: Path) -> ast.Module | None:
    try:
        return ast.parse(path.read_text())
    except (OSError, SyntaxError):
        return None


def has_module_fixture(path: Path) -> bool:
    """Whether the test module at ``path`` defines a fixture scoped wider than a test but narrower than the run."""
    tree = _module(path)
    for node in ast.walk(tree) if tree else ():
        if isinstance(node, ast.Call) and ast.unparse(node.func) in ("pytest.fixture", "fixture"):
            for keyword in node.keywords:
                if keyword.arg == "scope" and ast.unparse(keyword.value) in ("'module'", "'package'", "'class'"):
                    return True
    return False


def runs_alone(path: Path) -> bool:
    """Whether the test module at ``path`` is marked ``alone`` in its ``pytestmark``."""
    tree = _module(path)
    for node in tree.body if tree else ():
        if isinstance(node, ast.Assign) and any(ast.unparse(target) == "pytestmark" for target in node.targets):
            return any(ast.unparse(mark) == "pytest.mark.alone" for mark in ast.walk(node.value))
    return False


class ByTestKeepingModuleFixtures(LoadScopeScheduling):
    def __init__(self, config: pytest.Config, log: object | None = None) -> None:
        super().__init__(config, log)  # type: ignore[arg-type]
        self.root = config.rootpath
        self.alone_runner: WorkerController | None = None
        # Every worker that came up, and those that have stopped: xdist shuts down the workers it
        # has more of than work at once, and drops them from ``nodes`` before they have stopped.
        self.started: set[WorkerController] = set()
        self.stopped: set[WorkerController] = set()

    def add_node(self, node: WorkerController) -> None:
        super().add_node(node)
        self.started.add(node)

    def node_down(self, node: WorkerController) -> None:
        self.stopped.add(node)
        self._start_alone()

    def _split_scope(self, nodeid: str) -> str:
        module = nodeid.split("::", 1)[0]
        path = self.root / module
        return module if has_module_fixture(path) or runs_alone(path) else nodeid

    def _assign_work_unit(self, node: WorkerController) -> None:
        if node.shutting_down:
            return
        shared = next((scope for scope in self.workqueue if not runs_alone(self.root / scope)), None)
        if shared is not None:
            self._send(node, shared)
        elif self.workqueue and self.alone_runner is None and all(map(self._idle, self.assigned_work.values())):
            # Only modules that run alone are left and no worker has more than the test it holds
            # until it learns what comes next: this worker will run them, the others stop.
            self.alone_runner = node
            for other in self.nodes:
                if other is not node:
                    other.shutdown()
            self._start_alone()

    def remove_node(self, node: WorkerController) -> str | None:
        crashed = super().remove_node(node)
        self._start_alone()
        return crashed

    def _start_alone(self) -> None:
        """Give the modules that run alone to their worker once every other worker has gone."""
        runner = self.alone_runner
        if runner is not None and self.nodes == [runner] and self.started - self.stopped == {runner}:
            for scope in list(self.workqueue):
                self._send(self.alone_runner, scope)

    def _idle(self, work: dict[str, dict[str, bool]]) -> bool:
        return self._pending_of(work) <= 1

    def _send(self, node: WorkerController, scope: str) -> None:
        work_unit = self.workqueue.pop(scope)
        self.assigned_work.setdefault(node, {})[scope] = work_unit
        collection = self.registered_collections[node]
        node.send_runtest_some([collection.index(nodeid) for nodeid, done in work_unit.items() if not done])


class Plugin:
    def __init__(self) -> None:
        self.scheduler: ByTestKeepingModuleFixtures | None = None

    def pytest_xdist_make_scheduler(self, config: pytest.Config, log: object) -> LoadScopeScheduling | None:
        if config.getvalue("dist") != "load":
            return None
        self.scheduler = ByTestKeepingModuleFixtures(config, log)
        return self.scheduler

    def pytest_testnodedown(self, node: WorkerController, error: object) -> None:
        if self.scheduler is not None:
            self.scheduler.node_down(node)
