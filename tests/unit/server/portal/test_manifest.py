"""The shipped manifest names each document by the SHA-256 of its exact text, and one that does
not is refused before anything is registered."""

from __future__ import annotations

import json

import pytest

from server.portal.manifest import MANIFEST, SOURCE, ManifestMismatch, read_manifest
from sources.state.persisted import digest


def test_the_shipped_manifest_names_each_document_by_its_hash():
    entries = json.loads(MANIFEST.read_text())
    operations = read_manifest(MANIFEST)
    assert {f"sha256:{operation.hash}" for operation in operations} == set(entries)
    assert all(operation.source == SOURCE for operation in operations)
    names = [name for operation in operations for name in operation.operation_names]
    assert {"Shell", "Dashboard"} <= set(names) and all(names)  # one named operation a document


def test_an_entry_not_named_by_its_texts_hash_is_refused(tmp_path):
    text = "query Shell { viewer { login } }"
    forged = tmp_path / "persisted-documents.json"
    forged.write_text(json.dumps({f"sha256:{digest(text + ' ')}": text}))
    with pytest.raises(ManifestMismatch):
        read_manifest(forged)
