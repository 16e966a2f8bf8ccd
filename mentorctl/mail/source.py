"""What every reply source is: an :class:`Inbox` of :class:`Incoming` messages.

Shared by the file sources (:mod:`mentorctl.mail.inbox`) and IMAP (:mod:`mentorctl.mail.imap`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from mentorctl.errors import UsageError

DEFAULT_PASSWORD_ENV = "MENTORCTL_IMAP_PASSWORD"
LARGE_MESSAGE = 60 * 1024 * 1024

_BAD_FOLDER = re.compile(r'[\x00-\x1f\x7f"\\*%]')


@dataclass(frozen=True, slots=True)
class Incoming:
    """One message as the source stores it (from IMAP with CRLF line ends, from files as
    written); ``key`` names it for :meth:`Inbox.move`."""

    key: str
    raw: bytes

    @property
    def large(self) -> bool:
        return len(self.raw) > LARGE_MESSAGE


class Inbox:
    """An open SOURCE; use as a context manager."""

    kind = ""

    def __init__(self, where: str) -> None:
        self.where = where  # for messages: a path or host:port/folder, never a password

    def messages(self) -> Iterator[Incoming]:
        raise NotImplementedError

    def move(self, keys: Iterable[str], folder: str) -> int:
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
