"""Registering the operations a front end sends: every ``*.graphql`` file of a folder is one
document, checked against the schema and stored by the SHA-256 of its exact text.

The text is not normalised: a client's hash is of the string it sends, byte for byte, so a
front end must send a file's text as it is (or only its hash, printed on registration).
Clients that rewrite documents before sending (re-printing them, adding ``__typename``) must
register what they send, for example by writing those documents out in their build.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from graphql import GraphQLError, OperationDefinitionNode, parse, validate

from engine.build import build_schema
from sources.state.persisted import PersistedOperation, PersistedOperationStore


class InvalidOperations(Exception):
    """Files that cannot be registered, with the reason for each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Registered:
    operation: PersistedOperation
    new: bool


def read_operations(folder: Path) -> list[PersistedOperation]:
    """Every ``*.graphql`` file under ``folder``, in path order. Raises ``InvalidOperations``
    when any file does not parse, does not validate or holds no operation: a build with a broken
    document registers nothing."""
    schema = build_schema()._schema
    operations, problems = [], []
    for path in sorted(folder.rglob("*.graphql")):
        source = path.relative_to(folder).as_posix()
        # Bytes, not read_text(): the hash is of the exact text, line endings included. A BOM
        # marks the file's encoding and is no part of the text.
        try:
            text = path.read_bytes().decode("utf-8-sig")
            document = parse(text)
        except (UnicodeDecodeError, GraphQLError) as error:
            problems.append(f"{source}: {error}")
            continue
        names = tuple(
            d.name.value if d.name else "" for d in document.definitions if isinstance(d, OperationDefinitionNode)
        )
        errors = validate(schema, document)
        if errors:
            problems.extend(f"{source}: {error.message}" for error in errors)
        elif not names:
            problems.append(f"{source}: no operation (only fragments?)")
        else:
            operations.append(PersistedOperation(text, names, source))
    if problems:
        raise InvalidOperations(problems)
    return operations


async def register(
    store: PersistedOperationStore, operations: Sequence[PersistedOperation], registered_by: str, *, dry_run: bool
) -> list[Registered]:
    """Store the operations not registered yet (none in a dry run); each with whether it is new."""
    known = await store.registered([operation.hash for operation in operations])
    if not dry_run:
        await store.register([operation for operation in operations if operation.hash not in known], registered_by)
    results, seen = [], set(known)
    for operation in operations:  # two files of the same text: the first is the new one
        results.append(Registered(operation, operation.hash not in seen))
        seen.add(operation.hash)
    return results
