"""Custom scalars: ``Month`` is a billing period written ``YYYY-MM``; ``DateTime`` and
``Decimal`` are Strawberry's, refusing what no backend can store: moments outside the years a
caller may name, and amounts that are not numbers (NaN, infinities) or have no sensible size."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal, DecimalException
from typing import NewType

import dateutil.parser
import strawberry
from strawberry.schema.types.base_scalars import DateTimeDefinition, DecimalDefinition
from strawberry.types.scalar import ScalarDefinition

from core.errors import BadUserInput
from core.values import FIRST_YEAR, LAST_YEAR

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
# Amounts are money (and percentages): sixteen digits before the point are more than any bill.
LARGEST_DIGITS = 16


def parse_month(value: object) -> date:
    if not isinstance(value, str) or not (match := _MONTH.match(value)):
        raise BadUserInput(f"{value!r} is not a month; write it as YYYY-MM.")
    year = int(match.group(1))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise BadUserInput(f"{value!r} is not a billing month: years run from {FIRST_YEAR} to {LAST_YEAR}.")
    return date(year, int(match.group(2)), 1)


def parse_datetime(value: object) -> datetime:
    try:
        if not isinstance(value, str):
            raise TypeError(value)
        moment = dateutil.parser.isoparse(value)
    except (TypeError, ValueError, OverflowError):
        raise BadUserInput(f"{value!r} is not a date with time; write it in ISO 8601.") from None
    try:
        utc = moment if moment.tzinfo is None else moment.astimezone(UTC)
    except OverflowError:
        utc = moment.replace(year=1)  # out of range in UTC: refused below
    if not (FIRST_YEAR <= moment.year <= LAST_YEAR and FIRST_YEAR <= utc.year <= LAST_YEAR):
        raise BadUserInput(f"{value!r} is out of range: years run from {FIRST_YEAR} to {LAST_YEAR}.")
    return moment


def parse_decimal(value: object) -> Decimal:
    # Numbers written without quotes are accepted, as Strawberry's own Decimal does.
    text = value if isinstance(value, str) else str(value)
    try:
        number = Decimal(text)
    except (DecimalException, ValueError):
        raise BadUserInput(f"{text!r} is not a decimal number.") from None
    if not number.is_finite() or number.adjusted() >= LARGEST_DIGITS:
        raise BadUserInput(f"{text!r} is not an amount: a finite number below 10^{LARGEST_DIGITS} is.")
    return number


Month = NewType("Month", date)

SCALARS: dict[object, ScalarDefinition] = {
    Month: strawberry.scalar(
        name="Month",
        description="A billing month, written YYYY-MM (for example 2026-11).",
        serialize=lambda value: value.strftime("%Y-%m"),
        parse_value=parse_month,
    ),
    # The same names, descriptions and output as Strawberry's: only what is accepted is narrower.
    datetime: replace(DateTimeDefinition, parse_value=parse_datetime),
    Decimal: replace(DecimalDefinition, parse_value=parse_decimal),
}
