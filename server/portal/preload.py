"""Each screen's index.html names the chunks that screen needs, so the browser fetches them beside
the shell's script instead of after it: without this, the screen's code (React.lazy) would be
asked for only once the shell had run, and the screen's GraphQL operation only after that.

The build's ``.vite/manifest.json`` maps each source module to its chunk, the chunks it imports
and its stylesheets; the shell's own (``index.html``'s entry) are already in the page.
"""

from __future__ import annotations

from pathlib import Path

import orjson

ENTRY = "index.html"


def chunks_of(manifest: dict[str, dict[str, object]], module: str) -> tuple[list[str], list[str]]:
    """The scripts and stylesheets ``module`` needs beyond the entry's, in the order to load them."""
    scripts: list[str] = []
    styles: list[str] = []
    seen: set[str] = set()

    def visit(key: str) -> None:
        if key in seen:
            return
        seen.add(key)
        chunk = manifest[key]
        scripts.append(str(chunk["file"]))
        styles.extend(_strings(chunk.get("css")))
        for imported in _strings(chunk.get("imports")):
            visit(imported)

    visit(ENTRY)  # in the page already: its script and what it imports
    scripts.clear()
    entry_styles = set(styles)
    visit(module)
    return scripts, [style for style in dict.fromkeys(styles) if style not in entry_styles]


def _strings(value: object) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list) else []


def preloading(page: bytes, manifest: dict[str, dict[str, object]], module: str) -> bytes:
    """``page`` (the built index.html) with links to ``module``'s chunks at the end of its head."""
    scripts, styles = chunks_of(manifest, module)
    links = [f'<link rel="modulepreload" crossorigin href="/{script}">' for script in scripts]
    links += [f'<link rel="stylesheet" crossorigin href="/{style}">' for style in styles]
    return page.replace(b"</head>", "".join(links).encode() + b"</head>", 1)


def read_build_manifest(dist: Path) -> dict[str, dict[str, object]]:
    manifest: dict[str, dict[str, object]] = orjson.loads((dist / ".vite" / "manifest.json").read_bytes())
    return manifest
