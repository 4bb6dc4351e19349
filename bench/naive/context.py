"""The naive request context (a plain dict) and the few helpers every naive resolver shares.

Each resolver opens its own connection and runs its own statement: nothing is batched,
nothing is cached, and no resolver knows what its siblings are about to ask for.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from datetime import date
from typing import Any

import strawberry
from graphql import GraphQLError
from sqlalchemy import ColumnElement, Row
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.expression import Executable

from core.values import month_start
from permissions.principal import Principal
from sources.crm.models import OrgUnit as OrgUnitRow
from sources.crm.models import Subscriber as SubscriberRow
from sources.db import Engines
from sources.scope import scope_predicate

Info = strawberry.Info[dict[str, Any], None]


def naive_context(principal: Principal, engines: Engines, today: date) -> dict[str, Any]:
    return {"principal": principal, "engines": engines, "today": today}


def principal_of(info: Info) -> Principal:
    return info.context["principal"]


def engines_of(info: Info) -> Engines:
    return info.context["engines"]


def current_month(info: Info) -> date:
    return month_start(info.context["today"])


async def fetch_all(engine: AsyncEngine, statement: Executable) -> Sequence[Row[Any]]:
    async with engine.connect() as conn:
        return (await conn.execute(statement)).all()


async def fetch_one(engine: AsyncEngine, statement: Executable) -> Row[Any] | None:
    async with engine.connect() as conn:
        return (await conn.execute(statement)).first()


# Row scope exactly as corpcare's sources apply it, so both answer with the same rows.


def line_scope(principal: Principal) -> ColumnElement[bool]:
    return scope_predicate(
        principal.scope,
        customer_id=SubscriberRow.customer_id,
        path=SubscriberRow.org_path,
        subscriber_id=SubscriberRow.id,
    )


def unit_scope(principal: Principal) -> ColumnElement[bool]:
    return scope_predicate(principal.scope, customer_id=OrgUnitRow.customer_id, path=OrgUnitRow.path)


def coded_error(code: str, message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})


def page_size(first: int | None, default: int, maximum: int) -> int:
    if first is None:
        return default
    if not 0 <= first <= maximum:
        raise coded_error("BAD_USER_INPUT", f"first must be between 0 and {maximum}.")
    return first


def encode_cursor(*values: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


def decode_cursor(cursor: str) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError:
        raise coded_error("BAD_USER_INPUT", "The cursor is not valid for this list.") from None
    if not isinstance(values, list) or len(values) != 2:
        raise coded_error("BAD_USER_INPUT", "The cursor is not valid for this list.")
    return values
