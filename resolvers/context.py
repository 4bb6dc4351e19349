"""The typed request context every resolver receives as ``info.context``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import strawberry

from loaders import LoadContext, Loaders
from permissions.principal import Principal
from sources import Sources
from sources.values import month_start


@dataclass(frozen=True, slots=True)
class PageLimits:
    default_size: int = 50
    max_size: int = 2000


@dataclass(slots=True)
class Context:
    principal: Principal
    loaders: Loaders
    sources: Sources
    today: date
    request_id: str
    pages: PageLimits

    @classmethod
    def of(
        cls,
        principal: Principal,
        sources: Sources,
        *,
        request_id: str,
        pages: PageLimits = PageLimits(),
        today: date | None = None,
    ) -> Context:
        """A context with fresh loaders for ``principal``, dated today unless told otherwise."""
        today = today or datetime.now(UTC).date()
        loaders = Loaders(LoadContext(sources, principal.scope, today, principal.bulk_scope))
        return cls(principal, loaders, sources, today, request_id, pages)

    @property
    def current_period(self) -> date:
        return month_start(self.today)


Info = strawberry.Info[Context, None]
