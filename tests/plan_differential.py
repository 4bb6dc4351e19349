"""``CORPCARE_PLAN_DIFFERENTIAL=1``: every read the test suite sends in process answers the same with
compiled plans off.

Each query the schema executes in this process (``World.run``, the in-process HTTP app, sockets and
exports alike) is executed a second time right after, with plans off (``CORPCARE_COMPILED_PLANS=0``),
on a copy of the request's context with empty loaders, at the same moment (the same billing
snapshot), inside the same extensions: the
answer is not audited, charged or admitted twice, and the shadow's SQL is not counted by the tests'
``StatementCounter``. Its data (orjson bytes) and its errors (formatted) must equal the first
answer's, or the test that sent it fails. The errors' order is counted, not failed: graphql-core
orders them as their fields finish, and which of two loaders' batches finishes first varies from
run to run, plans or not. Mutations and subscriptions run once; so does a query
executed while plans are already off, or under middleware (which turns plans off), or by a test
marked ``executed_once``: it counts what its reads do (which path answers, the calls they make,
the requests its server admits), or breaks a backend under them, so that the first read leaves a
state the second would see (a tripped breaker, a moment whose read failed).

Servers the tests start as processes are not compared. At the end the run prints how many reads were
compared and how many distinct documents they were.

    CORPCARE_PLAN_DIFFERENTIAL=1 .venv/bin/python -m pytest tests -n 2 -p no:randomly
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
import pytest
from graphql import DocumentNode, ExecutionResult, OperationType, get_operation_ast, print_ast

from engine.build import CorpcareSchema
from request.context import Context
from tests.support import uncounted

ENABLED = os.environ.get("CORPCARE_PLAN_DIFFERENTIAL", "") not in {"", "0"}


@dataclass
class Difference:
    document: str
    variables: Any
    planned: tuple[bytes, bytes]
    unplanned: tuple[bytes, bytes]

    def __str__(self) -> str:
        return (
            f"compiled plans change the answer of\n{self.document}\nvariables: {self.variables!r}\n"
            f"plans on:  {self.planned[0]!r}\n           {self.planned[1]!r}\n"
            f"plans off: {self.unplanned[0]!r}\n           {self.unplanned[1]!r}"
        )


@dataclass
class Tally:
    compared: int = 0
    documents: set[str] = field(default_factory=set)
    differences: list[Difference] = field(default_factory=list)
    reordered: int = 0  # answers whose errors came in another order (graphql-core's own order varies)
    differed: int = 0  # the workers' differences, added up by the controller of a parallel run
    paused: bool = False  # while a test marked executed_once runs


TALLY = Tally()


def answer_bytes(result: ExecutionResult) -> tuple[bytes, bytes]:
    """An answer as the client gets it: its data as orjson bytes, its errors formatted, in order."""
    return orjson.dumps(result.data), orjson.dumps([error.formatted for error in result.errors or ()])


def same_but_for_order(planned: tuple[bytes, bytes], unplanned: tuple[bytes, bytes]) -> bool:
    """The same data and errors, the errors in another order."""
    errors = [sorted(orjson.dumps(error) for error in orjson.loads(answer[1])) for answer in (planned, unplanned)]
    return planned[0] == unplanned[0] and errors[0] == errors[1]


@contextlib.contextmanager
def plans_off() -> Iterator[None]:
    before = os.environ.get("CORPCARE_COMPILED_PLANS")
    os.environ["CORPCARE_COMPILED_PLANS"] = "0"
    try:
        yield
    finally:
        if before is None:
            del os.environ["CORPCARE_COMPILED_PLANS"]
        else:
            os.environ["CORPCARE_COMPILED_PLANS"] = before


def afresh(context: Any) -> Any:
    """The request's context with empty loaders: the shadow loads what it reads as the first run did
    (with the loaders the first run filled, its loads would settle in another order, and so its errors)."""
    if not isinstance(context, Context):
        return context
    copy = dataclasses.replace(context)
    copy.renew_loaders()
    return copy


def compared(execute: Callable[..., Any]) -> Callable[..., Any]:
    """``execute`` (graphql-core's, as Strawberry calls it), and for a read the same with plans off."""

    def execute_both(schema: Any, document: DocumentNode, **kwargs: Any) -> Any:
        operation = get_operation_ast(document, kwargs.get("operation_name"))
        middleware = kwargs.get("middleware")
        if (
            operation is None
            or operation.operation is not OperationType.QUERY
            or os.environ.get("CORPCARE_COMPILED_PLANS", "1") == "0"
            or TALLY.paused
            or (middleware is not None and middleware.middlewares)
        ):
            return execute(schema, document, **kwargs)
        first = execute(schema, document, **kwargs)

        async def then_without_plans() -> Any:
            result = await first if hasattr(first, "__await__") else first
            with uncounted():
                # Plans are chosen when the executor is built, before ``execute`` returns: the
                # variable is back before anything else in the process runs.
                with plans_off():
                    shadow = execute(schema, document, **{**kwargs, "context_value": afresh(kwargs["context_value"])})
                shadow = await shadow if hasattr(shadow, "__await__") else shadow
            planned, unplanned = answer_bytes(result), answer_bytes(shadow)
            text = print_ast(document)
            TALLY.compared += 1
            TALLY.documents.add(text)
            if planned != unplanned and same_but_for_order(planned, unplanned):
                TALLY.reordered += 1
            elif planned != unplanned:
                TALLY.differences.append(Difference(text, kwargs.get("variable_values"), planned, unplanned))
            return result

        return then_without_plans()

    return execute_both


class Plugin:
    """Compares every in-process read; fails the test during which an answer differed."""

    def __init__(self) -> None:
        self._patch = pytest.MonkeyPatch()
        original = CorpcareSchema._get_execute_function
        self._patch.setattr(CorpcareSchema, "_get_execute_function", lambda schema: compared(original(schema)))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Iterator[None]:
        tally = TALLY  # the suite's: a test of this module may stand a tally of its own in for it
        seen = len(tally.differences)
        tally.paused = item.get_closest_marker("executed_once") is not None
        try:
            yield
        finally:
            tally.paused = False
        if news := tally.differences[seen:]:
            pytest.fail("\n\n".join(str(difference) for difference in news), pytrace=False)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        workeroutput = getattr(session.config, "workeroutput", None)
        if workeroutput is not None:  # an xdist worker: the controller adds it up
            workeroutput["plan_differential"] = [
                TALLY.compared,
                sorted(TALLY.documents),
                TALLY.reordered,
                len(TALLY.differences),
            ]
        self._patch.undo()

    def pytest_testnodedown(self, node: Any, error: object) -> None:
        tally = getattr(node, "workeroutput", {}).get("plan_differential", [0, [], 0, 0])
        compared_, documents, reordered, differences = tally
        TALLY.compared += compared_
        TALLY.documents.update(documents)
        TALLY.reordered += reordered
        TALLY.differed += differences

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        terminalreporter.write_line(
            f"plan differential: {TALLY.compared} reads compared with plans on and off, "
            f"{len(TALLY.documents)} distinct documents, {len(TALLY.differences) + TALLY.differed} differences, "
            f"{TALLY.reordered} with the same errors in another order"
        )
