"""Portal users of a company: who may sign in, with which role, over which subtrees."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from core.crm_records import PortalUserRecord
from loaders.api_keys import ApiKeysByUserIdLoader
from loaders.org import OrgUnitByIdLoader, PortalUserByIdLoader
from loaders.subscriber import SubscriberByIdLoader
from permissions.roles import Permission as P
from permissions.roles import Role as RoleValue
from permissions.rules import PUBLIC, requires
from permissions.service_accounts import is_service_account
from request.context import Info
from resolvers.user_changes import UserOutcome, change_user, grant, invite, set_role
from schema.common import Node, UserError, shown_as
from schema.fields import field, global_id, instances_of, related, resolved
from schema.org_unit import OrgUnit
from schema.subscriber import Subscriber
from schema.viewer import Role

if TYPE_CHECKING:
    from schema.service_accounts import ApiKey

USERS = requires(P.USER_READ)


def _service_account(root: PortalUserRecord) -> bool:
    return is_service_account(root.login)


@strawberry.type(description="Somebody who signs in to the portal, or a tool's service account.")
class PortalUser(Node):
    id: strawberry.ID = global_id("PortalUser", PUBLIC)
    login: str = field(USERS)
    name: str = field(USERS)
    email: str | None = field(USERS)
    role: Role = field(USERS)  # type: ignore[valid-type]
    active: bool = field(USERS)
    scope_units: list[OrgUnit] = related(OrgUnitByIdLoader, "granted_unit_ids", USERS, many=True)
    line: Subscriber | None = related(SubscriberByIdLoader, "subscriber_id", USERS, description="An employee's line.")
    service_account: bool = resolved(
        USERS, _service_account, description="A tool's account: it calls with API keys and never signs in."
    )
    api_keys: list[Annotated[ApiKey, strawberry.lazy("schema.service_accounts")]] = related(
        ApiKeysByUserIdLoader, "id", USERS, description="A service account's keys, oldest first (never their secrets)."
    )

    is_type_of = instances_of(PortalUserRecord)


@strawberry.input
class PortalUserInviteInput:
    login: str
    name: str
    email: str | None = None
    role: Role  # type: ignore[valid-type]
    units: list[strawberry.ID] = strawberry.field(default_factory=list, description="Subtrees, for scoped roles.")
    line: strawberry.ID | None = strawberry.field(default=None, description="An employee's own line.")
    idempotency_key: str | None = None


@strawberry.input
class PortalUserSetRoleInput:
    user: strawberry.ID
    role: Role  # type: ignore[valid-type]
    idempotency_key: str | None = None


@strawberry.input
class PortalUserScopeInput:
    user: strawberry.ID
    org_unit: strawberry.ID
    idempotency_key: str | None = None


@strawberry.type
class PortalUserPayload:
    user: PortalUser | None = related(PortalUserByIdLoader, "user_id", PUBLIC)
    user_errors: list[UserError] = field(PUBLIC)


@strawberry.type
class UserMutation:
    @strawberry.mutation(directives=[requires(P.USER_WRITE)], description="Create a portal user of your company.")
    async def portal_user_invite(self, info: Info, input: PortalUserInviteInput) -> PortalUserPayload:
        role = RoleValue(input.role)
        echo = {"login": input.login, "name": input.name, "email": input.email, "role": role.value,
                "units": sorted(input.units), "line": input.line}  # fmt: skip
        change = invite(info, input.login, input.name, input.email, role, list(input.units), input.line)
        outcome: UserOutcome = await change_user(info, "portalUserInvite", echo, input.idempotency_key, change)
        return shown_as(PortalUserPayload, outcome)

    @strawberry.mutation(directives=[requires(P.USER_WRITE)], description="Change a portal user's role.")
    async def portal_user_set_role(self, info: Info, input: PortalUserSetRoleInput) -> PortalUserPayload:
        role = RoleValue(input.role)
        echo = {"user": input.user, "role": role.value}
        change = set_role(info, input.user, role)
        return shown_as(
            PortalUserPayload, await change_user(info, "portalUserSetRole", echo, input.idempotency_key, change)
        )

    @strawberry.mutation(directives=[requires(P.USER_WRITE)], description="Let a user act on one more subtree.")
    async def portal_user_grant_scope(self, info: Info, input: PortalUserScopeInput) -> PortalUserPayload:
        echo = {"user": input.user, "orgUnit": input.org_unit}
        change = grant(info, input.user, input.org_unit, revoke=False)
        return shown_as(
            PortalUserPayload, await change_user(info, "portalUserGrantScope", echo, input.idempotency_key, change)
        )

    @strawberry.mutation(directives=[requires(P.USER_WRITE)], description="Take a subtree away from a user.")
    async def portal_user_revoke_scope(self, info: Info, input: PortalUserScopeInput) -> PortalUserPayload:
        echo = {"user": input.user, "orgUnit": input.org_unit}
        change = grant(info, input.user, input.org_unit, revoke=True)
        return shown_as(
            PortalUserPayload, await change_user(info, "portalUserRevokeScope", echo, input.idempotency_key, change)
        )
