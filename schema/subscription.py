"""The root Subscription: what a portal can follow as it happens, over WebSocket
(``graphql-transport-ws``), with the same token and scope as every query."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from permissions.rules import PUBLIC
from resolvers import bulk_operations
from resolvers.context import Info
from schema.bulk import BulkOperation


@strawberry.type
class Subscription:
    @strawberry.subscription(
        directives=[PUBLIC],
        description="A bulk operation now, then each time its worker reports progress, until it ends "
        "(COMPLETED or CANCELLED). Only operations in your view (NOT_FOUND otherwise).",
    )
    async def bulk_operation_progress(self, info: Info, id: strawberry.ID) -> AsyncGenerator[BulkOperation, None]:
        async for row in bulk_operations.progress(info, id):
            yield row  # type: ignore[misc]
