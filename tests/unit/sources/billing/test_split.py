"""The split rule (sources/billing/split.py): whatever the charges, the percentages and the
limit, the shares of each charge add up to it and the split of any sum is the rule applied to
the sum — no cent is lost or drifts to one side."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from sources.billing.split import RECURRING, Running, employee_part, split

charges = st.lists(st.integers(min_value=0, max_value=50_000), min_size=1, max_size=60)
percent = st.integers(min_value=0, max_value=100)


def half_even(shared: int, company_percent: int) -> int:
    exact = Decimal(shared) * (100 - company_percent) / 100
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


@given(st.integers(min_value=-(10**12), max_value=10**12), percent)
def test_the_employee_part_is_the_exact_amount_rounded_half_to_even(shared, company_percent):
    assert employee_part(shared, company_percent) == half_even(shared, company_percent)


@settings(max_examples=300)
@given(charges, percent)
def test_shares_of_every_charge_add_up_and_the_cumulative_split_is_exact(amounts, company_percent):
    running = Running()
    employee = 0
    for amount in amounts:
        share = split(running, amount, company_percent=company_percent, category="voice")
        assert share.company_minor + share.employee_minor == amount
        assert 0 <= share.employee_minor <= amount
        employee += share.employee_minor
        # After every charge, the employee's sum is the rule applied to the sum: no drift.
        assert employee == half_even(running.amount_minor, company_percent)
    assert employee == half_even(sum(amounts), company_percent)


@settings(max_examples=300)
@given(charges, percent, st.integers(min_value=0, max_value=200_000), st.integers(min_value=0, max_value=100_000))
def test_over_a_limit_charged_to_the_employee_the_excess_is_the_employees_to_the_cent(
    amounts, company_percent, limit, usage_before
):
    running = Running()
    usage, over, employee = usage_before, 0, 0
    for amount in amounts:
        share = split(running, amount, company_percent=company_percent, category="data",
                      usage_before_minor=usage, limit_minor=limit, limit_action="charge_employee")  # fmt: skip
        assert share.company_minor + share.employee_minor == amount
        assert share.over_limit_minor <= share.employee_minor
        usage += amount
        over += share.over_limit_minor
        employee += share.employee_minor
    excess = max(0, usage - max(limit, usage_before))
    assert over == excess
    assert employee == excess + half_even(sum(amounts) - excess, company_percent)
    # The company never pays beyond the limit (its split share of what was within it at most).
    assert sum(amounts) - employee <= max(0, limit - usage_before)


@given(charges, percent)
def test_recurring_fees_are_the_companys_and_other_actions_charge_no_excess(amounts, company_percent):
    running = Running()
    for amount in amounts:
        fee = split(running, amount, company_percent=company_percent, category=RECURRING, limit_minor=0,
                    limit_action="charge_employee")  # fmt: skip
        assert (fee.employee_minor, fee.over_limit_minor) == (0, 0)
    assert running.amount_minor == 0
    for action in ("notify", "block"):
        running = Running()
        for amount in amounts:
            share = split(running, amount, company_percent=company_percent, category="voice", limit_minor=0,
                          usage_before_minor=10**6, limit_action=action)  # fmt: skip
            assert share.over_limit_minor == 0
