"""What every reply source is: an :class:`Inbox` of :class:`Incoming` messages.

Shared by the file sources (:mod:`mentorctl.mail.inbox`) and IMAP (:mod:`mentorctl.mail.imap`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from mentorctl.errors import UsageError
from mentorctl.mail.bounded import Unreadable, fingerprint_of, trim

DEFAULT_PASSWORD_ENV = "MENTORCTL_IMAP_PASSWORD"

_BAD_FOLDER = re.compile(r'[\x00-\x1f\x7f"\\*%]')


@dataclass(frozen=True, slots=True)
class Incoming:
    """One message as the source stores it (from IMAP with CRLF line ends, from files as
    written), less the bodies of attachments and oversized parts
    (:func:`mentorctl.mail.bounded.trim`); ``key`` names it for :meth:`Inbox.move`.

    ``unreadable`` is why the message could not be read within bounds ("too large", "nested
    too deep", ...; ``raw`` is then empty): it is listed and left where it is.
    ``fingerprint`` is a digest of all the bytes stored, ``size`` their number."""

    key: str
    raw: bytes
    size: int = -1
    fingerprint: str = ""
    unreadable: str = ""

    def __post_init__(self) -> None:
        if self.size < 0:
            object.__setattr__(self, "size", len(self.raw))
        if not self.fingerprint and not self.unreadable:
            object.__setattr__(self, "fingerprint", fingerprint_of(self.raw))


def read_incoming(key: str, stream: BinaryIO) -> Incoming:
    """The message in ``stream``, within bounds; an unreadable one says why."""
    try:
        raw, size, digest = trim(stream)
    except Unreadable as exc:
        return Incoming(key, b"", unreadable=exc.reason)
    return Incoming(key, raw, size, digest)


class Inbox:
    """An open SOURCE; use as a context manager."""

    kind = ""

    def __init__(self, where: str) -> None:
        self.where = where  # for messages: a path or host:port/folder, never a password

    def messages(self) -> Iterator[Incoming]:
        raise NotImplementedError

    def move(self, keys: Iterable[str], folder: str) -> int:
        raise NotImplementedError

    def check_move(self, folder: str) -> None:
        """Refuse a ``--move-to`` FOLDER that :meth:`move` would refuse, before any work."""
        raise NotImplementedError

    def close(self) -> None:
        """Release the source (nothing to do for files)."""

    def __enter__(self) -> Inbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def check_folder_name(folder: str, *, local: bool) -> None:
    """Refuse names that could leave the mail folder or mean a pattern on a server."""
    bad = not folder or bool(_BAD_FOLDER.search(folder)) or folder.startswith(".")
    if local:
        bad = bad or "/" in folder or ".." in folder
    if bad:
        raise UsageError(
            f"cannot use {folder!r} as a mail folder name",
            hint="use letters, digits, spaces, '-', '_' (and '.' inside the name)",
        )
