"""Compiled plans answer a list exactly as graphql-core does: each kind of item a plan cannot
answer (a miss) is completed by graphql-core at its path, with its errors and null propagation,
and an answer with plans on is the answer with them off."""

from __future__ import annotations

import asyncio
import collections
import enum
from dataclasses import dataclass
from dataclasses import field as record_field
from datetime import date
from typing import Any, NewType

import orjson
import pytest
import strawberry
from aiodataloader import DataLoader
from strawberry.schema.config import StrawberryConfig

from engine import prefetch
from engine.charging import objects_in, objects_of
from engine.chunked import CHUNK
from engine.executor import LevelExecutor
from engine.plans import run as plan_run
from engine.plans import steps
from permissions.rules import PUBLIC
from schema.fields import fast_resolvers, field, global_id, related, resolved


@dataclass
class OwnerRecord:
    id: int
    name: Any


@dataclass
class TagRecord:
    label: Any


@dataclass
class ItemRecord:
    id: int
    name: Any = "item"
    note: Any = None
    count: Any = 1
    colour: Any = "RED"
    day: Any = date(2026, 1, 1)
    owner_id: int | None = 1
    tags: Any = record_field(default_factory=list)


class OtherRecord:
    """Not an item: ``Item.is_type_of`` refuses it."""

    id = 1
    name = "other"


class OwnerLoader(DataLoader[int, Any]):
    """Owners by id; an id without an owner fails its load."""

    owners = {1: OwnerRecord(1, "Ada"), 2: OwnerRecord(2, None)}

    async def batch_load_fn(self, keys: list[int]) -> list[Any]:
        return [self.owners.get(key, LookupError(f"no owner {key}")) for key in keys]


class StuckLoader(DataLoader[int, Any]):
    """Owners whose batch waits until the test lets it go (``started`` once it waits)."""

    started: asyncio.Event
    release: asyncio.Event

    async def batch_load_fn(self, keys: list[int]) -> list[Any]:
        self.started.set()
        await self.release.wait()
        return [OwnerLoader.owners.get(key) for key in keys]


class PaintLoader(DataLoader[tuple[int, Any, bool], Any]):
    """An item's paint for a colour: only a ``Colour`` member names one (Strawberry's converted
    argument, not graphql-core's value). ``batches`` counts the batches of the test."""

    batches = 0

    async def batch_load_fn(self, keys: list[tuple[int, Any, bool]]) -> list[Any]:
        PaintLoader.batches += 1
        return [f"{id_}:{colour.name}{'!' if loud else ''}" for id_, colour, loud in keys]


class Loaders:
    """What the executor and the relation resolvers ask for: the request's loader of a class."""

    def __init__(self) -> None:
        self.made: dict[type, Any] = {}

    def loader(self, kind: type) -> Any:
        if kind not in self.made:
            self.made[kind] = kind()
        return self.made[kind]


@strawberry.enum
class Colour(enum.Enum):
    RED = "RED"
    BLUE = "BLUE"


def _shout(value: Any) -> str:
    if value == "boom":
        raise ValueError("cannot shout boom")
    return str(value).upper()


Shout = NewType("Shout", str)
SHOUT = strawberry.scalar(name="Shout", serialize=_shout, parse_value=str)


INITIALS: list[Any] = []  # the owners whose initial was asked for


def _initial(root: OwnerRecord) -> str | None:
    INITIALS.append(root)
    return root.name[:1] if root.name else None


@strawberry.type
class Owner:
    name: str = field(PUBLIC)
    maybe_name: str | None = strawberry.field(directives=[PUBLIC], resolver=lambda root: root.name)
    initial: str | None = resolved(PUBLIC, _initial)


@strawberry.type
class Tag:
    label: str = field(PUBLIC)
    loud: Shout | None = resolved(PUBLIC, lambda root: root.label)


def _self(root: Any) -> Any:
    return root


def _paint_key(root: ItemRecord, colour: Colour = Colour.RED, loud: bool = False) -> tuple[int, Colour, bool]:
    return (root.id, colour, loud)


