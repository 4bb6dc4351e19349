"""Opaque cursors (loaders/cursors.py): a key read back exactly as it was written, and anything
else — garbage, another list's cursor, a value no backend holds — refused as BAD_USER_INPUT on
the argument that carried it."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime

import orjson
import pytest

from core.errors import BadUserInput
from core.values import KEY_32, KEY_64
from loaders.cursors import Keyset, PageArgs, day, encode_cursor, key32, key64, moment, span_of, text, window_of

LINES = Keyset("subscribers", (text, key32))
AUDIT = Keyset("audit", (moment, key64))
DAYS = Keyset("usage", (day, key32))


@pytest.mark.parametrize(
    ("keyset", "key"),
    [(LINES, ("Zoë Ångström", 7)), (LINES, ("", 0)), (LINES, ("a,b]\"}", KEY_32)),
     (AUDIT, (datetime(2026, 11, 30, 23, 59, 59, 999_999, tzinfo=UTC), KEY_64)),
     (DAYS, (date(1900, 1, 1), 1)), (DAYS, (date(2999, 12, 31), 2))],
)  # fmt: skip
def test_a_cursor_reads_back_the_key_it_was_made_from(keyset, key):
    cursor = keyset.cursor(*key)
    assert "=" not in cursor and "+" not in cursor and "/" not in cursor  # safe in a URL as it is
    assert keyset.decode(cursor, "after") == key


def raw(*values):
    return base64.urlsafe_b64encode(orjson.dumps(values)).decode().rstrip("=")


GARBAGE = [
    "", "!!!", "not a cursor", "e30", raw(), base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    base64.urlsafe_b64encode(b'{"subscribers": 1}').decode(),
    raw("audit", "Zoë", 7),  # another list's cursor
    raw("subscribers", "Zoë"), raw("subscribers", "Zoë", 7, 8),  # the wrong number of parts
    raw("subscribers", 7, 7), raw("subscribers", "a\x00b", 7),  # a sort value of the wrong kind
    raw("subscribers", "Zoë", KEY_32 + 1), raw("subscribers", "Zoë", -1),  # keys no backend holds
    raw("subscribers", "Zoë", True), raw("subscribers", "Zoë", 7.0), raw("subscribers", "Zoë", None),
]  # fmt: skip


@pytest.mark.parametrize("cursor", GARBAGE)
@pytest.mark.parametrize("argument", ["after", "before"])
def test_anything_but_a_cursor_of_this_list_is_bad_user_input_on_its_argument(cursor, argument):
    with pytest.raises(BadUserInput) as refused:
        LINES.decode(cursor, argument)
    assert refused.value.code == "BAD_USER_INPUT"
    assert refused.value.extensions["argument"] == argument


@pytest.mark.parametrize(
    "cursor",
    [raw("audit", "1899-12-31T23:00:00+00:00", 1), raw("audit", "3000-01-01T00:00:00+00:00", 1),
     raw("audit", "yesterday", 1), raw("audit", "2026-11-30T10:00:00+00:00", KEY_64 + 1),
     raw("usage", "2026-02-30", 1), raw("usage", "0001-01-01", 1)],
)  # fmt: skip
def test_moments_and_days_outside_the_years_the_backends_hold_are_refused(cursor):
    keyset = AUDIT if "audit" in base64.urlsafe_b64decode(cursor + "==").decode() else DAYS
    with pytest.raises(BadUserInput):
        keyset.decode(cursor, "after")


def test_paging_arguments_read_into_a_span_and_bad_sizes_are_refused():
    after = LINES.cursor("Bo", 2)
    forward = span_of(LINES, PageArgs(first=3, after=after), default=50, maximum=100)
    assert (forward.limit, forward.after, forward.before, forward.backward) == (3, ("Bo", 2), None, False)
    backward = span_of(LINES, PageArgs(last=4, before=after), default=50, maximum=100)
    assert (backward.limit, backward.before, backward.backward) == (4, ("Bo", 2), True)
    assert span_of(LINES, PageArgs(), default=50, maximum=100).limit == 50
    for args, argument in [
        (PageArgs(first=1, last=1), "last"), (PageArgs(first=101), "first"), (PageArgs(last=-1), "last"),
        (PageArgs(first=1, after=encode_cursor("audit", "x", 1)), "after"),
    ]:  # fmt: skip
        with pytest.raises(BadUserInput) as refused:
            span_of(LINES, args, default=50, maximum=100)
        assert refused.value.extensions["argument"] == argument


async def test_a_page_knows_from_the_extra_row_and_the_cursors_whether_rows_lie_beyond_it():
    async def count() -> int:
        return 9

    rows = [("A", 1), ("B", 2), ("C", 3)]
    forward = window_of(
        rows, span_of(LINES, PageArgs(first=2), default=50, maximum=100), lambda r: LINES.cursor(*r), count
    )
    assert forward.nodes == rows[:2]
    assert (forward.page_info.has_previous_page, forward.page_info.has_next_page) == (False, True)
    assert LINES.decode(forward.page_info.end_cursor, "after") == ("B", 2)
    # Read backward, the rows come in reverse and are shown in list order.
    args = PageArgs(last=2, before=LINES.cursor("D", 4))
    backward = window_of(rows[::-1], span_of(LINES, args, default=50, maximum=100), lambda r: LINES.cursor(*r), count)
    assert backward.nodes == [("B", 2), ("C", 3)]
    assert (backward.page_info.has_previous_page, backward.page_info.has_next_page) == (True, True)
    assert [edge.node for edge in backward.edges] == backward.nodes
    assert await backward.count() == 9
