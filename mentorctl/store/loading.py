"""Reading the store file and checking what it holds, before any command uses it.

The store is a JSON file an admin can open in an editor, so what is read is checked: the
tables' shape, the ``_meta`` table, the schema version, one id per record, and every
record's fields (see :mod:`mentorctl.store.records`).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

import orjson

from mentorctl.errors import StoreError
from mentorctl.fileio import atomic_write_bytes
from mentorctl.gcpause import paused_gc
from mentorctl.store import migrations, records

# The file beside the store naming the version of it that mentorctl wrote or checked last
# (device, inode, size, modification and change times): loading that version again skips the
# checks of every record. Any edit, copy or restore changes the change time at least, and the
# file is only a cache: without it the store is checked on every load.
CHECKED_SUFFIX = ".checked"
CHECKS_VERSION = 1


def identity_of(info: os.stat_result) -> list[int]:
    return [info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns]


def _checked_path(path: Path) -> Path:
    return path.with_name(path.name + CHECKED_SUFFIX)


def checked_identity(path: Path) -> list[int] | None:
    try:
        raw = orjson.loads(_checked_path(path).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    if not isinstance(raw, dict) or raw.get("checks") != CHECKS_VERSION:
        return None
    if raw.get("schema") != migrations.SCHEMA_VERSION:
        return None
    identity = raw.get("file")
    return identity if isinstance(identity, list) else None


def record_checked(path: Path, identity: list[int]) -> None:
    payload = {"checks": CHECKS_VERSION, "schema": migrations.SCHEMA_VERSION, "file": identity}
    with contextlib.suppress(OSError):  # a cache: a command that cannot write it still works
        atomic_write_bytes(_checked_path(path), orjson.dumps(payload), durable=False)


def load(path: Path) -> tuple[migrations.Tables, list[int] | None]:
    """The store's tables and the identity of the file they were read from."""
    try:
        with path.open("rb") as handle:
            identity = identity_of(os.fstat(handle.fileno()))
            raw = handle.read()
    except FileNotFoundError:
        return {}, None  # only a missing store is a new one
    except OSError as exc:
        raise StoreError(f"cannot read the store: {exc.strerror}", file=path) from exc
    if not raw or raw.isspace():
        # mentorctl never writes an empty store; starting afresh would reuse ids from P1.
        raise StoreError(
            "the store is empty",
            file=path,
            hint="restore it from a backup in data/backups/; mentorctl left it as it is",
        )
    try:
        with paused_gc():
            data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise StoreError(
            f"the store is not valid JSON ({exc})",
            file=path,
            hint="restore it from a backup; mentorctl never leaves a half-written store",
        ) from exc
    if not isinstance(data, dict):
        raise StoreError("the store is not an object of tables", file=path)
    return data, identity


def check_tables(path: Path, data: dict[str, Any]) -> None:
    """The tables' shape and ``_meta``, before any migration runs on them."""
    for name, table in data.items():
        if not isinstance(table, dict):
            raise StoreError(f"table '{name}' is not an object of documents", file=path)
        for doc_id, doc in table.items():
            if not isinstance(doc, dict) or not doc_id.isdigit():
                raise StoreError(f"table '{name}' has a malformed document '{doc_id}'", file=path)
    try:
        migrations.check_version(data)
    except ValueError as exc:
        raise StoreError(str(exc), file=path) from None
    problem = records.check_meta(data) or records.lost_meta(data)
    if problem is not None:
        raise StoreError(str(problem), file=path, hint=_RESTORE)
    _check_unique_ids(path, data)


_RESTORE = "correct it by hand, or restore the store from a backup in data/backups/"


def check_records(path: Path, data: dict[str, Any]) -> None:
    problem = records.check_records(data)
    if problem is not None:
        raise StoreError(str(problem), file=path, hint=_RESTORE)


# Tables whose documents carry an ``id`` that other records refer to: two with one id would
# make every reference (a pair, a block, forget) ambiguous.
_ID_TABLES = ("people", "pairs", "concerns", "blocks")


def _check_unique_ids(path: Path, data: dict[str, Any]) -> None:
    for name in _ID_TABLES:
        seen: set[Any] = set()
        for doc in data.get(name, {}).values():
            key = doc.get("id")
            if type(key) is not str:
                continue  # a missing id, or one of a wrong type, is named by the records' check
            if key in seen:
                shown = key if isinstance(key, str) and key.isalnum() and len(key) < 20 else "?"
                raise StoreError(
                    f"table '{name}' holds two records with the id {shown}",
                    file=path,
                    hint="restore the store from a backup in data/backups/",
                )
            seen.add(key)
