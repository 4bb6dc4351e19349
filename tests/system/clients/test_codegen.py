"""GraphQL Code Generator (``clients/codegen/``) under Node: TypeScript types and typed documents
generated afresh from ``schema.graphql`` and ``bench/operations/`` on every run, so they are never
stale, and ``tsc --noEmit`` over code that uses them: it compiles, and the mistakes it marks as
expected errors (``@ts-expect-error``: an unselected field, a nullable object read without a check,
an unknown enum value, a missing or mistyped variable) are caught by the types."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from graphql import OperationDefinitionNode, parse

from tests.system.clients.conftest import CLIENTS
from tests.waiting import PATIENCE

OPERATIONS = Path(__file__).parents[3] / "bench" / "operations"
GENERATED = CLIENTS / "codegen" / "src" / "gql"


def run(node: str, tool: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    command = [node, str(CLIENTS / "node_modules" / ".bin" / tool), *arguments]
    return subprocess.run(command, cwd=CLIENTS, capture_output=True, text=True, timeout=3 * PATIENCE, check=False)


def test_codegen_types_every_bench_operation_and_tsc_accepts_the_code_that_uses_them(node):
    shutil.rmtree(GENERATED, ignore_errors=True)

    generated = run(node, "graphql-codegen", "--config", "codegen/codegen.ts")

    assert generated.returncode == 0, f"codegen failed:\n{generated.stdout}\n{generated.stderr}"
    typed = (GENERATED / "graphql.ts").read_text()
    names = [
        definition.name.value
        for path in sorted(OPERATIONS.glob("*.graphql"))
        for definition in parse(path.read_text()).definitions
        if isinstance(definition, OperationDefinitionNode) and definition.name
    ]
    assert len(names) == len(list(OPERATIONS.glob("*.graphql"))) >= 8, names
    for name in names:
        assert f"export const {name}Document = " in typed, name
        assert f"export type {name}Query = " in typed, name

    checked = run(node, "tsc", "--noEmit", "-p", "codegen")

    assert checked.returncode == 0, f"tsc found errors:\n{checked.stdout}\n{checked.stderr}"
    assert (CLIENTS / "codegen" / "src" / "dashboard.ts").read_text().count("@ts-expect-error ") >= 6
