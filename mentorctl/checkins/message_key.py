"""The workspace's secret for Message-IDs: what makes a reply's thread proof of its writer.

A reply is placed by the message it names (In-Reply-To, References), so a Message-ID must
be something only its recipient knows: its token is an HMAC-SHA256, under this key, of the
program, the pair, the message and the recipient (:func:`mentorctl.mail.headers.message_token`).
Anyone else, the partner of the same pair included, cannot make up another person's.

The key is 32 random bytes in the workspace's ``.mentorctl/message.key`` (mode 0600), made
on first need and published whole (a second process making one at the same moment uses the
first's). A key readable or writable by another user, or a symlink, is refused. Losing it
costs nothing recorded: every message keeps the Message-ID it was sent with in the store,
and replies are matched against those; only messages built afterwards get new tokens.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mentorctl.errors import ConfigError, StoreError
from mentorctl.fileio import publish_key
from mentorctl.store.workspace import MARKER_DIR

if TYPE_CHECKING:
    from mentorctl.checkins.outgoing import Outgoing

KEY_FILE = "message.key"
KEY_BYTES = 32
NO_PAIR = "program"  # the pair part of a Message-ID of a message that belongs to no pair


def key_path(workspace_root: Path) -> Path:
    return workspace_root / MARKER_DIR / KEY_FILE


def message_key(workspace_root: Path, *, create: bool = True) -> bytes:
    """The workspace's key, made when missing (``create``); without ``create``, a missing
    key gives a one-off random key (a preview's Message-IDs are never sent)."""
    path = key_path(workspace_root)
    key = _read(path)
    if key is None:
        if not create:
            return secrets.token_bytes(KEY_BYTES)
        key = _make(path)
    return key


class MessageIds:
    """The Message-IDs of a run's messages: a message already in the store keeps the one it
    was recorded with (replies name that one; stores from before keyed tokens included),
    a new one gets a keyed token. ``preview``: a missing key is not made."""

    def __init__(
        self,
        workspace_root: Path,
        slug: str,
        domain: str,
        recorded: Mapping[str, tuple[int, dict[str, Any]]],
    ) -> None:
        self.workspace_root = workspace_root
        self.slug = slug
        self.domain = domain
        self.recorded = recorded
        self.preview = False
        self._key: bytes | None = None

    def __call__(self, o: Outgoing) -> str:
        from mentorctl.mail import headers

        found = self.recorded.get(o.key)
        if found is not None and isinstance(found[1].get("message_id"), str):
            return str(found[1]["message_id"])
        if self._key is None:
            self._key = message_key(self.workspace_root, create=not self.preview)
        token = headers.message_token(self._key, self.slug, o.pair, o.kind, o.week, o.part)
        return headers.message_id(token, id_part(o), o.kind, o.week, o.part, self.domain)


def id_part(o: Outgoing) -> str:
    """What names the pair in a new Message-ID: its id, else (a message that belongs to no
    pair) ``waiting`` for a waiting notice and the neutral ``program`` for the rest (a
    question to a mentor, a mentee's shortlist). Stores keep each message's Message-ID as
    sent, so replies to messages sent under the older ``waiting`` spelling still match."""
    if o.pair["id"]:
        return str(o.pair["id"])
    return "waiting" if o.kind == "waiting" else NO_PAIR


def _read(path: Path) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError(
            f"cannot read the Message-ID key: {exc.strerror}",
            file=path,
            hint="it must be a regular file, not a symlink",
        ) from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise StoreError("the Message-ID key is not a regular file", file=path)
        if info.st_mode & 0o077 or (hasattr(os, "getuid") and info.st_uid != os.getuid()):
            raise ConfigError(
                f"{path}: the Message-ID key can be read or changed by another user",
                hint=f"chmod 600 {path} (owned by the user who runs mentorctl)",
            )
        key = os.read(fd, KEY_BYTES + 1)
    finally:
        os.close(fd)
    if len(key) != KEY_BYTES:
        raise StoreError(
            "the Message-ID key is damaged",
            file=path,
            hint="delete it: a new one is made, and replies to messages already sent still count",
        )
    return key


def _make(path: Path) -> bytes:
    key = publish_key(path, KEY_BYTES, what="the Message-ID key")
    if key is None:  # another process made it first: use theirs
        key = _read(path)
        assert key is not None
    return key


__all__ = ["KEY_BYTES", "KEY_FILE", "NO_PAIR", "MessageIds", "id_part", "key_path", "message_key"]
