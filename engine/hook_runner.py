"""strawberry's extension runner, with each hook found once per extension class.

strawberry looks at every extension for every step of every operation (five steps: operation,
parse, validate, execute, each streamed result): whether the class overrides the hook, whether
it is a generator, and it wraps the bound method in a new context-manager factory each time.
What a class implements does not change, so it is looked up once. The hooks then run exactly as
strawberry runs them, in the same order with the same handling of exceptions, but entered and
left without an ``AsyncExitStack`` per step: a list of what was entered, unwound in reverse by
the exit stack's own rules.
"""

from __future__ import annotations

import contextlib
import inspect
import sys
from collections.abc import Callable
from functools import cache, partial
from types import TracebackType
from typing import Any

from strawberry.extensions import SchemaExtension
from strawberry.extensions.context import (
    ExecutingContextManager,
    OperationContextManager,
    ParsingContextManager,
    StreamResultContextManager,
    ValidationContextManager,
    WrappedHook,
)
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.types import StreamExecutionResult

# A hook that is a plain function (not a generator): strawberry wraps it per instance; left to it.
_PER_INSTANCE = "per instance"


@cache
def _hook(name: str, extension: type) -> tuple[Callable[..., Any], bool] | str | None:
    """The context-manager factory of ``extension``'s hook ``name`` (called with the instance),
    and whether it is async; None where the class keeps strawberry's default (it does nothing)."""
    hook = getattr(extension, name)
    if hook is getattr(SchemaExtension, name):
        return None
    if inspect.isgeneratorfunction(hook):
        return contextlib.contextmanager(hook), False
    if inspect.isasyncgenfunction(hook):
        return contextlib.asynccontextmanager(hook), True
    return _PER_INSTANCE


class _FoundOnce:
    """Strawberry's ``get_hook``, with what the extension's class implements looked up once."""

    __slots__ = ()
    HOOK_NAME: str

    def get_hook(self, extension: SchemaExtension) -> WrappedHook | None:
        kind: type = type(extension)
        found = _hook(self.HOOK_NAME, kind)
        if found is None:
            return None
        if isinstance(found, tuple):
            factory, is_async = found
            return WrappedHook(extension=extension, hook=partial(factory, extension), is_async=is_async)
        return super().get_hook(extension)  # type: ignore[misc]


class _Unstacked:
    """Strawberry's ``__aenter__``/``__aexit__`` (strawberry-graphql 0.341.2) without an
    ``AsyncExitStack``: for every step but a streamed result's (its hooks take the result)."""

    __slots__ = ()
    hooks: list[WrappedHook]
    _entered: list[tuple[bool, Any]]

    async def __aenter__(self) -> None:
        # As strawberry's: a hook that fails on entry leaves those entered before it as they are.
        entered: list[tuple[bool, Any]] = []
        self._entered = entered  # type: ignore[misc]  # a slot of each manager that uses this
        for hook in self.hooks:
            manager: Any = hook.hook()
            if hook.is_async:
                await manager.__aenter__()
            else:
                manager.__enter__()
            entered.append((hook.is_async, manager))

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc_val: BaseException | None, exc_tb: TracebackType | None
    ) -> None:
        # Like strawberry's, this never suppresses the exception in flight itself (the exit stack's
        # answer is dropped there): a hook that swallows it only hides it from the hooks left after.
        await _unwind(self._entered, (exc_type, exc_val, exc_tb))


async def _unwind(entered: list[tuple[bool, Any]], exc_details: tuple[Any, Any, Any]) -> None:
    """Leave ``entered`` last first, as ``contextlib.AsyncExitStack.__aexit__`` (Python 3.11) does:
    an exception raised on the way out replaces the one in flight (which becomes its context), a
    manager that suppresses the one in flight clears it for those left after it."""
    frame_exc = sys.exc_info()[1]

    def _fix_exception_context(new_exc: BaseException, old_exc: BaseException | None) -> None:
        while True:
            exc_context = new_exc.__context__
            if exc_context is None or exc_context is old_exc:
                return
            if exc_context is frame_exc:
                break
            new_exc = exc_context
        new_exc.__context__ = old_exc

    pending_raise = False
    while entered:
        is_async, manager = entered.pop()
        try:
            if is_async:
                cb_suppress = await manager.__aexit__(*exc_details)
            else:
                cb_suppress = manager.__exit__(*exc_details)
            if cb_suppress:
                pending_raise = False
                exc_details = (None, None, None)
        except BaseException:
            new_exc_details = sys.exc_info()
            _fix_exception_context(new_exc_details[1], exc_details[1])  # type: ignore[arg-type]
            pending_raise = True
            exc_details = new_exc_details
    if pending_raise:
        try:
            fixed_ctx = exc_details[1].__context__
            raise exc_details[1]
        except BaseException:
            exc_details[1].__context__ = fixed_ctx
            raise


class _Operation(_Unstacked, _FoundOnce, OperationContextManager):
    __slots__ = ("_entered",)


class _Parsing(_Unstacked, _FoundOnce, ParsingContextManager):
    __slots__ = ("_entered",)


class _Validation(_Unstacked, _FoundOnce, ValidationContextManager):
    __slots__ = ("_entered",)


class _Executing(_Unstacked, _FoundOnce, ExecutingContextManager):
    __slots__ = ("_entered",)


class _StreamResult(_FoundOnce, StreamResultContextManager):
    pass


class HookRunner(SchemaExtensionsRunner):
    def operation(self) -> OperationContextManager:
        return _Operation(self.extensions)

    def validation(self) -> ValidationContextManager:
        return _Validation(self.extensions)

    def parsing(self) -> ParsingContextManager:
        return _Parsing(self.extensions)

    def executing(self) -> ExecutingContextManager:
        return _Executing(self.extensions)

    def on_stream_result(self, result: StreamExecutionResult) -> StreamResultContextManager:
        return _StreamResult(self.extensions, result)
