"""Custom scalars: ``Month`` is a billing period written ``YYYY-MM``."""

from __future__ import annotations

import re
from datetime import date
from typing import NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

from sources.errors import BadUserInput

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
# Reports count months forward and back from the ones given (a window, the months before for
# comparison); far from date's limits of years 1 and 9999 that arithmetic cannot overflow.
FIRST_YEAR, LAST_YEAR = 1900, 2999


def parse_month(value: object) -> date:
    if not isinstance(value, str) or not (match := _MONTH.match(value)):
        raise BadUserInput(f"{value!r} is not a month; write it as YYYY-MM.")
    year = int(match.group(1))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise BadUserInput(f"{value!r} is not a billing month: years run from {FIRST_YEAR} to {LAST_YEAR}.")
    return date(year, int(match.group(2)), 1)


Month = NewType("Month", date)

SCALARS: dict[object, ScalarDefinition] = {
    Month: strawberry.scalar(
        name="Month",
        description="A billing month, written YYYY-MM (for example 2026-11).",
        serialize=lambda value: value.strftime("%Y-%m"),
        parse_value=parse_month,
    )
}
