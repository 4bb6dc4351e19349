"""Reading the audit log: a customer's own records, or every customer's for operator staff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from loaders.page import Page, decode_keyset, encode_cursor, moment, page_size
from resolvers.context import Info
from resolvers.ids import from_global_id
from resolvers.text import FILTER, optional
from sources.state.audit import AuditEntry, AuditQuery
from sources.values import KEY_32, KEY_64, aware


@dataclass(frozen=True, slots=True)
class AuditFilterArgs:
    since: datetime | None = None
    until: datetime | None = None
    actor: str | None = None
    action: str | None = None
    target: str | None = None


def _cursor(entry: AuditEntry) -> str:
    assert entry.at is not None
    return encode_cursor(entry.at.isoformat(), entry.id)


async def audit_log(info: Info, args: AuditFilterArgs, first: int | None, after: str | None) -> Page:
    context = info.context
    limit = page_size(first, context.pages.default_size, 500)
    target = from_global_id(args.target) if args.target else None
    if target is not None and target[1] > KEY_32:
        return Page([], limit, _cursor)  # records keep 32-bit target keys: none names this object
    query = AuditQuery(
        customer_ids=context.principal.scope.customer_ids,
        since=args.since and aware(args.since),
        until=args.until and aware(args.until),
        login=optional(args.actor, field="actor", longest=FILTER),
        action=optional(args.action, field="action", longest=FILTER),
        target=target,
        after=None if after is None else decode_keyset(after, moment, largest=KEY_64),
        limit=limit + 1,
    )
    return Page(await context.sources.audit.page(query), limit, _cursor)
