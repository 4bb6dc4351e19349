"""strawberry's extension runner, with each hook found once per extension class.

strawberry looks at every extension for every step of every operation (five steps: operation,
parse, validate, execute, each streamed result): whether the class overrides the hook, whether
it is a generator, and it wraps the bound method in a new context-manager factory each time.
What a class implements does not change, so it is looked up once; the hooks then run exactly as
strawberry runs them (same order, same exit stack, same handling of exceptions).
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable
from functools import cache, partial
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


class _Operation(_FoundOnce, OperationContextManager):
    __slots__ = ()


class _Parsing(_FoundOnce, ParsingContextManager):
    __slots__ = ()


class _Validation(_FoundOnce, ValidationContextManager):
    __slots__ = ()


class _Executing(_FoundOnce, ExecutingContextManager):
    __slots__ = ()


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
