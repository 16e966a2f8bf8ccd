"""The manifest of files mentorctl wrote outside its store: rejects CSVs, reports, exports.

Such files may hold people's data, and ``forget`` must be able to say which of them still
hold a forgotten person. The manifest (``data/written-files.json``) keeps their paths and
what wrote them, never their content; it is replaced atomically under its own lock, since
a report may be written while another command writes.
"""

from __future__ import annotations

import contextlib
import fcntl
import html
import os
import re
from collections.abc import Iterator
from pathlib import Path

import orjson

from mentorctl.errors import StoreError
from mentorctl.fileio import PRIVATE_FILE_MODE, atomic_write_bytes, ensure_private_dir

FORMAT = 1
MANIFEST_FILE = "written-files.json"
KINDS = ("rejects", "report", "export-person")


def manifest_path(data_dir: Path) -> Path:
    return data_dir / MANIFEST_FILE


def record(data_dir: Path, path: Path, kind: str) -> None:
    """Note that mentorctl wrote ``path`` (a file that may hold personal data)."""
    target = str(Path(os.path.abspath(path)))
    with _locked(data_dir):
        entries = _load(data_dir)
        entries = [e for e in entries if e["path"] != target] + [{"path": target, "kind": kind}]
        _save(data_dir, entries)


def entries(data_dir: Path) -> list[dict[str, str]]:
    return _load(data_dir)


def holding(data_dir: Path, *, addresses: list[str], words: list[str]) -> list[Path]:
    """The written files that still exist and mention an address (in any case) or a word.

    Words (an id, a name) are matched whole and as written, also as HTML escapes them. A
    file that cannot be read may hold anything, so it is listed too.
    """
    patterns = [
        re.compile(
            rb"(?<![\w@.+-])" + re.escape(a.encode("utf-8")) + rb"(?![\w@-]|\.\w)", re.IGNORECASE
        )
        for a in addresses
        if a
    ]
    for word in {v for w in words if w for v in (w, html.escape(w))}:
        patterns.append(
            re.compile(rb"(?<![\w'-])" + re.escape(word.encode("utf-8")) + rb"(?![\w'-])")
        )
    found = []
    for entry in _load(data_dir):
        path = Path(entry["path"])
        if not path.is_file():
            continue
        try:
            data = path.read_bytes()
        except OSError:
            found.append(path)
            continue
        if any(p.search(data) for p in patterns):
            found.append(path)
    return found


def forget_files(data_dir: Path, removed: list[Path]) -> None:
    """Drop ``removed`` and files that no longer exist from the manifest."""
    gone = {str(p) for p in removed}
    with _locked(data_dir):
        kept = [e for e in _load(data_dir) if e["path"] not in gone and Path(e["path"]).exists()]
        _save(data_dir, kept)


def _load(data_dir: Path) -> list[dict[str, str]]:
    path = manifest_path(data_dir)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise StoreError(
            f"cannot read the list of written files: {exc.strerror}", file=path
        ) from exc
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        data = None
    files = data.get("files") if isinstance(data, dict) else None
    if (
        not isinstance(files, list)
        or data.get("format") != FORMAT
        or not all(isinstance(f, dict) and isinstance(f.get("path"), str) for f in files)
    ):
        raise StoreError("the list of written files is not valid", file=path)
    return files


def _save(data_dir: Path, files: list[dict[str, str]]) -> None:
    path = manifest_path(data_dir)
    payload = orjson.dumps({"format": FORMAT, "files": files}, option=orjson.OPT_INDENT_2)
    try:
        atomic_write_bytes(path, payload + b"\n")
    except OSError as exc:
        raise StoreError(
            f"cannot write the list of written files: {exc.strerror}", file=path
        ) from exc


@contextlib.contextmanager
def _locked(data_dir: Path) -> Iterator[None]:
    ensure_private_dir(data_dir)
    lock = manifest_path(data_dir).with_name(MANIFEST_FILE + ".lock")
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, PRIVATE_FILE_MODE)
    except OSError as exc:
        raise StoreError(
            f"cannot lock the list of written files: {exc.strerror}", file=lock
        ) from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
