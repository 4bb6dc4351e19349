"""Inputs kept as plain data (Python names, stored enum values), as every bulk operation row holds
them, read back in the form a client sends."""

from __future__ import annotations

from engine.build import build_schema
from schema.inputs_as_sent import input_as_sent


def as_sent(mutation: str, kept: dict[str, object]) -> dict[str, object]:
    return input_as_sent(build_schema()._schema, mutation, kept)


def test_a_stored_filter_selection_reads_with_graphql_names_and_enum_names_and_without_default_nulls():
    kept = {
        "selection": {"ids": None, "org_unit": None, "filter": {
            "statuses": ["active", "suspended"], "org_unit": "T3JnVW5pdDox", "tariff_plans": None,
            "services": None, "search": "Müller", "customer": None}},
        "dry_run": True, "all_or_nothing": False, "reason": "lost_device",
    }  # fmt: skip
    assert as_sent("subscriberSuspend", kept) == {
        "selection": {"filter": {"statuses": ["ACTIVE", "SUSPENDED"], "orgUnit": "T3JnVW5pdDox", "search": "Müller"}},
        "dryRun": True, "allOrNothing": False, "reason": "LOST_DEVICE",
    }  # fmt: skip


def test_an_explicit_null_without_a_default_stays_and_amounts_stay_text():
    kept = {
        "selection": {"ids": None, "org_unit": "T3JnVW5pdDox", "filter": None}, "dry_run": False,
        "all_or_nothing": True, "policy": {"monthly_limit": "40.00", "limit_action": "charge_employee",
                                           "content_filter": None},
    }  # fmt: skip
    assert as_sent("subscriberPolicySet", kept) == {
        "selection": {"orgUnit": "T3JnVW5pdDox"}, "dryRun": False, "allOrNothing": True,
        "policy": {"monthlyLimit": "40.00", "limitAction": "CHARGE_EMPLOYEE", "contentFilter": None},
    }  # fmt: skip


def test_a_long_id_selection_shows_as_its_count_and_digest():
    kept = {"selection": {"ids": {"count": 300, "sha256": "ab" * 32}, "org_unit": None, "filter": None},
            "dry_run": False, "all_or_nothing": False, "services": ["U2VydmljZTox"]}  # fmt: skip
    assert as_sent("subscriberServicesAdd", kept) == {
        "selection": {"ids": {"count": 300, "sha256": "ab" * 32}}, "dryRun": False, "allOrNothing": False,
        "services": ["U2VydmljZTox"],
    }  # fmt: skip


def test_the_plan_change_and_move_inputs_read_as_sent():
    plan = {"selection": {"ids": ["U3Vic2NyaWJlcjox"], "org_unit": None, "filter": None}, "dry_run": True,
            "all_or_nothing": False, "plan": "VGFyaWZmUGxhbjox", "effective": "next_period"}  # fmt: skip
    assert as_sent("subscriberPlanChange", plan) == {
        "selection": {"ids": ["U3Vic2NyaWJlcjox"]}, "dryRun": True, "allOrNothing": False,
        "plan": "VGFyaWZmUGxhbjox", "effective": "NEXT_PERIOD",
    }  # fmt: skip
    move = {"selection": {"ids": None, "org_unit": "T3JnVW5pdDox", "filter": None}, "dry_run": False,
            "all_or_nothing": False, "org_unit": "T3JnVW5pdDoy"}  # fmt: skip
    assert as_sent("subscriberMove", move)["orgUnit"] == "T3JnVW5pdDoy"
