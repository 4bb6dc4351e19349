"""The root Subscription: what a portal can follow as it happens, over WebSocket
(``graphql-transport-ws``), with the same token and scope as every query."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from permissions.rules import PUBLIC
from request.context import Info
from resolvers import bulk_operations, live_usage
from schema.bulk_operations import BulkOperation
from schema.live_usage import SpendingAlert
from schema.subscriber import BundleBalance


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

    @strawberry.subscription(
        directives=[PUBLIC],
        description="The line's bundle balances in the current billing month now, then again each time usage "
        "arrives. Needs product:read; only lines in your view (NOT_FOUND otherwise).",
    )
    async def bundle_updates(self, info: Info, subscriber: strawberry.ID) -> AsyncGenerator[list[BundleBalance], None]:
        async for balances in live_usage.bundle_updates(info, subscriber):
            yield balances  # type: ignore[misc]

    @strawberry.subscription(
        directives=[PUBLIC],
        description="Each time a line's month charges reach 80 % or 100 % of its monthly limit, or a unit's "
        "lines' charges reach 80 % or 100 % of its monthly budget. Needs spending:read (line alerts also "
        "line:read, unit alerts budget:read); only lines and units in your view, within `orgUnit` when given. "
        "Operator staff name the `customer`. Each threshold is reported once, as it is crossed.",
    )
    async def spending_alerts(
        self, info: Info, org_unit: strawberry.ID | None = None, customer: strawberry.ID | None = None
    ) -> AsyncGenerator[SpendingAlert, None]:
        async for alert in live_usage.spending_alerts(info, org_unit, customer):
            yield alert  # type: ignore[misc]
