"""The Relay Cursor Connections specification's pagination algorithm, item by item
(https://relay.dev/graphql/connections.htm, section 4.4), as the oracle the connections are held to.

The specification leaves two answers to the server ("if the server can efficiently determine
that elements exist prior to ``after``" / "following ``before``"). corpcare's choice, pinned here:
it can, whenever the cursor names an edge of the list (the named edge itself lies that way).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Expected:
    cursors: list[str]
    has_previous_page: bool
    has_next_page: bool


def apply_cursors_to_edges(all_edges: list[str], before: str | None, after: str | None) -> list[str]:
    edges = list(all_edges)
    if after is not None and after in edges:
        edges = edges[edges.index(after) + 1 :]
    if before is not None and before in edges:
        edges = edges[: edges.index(before)]
    return edges


def edges_to_return(
    all_edges: list[str], before: str | None, after: str | None, first: int | None, last: int | None
) -> list[str]:
    edges = apply_cursors_to_edges(all_edges, before, after)
    if first is not None:
        assert first >= 0, "the specification throws; corpcare answers BAD_USER_INPUT (tested apart)"
        if len(edges) > first:
            edges = edges[:first]
    if last is not None:
        assert last >= 0, "the specification throws; corpcare answers BAD_USER_INPUT (tested apart)"
        if len(edges) > last:
            edges = edges[len(edges) - last :]
    return edges


def has_previous_page(
    all_edges: list[str], before: str | None, after: str | None, first: int | None, last: int | None
) -> bool:
    if last is not None:
        return len(apply_cursors_to_edges(all_edges, before, after)) > last
    if after is not None:
        return after in all_edges  # the server's choice: the edge ``after`` names lies before
    return False


def has_next_page(
    all_edges: list[str], before: str | None, after: str | None, first: int | None, last: int | None
) -> bool:
    if first is not None:
        return len(apply_cursors_to_edges(all_edges, before, after)) > first
    if before is not None:
        return before in all_edges  # the server's choice: the edge ``before`` names lies after
    return False


def expected(
    all_edges: list[str], *, first: int | None = None, after: str | None = None, last: int | None = None,
    before: str | None = None,
) -> Expected:  # fmt: skip
    return Expected(
        edges_to_return(all_edges, before, after, first, last),
        has_previous_page(all_edges, before, after, first, last),
        has_next_page(all_edges, before, after, first, last),
    )
