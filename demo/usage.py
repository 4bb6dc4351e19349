"""Itemised usage of one line in one month, rated against the line's bundles.

Usage of a kind draws on the pooled allowance of all the line's bundles of that kind, in
time order; what is left over (and any international surcharge) is charged.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate

from demo.catalogue import CURRENCY, KB_PER_GB
from demo.names import INTERNATIONAL, NATIONAL, ROAMING_EU, ROAMING_WORLD
from sources.billing.split import blocked

CATEGORY = {"voice": "voice", "sms": "sms", "data": "data", "roaming_data": "roaming"}

# Calls and sessions cluster in working hours; the nights are quiet.
_HOUR_WEIGHTS = (1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 14, 13, 11, 12, 13, 13, 12, 11, 9, 8, 7, 5, 3, 2)
_HOURS = list(accumulate(_HOUR_WEIGHTS))
KIND_CUTS = {False: (0.5, 0.7, 1.0), True: (0.42, 0.59, 0.85)}  # voice | sms | data | roaming
_ROAMING_EU = tuple(f"{country} (roaming)" for country in ROAMING_EU)
_ROAMING_WORLD = tuple(f"{country} (roaming)" for country in ROAMING_WORLD)
_HUNDRED_MB = 100 * 1024


def itemise(
    rng: random.Random,
    line_id: int,
    customer_id: int,
    first_day: date,
    days: int,
    period: date,
    events: int,
    allowances: dict[str, int],
    traveller: bool,
    next_id: int,
    block_at: int | None = None,
) -> tuple[list[tuple], dict[tuple[int, str], int], dict[str, int]]:
    """Usage rows (ids from ``next_id``), charged cents per (day offset, category) and the
    quantity used per kind. With ``block_at`` (a limit under the block action), chargeable
    events once the month's charges reached it are refused: not rated, nothing used."""
    cuts = KIND_CUTS[traveller]
    heavy = rng.lognormvariate(0.0, 0.8)  # how much this person uses the phone this month
    drafts = []
    for _ in range(events):
        seconds = rng.randrange(days) * 86400 + bisect(_HOURS, rng.random() * _HOURS[-1]) * 3600
        seconds += rng.randrange(3600)
        drafts.append((seconds, *draft_event(rng, cuts, heavy)))
    drafts.sort()

    left = dict(allowances)
    used: dict[str, int] = defaultdict(int)
    sums: dict[tuple[int, str], int] = defaultdict(int)
    start = datetime(first_day.year, first_day.month, first_day.day, tzinfo=UTC)
    rows = []
    charged = 0
    for seconds, kind, quantity, destination, abroad in drafts:
        remaining = left.get(kind, 0)
        over = quantity - remaining if quantity > remaining else 0
        amount = price(kind, quantity, over, abroad)
        if amount and blocked(charged, block_at, "block"):
            continue
        charged += amount
        left[kind] = remaining - quantity + over
        used[kind] += quantity
        if amount:
            sums[seconds // 86400, CATEGORY[kind]] += amount
        rows.append(
            (
                next_id,
                line_id,
                customer_id,
                start + timedelta(seconds=seconds),
                period,
                kind,
                quantity,
                destination,
                amount,
                CURRENCY,
            )
        )
        next_id += 1
    return rows, sums, used


def draft_event(rng: random.Random, cuts: tuple[float, float, float], heavy: float) -> tuple[str, int, str, bool]:
    """One event's kind, quantity, destination and whether it was made abroad; ``cuts`` split the
    kinds (see ``KIND_CUTS``), ``heavy`` scales how much the person uses the phone."""
    pick = rng.random()
    if pick < cuts[0]:
        quantity = 5 + int(rng.expovariate(1 / 240) * heavy)
        kind, abroad = "voice", rng.random() < 0.1
        destination = rng.choice(INTERNATIONAL) if abroad else NATIONAL
        quantity = min(quantity, 4 * 3600)
    elif pick < cuts[1]:
        kind, quantity, abroad = "sms", rng.randint(1, 3), rng.random() < 0.1
        destination = rng.choice(INTERNATIONAL) if abroad else NATIONAL
    elif pick < cuts[2]:
        kind, abroad, destination = "data", False, NATIONAL
        quantity = 1 + int(rng.lognormvariate(12.4, 1.0) * heavy)  # median ≈ 240 MB
    else:
        kind, abroad = "roaming_data", rng.random() < 0.25
        destination = rng.choice(_ROAMING_WORLD if abroad else _ROAMING_EU)
        quantity = 1 + int(rng.lognormvariate(10.6, 1.0))  # median ≈ 40 MB
    return kind, quantity, destination, abroad


def price(kind: str, quantity: int, over: int, abroad: bool) -> int:
    """Cents for one event: overage beyond the bundles plus surcharges, rounded up."""
    if kind == "voice":
        # 9 ct/min beyond the bundle, per second; calls abroad 29 ct per started minute.
        return -(-over * 9 // 60) + (-(-quantity // 60) * 29 if abroad else 0)
    if kind == "sms":
        return over * 9 + (quantity * 19 if abroad else 0)
    if kind == "data":
        return -(-over * 200 // KB_PER_GB)  # 2 EUR per GB beyond the bundles
    # Roaming beyond the passes: 1.99 EUR per 100 MB in the EU, 9.99 EUR elsewhere.
    return -(-over * (999 if abroad else 199) // _HUNDRED_MB)
