"""The corpcare GraphQL schema, assembled from the per-domain modules."""

from __future__ import annotations

import re
import threading
from contextlib import nullcontext
from functools import cache
from typing import Any

import strawberry
import strawberry.federation
from graphql import GraphQLError
from graphql.validation import ASTValidationRule, NoSchemaIntrospectionCustomRule
from strawberry.extensions import AddValidationRules, ParserCache, SchemaExtension
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from engine.executor import LevelExecutor
from engine.extensions import AuthorizeFields, LimitShape, TokenLimit, code_errors
from engine.fair_share import ShareWorkers
from engine.federation import FEDERATION_VERSION, NoServiceSdl, entity_keys
from engine.field_rules import show_rules
from engine.hook_runner import HookRunner
from engine.moment import OneMoment
from engine.tracing import TraceOperations
from engine.validation_cache import ValidationCache
from permissions.rules import Public, Requires
from request.context import QueryLimits
from schema.bulk_operations import BulkMutation, BulkOperation
from schema.catalogue import Service, TariffPlan
from schema.customer import Customer
from schema.federation import FederationQuery
from schema.fields import fast_resolvers
from schema.invoice import BillingAccount, Invoice
from schema.line_changes import LineMutation
from schema.org_unit import OrgUnit
from schema.portal_user import PortalUser, UserMutation
from schema.query import Query
from schema.scalars import SCALARS
from schema.service_accounts import ApiKey, ServiceAccountMutation
from schema.subscriber import Subscriber
from schema.subscription import Subscription
from schema.unit_changes import UnitMutation


class CorpcareSchema(strawberry.Schema):
    # In production, validation errors do not suggest field names ("Did you mean …?").
    hide_suggestions = False

    def create_extensions_runner(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> SchemaExtensionsRunner:
        return HookRunner(execution_context=execution_context, extensions=extensions)

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        # Coded errors are answers, not faults; unexpected ones are logged and masked.
        code_errors(errors, getattr(getattr(execution_context, "context", None), "request_id", None))
        if self.hide_suggestions:
            for error in errors:
                error.message = _SUGGESTION.sub("", error.message)


# graphql-core's suggestions (fields, arguments, types, input fields, enum values), wherever
# in the message they stand: names cannot hold a question mark, so the first one ends them.
_SUGGESTION = re.compile(r" ?Did you mean [^?]*\?")


class CorpcareSubgraph(CorpcareSchema, strawberry.federation.Schema):
    """The schema as a federation v2 subgraph (``engine/federation.py``)."""


DEFAULT_LIMITS = QueryLimits()
_BUILDING = threading.Lock()


@cache
def build_schema(
    limits: QueryLimits = DEFAULT_LIMITS, *, production: bool = False, federation: bool = False
) -> CorpcareSchema:
    """The schema; ``production`` turns introspection and field suggestions off; ``federation`` makes it
    an Apollo Federation v2 subgraph (``engine/federation.py``)."""
    rules: list[type[ASTValidationRule]] = [NoSchemaIntrospectionCustomRule, *([NoServiceSdl] if federation else [])]
    closed = [lambda: AddValidationRules(rules)] if production else []
    # One build at a time: while the subgraph is built, the entity types it shares with the default
    # schema carry their keys (engine/federation.py).
    with _BUILDING, entity_keys() if federation else nullcontext():
        schema = _schema(limits, closed, federation)
    fast_resolvers(schema._schema)
    show_rules(schema._schema)
    schema.hide_suggestions = production
    return schema


def _schema(limits: QueryLimits, closed: list[Any], federation: bool) -> CorpcareSchema:
    subgraph = {"federation_version": FEDERATION_VERSION} if federation else {}
    return (CorpcareSubgraph if federation else CorpcareSchema)(
        query=merge_types("Query", (Query, FederationQuery)) if federation else Query,
        mutation=merge_types(
            "Mutation", (LineMutation, BulkMutation, UnitMutation, UserMutation, ServiceAccountMutation)
        ),
        subscription=Subscription,
        types=[
            Customer,
            OrgUnit,
            Subscriber,
            TariffPlan,
            Service,
            BillingAccount,
            Invoice,
            PortalUser,
            BulkOperation,
            ApiKey,
        ],
        # Portals send the same few documents over and over: parse and validate each once.
        extensions=[
            TraceOperations,  # first: its span holds the whole operation (a do-nothing hook when tracing is off)
            lambda: ParserCache(maxsize=1024),
            ValidationCache,
            lambda: TokenLimit(limits.max_tokens),
            *closed,
            LimitShape,
            ShareWorkers,  # after LimitShape: it needs the operation's estimated cost
            AuthorizeFields,
            OneMoment,  # every billing read of the operation at one moment
        ],
        schema_directives=[Requires, Public],
        config=StrawberryConfig(scalar_map=SCALARS),
        execution_context_class=LevelExecutor,
        **subgraph,  # type: ignore[arg-type]
    )


__all__ = ["build_schema"]
