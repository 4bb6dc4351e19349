"""The portal's persisted-documents manifest (GraphQL Code Generator's client preset): every
operation the portal sends, named ``sha256:<hex>`` of its exact text, registered as persisted
operations under the source name ``portal``. Registering is idempotent (a text has one hash),
so every instance does it at start-up.
"""

from __future__ import annotations

import logging
from pathlib import Path

import orjson
from graphql import OperationDefinitionNode, parse

from core.errors import BackendUnavailable
from sources.state.persisted import PersistedOperation, PersistedOperationStore, digest

log = logging.getLogger("corpcare.portal")
SOURCE = "portal"
PREFIX = "sha256:"
MANIFEST = Path(__file__).parent / "dist" / "persisted-documents.json"


class ManifestMismatch(Exception):
    """A manifest entry whose name is not the hash of its text: a corrupt or hand-edited build."""


def read_manifest(path: Path) -> list[PersistedOperation]:
    """The manifest's operations; raises ``ManifestMismatch`` when a name is not its text's hash."""
    entries = orjson.loads(path.read_bytes())
    operations = []
    for name, text in sorted(entries.items()):
        if name.removeprefix(PREFIX) != digest(text):
            raise ManifestMismatch(f"{path}: {name} is not the SHA-256 of its document")
        names = tuple(
            d.name.value if d.name else "" for d in parse(text).definitions if isinstance(d, OperationDefinitionNode)
        )
        operations.append(PersistedOperation(text, names, SOURCE))
    return operations


async def register_operations(store: PersistedOperationStore, manifest: Path = MANIFEST) -> list[str]:
    """Store the manifest's operations not registered yet; their hashes."""
    return await store.register(read_manifest(manifest), SOURCE)


async def register_at_start(store: PersistedOperationStore) -> None:
    """Register the manifest; with the state database down the server still starts (its other
    fields serve), and only safelist mode refuses the portal until a later start registers it."""
    try:
        await register_operations(store)
    except BackendUnavailable:
        log.warning("The portal's operations are not registered: the state database is unavailable.")
