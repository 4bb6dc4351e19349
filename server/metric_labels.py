"""The labels of the per-operation metrics, kept few whatever clients send.

Operation names come from the client's document, client names and versions from its
``apollographql-client-name`` / ``apollographql-client-version`` headers (Apollo's convention):
all three are the client's to choose. Every distinct set of label values is a series that
Prometheus and this process keep for good (a histogram's is 15 of them), so a client sending a
million random operation names would otherwise fill the process's memory and the monitoring
system's. Here:

- a value must look like what it names (a GraphQL name; a short name or version of letters,
  digits and ``. _ - / : @ +``) and be at most ``MAX_CHARS`` long, else it is ``other``;
- each label takes at most a fixed number of distinct values in a process, the first ones seen;
  past them a value is ``other``. The names of registered operations (persisted or safelisted:
  the operator shipped them) have room of their own, so a flood of invented names cannot push
  the real ones out;
- an operator who names its clients (``CORPCARE_METRICS_CLIENTS``) gets those names and ``other``
  only, so that no caller can take the client label's room before the real clients are seen;
- and the label sets together are bounded too: past ``combinations``, a new one counts under
  its operation with client and version ``other``.

An operation without a name is ``anonymous``; a request that never got to an operation (its body
or document refused first) is ``none``; a request without the client headers is ``unknown``.
What a process has seen is never forgotten (a series once exported stays), so the bounds hold
for the process's whole life; each worker keeps its own, so a host shows at most workers times
as many.
"""

from __future__ import annotations

import re

OTHER = "other"
ANONYMOUS = "anonymous"
NONE = "none"
UNKNOWN = "unknown"
MAX_CHARS = 64

_GRAPHQL_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")
_CLIENT_TEXT = re.compile(r"[0-9A-Za-z@][0-9A-Za-z._/:@+-]*")


class LabelValues:
    """The values one label may take: the first ``limit`` distinct ones that fit ``pattern``."""

    def __init__(self, limit: int, pattern: re.Pattern[str]) -> None:
        self.limit = limit
        self.pattern = pattern
        self.seen: set[str] = set()

    def of(self, value: str) -> str:
        if value in self.seen:
            return value
        if len(value) > MAX_CHARS or not self.pattern.fullmatch(value) or len(self.seen) >= self.limit:
            return OTHER
        self.seen.add(value)
        return value


class OperationLabels:
    """``(operation_name, client_name, client_version)`` of a request, within the bounds."""

    def __init__(
        self,
        *,
        names: int = 200,
        registered_names: int = 1000,
        clients: int = 20,
        versions: int = 50,
        combinations: int = 500,
        known_clients: frozenset[str] = frozenset(),
    ) -> None:
        self.known_clients = known_clients
        self.names = LabelValues(names, _GRAPHQL_NAME)
        self.registered_names = LabelValues(registered_names, _GRAPHQL_NAME)
        self.clients = LabelValues(clients, _CLIENT_TEXT)
        self.versions = LabelValues(versions, _CLIENT_TEXT)
        self.combinations = combinations
        self.seen: set[tuple[str, str, str]] = set()

    def of(
        self, operation_name: str | None, parsed: bool, client: str | None, version: str | None, *, registered: bool
    ) -> tuple[str, str, str]:
        """The labels; ``parsed``: the request got as far as an operation; ``registered``: its
        document is a registered operation."""
        if not parsed:
            name = NONE
        elif not operation_name:
            name = ANONYMOUS
        elif registered:
            name = self.registered_names.of(operation_name)
        else:
            name = self.names.of(operation_name)
        if not client:
            client_label = UNKNOWN
        elif self.known_clients:  # the operator named its clients: nobody else takes a label
            client_label = client if client in self.known_clients else OTHER
        else:
            client_label = self.clients.of(client)
        version_label = UNKNOWN if not version else self.versions.of(version)
        labels = (name, client_label, version_label)
        if labels in self.seen:
            return labels
        if len(self.seen) < self.combinations:
            self.seen.add(labels)
            return labels
        return (name, OTHER, OTHER)  # as many as there are names, which are bounded themselves
