"""Reading the audit log: a customer's own records, or every customer's for operator staff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.errors import BadUserInput
from core.ids import from_global_id
from core.text import FILTER, optional
from core.values import KEY_32, aware
from loaders.cursors import Keyset, PageArgs, Window, key64, moment, span_of, window_of
from request.context import Info
from resolvers.customer import company_scope
from sources.state.audit import AuditEntry, AuditQuery

AUDIT_PAGE_MAX = 500
# A record's outcome (sources.state.audit.AuditEntry): refused attempts are ``denied``.
OUTCOMES = ("allowed", "denied", "pending", "interrupted")
KEYSET = Keyset("auditLog", (moment, key64))


@dataclass(frozen=True, slots=True)
class AuditFilterArgs:
    since: datetime | None = None
    until: datetime | None = None
    actor: str | None = None
    action: str | None = None
    target: str | None = None
    outcome: str | None = None
    customer: str | None = None


def _cursor(entry: AuditEntry) -> str:
    return KEYSET.cursor(entry.at, entry.id)


async def _none() -> int:
    return 0


async def audit_log(info: Info, args: AuditFilterArgs, page: PageArgs) -> Window:
    context = info.context
    span = span_of(KEYSET, page, default=context.pages.default_size, maximum=AUDIT_PAGE_MAX)
    if args.outcome is not None and args.outcome not in OUTCOMES:
        raise BadUserInput(f"An outcome is one of {', '.join(OUTCOMES)}.", field=["filter", "outcome"])
    target = from_global_id(args.target) if args.target else None
    if target is not None and target[1] > KEY_32:
        return window_of([], span, _cursor, _none)  # records keep 32-bit target keys: none names this object
    query = AuditQuery(
        scope=await company_scope(context, args.customer),
        since=args.since and aware(args.since),
        until=args.until and aware(args.until),
        login=optional(args.actor, field="actor", longest=FILTER),
        action=optional(args.action, field="action", longest=FILTER),
        outcome=args.outcome,
        target=target,
        span=span,
    )
    audit = context.sources.audit
    return window_of(await audit.page(query), span, _cursor, lambda: audit.count(query))
