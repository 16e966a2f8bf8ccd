"""The SMTP journal, ``data/smtp-journal.jsonl``: what the server took, line by line.

One JSON line per recipient: ``{"key", "person", "at", "handed": true}`` just before a
message's last bytes leave (from then on its outcome is unknown), then ``{"key", "person",
"at"}`` the moment the server's "250" is read. A run reads it back to settle the deliveries of
a run that was killed while sending (see :mod:`mentorctl.mail.delivery` and
:func:`mentorctl.checkins.record.settle_interrupted`). The path is checked with ``lstat``
before anything: a symlink, a folder or a FIFO there is refused with one clear error, never
followed or opened (a FIFO would hang the run while it holds the store's lock).

A run that writes the journal holds an exclusive ``flock`` on it, shared with the process that
stands by its SMTP connection (:mod:`mentorctl.mail.standby`), which may still be settling
the message in flight after the run was killed; reading the journal waits for that lock
(:data:`WAIT_SECONDS` at most).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from mentorctl.errors import MentorctlError
from mentorctl.fileio import ensure_private_dir, open_append

JOURNAL_NAME = "smtp-journal.jsonl"
# The standby waits for the server's reply at most the SMTP timeout (30 s): a little more.
WAIT_SECONDS = 45.0


class JournalError(MentorctlError):
    """The journal's path is not a regular file (a symlink, a folder, a FIFO...)."""


class Journal:
    """Append-only record of what the server took: ``handed`` (outcome unknown) and then sent
    lines per recipient (see the module doc). Never followed through a symlink, and never
    anything but a regular file: a run refuses to start otherwise."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / JOURNAL_NAME
        self._fd: int | None = None

    def _refuse(self, what: str) -> JournalError:
        return JournalError(
            f"the SMTP journal is {what}, not a file; nothing was sent",
            file=self.path,
            hint="remove it (it is remade by the next run that sends)",
        )

    def _check(self) -> bool:
        """Whether the journal exists; a :class:`JournalError` when it is not a regular file.
        Only ``lstat``: a symlink is never followed, and a FIFO never opened (it would hang)."""
        import stat

        try:
            mode = os.lstat(self.path).st_mode
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise self._refuse(f"unreadable ({exc.strerror or exc})") from None
        if stat.S_ISREG(mode):
            return True
        kinds = {stat.S_ISLNK: "a symlink", stat.S_ISDIR: "a folder", stat.S_ISFIFO: "a FIFO"}
        raise self._refuse(next((n for test, n in kinds.items() if test(mode)), "a special file"))

    def read(self) -> list[dict[str, Any]]:
        """One entry per (key, person): a sent one, else a ``handed`` one (outcome unknown)."""
        if not self._check():
            return []
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError as exc:
            raise self._refuse(f"unreadable ({exc.strerror or exc})") from None
        with open(fd, "rb") as handle:
            self._wait_for_lock(fd, fcntl.LOCK_SH)
            raw = handle.read()
        entries: dict[tuple[Any, Any], dict[str, Any]] = {}
        for line in raw.splitlines():
            try:
                entry = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue  # the torn last line of a killed writer
            if not isinstance(entry, dict) or "key" not in entry or "person" not in entry:
                continue
            where = (entry["key"], entry["person"])
            if entry.get("refused"):
                entries.pop(where, None)  # an older run's line taken back
            elif entry.get("handed"):
                entries.setdefault(where, entry)
            else:
                entries[where] = entry
        return list(entries.values())

    def ready(self) -> None:
        """Open the journal before the first delivery, so that recording one is a write only."""
        if self._fd is None:
            ensure_private_dir(self.path.parent)
            self._check()
            try:
                fd = open_append(self.path)
            except OSError as exc:
                raise self._refuse(f"unusable ({exc.strerror or exc})") from None
            try:
                self._wait_for_lock(fd, fcntl.LOCK_EX)
            except BaseException:
                os.close(fd)
                raise
            self._fd = fd

    @property
    def fd(self) -> int:
        """The open journal's descriptor (see :meth:`ready`)."""
        self.ready()
        assert self._fd is not None
        return self._fd

    def _wait_for_lock(self, fd: int, kind: int) -> None:
        """Take the journal's ``flock``, waiting while a killed run's standby still holds it."""
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            try:
                fcntl.flock(fd, kind | fcntl.LOCK_NB)
                return
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise self._refuse(f"unusable ({exc.strerror or exc})") from None
            if time.monotonic() >= deadline:
                raise JournalError(
                    "the SMTP journal is still held by an earlier run's delivery "
                    f"(waited {WAIT_SECONDS:g} s); nothing was sent",
                    file=self.path,
                    hint="try again in a minute",
                )
            time.sleep(0.01)

    def append(self, *entries: dict[str, Any]) -> None:
        """Record ``entries`` with one write and one fsync."""
        self.write(b"".join(orjson.dumps(e) + b"\n" for e in entries))

    def write(self, lines: bytes, *, sync: bool = True) -> None:
        """Append ``lines`` (JSON lines) in one write, then fsync unless told not to."""
        if not lines:
            return
        self.ready()
        assert self._fd is not None
        os.write(self._fd, lines)
        if sync:
            os.fsync(self._fd)

    def close(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.fsync(self._fd)
            os.close(self._fd)
            self._fd = None

    def clear(self) -> None:
        self.close()
        if self._check():
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()

    @contextlib.contextmanager
    def open(self) -> Iterator[Journal]:
        try:
            yield self
        finally:
            self.close()