def _shifted_key(root: ItemRecord, offset: int = 0) -> int:
    if offset < 0:
        raise ValueError("no negative offset")
    return root.owner_id + offset  # type: ignore[operator]  # no owner: a TypeError, at the item's path


def _maybe_key(root: ItemRecord, offset: strawberry.Maybe[int] = None) -> int:
    return root.owner_id if offset is None else root.owner_id + offset.value  # type: ignore[operator]


@strawberry.type
class Item:
    id: strawberry.ID = global_id("Item", PUBLIC)
    name: str = field(PUBLIC)
    note: str | None = field(PUBLIC)
    count: int = field(PUBLIC)
    colour: Colour = field(PUBLIC)
    day: date = field(PUBLIC)
    owner: Owner | None = related(OwnerLoader, "owner_id", PUBLIC)  # type: ignore[arg-type]
    sure_owner: Owner = related(OwnerLoader, "owner_id", PUBLIC)  # type: ignore[arg-type]
    slow_owner: Owner | None = related(StuckLoader, "owner_id", PUBLIC)  # type: ignore[arg-type]
    tags: list[Tag] | None = field(PUBLIC)
    # Computed, so the level's prefetch does not follow it: the owner below it is not loaded yet.
    again: Item | None = resolved(PUBLIC, _self)
    paint: str | None = related(PaintLoader, _paint_key, PUBLIC)  # type: ignore[arg-type]
    shifted_owner: Owner | None = related(OwnerLoader, _shifted_key, PUBLIC)  # type: ignore[arg-type]
    maybe_owner: Owner | None = related(OwnerLoader, _maybe_key, PUBLIC)  # type: ignore[arg-type]

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, ItemRecord)


ITEMS: list[Any] = []


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item | None]:
        return ITEMS

    @strawberry.field
    def sure_items(self) -> list[Item]:
        return ITEMS


SCHEMA = strawberry.Schema(
    query=Query, execution_context_class=LevelExecutor, config=StrawberryConfig(scalar_map={Shout: SHOUT})
)
fast_resolvers(SCHEMA._schema)

FIELDS = "id name note count colour day owner { name } tags { label } __typename"


