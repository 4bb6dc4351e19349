"""Global ids (core/ids.py): every type's ids read back as written, and anything that is not the
canonical id of a known type with a key a backend can hold is BAD_USER_INPUT."""

from __future__ import annotations

import base64

import pytest

from core.errors import BadUserInput
from core.ids import LARGEST_KEY, NODE_TYPES, from_global_id, to_global_id
from core.values import KEY_32, KEY_64


def encoded(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize("type_name", NODE_TYPES)
def test_an_id_reads_back_its_type_and_key_up_to_the_largest_key(type_name):
    largest = LARGEST_KEY.get(type_name, KEY_32)
    for key in (0, 1, 12345, largest):
        global_id = to_global_id(type_name, key)
        assert "=" not in global_id
        assert from_global_id(global_id) == (type_name, key)
        assert from_global_id(global_id, expect=type_name) == (type_name, key)
    with pytest.raises(BadUserInput):
        from_global_id(encoded(f"{type_name}:{largest + 1}"))


def test_the_fastest_growing_rows_have_64_bit_keys_and_the_rest_32():
    assert LARGEST_KEY == {"BulkOperation": KEY_64, "ApiKey": KEY_64}
    assert from_global_id(to_global_id("ApiKey", KEY_32 + 1)) == ("ApiKey", KEY_32 + 1)


@pytest.mark.parametrize(
    "global_id",
    ["", "!!", "U3Vic2NyaWJlcjox=x", "\u00e9", encoded("Subscriber"), encoded("Subscriber:"),
     encoded("Subscriber:x"), encoded("Subscriber:-1"), encoded("Subscriber:01"), encoded("Subscriber:+1"),
     encoded("Subscriber: 1"), encoded("Subscriber:1_000"), encoded("Subscriber:१"), encoded("subscriber:1"),
     encoded("Nothing:1"), encoded(":1"), base64.urlsafe_b64encode(b"\xff:1").decode()],
)  # fmt: skip
def test_anything_but_a_canonical_id_of_a_known_type_is_bad_user_input(global_id):
    with pytest.raises(BadUserInput) as refused:
        from_global_id(global_id)
    assert refused.value.code == "BAD_USER_INPUT"
    assert refused.value.extensions["argument"] == "id"


def test_an_id_of_another_type_than_expected_is_refused():
    with pytest.raises(BadUserInput, match="not the id of a OrgUnit"):
        from_global_id(to_global_id("Subscriber", 1), expect="OrgUnit")
