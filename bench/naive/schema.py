"""The naive schema: corpcare's GraphQL names and shapes (the part the benchmark operations
use), served by per-object async resolvers with no loaders."""

from __future__ import annotations

from functools import cache

import strawberry
from strawberry.schema.config import StrawberryConfig

from bench.naive.lines import Subscriber
from bench.naive.org import Customer, OrgUnit
from bench.naive.queries import Query
from schema.scalars import SCALARS


@cache
def naive_schema() -> strawberry.Schema:
    return strawberry.Schema(
        query=Query, types=[Subscriber, OrgUnit, Customer], config=StrawberryConfig(scalar_map=SCALARS)
    )
