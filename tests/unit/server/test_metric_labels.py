"""The per-operation labels stay few whatever clients send (server/metric_labels.py)."""

from __future__ import annotations

import random
import string

from server.metric_labels import OperationLabels


def invented(rng: random.Random) -> str:
    return "".join(rng.choices(string.ascii_letters, k=12))


def test_a_million_invented_names_keep_the_bound_and_the_memory_of_a_few():
    labels = OperationLabels(names=50, clients=5, versions=5, combinations=100)
    rng = random.Random(20)
    seen = {labels.of(invented(rng), True, invented(rng), invented(rng), registered=False) for _ in range(200_000)}
    # The combinations, and each name (or "other") without its client: nothing else.
    assert len(seen) <= 100 + 51
    assert len(labels.names.seen) == 50 and len(labels.clients.seen) == 5 and len(labels.versions.seen) == 5
    assert len(labels.seen) <= 100
    assert ("other", "other", "other") in seen


def test_registered_operations_keep_their_names_after_a_flood():
    labels = OperationLabels(names=10)
    for number in range(1000):
        labels.of(f"Invented{number}", True, None, None, registered=False)
    assert labels.of("Invented5", True, None, None, registered=False) == ("Invented5", "unknown", "unknown")
    assert labels.of("Invented999", True, None, None, registered=False) == ("other", "unknown", "unknown")
    assert labels.of("PortalDashboard", True, None, None, registered=True) == ("PortalDashboard", "unknown", "unknown")


def test_values_that_are_not_names_are_other_and_missing_ones_say_so():
    labels = OperationLabels()
    assert labels.of(None, True, None, None, registered=False) == ("anonymous", "unknown", "unknown")
    assert labels.of(None, False, "portal", "1.2.0", registered=False) == ("none", "portal", "1.2.0")
    assert labels.of("N" * 65, True, "a b", "1\n", registered=False) == ("other", "other", "other")
    assert labels.of("Ok", True, "@apollo/client-web", "3.9.0+build.1", registered=False) == (
        "Ok", "@apollo/client-web", "3.9.0+build.1",
    )  # fmt: skip


def test_past_the_combinations_a_new_one_counts_under_its_operation_alone():
    labels = OperationLabels(combinations=2)
    assert labels.of("A", True, "web", "1", registered=False) == ("A", "web", "1")
    assert labels.of("A", True, "ios", "1", registered=False) == ("A", "ios", "1")
    assert labels.of("A", True, "android", "1", registered=False) == ("A", "other", "other")
    assert labels.of("B", True, "web", "1", registered=False) == ("B", "other", "other")
    assert labels.of("A", True, "web", "1", registered=False) == ("A", "web", "1")


def test_named_clients_keep_their_labels_whatever_came_first_and_no_one_else_takes_one():
    labels = OperationLabels(clients=2, known_clients=frozenset({"corpcare-portal", "ios-app"}))
    invented = [labels.of("Dashboard", True, f"client{i}", "1.0", registered=False)[1] for i in range(100)]
    assert set(invented) == {"other"}
    assert labels.of("Dashboard", True, "ios-app", "2.1", registered=False) == ("Dashboard", "ios-app", "2.1")
    assert labels.of("Dashboard", True, "corpcare-portal", None, registered=False)[1:] == ("corpcare-portal", "unknown")
    assert labels.of("Dashboard", True, None, None, registered=False)[1] == "unknown"
