"""What a plan is made of: per object, one generated function returning a dict display (no loop,
no comprehension frame per object) whose entries are Python expressions, one per field (``Field``);
the steps those expressions call, each ``(value, loads, info)``; and the relations' getters.
``loads`` holds the run's loaders' ``load`` by slot, and last the count of objects built.

Each does what graphql-core's completion does for its kind of value, or raises ``Miss`` where it
would not be exactly that. Leaves are in ``leaves.py``.
"""

from __future__ import annotations

from asyncio import CancelledError
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from keyword import iskeyword
from operator import attrgetter
from types import CodeType, CoroutineType, GeneratorType
from typing import Any

from graphql import Undefined
from graphql.pyutils import is_awaitable

from engine.chunked import CHUNK
from loaders.base import cached_by_key

Step = Callable[[Any, list[Any], Any], Any]
Read = Callable[[Any], Any]  # a value from the parent alone
Getter = Callable[[Any, list[Any]], Any]  # a value from the parent and the request's loads


class Miss(Exception):
    """This item cannot be answered by the plan exactly as graphql-core would answer it."""


@dataclass(frozen=True, slots=True)
class Field:
    """One entry of an object's dict display: a Python expression over ``value`` (the object),
    ``loads`` and ``info``, and the objects it names (each name unique within the object).
    ``read``: an assignment the expression relies on, run before the display; any exception it
    raises is a ``Miss``."""

    expression: str
    names: dict[str, Any]
    read: str = ""


def generated(name: str, field: Field) -> Step:
    """A step answering ``field``'s expression (a leaf item of a list, say)."""
    source = f"""
def {name}(value, loads, info):
    return {field.expression}
"""
    namespace = {"Miss": Miss, **field.names}
    exec(_code(source), namespace)
    step: Step = namespace[name]
    return step


Settle = Callable[[Any, Any], Any]  # (a loader's load, a key) -> the value loaded, or Miss


def one(attribute: str, slot: int, settle: Settle, suffix: str) -> Field:
    """A relation to one: the loaded value for the parent's key, read in the object's own code (no
    call of its own per object). The objects it names end with ``suffix``."""
    simple = attribute.isidentifier() and not iskeyword(attribute)
    read = f"value.{attribute}" if simple else f"getattr(value, {attribute!r})"
    if settle is prefetched:  # its future read from the cache (``loads[slot]``) in the object's code
        loaded = f"loaded{suffix}"
        return Field(loaded, {}, f"{loaded} = None if (k := {read}) is None else loads[{slot}][k].result()")
    return Field(f"None if (k := {read}) is None else settle{suffix}(loads[{slot}], k)", {f"settle{suffix}": settle})


def many(attribute: str, slot: int, settle: Settle) -> Getter:
    """A relation to many: the loaded values for the parent's keys."""

    def load_many(source: Any, loads: list[Any]) -> Any:
        load = loads[slot]
        return [settle(load, key) for key in getattr(source, attribute)]

    return load_many


def keyed(key_of: Read, slot: int, settle: Settle) -> Getter:
    """A relation keyed by a function of the parent (and the field's arguments, already bound)."""

    def load_keyed(source: Any, loads: list[Any]) -> Any:
        # A key that cannot be computed raises: the item is left to graphql-core (``run.py``), whose
        # resolver raises it again and reports it at its path.
        return settle(loads[slot], key_of(source))

    return load_keyed


def settle_for(loader: type[Any]) -> Settle:
    """How a plan finds what ``loader``'s loaders have loaded for a key."""
    return prefetched if cached_by_key(loader) else settled


def settled(load: Any, key: Any) -> Any:
    """The value ``load`` has loaded for ``key``, if it has succeeded already (the level's prefetch
    asked for it: ``load`` finds its future in the loader's cache)."""
    try:
        return load(key).result()
    except (Exception, CancelledError):  # pending, failed or cancelled: graphql-core's to answer
        raise Miss from None


def prefetched(cache: dict[Any, Any], key: Any) -> Any:
    """``settled``, for a loader that caches each key's future under the key itself
    (``cached_by_key``): the future the level's prefetch made, read from the loader's ``cache``.
    Where there is none, graphql-core's resolver asks the loader for it."""
    try:
        return cache[key].result()
    except (Exception, CancelledError):
        raise Miss from None


