"""Events decoded once: every subscriber of a message gets the same object, and nothing else
passes for a shared event."""

from __future__ import annotations

import json

from resolvers.shared_events import SharedEvents


def test_a_message_is_decoded_once_and_only_its_object_counts_as_shared():
    events = SharedEvents(kept=2)
    first = events.decoded(b'{"n": 1}', json.loads)
    assert events.decoded(b'{"n": 1}', json.loads) is first and events.shared(first)
    assert not events.shared({"n": 1}) and not events.shared(None)  # an equal copy is not the event
    # A different decoder makes a different object of the same bytes.
    assert events.decoded(b'{"n": 1}', lambda message: json.loads(message)) is not first


def test_only_the_newest_messages_are_kept():
    events = SharedEvents(kept=2)
    oldest = events.decoded(b"[1]", json.loads)
    events.decoded(b"[2]", json.loads)
    events.decoded(b"[3]", json.loads)
    assert not events.shared(oldest)
    assert events.decoded(b"[1]", json.loads) is not oldest
