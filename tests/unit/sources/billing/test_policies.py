"""Spending policies are effective-dated: a change closes the version in force and opens the
next, concurrent changes to one line each keep their version (none lost, one in force), and
any past moment reads the policy it had. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from itertools import pairwise

from sqlalchemy import select

from core.values import aware
from sources.billing.models import SpendingPolicy
from tests.api.lines.test_policy_actions import active_lines
from tests.unit.demo.test_feed import rows


async def test_concurrent_changes_to_one_line_each_keep_a_version_and_one_is_in_force(writable_world):
    world = writable_world
    line = (await active_lines(world, 1, 5))[-1]
    writer = world.sources.policy_writer
    changes = [{"company_share_percent": percent} for percent in range(60, 70)]
    await asyncio.gather(*(writer.set_policy(1, change, line_id=line) for change in changes))
    statement = (
        select(SpendingPolicy.valid_from, SpendingPolicy.valid_to, SpendingPolicy.company_share_percent)
        .where(SpendingPolicy.subscriber_id == line)
        .order_by(SpendingPolicy.valid_from, SpendingPolicy.id)
    )
    versions = await rows(world, "billing", statement)
    assert sorted(v[2] for v in versions[-10:]) == list(range(60, 70)), "every change kept as a version"
    assert [v[1] for v in versions].count(None) == 1 and versions[-1][1] is None, "one version in force"
    for earlier, later in pairwise(versions):
        assert earlier[1] is not None and aware(earlier[1]) == aware(later[0]), "versions follow each other"


async def test_a_past_moment_reads_the_policy_in_force_then(writable_world):
    world = writable_world
    line = (await active_lines(world, 1, 6))[-1]
    writer, policies = world.sources.policy_writer, world.sources.policies
    await writer.set_policy(1, {"monthly_limit_minor": 1234, "limit_action": "block"}, line_id=line)
    (first,) = await policies.policies([], [line])
    await writer.set_policy(1, {"limit_action": "charge_employee"}, line_id=line)
    (second,) = await policies.policies([], [line])
    assert first.valid_from is not None and second.valid_from is not None and first.valid_from <= second.valid_from
    assert (second.monthly_limit_minor, second.limit_action) == (1234, "charge_employee")  # the rest kept
    (then,) = await policies.policies([], [line], at=second.valid_from - timedelta(microseconds=1))
    assert (then.limit_action, then.valid_to) == ("block", second.valid_from)
    (now,) = await policies.policies([], [line], at=second.valid_from)
    assert now.limit_action == "charge_employee" and now.valid_to is None
    assert await policies.policies([], [line], at=first.valid_from - timedelta(microseconds=1)) == []
