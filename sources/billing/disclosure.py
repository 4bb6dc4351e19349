"""Sums that cannot be narrowed to a line: billing's half of ``permissions/disclosure.py``.

corpcare hands over, per line, its *block* (fixed by the caller's scope, never by the
question) and the row the block falls in for this question (``REMAINDER`` when the block
does not fit one row, ``OUTSIDE`` when it lies outside the question's subtree). One
statement then, in SQL:

1. sums each line's facts per block, month, kind (charge category or usage kind) and currency;
2. counts the lines of each block, month and kind: a *cell* of at least ``floor`` lines is an atom;
3. pools the smaller cells of a month (and, for usage, of a kind: seconds and kilobytes do not
   add up) into the pool's remainder; when that remainder holds fewer than ``floor`` lines,
   the pool's smallest atom joins it; a pool without any atom and under ``floor`` lines
   is withheld;
4. sums the atoms into the question's rows, and the remainder (and atoms that fit no row) into
   one remainder row per month and currency (per month, kind and currency for usage).

Whether a cell is an atom depends only on the cell and its pool (one month), so a question
over other months, categories or subtrees finds the same atoms; it takes whole atoms only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    ARRAY,
    Date,
    Integer,
    String,
    and_,
    bindparam,
    case,
    cast,
    false,
    func,
    literal,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.sql import ColumnElement

from sources.billing.members import json_rows

REMAINDER = ""  # a block's row: the remainder
OUTSIDE = "-"  # a block's row: not part of this question
WHOLE = "*"  # the row of a total over the whole question


@dataclass(frozen=True, slots=True)
class Facts:
    """Where the facts are: a table's line, month, kind and currency columns, its measures, and
    the conditions (customer, months) that pick the rows."""

    table: Any
    line: Any
    period: Any
    kind: Any
    currency: Any
    measures: Sequence[Any]
    where: Sequence[ColumnElement[bool]]
    day: Any = None  # the day column, to join the stays of blocks as billed


@dataclass(frozen=True, slots=True)
class Question:
    """What the rows are: by month or not, by kind or not, which kinds count (empty: all), and
    whether the pools (which span the whole scope and every kind) are part of it."""

    by_month: bool
    by_kind: bool
    kinds: tuple[str, ...] = ()
    pools: bool = True
    pool_by_kind: bool = False  # usage: each kind has its own pool


# As billed, a line's block and row for a range of days: (line id, block, row, first day, day after the last).
BlockStay = tuple[int, str, str, date, date]
# Line id → (block, row) in today's tree, or as billed the stays (ranges of days) of each line's blocks.
Blocks = Mapping[int, tuple[str, str]] | Sequence[BlockStay]


def line_blocks(blocks: Mapping[int, tuple[str, str]], dialect: str) -> tuple[Any, Any, Any, Any]:
    """A derived table (line id, block, row) from line id → (block, row), as one bound parameter."""
    if dialect == "postgresql":
        members = (
            func.unnest(
                bindparam(None, list(blocks), type_=ARRAY(Integer())),
                bindparam(None, [b for b, _ in blocks.values()], type_=ARRAY(String())),
                bindparam(None, [r for _, r in blocks.values()], type_=ARRAY(String())),
            )
            .table_valued("line_id", "block", "grp")
            .render_derived(name="members")
        )
        return members, members.c.line_id, members.c.block, members.c.grp
    as_json = json.dumps({str(line): list(pair) for line, pair in blocks.items()})
    members = func.json_each(bindparam(None, as_json, type_=String())).table_valued("key", "value").alias("members")
    block = func.json_extract(members.c.value, "$[0]")
    row = func.json_extract(members.c.value, "$[1]")
    return members, cast(members.c.key, Integer()), block, row


STAY_COLUMNS = ("line_id", "block", "grp", "valid_from", "valid_to")


def stay_blocks(stays: Sequence[BlockStay], dialect: str) -> tuple[Any, list[Any]]:
    """``line_blocks`` as billed: a derived table (line id, block, row, first day, day after the
    last) as one bound parameter, and its columns."""
    if dialect == "postgresql":
        kinds: tuple[Any, ...] = (Integer(), String(), String(), Date(), Date())
        members = (
            func.unnest(*(bindparam(None, [stay[i] for stay in stays], type_=ARRAY(kind))
                          for i, kind in enumerate(kinds)))
            .table_valued(*STAY_COLUMNS)
            .render_derived(name="members")
        )  # fmt: skip
        return members, list(members.c)
    as_json = json.dumps(
        [[line, block, row, start.isoformat(), end.isoformat()] for line, block, row, start, end in stays]
    )
    item = func.json_each(bindparam(None, as_json, type_=String())).table_valued("value").c.value
    members = json_rows(
        cast(func.json_extract(item, "$[0]"), Integer()).label("line_id"),
        *(func.json_extract(item, f"$[{i}]").label(name) for i, name in enumerate(STAY_COLUMNS[1:], start=1)),
    )
    return members, list(members.c)


def _members(blocks: Blocks, facts: Facts, dialect: str) -> tuple[Any, Any, Any, Any]:
    """The blocks as a relation, its block and row columns, and how a fact joins it: by line
    (today's tree), or by line and the fact's day within the stay (as billed)."""
    if isinstance(blocks, Mapping):
        members, line_id, block, row = line_blocks(blocks, dialect)
        return members, block, row, facts.line == line_id
    members, (line_id, block, row, valid_from, valid_to) = stay_blocks(blocks, dialect)
    return members, block, row, and_(facts.line == line_id, facts.day >= valid_from, facts.day < valid_to)


def suppressed_sums(
    facts: Facts,
    blocks: Blocks,
    question: Question,
    floor: int,
    dialect: str,
    *,
    rows: bool | None,
) -> Any:
    """The statement: per row (``rows``) or for the whole question, the summed measures and the
    distinct lines; columns (row, month, kind, currency, *measures, lines) — the row is
    ``REMAINDER`` for the remainder, and month and kind are null when not asked for. ``rows``
    None: both in one statement, each row led by whether it is a total (its row ``WHOLE``).

    One pass of GROUP BY, then layers of window functions over the same rows (one per line and
    cell): no self-join, which the planners estimate badly on a derived table of lines."""
    members, block, row, on = _members(blocks, facts, dialect)
    keys = [block.label("block"), row.label("grp"), facts.period.label("period"), facts.kind.label("kind"),
            facts.currency.label("currency")]  # fmt: skip
    measures = [f"m{i}" for i in range(len(facts.measures))]
    by_line = (
        select(*keys, facts.line.label("line"),
               *(func.sum(m).label(name) for m, name in zip(facts.measures, measures, strict=True)))
        .select_from(members)
        .join(facts.table, on)
        .where(*facts.where)
        .group_by(*keys, facts.line)
        .cte("by_line")
    )  # fmt: skip
    pool_keys = ("period", "kind", "currency") if question.pool_by_kind else ("period", "currency")
    # 1. Each cell's lines, and each line's first row in its pool (to count it once there).
    b = by_line.c
    cell = [b.block, b.grp, b.period, b.kind, b.currency]
    counted_cells = select(
        by_line,
        func.count().over(partition_by=cell).label("n"),
        func.row_number().over(partition_by=[*(b[k] for k in pool_keys), b.line], order_by=b.kind).label("first"),
    ).cte("counted_cells")
    # 2. Per pool: whether a line has a small cell, the biggest cell, and the cells smallest atom first.
    c1 = counted_cells.c
    pool1 = [c1[k] for k in pool_keys]
    flagged = select(
        counted_cells,
        func.max(case((c1.n < floor, 1), else_=0)).over(partition_by=[*pool1, c1.line]).label("in_small"),
        func.max(c1.n).over(partition_by=pool1).label("biggest"),
        func.dense_rank()
        .over(partition_by=pool1, order_by=[case((c1.n >= floor, 0), else_=1), c1.n, c1.block, c1.kind])
        .label("rank"),
    ).cte("flagged")
    # 3. Per pool: the lines in its small cells (each once).
    c2 = flagged.c
    pooled = select(
        flagged,
        func.sum(case((and_(c2["first"] == 1, c2.in_small == 1), 1), else_=0))
        .over(partition_by=[c2[k] for k in pool_keys])
        .label("r"),
    ).cte("pooled")
    c = pooled.c
    # A cell of `floor` lines is an atom, unless it is its pool's smallest and the pool's small
    # cells hold some but fewer than `floor` lines: then it joins them.
    atom = and_(c.n >= floor, ~and_(c.r > 0, c.r < floor, c.rank == 1))
    withheld = and_(c.r < floor, c.biggest < floor)  # no atom to join: the pool is too small
    kinds = c.kind.in_(question.kinds) if question.kinds else true()
    counted = or_(and_(atom, c.grp != OUTSIDE, kinds), and_(~atom, ~withheld, true() if question.pools else false()))
    in_row = and_(atom, c.grp != REMAINDER)
    row_key = case((in_row, c.grp), else_=REMAINDER).label("grp")
    month = c.period if question.by_month else None
    kind = (c.kind if question.pool_by_kind else case((in_row, c.kind), else_=null())) if question.by_kind else None

    def summed(per_row: bool) -> Any:
        keys_out = [row_key, month, kind, c.currency] if per_row else [c.currency]
        return (
            select(
                *(null() if key is None else key for key in keys_out),
                *(func.sum(c[name]) for name in measures),
                func.count(c.line.distinct()),
            )
            .where(counted)
            # PostgreSQL does not group by a constant: the dimensions not asked for stay out.
            .group_by(*(key for key in keys_out if key is not None))
        )

    if rows is not None:
        return summed(rows)
    # Both, in one statement over the same facts: a first column tells the totals, padded to
    # the rows' columns (their row is WHOLE, month and kind null).
    per_row, whole = summed(True), summed(False)
    return union_all(
        per_row.with_only_columns(false().label("is_total"), *per_row.selected_columns),
        whole.with_only_columns(true().label("is_total"), literal(WHOLE), null(), null(), *whole.selected_columns),
    )
