"""Reading reply emails from a SOURCE: a Maildir folder, an mbox file or an IMAP mailbox.

API::

    open_source(source: str, *, password_env: str = "MENTORCTL_IMAP_PASSWORD",
                cafile: Path | None = None, ask: Callable[[str], str] | None = None,
                environ: Mapping[str, str] | None = None) -> Inbox
    with open_source(...) as inbox:          # Inbox.kind: "maildir" | "mbox" | "imap"
        for incoming in inbox.messages():    # Iterator[Incoming(key, raw, ..., unreadable)]
            ...
        inbox.check_move("Done")             # refuses a bad FOLDER before any work
        inbox.move(keys, "Done")             # -> int, how many were moved

**SOURCE.** ``imaps://USER@HOST[:PORT]/FOLDER`` (port 993 and folder INBOX when left out; an
``@`` in USER may be written as ``%40``) is an IMAP mailbox over TLS. Plain ``imap://`` is
refused: it would send the password unencrypted. Anything else is a path: a folder with
``cur/``, ``new/`` and ``tmp/`` is a Maildir, a regular file is an mbox (its first non-empty
line must start with ``From ``; an empty file is an empty mbox).

**Reading changes nothing.** Maildir files are read where they are (never moved from new/ to
cur/, never renamed for flags); an mbox is read without being written or locked, so a reader
never holds up mail delivery; an IMAP folder is opened with EXAMINE and fetched with
``BODY.PEEK[]``, so no ``\\Seen`` flag is set. Messages are yielded one at a time: only names
(Maildir), offsets (mbox) or UIDs and sizes (IMAP) are held for the whole folder, and IMAP
fetches about 16 MB of mail per round trip.

**Keys.** Maildir: the message's unique file name (stable). IMAP: its UID (stable while the
folder's UIDVALIDITY is). mbox: its position in the file, valid only for this Inbox: before
moving, the mbox is locked and every message is checked against a digest taken when it was
read, so a file rewritten meanwhile by another program moves nothing rather than the wrong
messages.

**Moving** (``--move-to FOLDER``) creates the folder when missing. Maildir: a Maildir++
subfolder ``.FOLDER`` of the Maildir root (the parent when SOURCE is itself a ``.sub``
folder), by rename, keeping flags. mbox: the sibling file FOLDER, appended and fsynced under
the mailbox module's locks before the messages are removed from SOURCE (a crash in between
leaves a copy in both, never none). IMAP: UID MOVE when the server has MOVE, else COPY, STORE
``\\Deleted`` and UID EXPUNGE (plain EXPUNGE without UIDPLUS, which also expunges messages
already marked deleted by another client). Keys no longer in SOURCE are skipped.

**Within bounds.** Each message is read alone by :func:`mentorctl.mail.bounded.trim`:
attachments and parts over 1 MB are passed over line by line, never decoded or held, and
:attr:`Incoming.raw` keeps the rest. A message past a bound (over 100 MB, nested too deep,
too many parts, headers too large) comes as an :class:`Incoming` whose ``unreadable`` says
why; a Maildir file or an IMAP message over 100 MB is not even read or fetched.

**Password and TLS.** The IMAP password comes from the environment variable ``password_env``,
else from ``ask(prompt)`` (the CLI passes a prompt when stdin is a terminal), else the open
fails saying which variable to set. It is never stored. TLS uses
``ssl.create_default_context(cafile=cafile)``: certificate and host name are checked; the
CLI names a private CA's certificate with ``--cafile FILE``.

**Errors** are :class:`~mentorctl.errors.UsageError` (malformed SOURCE or folder name),
:class:`~mentorctl.errors.InputError` (missing path, not an mbox, cannot connect, no such
folder, mbox changed) or :class:`~mentorctl.errors.ConfigError` (no password, login refused,
certificate does not verify), each one line naming the path or server, never a password,
message content or address.

Maildir and mbox are read here; IMAP in :mod:`mentorctl.mail.imap`.
"""

from __future__ import annotations

import contextlib
import mailbox
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

from mentorctl.errors import InputError, UsageError
from mentorctl.mail.bounded import MAX_MESSAGE, fingerprint_of
from mentorctl.mail.source import (
    DEFAULT_PASSWORD_ENV,
    Inbox,
    Incoming,
    check_folder_name,
    read_incoming,
)

