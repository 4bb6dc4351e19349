"""Service accounts and their API keys, for internal tools and analysts' scripts."""

from __future__ import annotations

from datetime import datetime

import strawberry

from loaders.api_keys import ApiKeyByIdLoader
from loaders.org import PortalUserByIdLoader
from permissions.roles import Permission as P
from permissions.roles import Role as RoleValue
from permissions.rules import PUBLIC, requires
from request.context import Info
from resolvers import service_accounts
from schema.common import Node, UserError, shown_as
from schema.fields import field, global_id, instances_of, related
from schema.portal_user import PortalUser
from schema.viewer import Role
from sources.state.api_keys import ApiKeyRow

USERS = requires(P.USER_READ)


@strawberry.type(
    description="A key a service account calls with (`Authorization: Bearer cck_…`). Its secret is shown "
    "once, when it is created; only its prefix is shown after that."
)
class ApiKey(Node):
    id: strawberry.ID = global_id("ApiKey", PUBLIC)
    name: str = field(USERS)
    prefix: str = field(USERS, description="The public start of the key, `cck_<key id>`, to tell keys apart.")
    service_account: PortalUser | None = related(PortalUserByIdLoader, "user_id", USERS)
    created_by: str = field(USERS, description="The login of whoever created the key.")
    created_at: datetime = field(USERS)
    expires_at: datetime | None = field(USERS, description="Null: the key does not expire.")
    revoked_at: datetime | None = field(USERS)
    last_used_at: datetime | None = field(USERS, description="Recorded at most once a minute.")
    active: bool = field(USERS, description="Neither revoked nor expired: the key is accepted.")

    is_type_of = instances_of(ApiKeyRow)


@strawberry.input
class ServiceAccountCreateInput:
    name: str = strawberry.field(description="What the account is for, for example 'Sales reporting'.")
    role: Role  # type: ignore[valid-type]
    units: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Subtrees it may act on; none: the whole company."
    )
    idempotency_key: str | None = None


@strawberry.type
class ServiceAccountCreatePayload:
    service_account: PortalUser | None = related(PortalUserByIdLoader, "user_id", PUBLIC)
    user_errors: list[UserError] = field(PUBLIC)


@strawberry.input
class ApiKeyCreateInput:
    service_account: strawberry.ID
    name: str = strawberry.field(description="Where the key is used, for example 'nightly export'.")
    expires_at: datetime | None = strawberry.field(default=None, description="Null: the key does not expire.")
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="Sent again with the same key, the answer names the key made the first time, without its secret.",
    )


@strawberry.type
class ApiKeyCreatePayload:
    api_key: ApiKey | None = related(ApiKeyByIdLoader, "api_key_id", PUBLIC)
    secret: str | None = field(
        PUBLIC, description="The key itself. Shown in this answer only and never again: keep it in a secret store."
    )
    user_errors: list[UserError] = field(PUBLIC)


@strawberry.input
class ApiKeyRevokeInput:
    api_key: strawberry.ID
    idempotency_key: str | None = None


@strawberry.type
class ApiKeyRevokePayload:
    api_key: ApiKey | None = related(ApiKeyByIdLoader, "api_key_id", PUBLIC)
    user_errors: list[UserError] = field(PUBLIC)


@strawberry.type
class ServiceAccountMutation:
    @strawberry.mutation(
        directives=[requires(P.USER_WRITE)],
        description="Create a service account of your company: a role and scope like a user's, API keys instead of "
        "a sign-in.",
    )
    async def service_account_create(self, info: Info, input: ServiceAccountCreateInput) -> ServiceAccountCreatePayload:
        role = RoleValue(input.role)
        outcome = await service_accounts.create_service_account(
            info, input.name, role, list(input.units), input.idempotency_key
        )
        return shown_as(ServiceAccountCreatePayload, outcome)

    @strawberry.mutation(
        directives=[requires(P.USER_WRITE)],
        description="Issue an API key for a service account. The answer holds the secret; nothing else ever will.",
    )
    async def api_key_create(self, info: Info, input: ApiKeyCreateInput) -> ApiKeyCreatePayload:
        outcome = await service_accounts.create_api_key(
            info, input.service_account, input.name, input.expires_at, input.idempotency_key
        )
        return shown_as(ApiKeyCreatePayload, outcome)

    @strawberry.mutation(
        directives=[requires(P.USER_WRITE)], description="Revoke an API key: refused from its next request on."
    )
    async def api_key_revoke(self, info: Info, input: ApiKeyRevokeInput) -> ApiKeyRevokePayload:
        outcome = await service_accounts.revoke_api_key(info, input.api_key, input.idempotency_key)
        return shown_as(ApiKeyRevokePayload, outcome)
