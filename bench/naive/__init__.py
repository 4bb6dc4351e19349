"""The naive baseline of the benchmarks: corpcare's schema served the way most Strawberry
code is written — one query per object and relation, no DataLoaders, a plain dict context.

Never imported by the product; it imports the product's models, scope helper and ids so
that it answers with the same rows and the same ids.
"""

from __future__ import annotations

from bench.naive.app import create_naive_app
from bench.naive.context import naive_context
from bench.naive.schema import naive_schema

__all__ = ["create_naive_app", "naive_context", "naive_schema"]
