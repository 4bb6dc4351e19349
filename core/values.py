"""Value types shared by every source: money and billing periods.

Money is kept in a currency's minor unit (cents, fils, yen) by the backends; how many decimals
that unit is comes from ISO 4217, never an assumed two. A currency not in the table is refused,
not guessed: a wrong exponent would misstate every figure by a factor of ten or more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache

# ISO 4217 minor-unit exponents of the currencies an operator bills in (the table's other
# three-decimal and zero-decimal currencies included, so none of them is read as cents).
_THREE = "BHD IQD JOD KWD LYD OMR TND"
_NONE = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF"
_TWO = "AED AUD BGN BRL CAD CHF CNY CZK DKK EUR GBP HKD HUF ILS INR MXN NOK NZD PLN RON RSD SEK SGD TRY UAH USD ZAR"
MINOR_UNITS: dict[str, int] = {
    **dict.fromkeys(_THREE.split(), 3),
    **dict.fromkeys(_NONE.split(), 0),
    **dict.fromkeys(_TWO.split(), 2),
}
# The years a caller may name. Reports count months forward and back from the ones given, and
# moments move by up to a day between time zones: far from date's limits of years 1 and 9999,
# that arithmetic cannot overflow, and every backend stores such dates.
FIRST_YEAR, LAST_YEAR = 1900, 2999
# The backends' integer keys: 32-bit, and 64-bit for the rows that grow fastest (usage, the audit
# log, bulk operations, API keys). A larger number names nothing, and a database refuses to bind it.
KEY_32, KEY_64 = 2**31 - 1, 2**63 - 1


class UnknownCurrency(ValueError):
    """A currency code with no known minor unit: a backend holds a figure corpcare cannot state."""


def minor_unit(currency: str) -> int:
    """The number of decimals of ``currency``'s minor unit (EUR 2, JPY 0, KWD 3)."""
    exponent = MINOR_UNITS.get(currency)
    if exponent is None:
        raise UnknownCurrency(f"No minor unit is known for the currency {currency!r}.")
    return exponent


def to_minor(amount: Decimal, currency: str) -> int | None:
    """``amount`` in ``currency``'s minor units; None when it has more decimals than that unit
    (an input that would be rounded is refused, never rounded silently)."""
    exponent = minor_unit(currency)
    scaled = amount.scaleb(exponent)
    if scaled != scaled.to_integral_value():
        return None
    return int(scaled)


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    @classmethod
    def from_minor(cls, minor: int, currency: str) -> Money:
        return _money(minor, currency)

    @property
    def minor(self) -> int:
        return int(self.amount.scaleb(minor_unit(self.currency)))


@lru_cache(maxsize=4_096)
def _money(minor: int, currency: str) -> Money:
    # Prices and fees repeat across thousands of rows; Money is immutable, so share it. A few
    # thousand distinct amounts cover the catalogue's; usage amounts are nearly all distinct,
    # and 65,536 of them (22 MB traced, 1.5 MB at 4,096) stayed resident in every worker.
    exponent = minor_unit(currency)
    return Money(Decimal(minor).scaleb(-exponent).quantize(Decimal(1).scaleb(-exponent)), currency)


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(period: date, months: int) -> date:
    index = period.year * 12 + period.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def aware(moment: datetime) -> datetime:
    """Timestamps are stored in UTC; SQLite hands them back without a zone."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
