"""Completing one object (not an item of a list) with a plan: ``viewer``, ``customer``, a line by
id, a line's tariff plan. The executor prefetches the object's level as it does a list's
(``engine/executor.py``), then the plan builds the object; where it cannot answer exactly (``Miss``,
or an error graphql-core reports in its own words), graphql-core completes the object, errors and
all, as if no plan existed.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo

from engine.plans.compile import Plan

__all__ = ["built_by_plan"]


def built_by_plan(plan: Plan, value: Any, info: GraphQLResolveInfo) -> tuple[dict[str, Any], int] | None:
    """The object the plan builds from ``value`` and the objects it built on the way (itself and
    those below it), or None where graphql-core must complete it (nothing is counted then)."""
    loads = plan.loads(info.context)  # the objects built are counted last
    try:
        return plan.complete(value, loads, info), loads[-1]
    except Exception:  # a Miss, or an error graphql-core will report in its own words
        return None
