"""What the policy in force and the catalogue allow when services are added to a line or
taken off it: roaming, the content filter the policy asks for, and services that exclude
each other. Pure checks over records already loaded; the first refusal wins."""

from __future__ import annotations

from collections.abc import Sequence

from core.billing_records import LineServiceRecord, ServiceRecord
from resolvers.line_changes import Verdict
from sources.billing.policies import EffectivePolicy

# How strict a content filter is; the policy's level is the least a line must keep.
FILTER_LEVELS = {"off": 0, "moderate": 1, "strict": 2}


def _strictest(services: Sequence[ServiceRecord]) -> int:
    return max(
        (FILTER_LEVELS.get(s.filter_level or "off", 0) for s in services if s.kind == "content_filter"), default=0
    )


def conflicting_request(services: Sequence[ServiceRecord]) -> tuple[ServiceRecord, ServiceRecord] | None:
    """Two services asked for together that exclude each other, if any."""
    seen: dict[str, ServiceRecord] = {}
    for service in services:
        if service.exclusion_group is None:
            continue
        if (other := seen.setdefault(service.exclusion_group, service)) is not service:
            return other, service
    return None


def refuse_adding(
    adding: Sequence[ServiceRecord],
    present: Sequence[LineServiceRecord],
    policy: EffectivePolicy,
) -> Verdict | None:
    """Why ``adding`` may not join the line's ``present`` services under ``policy``, or None."""
    if any(s.kind == "roaming" for s in adding) and not policy.roaming_allowed:
        return Verdict("failed", "POLICY_FORBIDS", "The spending policy in force does not allow roaming.")
    held = {record.service.exclusion_group: record.service for record in present if record.service.exclusion_group}
    for service in adding:
        other = held.get(service.exclusion_group) if service.exclusion_group else None
        if other is not None and other.id != service.id:
            return Verdict(
                "failed", "SERVICE_CONFLICT", f"{service.name} cannot be combined with {other.name}; remove it first."
            )
    required = FILTER_LEVELS.get(policy.content_filter, 0)
    filters = [s for s in adding if s.kind == "content_filter"]
    if filters and _strictest(filters) < required:
        return Verdict(
            "failed",
            "POLICY_FORBIDS",
            f"The spending policy in force asks for a {policy.content_filter} content filter.",
        )
    return None


def refuse_removing(
    removing: Sequence[ServiceRecord], present: Sequence[LineServiceRecord], policy: EffectivePolicy
) -> Verdict | None:
    """Why ``removing`` may not leave the line under ``policy``, or None."""
    required = FILTER_LEVELS.get(policy.content_filter, 0)
    if required == 0 or not any(s.kind == "content_filter" for s in removing):
        return None
    gone = {s.id for s in removing}
    kept = [r.service for r in present if r.service.id not in gone]
    if _strictest(kept) < required:
        return Verdict(
            "failed",
            "POLICY_FORBIDS",
            f"The spending policy in force asks for a {policy.content_filter} content filter.",
        )
    return None
