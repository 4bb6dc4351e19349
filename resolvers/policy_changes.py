"""Spending policy changes: on a selection of lines, or on one org unit.

``changes`` maps policy attributes to values as the schema received them (``monthly_limit``
a Decimal, ``limit_currency`` the code it is stated in); None means "inherit from above
again". ``stored`` validates them and turns them into what billing keeps.

A monthly limit is in the currency of the billing account of the lines it limits: it is compared
with their charges in that currency only, and there are no rates to convert by. So a limit is
refused (CURRENCY_MISMATCH) where it would govern a line billed in another currency: a line of
the selection (that line fails, the others are set), or any line below a unit (the whole change).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from core.billing_records import PolicyRecord
from core.crm_records import OrgUnitRecord, SubscriberRecord
from core.errors import BadUserInput, CurrencyMismatch
from core.values import MINOR_UNITS, Money
from request.context import Context
from resolvers.line_changes import Change, Verdict
from resolvers.unit_changes import UnitChange, minor_amount
from sources.billing.policies import ATTRIBUTES


def limit_currency(changes: dict[str, Any], company: str) -> str | None:
    """The currency a limit being set is stated in (as given, else the company's); None when no
    limit is set."""
    asked = changes.get("limit_currency")
    if changes.get("monthly_limit") is None:
        if asked is not None:
            raise BadUserInput(
                "limitCurrency states the currency of a monthlyLimit.", field=["policy", "limitCurrency"]
            )
        return None
    currency = asked or company
    if currency not in MINOR_UNITS:
        raise BadUserInput(f"Unknown currency {currency!r}.", field=["policy", "limitCurrency"])
    return currency


def mismatch(stated: str, billed_in: Iterable[str]) -> str | None:
    """Why a limit in ``stated`` cannot govern lines billed in ``billed_in``; None when it can."""
    other = sorted(set(billed_in) - {stated})
    if not other:
        return None
    return f"A limit in {stated} cannot govern lines billed in {', '.join(other)}: amounts are never converted."


def stored(changes: dict[str, Any], currency: str) -> dict[str, Any]:
    """``currency``: what a limit is stated in (``monthlyLimit`` is checked against that
    currency's decimals)."""
    changes = {name: value for name, value in changes.items() if name != "limit_currency"}
    if not changes:
        raise BadUserInput("Give at least one policy attribute.", field=["policy"])
    share = changes.get("company_share_percent")
    if share is not None and not 0 <= share <= 100:
        raise BadUserInput(
            "The company's share is a percentage from 0 to 100.", field=["policy", "companySharePercent"]
        )
    values = {name: value for name, value in changes.items() if name != "monthly_limit"}
    if "monthly_limit" in changes:
        limit = changes["monthly_limit"]
        values["monthly_limit_minor"] = (
            None if limit is None else minor_amount(limit, currency, ["policy", "monthlyLimit"])
        )
        values["limit_currency"] = None if limit is None else currency  # kept with the limit
    return values


def _own(record: PolicyRecord | None) -> dict[str, Any]:
    names = (*ATTRIBUTES, "limit_currency")
    return {name: getattr(record, name) for name in names} if record else dict.fromkeys(names)


def _text(values: dict[str, Any], currency: str) -> str:
    """The attributes a level sets itself, e.g. ``monthly_limit=80.00, roaming_allowed=False``."""
    shown = []
    for name, value in values.items():
        if value is None or name == "limit_currency":
            continue
        if name == "monthly_limit_minor":
            name, value = "monthly_limit", Money.from_minor(value, values.get("limit_currency") or currency).amount
        shown.append(f"{name}={value}")
    return ", ".join(shown) or "inherited"


@dataclass(slots=True)
class PolicyChange:
    """Set (or clear) policy attributes on each selected line."""

    changes: dict[str, Any]
    operation: str = "subscriberPolicySet"
    # Filled by prepare: the validated values as billing keeps them, and each line's own policy.
    values: dict[str, Any] = field(default_factory=dict)
    own: dict[int, PolicyRecord] = field(default_factory=dict)
    stated: str | None = None  # the currency of the limit being set
    billed_in: dict[int, str] = field(default_factory=dict)  # line -> its billing account's currency

    async def prepare(self, context: Context, lines: list[SubscriberRecord]) -> None:
        # The lines of one selection belong to one company; with none, nothing is written, and
        # the limit is checked against the most decimals any currency has.
        self.stated = limit_currency(self.changes, lines[0].currency if lines else "KWD")
        self.values = stored(self.changes, self.stated or (lines[0].currency if lines else "KWD"))
        ids = [line.id for line in lines]
        rows = await context.sources.policies.policies([], ids) if ids else []
        self.own = {row.subscriber_id: row for row in rows if row.subscriber_id is not None}
        self.billed_in = await context.sources.products.billing_currencies(ids) if ids else {}

    def check(self, line: SubscriberRecord) -> Verdict | None:
        if line.status == "terminated":
            return Verdict("failed", "LINE_TERMINATED", "The line is terminated.")
        if self.stated is not None and (why := mismatch(self.stated, [self._currency(line)])):
            return Verdict("failed", "CURRENCY_MISMATCH", why)
        current = _own(self.own.get(line.id))
        if all(current[name] == value for name, value in self.values.items()):
            return Verdict("skipped", "ALREADY_IN_STATE", "The line's policy already says so.")
        return None

    def describe(self, line: SubscriberRecord) -> Change:
        current, currency = _own(self.own.get(line.id)), self._currency(line)
        return Change(_text(current, currency), _text(current | self.values, currency))

    def _currency(self, line: SubscriberRecord) -> str:
        """What the line is billed in: its limit's currency."""
        return self.billed_in.get(line.id, line.currency)

    async def apply(self, context: Context, line: SubscriberRecord) -> bool:
        await context.sources.policy_writer.set_policy(line.customer_id, self.values, line_id=line.id)
        return True


def set_unit_policy(changes: dict[str, Any]) -> UnitChange:
    async def change(context: Context, unit: OrgUnitRecord) -> tuple[Any, Any, int | None]:
        stated = limit_currency(changes, unit.currency)
        values = stored(changes, stated or unit.currency)
        if stated is not None:
            below = await context.sources.crm.memberships([unit.customer_id], context.principal.scope, unit.path)
            billed_in = (
                await context.sources.products.billing_currencies([line for line, _, _ in below]) if below else {}
            )
            if why := mismatch(stated, billed_in.values()):
                raise CurrencyMismatch(
                    why, field=["policy", "limitCurrency"], currencies=sorted(set(billed_in.values()))
                )
        rows = await context.sources.policies.policies([unit.id], [])
        before = _own(next((row for row in rows if row.org_unit_id == unit.id), None))
        await context.sources.policy_writer.set_policy(unit.customer_id, values, org_unit_id=unit.id)
        return before, before | values, unit.id

    return change
