"""The extension runner that finds each hook once per class (engine/hook_runner.py) runs the hooks
exactly as strawberry's own runner does: the same hooks, in the same order, around the same steps,
with the same handling of a failure and of a streamed result."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import strawberry
from strawberry.extensions import SchemaExtension
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
