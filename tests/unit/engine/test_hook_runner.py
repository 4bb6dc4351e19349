"""The extension runner that finds each hook once per class (engine/hook_runner.py) runs the hooks
exactly as strawberry's own runner does: the same hooks, in the same order, around the same steps,
with the same handling of a failure and of a streamed result."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from functools import partial
from typing import Any

import pytest
import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.extensions.context import OperationContextManager, WrappedHook
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.types import ExecutionContext

from engine.hook_runner import HookRunner


@strawberry.type
class Query:
    @strawberry.field
    def hello(self) -> str:
        return "hi"

    @strawberry.field
    def broken(self) -> str:
        raise ValueError("no")


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def ticks(self) -> AsyncIterator[int]:
        for tick in range(2):
            yield tick


class Recording(SchemaExtension):
    """Hooks of every kind strawberry takes: sync and async generators, plain and async functions."""

    calls: list[str]
    record: list[str]
    name = "recording"

    def __init__(self) -> None:
        self.calls = self.record

    def on_operation(self) -> Iterator[None]:
        self.calls.append(f"{self.name} operation in")
        yield
        self.calls.append(f"{self.name} operation out")

    async def on_parse(self) -> AsyncIterator[None]:
        self.calls.append(f"{self.name} parse in")
        yield
        self.calls.append(f"{self.name} parse out")

    async def on_validate(self) -> None:  # type: ignore[override]
        self.calls.append(f"{self.name} validate")

    def on_execute(self) -> None:  # type: ignore[override]
        self.calls.append(f"{self.name} execute")

    async def on_stream_result(self, result: Any) -> AsyncIterator[None]:
        self.calls.append(f"{self.name} result {result.data}")
        yield


class Refusing(SchemaExtension):
    """Fails on the way into execution; what was entered before it is unwound."""

    record: list[str]

    async def on_execute(self) -> AsyncIterator[None]:
        self.record.append("refusing execute in")
        if self.execution_context.operation_name == "Refused":
            raise RuntimeError("refused")
        yield
        self.record.append("refusing execute out")


class Quiet(SchemaExtension):
    """Keeps every default hook: nothing runs for it."""


def schemas(record: list[str]) -> tuple[strawberry.Schema, strawberry.Schema]:
    class First(Recording):
        name = "first"

    class Second(Recording):
        name = "second"

    First.record = Second.record = Refusing.record = record

    class Fast(strawberry.Schema):
        def create_extensions_runner(
            self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
        ) -> SchemaExtensionsRunner:
            return HookRunner(execution_context=execution_context, extensions=extensions)

    extensions = [First, Quiet, Refusing, Second]
    return (
        strawberry.Schema(Query, subscription=Subscription, extensions=extensions),
        Fast(Query, subscription=Subscription, extensions=extensions),
    )


async def test_hooks_run_as_strawberrys_runner_runs_them():
    record: list[str] = []
    plain, fast = schemas(record)
    seen = []
    for schema in (plain, fast):
        record.clear()
        answers = [
            await schema.execute("query Fine { hello }"),
            await schema.execute("query Broken { broken }"),
            await schema.execute("query Refused { hello }"),
            await schema.execute("{ nothing }"),
            await schema.execute("{"),
        ]
        streamed = await schema.subscribe("subscription { ticks }")
        events = [event async for event in streamed]
        seen.append(
            (
                list(record),
                [(a.data, [e.message for e in a.errors or ()]) for a in answers],
                [e.data for e in events],
            )
        )
    assert seen[0] == seen[1]
    assert "first operation in" in seen[1][0] and "refusing execute out" in seen[1][0]
    assert seen[1][1][2] == (None, ["refused"])


def _manager(kind: str, is_async: bool, record: list[str], name: str) -> Any:
    """A context manager that on the way out passes, raises its own error, or swallows the one in
    flight (recording what it saw)."""

    def leave(exc: BaseException | None) -> bool:
        record.append(f"{name} out, seeing {exc!r}")
        if kind == "raises":
            raise KeyError(name)
        return kind == "swallows"

    if is_async:

        class Async:
            async def __aenter__(self) -> None:
                record.append(f"{name} in")

            async def __aexit__(self, _type: Any, exc: BaseException | None, _tb: Any) -> bool:
                return leave(exc)

        return Async()

    class Sync:
        def __enter__(self) -> None:
            record.append(f"{name} in")

        def __exit__(self, _type: Any, exc: BaseException | None, _tb: Any) -> bool:
            return leave(exc)

    return Sync()


def _chain(error: BaseException | None) -> list[str]:
    seen = []
    while error is not None:
        seen.append(repr(error))
        error = error.__context__
    return seen


@pytest.mark.parametrize("body_fails", [False, True])
@pytest.mark.parametrize(
    "kinds",
    [
        ("passes", "raises", "passes"),
        ("swallows", "raises", "raises"),
        ("raises", "swallows", "raises"),
        ("passes", "swallows", "passes"),
        ("raises", "raises", "passes"),
    ],
)
async def test_hooks_are_left_as_strawberrys_exit_stack_leaves_them(kinds: tuple[str, ...], body_fails: bool):
    """Strawberry's own manager against the runner's: the same hooks left in the same order, each
    seeing the same exception, and the same exception (with the same context) coming out."""
    outcomes = []
    ours = type(HookRunner(execution_context=None, extensions=[]).operation())  # type: ignore[arg-type]
    for manager_class in (OperationContextManager, ours):
        record: list[str] = []
        hooks = [
            WrappedHook(
                extension=None,
                hook=partial(_manager, kind, index % 2 == 0, record, f"hook {index}"),
                is_async=index % 2 == 0,
            )  # type: ignore[arg-type]
            for index, kind in enumerate(kinds)
        ]
        manager = manager_class([])
        manager.hooks = hooks
        error: BaseException | None = None
        try:
            async with manager:
                if body_fails:
                    raise ValueError("body")
        except BaseException as raised:
            error = raised
        outcomes.append((record, _chain(error)))
    assert outcomes[0] == outcomes[1]
