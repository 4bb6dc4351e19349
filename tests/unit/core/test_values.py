"""Money in each currency's own minor unit: stated, parsed and refused without an assumed two decimals."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core import values
from core.errors import BadUserInput, MixedCurrencies, one_currency
from core.values import Money, UnknownCurrency, minor_unit, to_minor
from resolvers.unit_changes import minor_amount


@pytest.mark.parametrize(
    ("minor", "currency", "stated"),
    [(123456, "EUR", "1234.56"), (123456, "JPY", "123456"), (123456, "KWD", "123.456"), (5, "BHD", "0.005"),
     (0, "JPY", "0"), (-250, "EUR", "-2.50"), (7, "CHF", "0.07")],
)  # fmt: skip
def test_an_amount_is_stated_with_exactly_its_currencys_decimals(minor, currency, stated):
    money = Money.from_minor(minor, currency)
    assert str(money.amount) == stated
    assert money.minor == minor


def test_a_currency_with_no_known_minor_unit_is_refused_not_guessed():
    with pytest.raises(UnknownCurrency):
        Money.from_minor(100, "XXX")
    with pytest.raises(UnknownCurrency):
        minor_unit("eur")  # codes are upper case, as the backends store them


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [("12.34", "EUR", 1234), ("12.340", "EUR", 1234), ("1500", "JPY", 1500), ("1500.00", "JPY", 1500),
     ("1.234", "KWD", 1234), ("0.1", "KWD", 100)],
)  # fmt: skip
def test_an_input_amount_is_read_in_its_currencys_minor_units(amount, currency, minor):
    assert to_minor(Decimal(amount), currency) == minor
    assert minor_amount(Decimal(amount), currency, ["monthlyBudget"]) == minor


@pytest.mark.parametrize(
    ("amount", "currency"), [("12.345", "EUR"), ("1500.5", "JPY"), ("1.2345", "KWD"), ("-1", "EUR"), ("NaN", "EUR")]
)
def test_an_input_amount_with_more_decimals_than_its_currency_is_refused_on_its_field(amount, currency):
    with pytest.raises(BadUserInput) as refused:
        minor_amount(Decimal(amount), currency, ["policy", "monthlyLimit"])
    assert refused.value.extensions["field"] == ["policy", "monthlyLimit"]
    assert refused.value.extensions["currency"] == currency


def test_one_figure_over_two_currencies_is_refused_with_both_named():
    assert one_currency("x", ["SEK", "SEK"], "EUR") == "SEK"
    assert one_currency("x", [], "EUR") == "EUR"
    with pytest.raises(MixedCurrencies) as refused:
        one_currency("The unit's spending", ["EUR", "CHF", "EUR"], "EUR")
    assert refused.value.code == "MIXED_CURRENCIES"
    assert refused.value.extensions["currencies"] == ["CHF", "EUR"]


def test_each_currency_has_one_exponent_and_every_one_round_trips_its_minor_units():
    groups = [values._THREE.split(), values._NONE.split(), values._TWO.split()]
    codes = [code for group in groups for code in group]
    assert len(codes) == len(set(codes)) == len(values.MINOR_UNITS)  # listed twice: one exponent lost
    for code, exponent in values.MINOR_UNITS.items():
        assert len(code) == 3 and code.isupper()
        money = Money.from_minor(10**exponent + 1, code)
        assert money.amount == Decimal(10**exponent + 1).scaleb(-exponent)
        assert money.minor == 10**exponent + 1
        assert to_minor(money.amount, code) == 10**exponent + 1


def test_the_shared_money_values_are_few_and_a_repeated_amount_is_one_object():
    # The cache is resident in every worker: usage amounts are nearly all distinct, and a cache of
    # 65,536 of them kept 22 MB per worker (traced) for nothing.
    values._money.cache_clear()
    assert Money.from_minor(1500, "EUR") is Money.from_minor(1500, "EUR")
    for minor in range(20_000):
        Money.from_minor(minor, "EUR")
    assert values._money.cache_info().currsize <= 4_096
