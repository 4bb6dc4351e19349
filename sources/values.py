"""Value types shared by every source: money and billing periods."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache

_CENT = Decimal(1).scaleb(-2)
# The years a caller may name. Reports count months forward and back from the ones given, and
# moments move by up to a day between time zones: far from date's limits of years 1 and 9999,
# that arithmetic cannot overflow, and every backend stores such dates.
FIRST_YEAR, LAST_YEAR = 1900, 2999
# The backends' integer keys: 32-bit, and 64-bit for the rows that grow fastest (usage, the audit
# log, bulk operations, API keys). A larger number names nothing, and a database refuses to bind it.
KEY_32, KEY_64 = 2**31 - 1, 2**63 - 1


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    @classmethod
    def from_minor(cls, minor: int, currency: str) -> Money:
        return _money(minor, currency)

    @property
    def minor(self) -> int:
        return int(self.amount.scaleb(2))


@lru_cache(maxsize=65_536)
def _money(minor: int, currency: str) -> Money:
    # Prices and fees repeat across thousands of rows; Money is immutable, so share it.
    return Money(Decimal(minor).scaleb(-2).quantize(_CENT), currency)


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(period: date, months: int) -> date:
    index = period.year * 12 + period.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def aware(moment: datetime) -> datetime:
    """Timestamps are stored in UTC; SQLite hands them back without a zone."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
