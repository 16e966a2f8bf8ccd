"""Writing files that may hold personal data: atomically and readable by the owner only.

Every file mentorctl creates is created exclusively (``O_CREAT|O_EXCL|O_NOFOLLOW``) under an
unpredictable name and then renamed into place, so a symlink or file planted at a temporary
name can never redirect a write. Folders are created with an explicit mode whatever the umask,
and a folder mentorctl did not create is never chmod'ed; a folder that is a symlink is refused.
"""

from __future__ import annotations

import contextlib
import glob
import os
import secrets
import stat
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from mentorctl.errors import StoreError

PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700
SHARED_DIR_MODE = 0o755
TEMP_SUFFIX = ".tmp"
# Characters of the target's name a temporary name starts with: enough to tell whose it is,
# short enough that a target named at the file system's limit (255 bytes) still gets one.
TEMP_NAME_CHARS = 40
_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


def ensure_private_dir(path: Path) -> None:
    """Create ``path`` if needed with mode 0700 (parents 0755); refuse a symlink there."""
    ensure_dir(path, PRIVATE_DIR_MODE)


def ensure_dir(path: Path, mode: int = SHARED_DIR_MODE) -> None:
    """Create ``path`` and missing parents: the leaf with ``mode``, parents with 0755.

    The mode is set explicitly after each mkdir, so it holds whatever the umask. A folder
    that already exists keeps its mode (mentorctl did not create it); one that is a symlink
    is refused, since following it would write personal data wherever it points.
    """
    missing: list[Path] = []
    here = path
    while True:
        try:
            info = os.lstat(here)
        except FileNotFoundError:
            missing.append(here)
            if here.parent == here:
                break
            here = here.parent
            continue
        if here == path:
            _check_folder(here, info)
        break
    for folder in reversed(missing):
        folder_mode = mode if folder == path else SHARED_DIR_MODE
        try:
            os.mkdir(folder, folder_mode)
        except FileExistsError:
            _check_folder(folder, os.lstat(folder))
            continue
        os.chmod(folder, folder_mode)


def _check_folder(path: Path, info: os.stat_result) -> None:
    if stat.S_ISLNK(info.st_mode):
        raise StoreError(
            "is a symlink; mentorctl does not follow it",
            file=path,
            hint="replace it with a real folder (mkdir) or remove the link",
        )
    if not stat.S_ISDIR(info.st_mode):
        raise StoreError("is not a folder", file=path)


def create_temp(directory: Path, name: str, mode: int = PRIVATE_FILE_MODE) -> tuple[int, Path]:
    """A new file beside ``directory/name``, created exclusively under an unpredictable name.

    ``O_EXCL`` with ``O_NOFOLLOW`` means nothing planted at the name (a file, a symlink) is
    ever opened; the random part means nobody can plant it in advance. Returns the open
    descriptor (write-only, mode ``mode`` whatever the umask) and the path.
    """
    for _ in range(100):
        tmp = directory / f"{_temp_prefix(name)}{secrets.token_hex(8)}{TEMP_SUFFIX}"
        try:
            fd = os.open(tmp, _CREATE_FLAGS, mode)
        except FileExistsError:
            continue
        try:
            os.fchmod(fd, mode)
        except BaseException:
            os.close(fd)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        return fd, tmp
    raise FileExistsError(f"no free temporary name in {directory}")


def _temp_prefix(name: str) -> str:
    return f".{name[:TEMP_NAME_CHARS]}."


def open_append(path: Path, mode: int = PRIVATE_FILE_MODE) -> int:
    """``path`` opened for appending (created with ``mode`` if missing); never through a symlink.

    Raises OSError, also when ``path`` is not a regular file.
    """
    fd = os.open(
        path,
        os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0),
        mode,
    )
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(f"{path} is not a regular file")
    return fd


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
    fd, tmp_name = create_temp(directory, path.name, mode)
    try:
        try:
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
    prefix = glob.escape(_temp_prefix(path.name))
    for stale in path.parent.glob(f"{prefix}*{TEMP_SUFFIX}"):
        with contextlib.suppress(FileNotFoundError):
            stale.unlink()


def publish_key(path: Path, size: int, *, what: str) -> bytes | None:
    """Make a secret key of ``size`` bytes at ``path`` (mode 0600), published whole: the
    new key, or None when another process published one first (the caller reads that one).

    ``what`` names the key in an error ("the suppression key")."""
    folder = path.parent  # the workspace marker's folder: never chmod'ed here
    key: bytes | None = secrets.token_bytes(size)
    try:
        fd, tmp = create_temp(folder, path.name)
        try:
            write_all(fd, key)
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            # link() fails when the name exists, where rename() would replace a key in use.
            os.link(tmp, path)
        except FileExistsError:
            key = None
        finally:
            os.unlink(tmp)
    except OSError as exc:
        raise StoreError(f"cannot create {what}: {exc.strerror}", file=path) from exc
    fsync_dir(folder)
    return key