LOCK_TRIES = 20  # the mailbox module's locks fail at once when taken; mail delivery is quick
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
# "imaps:/user:PW@host" (one slash), "imaps:user@host": meant as a URL, mistyped.
_URL_LIKE = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*:/|imaps?:)", re.IGNORECASE)
_URL_USAGE = "write imaps://USER@HOST[:PORT]/FOLDER, or the path of a Maildir folder or mbox file"


def open_source(
    source: str,
    *,
    password_env: str = DEFAULT_PASSWORD_ENV,
    cafile: Path | None = None,
    ask: Callable[[str], str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Inbox:
    """Open SOURCE for reading (see the module docstring); raises a MentorctlError."""
    scheme = _SCHEME.match(source)
    if scheme:
        kind = scheme[1].lower()
        if kind == "imaps":
            from mentorctl.mail.imap import ImapInbox  # imaplib and ssl only when needed

            return ImapInbox.open(
                source, password_env=password_env, cafile=cafile, ask=ask, environ=environ
            )
        if kind == "imap":
            raise UsageError(
                "plain imap:// is refused: it would send the password unencrypted",
                hint="use imaps://USER@HOST[:PORT]/FOLDER (IMAP over TLS, port 993)",
            )
        raise UsageError(
            f"cannot read replies from a {kind}:// source",
            hint="give a Maildir folder, an mbox file or imaps://USER@HOST[:PORT]/FOLDER",
        )
    path = Path(source).expanduser()
    if _URL_LIKE.match(source) and not path.exists():
        # Not repeated: what was typed may hold a password, and this line goes to a log.
        raise UsageError(
            "the reply SOURCE looks like a URL but does not read as one", hint=_URL_USAGE
        )
    if not path.exists():
        if "@" in source:  # perhaps USER:PASSWORD@HOST without its scheme: not repeated
            raise InputError("the reply source does not exist", hint=_URL_USAGE)
        raise InputError("the reply source does not exist", file=path)
    if path.is_dir():
        return MaildirInbox(path)
    if path.is_file():
        return MboxInbox(path)
    raise InputError("the reply source is neither a Maildir folder nor an mbox file", file=path)


@contextlib.contextmanager
def _file_errors(path: Path, doing: str) -> Iterator[None]:
    """An unreadable or unwritable mail file is the user's to fix: say which, in one line."""
    try:
        yield
    except (OSError, mailbox.Error) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise InputError(f"cannot {doing} ({reason})", file=path) from None


def _read_file(key: str, path: Path) -> Incoming:
    with path.open("rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size > MAX_MESSAGE:  # not parsed, not even read
            return Incoming(key, b"", size, unreadable="too large")
        return read_incoming(key, f)


# --- Maildir -------------------------------------------------------------------------------


def _is_maildir(path: Path) -> bool:
    return all((path / sub).is_dir() for sub in ("cur", "new", "tmp"))


class MaildirInbox(Inbox):
    kind = "maildir"

    def __init__(self, path: Path) -> None:
        if not _is_maildir(path):
            raise InputError("not a Maildir folder (it has no cur/, new/ and tmp/)", file=path)
        super().__init__(str(path))
        self.path = path

    def _listing(self) -> dict[str, str]:
        """Key -> ``new/NAME`` or ``cur/NAME``, read fresh each time."""
        found: dict[str, str] = {}
        for sub in ("new", "cur"):
            with os.scandir(self.path / sub) as entries:
                for entry in entries:
                    if not entry.name.startswith(".") and entry.is_file():
                        found[entry.name.split(":", 1)[0]] = f"{sub}/{entry.name}"
        return found

    def messages(self) -> Iterator[Incoming]:
        with _file_errors(self.path, "read the Maildir folder"):
            listing = self._listing()
        # Unique names start with the delivery time: sorting gives arrival order.
        for key in sorted(listing):
            try:
                with _file_errors(self.path, "read the Maildir folder"):
                    incoming = _read_file(key, self.path / listing[key])
            except InputError:
                if (self.path / listing[key]).exists():
                    raise
                # Another client moved it since the listing; a later run finds it where it is.
                continue
            yield incoming

    def _target(self, folder: str) -> tuple[Path, Path]:
        """(the Maildir++ root, the folder to move into), or an error saying why not."""
        check_folder_name(folder, local=True)
        parent = self.path.parent
        root = parent if self.path.name.startswith(".") and _is_maildir(parent) else self.path
        target = root / f".{folder}"
        if target.resolve() == self.path.resolve():
            raise UsageError("cannot move messages into the folder they are read from")
        if target.exists() and not _is_maildir(target):
            raise InputError("not a Maildir folder (it has no cur/, new/ and tmp/)", file=target)
        return root, target

    def check_move(self, folder: str) -> None:
        self._target(folder)

    def move(self, keys: Iterable[str], folder: str) -> int:
        root, target = self._target(folder)
        moved = 0
        with _file_errors(target, "move messages into the Maildir folder"):
            if not target.exists():
                mailbox.Maildir(root, create=False).add_folder(folder)
            listing = self._listing()
            for key in sorted(set(keys) & listing.keys()):
                # A rename within one file system: atomic, and new/ or cur/ and flags are kept.
                with contextlib.suppress(FileNotFoundError):
                    os.rename(self.path / listing[key], target / listing[key])
                    moved += 1
        return moved


# --- mbox ----------------------------------------------------------------------------------


def _check_mbox(path: Path) -> None:
    try:
        with path.open("rb") as f:
            head = f.read(64 * 1024)
    except OSError as exc:
        raise InputError(f"cannot read the mbox file ({exc.strerror})", file=path) from None
    text = head.lstrip()
    if text.startswith(b"From ") or (not text and len(head) < 64 * 1024):
        return
    raise InputError('not an mbox file (its first line does not start with "From ")', file=path)


def _digest(raw: bytes) -> str:
    return fingerprint_of(raw)


def _lock(box: mailbox.mbox, path: Path) -> None:
    for attempt in range(LOCK_TRIES):
        try:
            box.lock()
            return
        except mailbox.ExternalClashError:
            if attempt + 1 < LOCK_TRIES:
                time.sleep(0.25)
    raise InputError("the mbox file is locked by another program", file=path, hint="try again")


class MboxInbox(Inbox):
    kind = "mbox"

    def __init__(self, path: Path) -> None:
        _check_mbox(path)
        super().__init__(str(path))
        self.path = path
        self._read: dict[str, str] = {}  # key -> digest of what messages() yielded

    def messages(self) -> Iterator[Incoming]:
        with _file_errors(self.path, "read the mbox file"):
            box = mailbox.mbox(self.path, create=False)
        try:
            # The mailbox module indexes offsets in one pass, then reads one message at a time.
            with _file_errors(self.path, "read the mbox file"):
                keys = box.keys()  # ints only: the message bodies stay on disk
            for key in keys:
                with _file_errors(self.path, "read the mbox file"):
                    incoming = read_incoming(str(key), box.get_file(key))
                if not incoming.unreadable:
                    self._read[str(key)] = incoming.fingerprint
                yield incoming
        finally:
            box.close()  # writes nothing: nothing was changed

    def _target(self, folder: str) -> Path:
        check_folder_name(folder, local=True)
        target = self.path.parent / folder
        if target.resolve() == self.path.resolve():
            raise UsageError("cannot move messages into the file they are read from")
        if target.exists():
            if not target.is_file():
                raise InputError("not an mbox file", file=target)
            _check_mbox(target)
        return target

    def check_move(self, folder: str) -> None:
        self._target(folder)

    def move(self, keys: Iterable[str], folder: str) -> int:
        target = self._target(folder)
        wanted = sorted(set(keys), key=lambda k: int(k) if k.isdigit() else -1)
        if any(key not in self._read for key in wanted):
            raise UsageError(
                "mbox messages can only be moved by keys read from the same open mbox",
                file=self.path,
            )
        if not wanted:
            return 0
        with _file_errors(self.path, f"move messages to {folder!r}"):
            self._move(wanted, target)
        self._read.clear()  # positions have shifted: read again before moving more
        return len(wanted)

    def _move(self, wanted: list[str], target: Path) -> None:
        source = mailbox.mbox(self.path, create=False)
        dest: mailbox.mbox | None = None
        try:
            _lock(source, self.path)
            for key in wanted:
                try:
                    same = _digest(source.get_bytes(int(key))) == self._read[key]
                except KeyError:
                    same = False
                if not same:
                    raise InputError(
                        "the mbox file changed since it was read; nothing was moved",
                        file=self.path,
                        hint="run the command again",
                    )
            with contextlib.suppress(FileExistsError):
                # Replies hold personal data: a new file is the user's alone.
                os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            dest = mailbox.mbox(target, create=False)
            _lock(dest, target)
            for key in wanted:
                dest.add(source.get_bytes(int(key), from_=True))
            dest.flush()  # fsynced before anything leaves the source
            for key in wanted:
                source.remove(int(key))
            source.flush()
        finally:
            if dest is not None:
                dest.close()
            source.close()
