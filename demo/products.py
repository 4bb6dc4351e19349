"""Each line's place in billing: account, tariff plan, services and the policy it is under."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from core.values import add_months
from demo.catalogue import CURRENCY, PLANS, SERVICE_WEIGHTS, SERVICES, Plan, Service
from demo.lines import Line
from demo.org import Company
from demo.policies import Effective

PAYMENT_TERMS_DAYS = 30
# Divisions billed on an account of their own, and its currency: Borealis's grid division is
# billed in Swiss francs, so one demo company is billed in two currencies (its catalogue prices
# keep their numbers; no rate is applied, none is needed to show that currencies are never added).
SPLIT_DIVISIONS = {"ACME": ("Technology", CURRENCY), "BOREALIS": ("Grid", "CHF")}

_DASH = "\u2013"  # an en dash, as the account names are printed on invoices
_PLAN_WEIGHTS = [plan.weight for plan in PLANS]
_SERVICE_COUNT_WEIGHTS = (40, 35, 18, 7)  # 0, 1, 2 or 3 services on a line


@dataclass(frozen=True, slots=True)
class Subscription:
    service: Service
    activated_on: date
    fee_minor: int


@dataclass(slots=True)
class Product:
    line: Line
    account_id: int
    plan: Plan
    plan_since: date
    services: list[Subscription]
    policy: Effective


def account_rows(companies: list[Company]) -> tuple[list[tuple], dict[tuple[int, bool], int]]:
    """Billing accounts, and the account id per (customer id, line is in the split division)."""
    rows: list[tuple] = []
    ids: dict[tuple[int, bool], int] = {}
    for company in companies:
        names = [(False, f"{company.name} {_DASH} main", CURRENCY)]
        if company.code in SPLIT_DIVISIONS:
            division, currency = SPLIT_DIVISIONS[company.code]
            names.append((True, f"{company.name} {_DASH} {division}", currency))
        for split, name, currency in names:
            account_id = len(rows) + 1
            number = f"BA-{100000 + account_id}"
            rows.append((account_id, company.id, number, name, currency, PAYMENT_TERMS_DAYS))
            ids[company.id, split] = account_id
    for company in companies:
        ids.setdefault((company.id, True), ids[company.id, False])
    return rows, ids


def line_currencies(lines: list[Line], companies: list[Company]) -> dict[int, str]:
    """What each line is billed in: its split division's currency, else its company's."""
    split = {c.id: SPLIT_DIVISIONS[c.code] for c in companies if c.code in SPLIT_DIVISIONS}
    return {
        line.id: split[line.customer_id][1]
        if line.customer_id in split and line.unit.division == split[line.customer_id][0]
        else CURRENCY
        for line in lines
    }


def build_products(
    rng: random.Random,
    lines: list[Line],
    companies: list[Company],
    account_ids: dict[tuple[int, bool], int],
    policies: dict[int, Effective],
    first_period: date,
    current_period: date,
) -> list[Product]:
    split_divisions = {c.id: SPLIT_DIVISIONS[c.code][0] for c in companies if c.code in SPLIT_DIVISIONS}
    products = []
    for line in lines:
        split = line.unit.division == split_divisions.get(line.customer_id)
        policy = policies[line.id]
        # Plan changes take effect at a month start, and only before the charged window, so
        # every charged month bills the plan stored here.
        plan_since = line.activated_on
        if rng.random() < 0.3:
            plan_since = _month_start_between(rng, line.activated_on, first_period) or plan_since
        products.append(
            Product(
                line=line,
                account_id=account_ids[line.customer_id, split],
                plan=rng.choices(PLANS, weights=_PLAN_WEIGHTS)[0],
                plan_since=plan_since,
                services=_services(rng, line, policy, current_period),
                policy=policy,
            )
        )
    return products


def _services(rng: random.Random, line: Line, policy: Effective, current_period: date) -> list[Subscription]:
    wanted = rng.choices(range(4), weights=_SERVICE_COUNT_WEIGHTS)[0]
    chosen: dict[int, Service] = {}
    for _ in range(wanted * 3):
        if len(chosen) == wanted:
            break
        service = rng.choices(SERVICES, weights=SERVICE_WEIGHTS)[0]
        if service.kind == "roaming" and not policy.roaming_allowed:
            continue
        if service.kind == "content_filter" and any(s.kind == "content_filter" for s in chosen.values()):
            continue
        chosen[service.id] = service
    result = []
    for service_id in sorted(chosen):
        service = chosen[service_id]
        # Options start with the line or at a later month start (the bill cycle), so a month's
        # subscription charge either includes a service for the whole month or not at all.
        since = line.activated_on
        if rng.random() < 0.5:
            since = _month_start_between(rng, line.activated_on, current_period) or since
        fee = service.fee_minor
        if rng.random() < 0.1:
            fee -= fee // 10
        result.append(Subscription(service, since, fee))
    return result


def _month_start_between(rng: random.Random, after: date, until: date) -> date | None:
    """A first of the month strictly after ``after`` and not after ``until``, if any."""
    first = add_months(after.replace(day=1), 1)
    span = (until.year - first.year) * 12 + until.month - first.month
    if span < 0:
        return None
    return add_months(first, rng.randint(0, span))


def product_rows(products: list[Product]) -> dict[str, list[tuple]]:
    line_products = []
    line_services = []
    for p in products:
        line = p.line
        line_products.append((line.id, line.customer_id, p.account_id, p.plan.id, p.plan_since))
        for s in p.services:
            line_services.append((line.id, s.service.id, line.customer_id, s.activated_on, s.fee_minor))
    return {"line_products": line_products, "line_services": line_services}
