"""Service accounts and their API keys: created and revoked by the company's user admins.

A service account is created like an invited user (the same no-escalation checks, audit
and idempotency), under a login of the reserved service form. Its keys are made here and
their secret is handed back once, in the answer of ``apiKeyCreate``: it is not audited,
not kept with an idempotency key (a retry with the key names the key made, without its
secret), and only its hash is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from core.crm_records import PortalUserRecord
from core.errors import BadUserInput, CorpcareError
from core.text import checked
from core.values import aware
from loaders.api_keys import ApiKeyByIdLoader, ApiKeysByUserIdLoader
from loaders.org import CustomerByIdLoader
from permissions.roles import Role
from permissions.service_accounts import is_service_account, service_login
from request.context import Context, Info
from resolvers.mutation import UserErrorRecord, audit_change, once
from resolvers.node import load_node
from resolvers.user_changes import Escalation, UserChange, UserOutcome, change_user, invite
from sources.state.api_keys import ApiKeyRow, NewApiKey

LONGEST_NAME = 120
SECRET_SHOWN_ONCE = (
    "This key was made by an earlier request with the same idempotency key; its secret was shown in that "
    "answer only. If it was lost, revoke the key and make another."
)


@dataclass(slots=True)
class ApiKeyOutcome:
    api_key_id: int | None
    user_errors: list[UserErrorRecord]
    # Set only in the answer that created the key.
    secret: str | None = None


async def create_service_account(
    info: Info, name: str, role: Role, unit_ids: list[str], key: str | None
) -> UserOutcome:
    echo = {"name": name, "role": role.value, "units": sorted(unit_ids)}
    return await change_user(info, "serviceAccountCreate", echo, key, _new_account(info, name, role, unit_ids))


def _new_account(info: Info, name: str, role: Role, unit_ids: list[str]) -> UserChange:
    async def change(context: Context) -> tuple[int, str, Any, Any]:
        principal = context.principal
        if role is Role.EMPLOYEE:
            raise BadUserInput("A service account is not an employee: give it another role.", field=["role"])
        if principal.customer_id is None:
            raise BadUserInput("Operator staff create service accounts through the operator's tools.", field=["role"])
        customer = await context.loader(CustomerByIdLoader).load(principal.customer_id)
        login = service_login(customer.code, name) if customer is not None else None
        if login is None or len(name.strip()) > LONGEST_NAME:
            raise BadUserInput(f"Name it with letters or digits, at most {LONGEST_NAME} characters.", field=["name"])
        try:
            return await invite(info, login, name.strip(), None, role, unit_ids, None, service=True)(context)
        except BadUserInput as error:
            if error.extensions.get("field") == ["login"]:  # the login is made from the name
                raise BadUserInput("Your company has a service account of that name.", field=["name"]) from None
            raise

    return change


async def create_api_key(
    info: Info, account: str, name: str, expires_at: datetime | None, idempotency_key: str | None
) -> ApiKeyOutcome:
    """Sent again with the same idempotency key, the answer names the key made the first time, and
    says its secret is not shown again (it was never kept)."""
    echo = {"serviceAccount": account, "name": name, "expiresAt": expires_at.isoformat() if expires_at else None}
    made: list[str] = []

    async def work() -> dict[str, Any]:
        context = info.context
        try:
            target = await _service_account(context, account)
            label = name.strip()
            if not checked(label, field="name", longest=LONGEST_NAME):
                raise BadUserInput(f"Name the key (at most {LONGEST_NAME} characters).", field=["name"])
            until = aware(expires_at) if expires_at is not None else None
            if until is not None and until <= datetime.now(UTC):
                raise BadUserInput("A key cannot expire in the past.", field=["expiresAt"])
            new = NewApiKey(target.id, target.login, target.customer_id, label, context.principal.login, until)
            key, secret = await context.sources.api_keys.create(new)
        except CorpcareError as failure:
            error = _user_error(failure, "serviceAccount")
            await audit_change(
                context, "apiKeyCreate", allowed=False, detail={"input": echo, "error": error}, targets=()
            )
            return {"api_key_id": None, "user_errors": [error]}
        made.append(secret)
        detail = {"input": echo, "after": {"apiKey": key.id, "prefix": key.prefix}}
        targets = (("PortalUser", target.id), ("ApiKey", key.id))
        await audit_change(context, "apiKeyCreate", allowed=True, detail=detail, targets=targets)
        return {"api_key_id": key.id, "user_errors": []}

    answer, key_error = await once(info, "apiKeyCreate", idempotency_key, echo, work)
    if answer is None:
        answer = {"api_key_id": None, "user_errors": [key_error]}
    errors = [UserErrorRecord(**error) for error in answer["user_errors"]]
    if answer.get("api_key_id") is not None and not made:
        errors.append(UserErrorRecord(["idempotencyKey"], "SECRET_SHOWN_ONCE", SECRET_SHOWN_ONCE))
    return ApiKeyOutcome(answer.get("api_key_id"), errors, made[0] if made else None)


async def revoke_api_key(info: Info, api_key: str, idempotency_key: str | None) -> ApiKeyOutcome:
    """Effective on the key's next request: keys are checked against the state database every time."""
    echo = {"apiKey": api_key}

    async def work() -> dict[str, Any]:
        context = info.context
        key: ApiKeyRow | None = None
        try:
            key = await _load(context, api_key, "ApiKey", "apiKey")
            assert key is not None
            if not await context.sources.api_keys.revoke(key.id, datetime.now(UTC)):
                raise BadUserInput("The key is revoked already.", field=["apiKey"])
        except CorpcareError as failure:
            answer = {"api_key_id": key.id if key else None, "user_errors": [_user_error(failure, "apiKey")]}
            allowed = False
        else:
            answer, allowed = {"api_key_id": key.id, "user_errors": []}, True
        targets = (("ApiKey", key.id), ("PortalUser", key.user_id)) if key else ()
        detail = {"input": echo, "prefix": key.prefix if key else None}
        await audit_change(context, "apiKeyRevoke", allowed=allowed, detail=detail, targets=targets)
        if key is not None:  # the answer shows the key as it is now
            context.loader(ApiKeyByIdLoader).clear(key.id)
            context.loader(ApiKeysByUserIdLoader).clear(key.user_id)
        return answer

    answer, key_error = await once(info, "apiKeyRevoke", idempotency_key, echo, work)
    if answer is None:
        answer = {"api_key_id": None, "user_errors": [key_error]}
    return ApiKeyOutcome(answer.get("api_key_id"), [UserErrorRecord(**error) for error in answer["user_errors"]])


async def _service_account(context: Context, global_id: str) -> PortalUserRecord:
    target: PortalUserRecord = await _load(context, global_id, "PortalUser", "serviceAccount")
    if not is_service_account(target.login):
        raise BadUserInput("API keys are for service accounts only: people sign in.", field=["serviceAccount"])
    if not target.active:
        raise BadUserInput("The service account is disabled.", field=["serviceAccount"])
    if not context.principal.may_give(Role(target.role)):
        raise Escalation("This service account holds more than you do.", field=["serviceAccount"])
    return target


async def _load(context: Context, global_id: str, expect: str, field: str) -> Any:
    try:
        return await load_node(context, global_id, expect=expect)
    except CorpcareError as error:
        error.extensions["field"] = [field]
        raise


def _user_error(failure: CorpcareError, field: str) -> dict[str, Any]:
    return {"field": failure.extensions.get("field", [field]), "code": failure.code, "message": failure.message}