def object_(is_type_of: Any, fields: tuple[tuple[str, Field], ...], non_null: bool, memo: int | None = None) -> Step:
    """An object: checked as graphql-core checks it, then its fields in the selection's order. The
    objects built are counted in the last slot of ``loads`` (``run.py``: what the operation is charged).

    With ``memo`` (a slot of ``loads`` holding a dict, ``Plan.memos``), a value met again is answered
    with the object built for it the first time, and its objects counted again: a record many
    parents share (a line's tariff plan, a catalogue service) is completed once. The dict keeps each
    value it answered, so its ``id`` is not reused while the answer is kept."""
    names: dict[str, Any] = {}
    for _, field in fields:
        names.update(field.names)
    # Response keys are GraphQL names ([_A-Za-z][_0-9A-Za-z]*): their repr is a plain string literal.
    display = "".join(f"\n        {key!r}: {field.expression}," for key, field in fields)
    if is_type_of is None:
        checked = "if value.__class__ not in plain_classes and not plain(value):\n        raise Miss"
    elif getattr(is_type_of, "by_class", False):  # asked once per class whose instances are all plain
        checked = """if value.__class__ not in passed:
        if not plain(value) or is_type_of(value, info) is not True:
            raise Miss
        if value.__class__ in plain_classes:
            passed.add(value.__class__)"""
    else:
        checked = """if value.__class__ not in plain_classes and not plain(value):
        raise Miss
    if is_type_of(value, info) is not True:
        raise Miss"""
    if reads := [field.read for _, field in fields if field.read]:
        # Loaded values pending, failed or cancelled (or no future at all): graphql-core's to answer.
        lines = "".join(f"\n        {read}" for read in reads)
        checked += f"""
    try:{lines}
    except (Exception, CancelledError):
        raise Miss from None"""
    if memo is None:
        built = f"""loads[-1] += 1
    return {{{display}
    }}"""
    else:
        checked = f"""memo = loads[{memo}]
    if (answered := memo.get(id(value))) is not None:
        loads[-1] += answered[1]
        return answered[0]
    {checked}"""
        built = f"""counted = loads[-1]
    loads[-1] = counted + 1
    answer = {{{display}
    }}
    memo[id(value)] = (answer, loads[-1] - counted, value)
    return answer"""
    source = f"""
def complete_object(value, loads, info):
    if value is None:
        {"raise Miss" if non_null else "return None"}
    {checked}
    {built}
"""
    namespace: dict[str, Any] = {
        "Miss": Miss, "CancelledError": CancelledError, "plain_classes": _PLAIN, "plain": plain,
        "is_type_of": is_type_of, **names,
    }  # fmt: skip
    namespace["passed"] = set()  # the classes this object's is_type_of has accepted
    exec(_code(source), namespace)
    complete: Step = namespace["complete_object"]
    return complete


@lru_cache(maxsize=1024)
def _code(source: str) -> CodeType:
    """Compiled once per shape of object (about 0.1 ms each), for the plans of every document."""
    return compile(source, "<plan>", "exec")


def list_(item: Step, non_null: bool) -> Step:
    def complete_list(value: Any, loads: list[Any], info: Any) -> Any:
        if value is None:
            if non_null:
                raise Miss
            return None
        # graphql-core's own completion of a long list yields between chunks (engine/chunked.py).
        if value.__class__ is not list or len(value) > CHUNK:
            raise Miss
        return [item(element, loads, info) for element in value]

    return complete_list


# Classes whose every instance is a plain value: not an error, not awaitable, not Undefined.
_PLAIN: set[type[Any]] = set()


def any_awaitable(items: list[Any], is_awaitable: Callable[[Any], bool]) -> bool:
    """Whether any of ``items`` is awaitable, by ``is_awaitable``; an item of a class whose every
    instance is plain is not asked (``hasattr(item, "__await__")`` is what costs, per item)."""
    if _PLAIN.issuperset(map(_class_of, items)):  # the usual list: records of a class or two, in C
        return False
    return any(is_awaitable(item) for item in items if item.__class__ not in _PLAIN)


_class_of = attrgetter("__class__")


def plain(value: Any) -> bool:
    """Whether graphql-core would complete ``value`` as it is (not raise it, not await it)."""
    if isinstance(value, BaseException) or value is Undefined or is_awaitable(value):
        return False
    cls = value.__class__
    # An instance with a __dict__ (or a generator) could be awaitable where another is not.
    if getattr(cls, "__dictoffset__", 1) == 0 and not issubclass(cls, GeneratorType | CoroutineType):
        _PLAIN.add(cls)
    return True
