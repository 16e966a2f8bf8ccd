"""Writing files that may hold personal data: atomically and readable by the owner only."""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700
TEMP_SUFFIX = ".tmp"


def ensure_private_dir(path: Path) -> None:
    """Create ``path`` (and parents) if needed; the leaf gets mode 0700."""
    path.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(PermissionError):
        os.chmod(path, PRIVATE_DIR_MODE)


def atomic_write_bytes(
    path: Path, data: bytes, mode: int = PRIVATE_FILE_MODE, *, durable: bool = True
) -> None:
    """Replace ``path`` with ``data`` so that a reader sees the old or the new file, never a mix.

    The bytes go to a temporary file in the same directory (so the rename stays on one file
    system), are fsynced, then renamed over the target; the directory is fsynced too so the
    rename itself survives a power cut. A file that can be rebuilt (a cache) may skip the
    fsyncs with ``durable=False``: after a power cut it may then be old, empty or missing.
    """
    _atomic_write(path, mode, lambda fd: write_all(fd, data), durable=durable)


def atomic_write_chunks(path: Path, chunks: Iterable[bytes], mode: int = PRIVATE_FILE_MODE) -> None:
    """Like :func:`atomic_write_bytes`, for bytes made piece by piece.

    Each piece is written by a second thread while the next one is made, so the kernel's
    work of taking in a large file overlaps the making of it.
    """
    _atomic_write(path, mode, lambda fd: _write_overlapped(fd, chunks))


def _atomic_write(
    path: Path, mode: int, write: Callable[[int], None], *, durable: bool = True
) -> None:
    directory = path.parent
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=directory)
    try:
        try:
            os.fchmod(fd, mode)
            write(fd)
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    if durable:
        fsync_dir(directory)


def write_all(fd: int, data: bytes) -> None:
    """Write all of ``data`` to ``fd``, however many calls that takes."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _write_overlapped(fd: int, chunks: Iterable[bytes]) -> None:
    failures: list[BaseException] = []

    def write(chunk: bytes) -> None:
        try:
            write_all(fd, chunk)
        except BaseException as exc:  # handed to the making thread, which raises it
            failures.append(exc)

    writer: threading.Thread | None = None  # a started thread, until joined
    try:
        for chunk in chunks:
            if writer is not None:
                writer.join()
                writer = None
                if failures:
                    raise failures[0]
            thread = threading.Thread(target=write, args=(chunk,), name="mentorctl-write")
            thread.start()
            writer = thread
    finally:
        if writer is not None:
            writer.join()
    if failures:
        raise failures[0]


def atomic_write_text(path: Path, text: str, mode: int = PRIVATE_FILE_MODE) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), mode)


def fsync_dir(directory: Path) -> None:
    try:
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def remove_stale_temp_files(path: Path) -> None:
    """Remove temporary files a killed writer of ``path`` left behind."""
    for stale in path.parent.glob(f".{path.name}.*{TEMP_SUFFIX}"):
        with contextlib.suppress(FileNotFoundError):
            stale.unlink()
