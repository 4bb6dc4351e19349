"""Each parsed document is validated once (engine/validation_cache.py): the same document object
gives the same errors without validating again, another parse of the same text is validated on
its own, and the cache holds no more than its bound."""

from __future__ import annotations

from collections import OrderedDict

import pytest
from graphql import parse, specified_rules

from engine import validation_cache
from engine.build import build_schema
from engine.validation_cache import validated

RULES = tuple(specified_rules)


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    monkeypatch.setattr(validation_cache, "_kept", OrderedDict())
    seen: list[object] = []
    validate = validation_cache.validate_document

    def counting(schema, document, rules):
        seen.append(document)
        return validate(schema, document, rules)

    monkeypatch.setattr(validation_cache, "validate_document", counting)
    return seen


def test_a_document_is_validated_once_and_keeps_its_errors(validations):
    schema = build_schema()._schema
    wrong, right = parse("{ nothing }"), parse("{ viewer { login } }")
    errors = validated(schema, wrong, RULES)
    assert [e.message for e in errors] == ["Cannot query field 'nothing' on type 'Query'."]
    assert validated(schema, wrong, RULES) is errors
    assert validated(schema, right, RULES) == []
    assert validations == [wrong, right]
    # The same text parsed again is another document: validated on its own.
    again = parse("{ nothing }")
    assert [e.message for e in validated(schema, again, RULES)] == [e.message for e in errors]
    assert validations == [wrong, right, again]
    # Other rules are another validation.
    assert validated(schema, right, RULES[:1]) == []
    assert len(validations) == 4


def test_the_least_recently_used_document_is_dropped_beyond_the_bound(validations, monkeypatch):
    monkeypatch.setattr(validation_cache, "KEPT", 2)
    schema = build_schema()._schema
    first, second, third = (parse("{ viewer { login } }") for _ in range(3))
    for document in (first, second, first, third, first, second):
        validated(schema, document, RULES)
    assert validations == [first, second, third, second]
