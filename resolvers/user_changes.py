"""Portal users: invite, change role, grant and revoke scope — never more than the caller holds.

No privilege escalation: a role can be given only if its permissions are a subset of the
caller's, and a subtree only if it lies inside the caller's scope. Each change is
idempotent per key and audited, allowed or denied; the target's cached grants are forgotten.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from core.crm_records import PortalUserRecord
from core.errors import BadUserInput, CorpcareError, Forbidden
from core.text import EMAIL, LOGIN, PERSON_NAME, checked, optional
from loaders.org import CustomerByIdLoader, PortalUserByIdLoader
from permissions.principal import principal_cache_key
from permissions.roles import Role
from permissions.service_accounts import is_service_account
from request.context import Context, Info
from resolvers.mutation import UserErrorRecord, audit_change, once
from resolvers.node import load_node

# (context) -> (user id to show, target user for audit and cache, before, after)
UserChange = Callable[[Context], Awaitable[tuple[int, str, Any, Any]]]


class Escalation(Forbidden):
    code = "PRIVILEGE_ESCALATION"


@dataclass(slots=True)
class UserOutcome:
    user_id: int | None
    user_errors: list[UserErrorRecord]


async def change_user(
    info: Info, operation: str, echo: dict[str, Any], key: str | None, change: UserChange
) -> UserOutcome:
    async def work() -> dict[str, Any]:
        context = info.context
        try:
            user_id, login, before, after = await change(context)
        except CorpcareError as failure:
            error = {
                "field": failure.extensions.get("field", ["input"]),
                "code": failure.code,
                "message": failure.message,
            }
            answer = {"user_id": None, "user_errors": [error]}
            await audit_change(context, operation, allowed=False, detail={"input": echo, **answer}, targets=())
            return answer
        await context.sources.cache.delete(principal_cache_key(login))
        context.loader(PortalUserByIdLoader).clear(user_id)  # the answer shows the user as it is now
        detail = {"input": echo, "before": before, "after": after}
        await audit_change(context, operation, allowed=True, detail=detail, targets=(("PortalUser", user_id),))
        return {"user_id": user_id, "user_errors": []}

    answer, key_error = await once(info, operation, key, echo, work)
    if answer is None:
        answer = {"user_id": None, "user_errors": [key_error]}
    return UserOutcome(answer.get("user_id"), [UserErrorRecord(**error) for error in answer["user_errors"]])


def _grantable(context: Context, role: Role) -> None:
    if not context.principal.may_give(role):
        raise Escalation(f"You cannot give the {role.value} role: it holds more than you do.", field=["role"])


async def _units(info: Info, ids: list[str]) -> list[int]:
    units = []
    for global_id in ids:
        try:
            units.append((await load_node(info.context, global_id, expect="OrgUnit")).id)
        except CorpcareError as error:
            error.extensions["field"] = ["units"]
            raise
    return units


async def _target(info: Info, global_id: str) -> PortalUserRecord:
    try:
        return await load_node(info.context, global_id, expect="PortalUser")
    except CorpcareError as error:
        error.extensions["field"] = ["user"]
        raise


def invite(
    info: Info,
    login: str,
    name: str,
    email: str | None,
    role: Role,
    unit_ids: list[str],
    line_id: str | None,
    *,
    service: bool = False,
) -> UserChange:
    async def change(context: Context) -> tuple[int, str, Any, Any]:
        _grantable(context, role)
        if is_service_account(login) and not service:
            message = "Logins starting with 'svc:' belong to service accounts; create one with serviceAccountCreate."
            raise BadUserInput(message, field=["login"])
        customer_id = context.principal.customer_id
        if customer_id is None:
            raise BadUserInput("Operator staff invite users through the operator's tools.", field=["role"])
        checked(login, field="login", longest=LOGIN)
        checked(name, field="name", longest=PERSON_NAME)
        optional(email, field="email", longest=EMAIL)
        if not login.strip() or not name.strip():
            raise BadUserInput("A user needs a login and a name.", field=["login"])
        if not service:
            await _in_company_namespace(context, customer_id, login.strip())
        units = await _units(info, unit_ids)
        if not context.principal.may_give_units(role, units):
            raise Escalation("Name the subtrees: you cannot give more than your own scope.", field=["units"])
        line = None
        if role is Role.EMPLOYEE:
            if line_id is None or units:
                raise BadUserInput("An employee gets one line and no subtrees.", field=["line"])
            line = (await load_node(info.context, line_id, expect="Subscriber")).id
        user_id = await context.sources.user_writer.create_user(customer_id, login.strip(), name.strip(), email,
                                                              role.value, line, units)  # fmt: skip
        if user_id is None:
            raise BadUserInput("That login is taken.", field=["login"])
        return user_id, login.strip(), None, {"role": role.value, "units": units, "line": line}

    return change


async def _in_company_namespace(context: Context, customer_id: int, login: str) -> None:
    """Logins are unique across companies (a token names a login), so a company may only invite
    logins under its own code, ``acme.<name>``, as service accounts live under ``svc:acme:``.
    "That login is taken" can then only be about the caller's own company, whose users it sees
    anyway; a login of another company gets the same refusal as any login outside the
    namespace, whether it exists or not."""
    customer = await context.loader(CustomerByIdLoader).load(customer_id)
    prefix = f"{customer.code.lower()}." if customer is not None else None
    if prefix is None or not login.startswith(prefix) or len(login) == len(prefix):
        example = f"{prefix}jane.doe" if prefix else "your company's code, a dot, and a name"
        raise BadUserInput(f"Your company's logins start with its code: {example}.", field=["login"])


def set_role(info: Info, user: str, role: Role) -> UserChange:
    async def change(context: Context) -> tuple[int, str, Any, Any]:
        target = await _target(info, user)
        _grantable(context, role)
        _grantable(context, Role(target.role))  # nor take over a user who holds more
        await context.sources.user_writer.set_role(target.id, role.value)
        return target.id, target.login, {"role": target.role}, {"role": role.value}

    return change


def grant(info: Info, user: str, unit: str, *, revoke: bool) -> UserChange:
    async def change(context: Context) -> tuple[int, str, Any, Any]:
        target = await _target(info, user)
        _grantable(context, Role(target.role))
        unit_id = (await _units(info, [unit]))[0]
        writer = context.sources.user_writer
        done = await (writer.revoke(target.id, unit_id) if revoke else writer.grant(target.id, unit_id))
        if not done:
            state = "does not hold" if revoke else "already holds"
            raise BadUserInput(f"The user {state} this subtree.", field=["orgUnit"])
        return target.id, target.login, {"units": list(target.granted_unit_ids)}, {"unit": unit_id, "revoked": revoke}

    return change
