"""Keyset pages (sources/keyset.py) on a real SQLite table: rows added between two reads —
before the page, inside the range still to read, after it — shift no other row, reading forward
or backward, and ``before`` at or above ``after`` cuts nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Column, Connection, Integer, MetaData, Table, Text, create_engine, insert, select

from sources.keyset import Key, Span, bounds, reading_order

METADATA = MetaData()
LINES = Table("lines", METADATA, Column("id", Integer, primary_key=True), Column("name", Text, nullable=False))
KEY = (LINES.c.name, LINES.c.id)
NAMES = ["Ada", "Bo", "Bo", "Cy", "Di", "Ed", "Flo", "Gus", "Hal", "Ida"]  # a tie: the id orders it


@pytest.fixture
def conn() -> Iterator[Connection]:
    engine = create_engine("sqlite://")
    with engine.begin() as connection:
        METADATA.create_all(connection)
        connection.execute(insert(LINES), [{"id": i + 1, "name": name} for i, name in enumerate(NAMES)])
        yield connection
    engine.dispose()


def page(conn: Connection, span: Span, descending: bool = False) -> tuple[list[Key], bool]:
    """One page in list order, and whether more rows lie the way it was read."""
    statement = select(*KEY).where(*bounds(KEY, span, descending=descending))
    rows = [
        tuple(row)
        for row in conn.execute(statement.order_by(*reading_order(KEY, span, descending=descending)).limit(span.fetch))
    ]
    shown = rows[: span.limit]
    return (shown[::-1] if span.backward else shown), len(rows) > span.limit


def add(conn: Connection, id_: int, name: str) -> Key:
    conn.execute(insert(LINES).values(id=id_, name=name))
    return (name, id_)


def everything(conn: Connection) -> list[Key]:
    return [tuple(row) for row in conn.execute(select(*KEY).order_by(*KEY))]


def test_reading_forward_rows_added_between_reads_shift_no_other_row(conn):
    before = everything(conn)
    first, more = page(conn, Span(3))
    assert first == before[:3] and more
    added_before = add(conn, 100, "Aa")  # sorts before the page already read
    added_inside = add(conn, 101, "Bo")  # ties with the page's last name: ordered after it by id
    added_after = add(conn, 102, "Zed")  # beyond every row
    read, cursor = list(first), first[-1]
    while True:
        rows, more = page(conn, Span(3, after=cursor))
        read += rows
        if not more:
            break
        cursor = rows[-1]
    assert len(read) == len(set(read))  # no row read twice
    assert set(before) <= set(read)  # none of the rows there on both reads skipped
    assert added_inside in read and added_after in read and added_before not in read
    assert read == sorted(read)


def test_reading_backward_rows_added_between_reads_shift_no_other_row(conn):
    before = everything(conn)
    last, more = page(conn, Span(4, backward=True))
    assert last == before[-4:] and more
    added_after = add(conn, 100, "Zed")  # sorts after the page already read
    added_inside = add(conn, 101, "Cz")  # inside the range still to read
    added_first = add(conn, 102, "A")  # before every row
    read, cursor = list(last), last[0]
    while True:
        rows, more = page(conn, Span(4, before=cursor, backward=True))
        read = rows + read
        if not more:
            break
        cursor = rows[0]
    assert len(read) == len(set(read))
    assert set(before) <= set(read)
    assert added_inside in read and added_first in read and added_after not in read
    assert read == sorted(read)


def test_a_page_between_two_cursors_holds_only_the_rows_between_them(conn):
    rows = everything(conn)
    between, more = page(conn, Span(10, after=rows[1], before=rows[6]))
    assert between == rows[2:6] and not more
    from_end, _ = page(conn, Span(2, after=rows[1], before=rows[6], backward=True))
    assert from_end == rows[4:6]


def test_a_before_at_or_above_after_cuts_nothing_of_the_rows_left(conn):
    rows = everything(conn)
    for before in (rows[5], rows[3]):
        cut, _ = page(conn, Span(10, after=rows[5], before=before))
        assert cut == rows[6:]


def test_a_descending_list_pages_from_the_largest_key_down(conn):
    rows = everything(conn)[::-1]
    first, more = page(conn, Span(3), descending=True)
    assert first == rows[:3] and more
    second, _ = page(conn, Span(3, after=first[-1]), descending=True)
    assert second == rows[3:6]
    back, _ = page(conn, Span(2, before=second[0], backward=True), descending=True)
    assert back == rows[1:3]
