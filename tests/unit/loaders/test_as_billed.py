"""The stays handed to billing as billed: numbered per place, a line in several places once more
in a group of its own per place, a line in one place all along without its days."""

from __future__ import annotations

from datetime import date

from loaders.as_billed import numbered_places
from sources.crm.history import Place

DEC = date(2026, 12, 1)
JAN = date(2027, 1, 1)
MOVED = date(2026, 12, 10)


def test_each_place_is_a_group_and_a_line_that_moved_is_also_a_group_of_its_own_in_each_place():
    joined = date(2026, 12, 5)
    places = [
        Place(1, "/1/2/", [10], [11], [DEC], [MOVED]),
        Place(1, "/1/3/", [12], [11, 13], [MOVED, joined], [None, None]),
    ]

    stays, groups = numbered_places(places)

    assert groups == [(1, "/1/2/", 0), (1, "/1/3/", 0), (1, "/1/2/", 11), (1, "/1/3/", 11)]
    assert list(zip(stays.whole_lines, stays.whole_groups, strict=True)) == [(10, 0), (12, 1)]
    rows = list(zip(stays.line_ids, stays.groups, stays.starts, stays.ends, strict=True))
    assert rows == [
        (11, 0, DEC, MOVED),
        (11, 1, MOVED, None),
        (13, 1, joined, None),
        (11, 2, DEC, MOVED),
        (11, 3, MOVED, None),
    ]


def test_a_line_back_in_a_place_it_left_has_one_group_of_its_own_there():
    back = date(2026, 12, 20)
    places = [Place(1, "/1/2/", [], [10, 10], [DEC, back], [MOVED, None]), Place(1, "/1/3/", [], [10], [MOVED], [back])]

    stays, groups = numbered_places(places)

    assert groups[2:] == [(1, "/1/2/", 10), (1, "/1/3/", 10)]
    assert stays.groups[3:] == [2, 2, 3]
    assert stays.whole_lines == []
