"""The import index: which form rows are already in the store, kept beside it.

Admins re-import the whole, growing export of a form every week, and nearly every row in it
was imported before. Each imported person records the fingerprint of the row they came from;
this file maps those fingerprints to person ids, together with the identity of the store
version it was built from. When the store is still that version, a re-import can tell
unchanged rows from new ones without loading the store at all; any other command's write
changes the store's identity and the index is simply rebuilt by the next import.

It holds fingerprints (keyed hashes of rows) and person ids only: no names or addresses.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import orjson

from mentorctl.fileio import atomic_write_bytes

FORMAT = 1


def index_path(store_path: Path) -> Path:
    return store_path.with_name("import-index.json")


def load(path: Path, identity: tuple[int, int, int] | None) -> dict[str, str] | None:
    """Fingerprint -> person id, if the index describes the store version ``identity``."""
    if identity is None:
        return None
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    if data.get("store") != list(identity) or not isinstance(data.get("rows"), dict):
        return None
    return data["rows"]


def build(people: dict[str, dict[str, Any]]) -> dict[str, str]:
    return {doc["source"]: doc["id"] for doc in people.values() if "source" in doc and "id" in doc}


def save(path: Path, identity: tuple[int, int, int] | None, rows: dict[str, str]) -> None:
    if identity is None:
        return
    payload = orjson.dumps({"format": FORMAT, "store": list(identity), "rows": rows})
    # Not synced: after a power cut an old, empty or missing index is simply rebuilt.
    atomic_write_bytes(path, payload, durable=False)


def discard(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
