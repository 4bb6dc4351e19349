"""Who pays a charge: the company, the employee, or both — the stated rule, exact to the cent.

The rule, applied by rating (the demo feed) and by the demo's history alike:

1. **Recurring fees** (the ``subscription`` category: the plan's and the services' monthly
   fees) are the company's in full. They never count towards a line's monthly limit, and the
   cost split does not apply to them.
2. **Usage charges** (every other category) count towards the line's monthly limit, in the
   order they are rated. Under ``charge_employee`` the part of a charge that takes the line's
   month of usage over the limit is the employee's in full (its ``over_limit`` part); the
   rest of the charge is split as in 3. Under ``block`` no usage is rated once the month's
   usage reached the limit (the event that reaches it is rated in full). ``notify`` only
   alerts.
3. **The cost split** is computed on cumulative amounts, never per charge: for one line,
   month, category and policy period, ``employee = round_half_even(shared * (100 - p) / 100)``
   where ``shared`` is the sum of the charges so far less their ``over_limit`` parts and ``p``
   the company's percentage; a charge's employee part of the split is that figure after it
   less the figure before it. So the company's and the employee's shares of every charge add
   up to the charge, the split of any sum of charges is the rule applied to the sum, and
   neither side absorbs rounding drift however many charges a month has.
"""

from __future__ import annotations

from dataclasses import dataclass

RECURRING = "subscription"


def employee_part(shared_minor: int, company_percent: int) -> int:
    """The employee's part of ``shared_minor`` under a ``company_percent`` cost split, rounded
    half to even (exact integer arithmetic; banker's rounding has no bias either way)."""
    quotient, remainder = divmod(shared_minor * (100 - company_percent), 100)
    if remainder * 2 > 100 or (remainder * 2 == 100 and quotient % 2 == 1):
        quotient += 1
    return quotient


@dataclass(frozen=True, slots=True)
class Share:
    """One charge, split: ``employee_minor`` includes ``over_limit_minor``."""

    amount_minor: int
    employee_minor: int
    over_limit_minor: int

    @property
    def company_minor(self) -> int:
        return self.amount_minor - self.employee_minor


@dataclass(slots=True)
class Running:
    """What is already charged to one line, month, category and policy period."""

    amount_minor: int = 0
    over_limit_minor: int = 0

    @property
    def shared_minor(self) -> int:
        return self.amount_minor - self.over_limit_minor


def over_limit(usage_before_minor: int, amount_minor: int, limit_minor: int | None) -> int:
    """The part of a usage charge that takes the month's usage past ``limit_minor``."""
    if limit_minor is None:
        return 0
    return max(0, min(amount_minor, usage_before_minor + amount_minor - limit_minor))


def split(
    running: Running,
    amount_minor: int,
    *,
    company_percent: int,
    category: str,
    usage_before_minor: int = 0,
    limit_minor: int | None = None,
    limit_action: str = "notify",
) -> Share:
    """Split one charge by the rule above, and add it to ``running`` (updated in place)."""
    if category == RECURRING:
        return Share(amount_minor, 0, 0)
    over = over_limit(usage_before_minor, amount_minor, limit_minor) if limit_action == "charge_employee" else 0
    before = employee_part(running.shared_minor, company_percent)
    running.amount_minor += amount_minor
    running.over_limit_minor += over
    after = employee_part(running.shared_minor, company_percent)
    return Share(amount_minor, over + after - before, over)


def blocked(usage_before_minor: int, limit_minor: int | None, limit_action: str) -> bool:
    """Whether a chargeable usage event is refused: ``block`` and the month's usage reached the limit."""
    return limit_action == "block" and limit_minor is not None and usage_before_minor >= limit_minor
