"""Lines handed to billing as data: a line → group map, or (as billed) a line's group per range
of days, as a derived table to join the charges (or the usage records, by their day) to."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Date, Integer, String, and_, bindparam, cast, func, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.elements import Grouping
from sqlalchemy.types import TypeEngine


def line_groups(groups: Mapping[int, str], dialect: str) -> tuple[Any, ColumnElement[Any], ColumnElement[Any]]:
    """A derived table (line id, group) from a line → group map handed over as data: one
    bound parameter whatever its size (two arrays on PostgreSQL, one JSON object on SQLite).
    Returns the table and its two columns, ready to join to the charges by line."""
    if dialect == "postgresql":
        members = (
            func.unnest(
                bindparam(None, list(groups), type_=ARRAY(Integer())),
                bindparam(None, list(groups.values()), type_=ARRAY(String())),
            )
            .table_valued("line_id", "grp")
            .render_derived(name="members")
        )
        return members, members.c.line_id, members.c.grp
    as_json = json.dumps({str(key): value for key, value in groups.items()})
    members = func.json_each(bindparam(None, as_json, type_=String())).table_valued("key", "value").alias("members")
    return members, cast(members.c.key, Integer()), members.c.value


def json_rows(*columns: Any) -> Any:
    """SQLite: the columns read out of a JSON parameter's items, once each, into a materialised
    table: joined as it is, ``json_extract`` would run again for every charge row it meets."""
    return select(*columns).cte().prefix_with("MATERIALIZED")


# (line id, group, first day, day after the last or None): a line's group for a range of days.
Stay = tuple[int, str, date, date | None]


def utc_day(moment: Any, dialect: str) -> ColumnElement[Any]:
    """The day of a timestamp column in UTC, as a ``Date`` column compares: the day a usage record
    is charged on (rating dates a charge by its usage's day in UTC, ``demo/rating.py``),
    whatever the session's time zone (PostgreSQL) or the stored offset (SQLite)."""
    if dialect == "postgresql":
        return cast(func.timezone("UTC", moment), Date())
    return func.date(moment)  # SQLite: ISO text, compared with ISO days as text


@dataclass(frozen=True, slots=True)
class NumberedStays:
    """Stays as columns, their groups numbered: ``line_ids[i]`` was in group ``groups[i]`` from
    ``starts[i]`` (included) to ``ends[i]`` (excluded; None: still there). A statement grouping by
    the number groups by an integer (hashed, not sorted as text); the caller names the numbers.

    Most lines sit in one place for all the days asked: those are ``whole_lines[i]`` in group
    ``whole_groups[i]``, without days — every charge of theirs in those days is that group's."""

    line_ids: list[int]
    groups: list[int]
    starts: list[date]
    ends: list[date | None]
    whole_lines: list[int]
    whole_groups: list[int]


def numbered_lines(
    lines: list[int], groups: list[int], dialect: str
) -> tuple[Any, ColumnElement[Any], ColumnElement[Any]]:
    """``line_groups`` with numbered groups, from columns: a derived table (line id, group)."""
    if dialect == "postgresql":
        members = (
            func.unnest(bindparam(None, lines, type_=ARRAY(Integer())), bindparam(None, groups, type_=ARRAY(Integer())))
            .table_valued("line_id", "grp")
            .render_derived(name="whole")
        )
        return members, members.c.line_id, members.c.grp
    as_json = json.dumps(list(zip(lines, groups, strict=True)))
    item = func.json_each(bindparam(None, as_json, type_=String())).table_valued("value").c.value
    table = json_rows(
        cast(func.json_extract(item, "$[0]"), Integer()).label("line_id"),
        cast(func.json_extract(item, "$[1]"), Integer()).label("grp"),
    )
    return table, table.c.line_id, table.c.grp


# A line → group array indexed by line id is used when it holds no more than this many slots per line.
DENSE_SLOTS_PER_LINE = 4
NO_GROUP = -1


def looked_up_groups(lines: list[int], groups: list[int], line: Any, dialect: str) -> ColumnElement[Any] | None:
    """PostgreSQL: the group of ``line`` (a column) read from an array of groups indexed by line id,
    handed over as one bound parameter (``NO_GROUP`` for a line without one): one subscript per row
    instead of a join to ``numbered_lines``, so no plan rests on how many rows the planner expects
    from the join (it cannot know: the table is data). Only when the ids are dense enough that the
    array stays small (``DENSE_SLOTS_PER_LINE``); None otherwise, and on SQLite."""
    if dialect != "postgresql" or not lines:
        return None
    first, last = min(lines), max(lines)
    if last - first + 1 > DENSE_SLOTS_PER_LINE * len(lines):
        return None
    by_line = [NO_GROUP] * (last - first + 1)
    for line_id, group in zip(lines, groups, strict=True):
        by_line[line_id - first] = group
    # No NULL in the array: PostgreSQL finds an element of an array without NULLs by its offset.
    table: Any = Grouping(bindparam(None, by_line, type_=ARRAY(Integer())))
    return table[line - bindparam(None, first - 1, type_=Integer())]


def line_stays(
    stays: Sequence[Stay], dialect: str, line: Any, day: Any
) -> tuple[Any, ColumnElement[Any], ColumnElement[Any], Any]:
    """``line_groups`` over days: a derived table (line id, group, from, to) handed over as data
    in one bound parameter, and the join condition that puts a fact (its ``line`` and ``day``
    columns: a charge's, or a usage record's line and ``utc_day``) in the group its line had on
    that day. A line may appear in several stays; they never overlap, so each fact counts once.
    Returns the table, its line and group columns, and that condition."""
    columns = ([s[0] for s in stays], [s[1] for s in stays], [s[2] for s in stays], [s[3] for s in stays])
    return _stays_table(columns, String(), dialect, line, day)


def numbered_stays(
    stays: NumberedStays, dialect: str, line: Any, day: Any
) -> tuple[Any, ColumnElement[Any], ColumnElement[Any], Any]:
    """``line_stays`` with numbered groups, from stays as columns."""
    columns = (stays.line_ids, stays.groups, stays.starts, stays.ends)
    return _stays_table(columns, Integer(), dialect, line, day)


def _stays_table(
    columns: tuple[list[int], list[Any], list[date], list[date | None]],
    group_type: TypeEngine[Any],
    dialect: str,
    line: Any,
    day: Any,
) -> tuple[Any, ColumnElement[Any], ColumnElement[Any], Any]:
    lines, groups, starts, ends = columns
    members: Any
    if dialect == "postgresql":
        members = (
            func.unnest(
                bindparam(None, lines, type_=ARRAY(Integer())),
                bindparam(None, groups, type_=ARRAY(group_type)),
                bindparam(None, starts, type_=ARRAY(Date())),
                bindparam(None, ends, type_=ARRAY(Date())),
            )
            .table_valued("line_id", "grp", "valid_from", "valid_to")
            .render_derived(name="members")
        )
        table: list[Any] = [members.c.line_id, members.c.grp, members.c.valid_from, members.c.valid_to]
    else:
        as_json = json.dumps(
            [
                [line_id, grp, start.isoformat(), end and end.isoformat()]
                for line_id, grp, start, end in zip(lines, groups, starts, ends, strict=True)
            ]
        )
        item = func.json_each(bindparam(None, as_json, type_=String())).table_valued("value").c.value
        members = json_rows(
            cast(func.json_extract(item, "$[0]"), Integer()).label("line_id"),
            func.json_extract(item, "$[1]", type_=group_type).label("grp"),
            func.json_extract(item, "$[2]").label("valid_from"),
            func.json_extract(item, "$[3]").label("valid_to"),
        )
        table = list(members.c)
    line_id, group, valid_from, valid_to = table
    on = and_(line == line_id, day >= valid_from, or_(valid_to.is_(None), day < valid_to))
    return members, line_id, group, on