class Spy:
    """How many items of the query's lists the plans answered, and how many graphql-core completed
    (``nested_planned``: items of lists below those)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.planned = self.nested_planned = self.fallbacks = 0
        self._appended: collections.Counter[int] = collections.Counter()  # by the depth of the item's path
        original = plan_run.complete_chunk

        def counting(run: Any, start: int, stop: int) -> None:
            depth = len(run.path.as_list()) + 1
            before, appended_before = len(run.completed), self._appended[depth]
            try:
                original(run, start, stop)
            finally:
                planned = len(run.completed) - before - (self._appended[depth] - appended_before)
                if len(run.path.as_list()) == 1:
                    self.planned += planned
                else:
                    self.nested_planned += planned

        fallback = LevelExecutor.complete_list_item_value

        def counted(executor: Any, item: Any, results: list[Any], *args: Any) -> bool:
            depth = len(args[3].as_list())
            if depth == 2:  # an item of the query's list: list field, index
                self.fallbacks += 1
            awaited = bool(fallback(executor, item, results, *args))
            self._appended[depth] += 1
            return awaited

        monkeypatch.setattr(plan_run, "complete_chunk", counting)
        monkeypatch.setattr(LevelExecutor, "complete_list_item_value", counted)


async def answer(
    query: str, plans: bool, monkeypatch: pytest.MonkeyPatch, variables: dict[str, Any] | None = None
) -> tuple[bytes, list[Any]]:
    monkeypatch.setenv("CORPCARE_COMPILED_PLANS", "1" if plans else "0")
    build_response = LevelExecutor.build_response

    def counted(executor: LevelExecutor, data: Any) -> Any:
        # The objects counted while building are those in the answer, items the plan missed included.
        response = build_response(executor, data)
        assert objects_of(response) == objects_in(response.data)
        return response

    monkeypatch.setattr(LevelExecutor, "build_response", counted)
    result = await SCHEMA.execute(query, context_value=Loaders(), variable_values=variables)
    errors = sorted((e.formatted for e in result.errors or ()), key=lambda e: str(e.get("path")))
    return orjson.dumps(result.data), errors


async def both(
    query: str, monkeypatch: pytest.MonkeyPatch, variables: dict[str, Any] | None = None
) -> tuple[Any, list[Any], Spy]:
    """The answer with plans off, checked to be the answer with them on; and what the plans did."""
    off = await answer(query, False, monkeypatch, variables)
    spy = Spy(monkeypatch)
    PaintLoader.batches = 0
    on = await answer(query, True, monkeypatch, variables)
    assert on == off
    return orjson.loads(off[0]), off[1], spy


@pytest.fixture
def items() -> list[Any]:
    ITEMS[:] = [ItemRecord(1, tags=[TagRecord("a")]), ItemRecord(2, owner_id=None), ItemRecord(3)]
    return ITEMS


async def test_a_list_of_plain_items_is_answered_by_the_plan_as_graphql_core_answers_it(items, monkeypatch):
    data, errors, spy = await both(f"{{ items {{ {FIELDS} }} sureItems {{ {FIELDS} }} }}", monkeypatch)
    assert errors == []
    assert data["items"][0] == {
        "id": data["items"][0]["id"], "name": "item", "note": None, "count": 1, "colour": "RED", "day": "2026-01-01",
        "owner": {"name": "Ada"}, "tags": [{"label": "a"}], "__typename": "Item",
    }  # fmt: skip
    assert data["items"] == data["sureItems"]
    assert (spy.planned, spy.fallbacks) == (6, 0)


@pytest.mark.parametrize("list_field", ["items", "sureItems"])
@pytest.mark.parametrize(
    ("case", "selection", "error_path"),
    [
        ("a null for a non-null field", "name", ["name"]),
        ("a value the scalar refuses", "count", ["count"]),
        ("a value the scalar raises on", "tags { loud }", ["tags", 0, "loud"]),
        ("an enum value outside the enum", "colour", ["colour"]),
        ("an error for a value", "note", ["note"]),
        ("an int beyond 32 bits", "count", ["count"]),
        ("an error for a value of a lenient scalar", "tags { loud }", ["tags", 0, "loud"]),
        ("is_type_of false", "name", []),
        ("a failed load", "owner { name }", ["owner"]),
        ("a null under a loaded object", "sureOwner { name }", ["sureOwner", "name"]),
    ],
)
async def test_an_item_the_plan_misses_is_answered_by_graphql_core_at_its_path(
    items, monkeypatch, list_field, case, selection, error_path
):
    middle = {
        "a null for a non-null field": ItemRecord(2, name=None),
        "a value the scalar refuses": ItemRecord(2, count="many"),
        "a value the scalar raises on": ItemRecord(2, tags=[TagRecord("boom")]),
        "an enum value outside the enum": ItemRecord(2, colour="GREEN"),
        "an error for a value": ItemRecord(2, note=ValueError("no note")),
        "an int beyond 32 bits": ItemRecord(2, count=2**31),
        "an error for a value of a lenient scalar": ItemRecord(2, tags=[TagRecord(ValueError("no label"))]),
        "is_type_of false": OtherRecord(),
        "a failed load": ItemRecord(2, owner_id=99),
        "a null under a loaded object": ItemRecord(2, owner_id=2),
    }[case]
    items[1] = middle
    data, errors, spy = await both(f"{{ {list_field} {{ {selection} }} }}", monkeypatch)  # sureItems: [Item!]!
    assert [error["path"] for error in errors] == [[list_field, 1, *error_path]]
    assert spy.fallbacks == 1
    # A non-null item that fails nulls the whole list: the plan stops there, as graphql-core does.
    assert spy.planned == (1 if data is None else 2)


async def test_a_null_item_of_a_nullable_list_is_null_and_of_a_non_null_list_nulls_the_list(items, monkeypatch):
    items.insert(1, None)
    data, errors, spy = await both("{ items { name owner { name } } }", monkeypatch)
    assert errors == [] and data["items"][1] is None and data["items"][0]["owner"] == {"name": "Ada"}
    assert spy.fallbacks == 0
    data, errors, spy = await both("{ sureItems { name owner { name } } }", monkeypatch)
    assert data is None  # sureItems is [Item!]!: the null reaches the root
    assert [error["path"] for error in errors] == [["sureItems", 1]]
    assert spy.fallbacks == 1


async def test_a_load_still_pending_when_the_item_is_completed_is_left_to_graphql_core(items, monkeypatch):
    data, errors, spy = await both("{ items { again { owner { name } } } }", monkeypatch)
    assert errors == [] and data["items"][0] == {"again": {"owner": {"name": "Ada"}}}
    assert spy.fallbacks == 2 and spy.planned == 1  # the second item has no owner to load


async def test_a_nested_list_longer_than_a_chunk_is_left_to_graphql_core(items, monkeypatch):
    items[0].tags = [TagRecord(str(n)) for n in range(CHUNK + 1)]
    data, errors, spy = await both("{ items { tags { label } } }", monkeypatch)
    assert errors == [] and len(data["items"][0]["tags"]) == CHUNK + 1
    # graphql-core completes the first item; the long list under it gets its own plan.
    assert (spy.fallbacks, spy.planned, spy.nested_planned) == (1, 2, CHUNK + 1)


async def test_a_long_list_is_planned_in_chunks(monkeypatch):
    ITEMS[:] = [ItemRecord(n, owner_id=None if n % 2 else 1) for n in range(2 * CHUNK + 3)]
    data, errors, spy = await both("{ items { id owner { name } } }", monkeypatch)
    assert errors == [] and len(data["items"]) == 2 * CHUNK + 3
    assert (spy.planned, spy.fallbacks) == (2 * CHUNK + 3, 0)


async def test_an_object_the_items_share_is_built_once_per_chunk_and_answered_as_graphql_core_answers_it(
    monkeypatch,
):
    ITEMS[:] = [ItemRecord(n) for n in range(2 * CHUNK + 3)]  # one owner for them all
    query = "{ items { owner { name initial } sureOwner { initial } } }"
    off = await answer(query, False, monkeypatch)
    assert len(INITIALS) == 2 * (2 * CHUNK + 3)  # graphql-core: once per item and field
    INITIALS.clear()
    on = await answer(query, True, monkeypatch)  # the objects counted are those in the answer
    assert on == off
    assert orjson.loads(on[0])["items"][-1] == {"owner": {"name": "Ada", "initial": "A"}, "sureOwner": {"initial": "A"}}
    # Once per field and chunk: no other request's code runs while a chunk is completed.
    assert len(INITIALS) == 2 * 3


def test_an_object_a_memo_answers_again_is_counted_again_with_the_objects_below_it():
    tag = steps.object_(None, (("label", steps.Field("value.label", {})),), False, -3)
    owner = steps.object_(None, (("tag", steps.Field("tag(value.name, loads, info)", {"tag": tag})),), False, -2)
    item = steps.object_(None, (("owner", steps.Field("owner(value.name, loads, info)", {"owner": owner})),), False)
    shared = OwnerRecord(1, TagRecord("a"))
    loads: list[Any] = [{}, {}, 0]  # two memos, then the objects built
    first, second = (item(ItemRecord(n, name=shared), loads, None) for n in range(2))
    assert first == second == {"owner": {"tag": {"label": "a"}}} and first["owner"] is second["owner"]
    assert loads[-1] == 6  # two items, each with its owner and the owner's tag


async def test_objects_under_which_nothing_loads_are_not_walked_by_the_prefetch(items, monkeypatch):
    walked: list[str] = []
    level = prefetch._Walk.level

    def spied(walk: Any, type_: Any, details: Any, objects: list[Any]) -> Any:
        walked.append(type_.name)
        return level(walk, type_, details, objects)

    monkeypatch.setattr(prefetch._Walk, "level", spied)
    data, errors, _ = await both("{ items { tags { label } owner { name } } }", monkeypatch)
    assert errors == [] and data["items"][0] == {"tags": [{"label": "a"}], "owner": {"name": "Ada"}}
    assert walked == ["Item", "Item"]  # plans off, then on: neither the tags nor the owners


async def test_relations_keyed_by_the_same_attribute_read_their_keys_once_per_level(items, monkeypatch):
    read: list[str] = []
    keys = prefetch._keys

    def spied(objects: list[Any], attribute: str, many: bool) -> list[Any]:
        read.append(attribute)
        return keys(objects, attribute, many)

    monkeypatch.setattr(prefetch, "_keys", spied)
    for item in items:
        item.owner_id = 1
    data, errors, _ = await both("{ items { owner { name } sureOwner { name } } }", monkeypatch)
    assert errors == [] and data["items"][0] == {"owner": {"name": "Ada"}, "sureOwner": {"name": "Ada"}}
    assert read == ["owner_id", "owner_id"]  # plans off, then on


class Later:
    """Awaitable (its class is)."""

    def __await__(self) -> Any:
        yield


def test_an_awaitable_item_is_found_among_items_of_classes_known_plain():
    asked: list[Any] = []

    def is_awaitable(value: Any) -> bool:
        asked.append(value)
        return isinstance(value, Later)

    steps.plain(SlottedRecord(0))  # a class whose every instance is plain, now known
    plain_items = [SlottedRecord(n) for n in range(3)]
    assert not steps.any_awaitable(plain_items, is_awaitable) and asked == []
    later = Later()
    assert steps.any_awaitable([*plain_items, later], is_awaitable) and asked == [later]


@pytest.mark.parametrize(
    "query",
    [
        "{ items { owner { maybeName } } }",  # a hand-written resolver
        "query($n: Boolean!) { items { name @include(if: $n) owner @deprecated { name } } }",  # another directive
    ],
)
async def test_a_selection_no_plan_covers_is_completed_by_graphql_core(items, monkeypatch, query):
    spy = Spy(monkeypatch)
    monkeypatch.setenv("CORPCARE_COMPILED_PLANS", "1")
    await SCHEMA.execute(query, context_value=Loaders(), variable_values={"n": True})
    assert spy.planned == 0


async def test_plans_off_complete_every_item_through_graphql_core(items, monkeypatch):
    spy = Spy(monkeypatch)
    await answer("{ items { name } }", False, monkeypatch)
    assert (spy.planned, spy.fallbacks) == (0, 3)


async def test_leaves_of_other_python_types_are_converted_as_graphql_core_converts_them(items, monkeypatch):
    items[:] = [
        ItemRecord(1, name=7, note=True, count=True),
        ItemRecord(2, count=-(2**31), note=1.5, colour=Colour.BLUE),
    ]
    data, errors, spy = await both("{ items { name note count colour } }", monkeypatch)
    assert errors == [] and spy.planned == 2
    assert data["items"] == [
        {"name": "7", "note": "true", "count": 1, "colour": "RED"},
        {"name": "item", "note": "1.5", "count": -(2**31), "colour": "BLUE"},
    ]


async def test_a_request_cancelled_while_its_level_loads_stops_and_one_left_to_finish_answers(items):
    StuckLoader.started, StuckLoader.release = asyncio.Event(), asyncio.Event()
    request = asyncio.create_task(SCHEMA.execute("{ items { slowOwner { name } } }", context_value=Loaders()))
    await StuckLoader.started.wait()
    request.cancel()
    with pytest.raises(asyncio.CancelledError):
        await request
    StuckLoader.started = asyncio.Event()
    request = asyncio.create_task(SCHEMA.execute("{ items { slowOwner { name } } }", context_value=Loaders()))
    await StuckLoader.started.wait()
    StuckLoader.release.set()
    result = await request
    assert result.errors is None and result.data["items"][0] == {"slowOwner": {"name": "Ada"}}


KEYED = """query($colour: Colour!, $offset: Int!) { items { paint(colour: $colour) red: paint
  loudly: paint(colour: BLUE, loud: true) shiftedOwner(offset: $offset) { name } } }"""


async def test_relations_keyed_by_the_fields_arguments_are_answered_by_the_plan(items, monkeypatch):
    for item in items:
        item.owner_id = 1
    data, errors, spy = await both(KEYED, monkeypatch, {"colour": "BLUE", "offset": 0})
    assert errors == []
    assert data["items"][1] == {"paint": "2:BLUE", "red": "2:RED", "loudly": "2:BLUE!", "shiftedOwner": {"name": "Ada"}}
    assert (spy.planned, spy.fallbacks) == (3, 0)
    assert PaintLoader.batches == 1  # every paint of the level in one batch, as the resolvers ask


async def test_an_item_whose_key_cannot_be_computed_is_answered_by_graphql_core_with_its_error(items, monkeypatch):
    data, errors, spy = await both("{ items { shiftedOwner { name } } }", monkeypatch)  # the second has no owner
    assert [error["path"] for error in errors] == [["items", 1, "shiftedOwner"]]
    assert data["items"][0] == {"shiftedOwner": {"name": "Ada"}}
    assert (spy.planned, spy.fallbacks) == (2, 1)
    data, errors, spy = await both("{ items { shiftedOwner(offset: -1) { name } } }", monkeypatch)
    assert len(errors) == 3 and (spy.planned, spy.fallbacks) == (0, 3)


async def test_arguments_strawberry_refuses_to_convert_leave_the_list_to_graphql_core(items, monkeypatch):
    for item in items:
        item.owner_id = 1
    query = "query($offset: Int) { items { maybeOwner(offset: $offset) { name } } }"
    data, errors, spy = await both(query, monkeypatch, {"offset": None})  # a Maybe[int] cannot be null
    assert len(errors) == 3 and data["items"] == [{"maybeOwner": None}] * 3
    assert (spy.planned, spy.fallbacks) == (0, 3)
    data, errors, spy = await both(query, monkeypatch, {"offset": 0})
    assert errors == [] and (spy.planned, spy.fallbacks) == (3, 0)


@dataclass(slots=True)
class SlottedRecord:
    x: int


@dataclass
class OpenRecord(SlottedRecord):
    """A subclass with a ``__dict__``: an instance could be cast to another type, so each one is asked."""


def test_an_is_type_of_of_the_class_alone_is_asked_once_per_class_of_plain_instances():
    asked: list[type[Any]] = []

    def is_type_of(obj: Any, _info: Any) -> bool:
        asked.append(obj.__class__)
        return isinstance(obj, SlottedRecord)

    is_type_of.by_class = True  # type: ignore[attr-defined]
    complete = steps.object_(is_type_of, (("x", steps.Field("value.x", {})),), False)
    loads = [0]
    assert [complete(SlottedRecord(n), loads, None) for n in range(3)] == [{"x": 0}, {"x": 1}, {"x": 2}]
    assert [complete(OpenRecord(n), loads, None) for n in range(2)] == [{"x": 0}, {"x": 1}]
    for _ in range(2):
        with pytest.raises(steps.Miss):
            complete(OtherRecord(), loads, None)
    assert asked == [SlottedRecord, OpenRecord, OpenRecord, OtherRecord, OtherRecord]
    assert loads == [5]  # the objects built


def test_the_schemas_types_say_their_is_type_of_is_a_question_of_the_class():
    from schema.subscriber import Subscriber

    is_type_of = Subscriber.__strawberry_definition__.is_type_of
    assert is_type_of.by_class is True
    assert is_type_of(OtherRecord(), None) is False
