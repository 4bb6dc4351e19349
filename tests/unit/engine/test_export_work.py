"""Every CSV export is priced by the work its report does (``engine/work.report_work``), growing
with the lines in scope where its rows do: none falls through to the flat guess for unknown fields."""

from __future__ import annotations

import pytest

from engine.work import GUESS, Work, report_work
from resolvers.report_size import ScopeSize
from server.exports.cost import FIELDS

SMALL, LARGE = ScopeSize(lines=100, units=5), ScopeSize(lines=100_000, units=500)
ARGUMENTS = {"from": "2026-01", "to": "2026-06", "month": "2026-06", "first": 10, "months": 3}


@pytest.mark.parametrize("field", sorted(set(FIELDS.values())))
def test_each_export_has_its_own_price_above_the_guess(field):
    assert report_work(field, ARGUMENTS, LARGE) != Work(0, GUESS, GUESS)
    assert report_work(field, ARGUMENTS, LARGE).points > GUESS


def test_an_invoices_lines_cost_grows_with_the_lines_in_scope():
    small, large = report_work("bySubscriber", {}, SMALL), report_work("bySubscriber", {}, LARGE)
    assert large.rows == 100_000 and large.points > 100 * small.points
