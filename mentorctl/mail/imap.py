"""The IMAP source of :mod:`mentorctl.mail.inbox`: ``imaps://USER@HOST[:PORT]/FOLDER``.

Read-only by construction: the folder is opened with EXAMINE and messages are fetched with
``BODY.PEEK[]``; :meth:`ImapInbox.move` alone selects it read-write, and goes back to EXAMINE
when done. The session ends with LOGOUT, never CLOSE (which would expunge). UIDs and sizes
are listed first, then messages are fetched in batches of about ``FETCH_BYTES``; a message
bigger than that is fetched ``PIECE`` bytes at a time and read as it comes
(:func:`mentorctl.mail.bounded.trim`), so memory holds one batch or one piece, never the
folder or a large message.

The stdlib ``imaplib`` is used rather than IMAPClient: what it lacks here (writing UID sets,
modified UTF-7 folder names, reading a FETCH answer) takes a few lines each, and a new
dependency for one optional source is not worth it.
"""

from __future__ import annotations

import base64
import contextlib
import imaplib
import io
import os
import re
import socket
import ssl
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from mentorctl.errors import ConfigError, InputError, UsageError
from mentorctl.mail.bounded import MAX_MESSAGE
from mentorctl.mail.source import (
    DEFAULT_PASSWORD_ENV,
    Inbox,
    Incoming,
    check_folder_name,
    read_incoming,
)

IMAP_PORT = 993
IMAP_TIMEOUT = 60.0
FETCH_BYTES = 16 * 1024 * 1024
PIECE = 1024 * 1024
FETCH_COUNT = 200
UID_CHUNK = 500  # UIDs per command: some servers limit the length of a command line

_UID = re.compile(rb"\bUID (\d+)")
_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)")


@dataclass(frozen=True, slots=True)
class ImapAddress:
    user: str
    host: str
    port: int
    folder: str

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port}"


def parse_imap_url(source: str, *, password_env: str = DEFAULT_PASSWORD_ENV) -> ImapAddress:
    """``imaps://USER@HOST[:PORT]/FOLDER`` -> its parts; never echoes the text given."""
    usage = "imaps://USER@HOST[:PORT]/FOLDER"
    parts = urlsplit(source)
    if parts.password is not None:
        raise UsageError(
            "the IMAP password must not be written in SOURCE",
            hint=f"set the environment variable {password_env} instead (it is never stored)",
        )
    try:
        port = parts.port or IMAP_PORT
    except ValueError:
        raise UsageError("the port in the IMAP SOURCE is not a number", hint=usage) from None
    if not parts.hostname or not parts.username or parts.query or parts.fragment:
        raise UsageError("an IMAP SOURCE needs a user and a host", hint=usage)
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    check_folder_name(folder, local=False)
    return ImapAddress(unquote(parts.username), parts.hostname, port, folder)


def imap_utf7(name: str) -> str:
    """A folder name in IMAP's modified UTF-7 (RFC 3501 5.1.3), as servers expect."""
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            data = base64.b64encode("".join(run).encode("utf-16-be")).rstrip(b"=")
            out.append("&" + data.replace(b"/", b",").decode("ascii") + "-")
            run.clear()

    for ch in name:
        if " " <= ch <= "~":
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            run.append(ch)
    flush()
    return "".join(out)


def _quoted(folder: str) -> str:
    # check_folder_name keeps '"' and '\\' out, so quoting needs no escapes.
    return f'"{imap_utf7(folder)}"'


def uid_set(uids: Iterable[int]) -> str:
    """Sorted UIDs as an IMAP sequence set: ``1:3,7,9:10``."""
    ranges: list[list[int]] = []
    for uid in sorted(set(uids)):
        if ranges and uid == ranges[-1][1] + 1:
            ranges[-1][1] = uid
        else:
            ranges.append([uid, uid])
    return ",".join(str(a) if a == b else f"{a}:{b}" for a, b in ranges)


class _Pieces:
    """A large IMAP message as a stream of lines, fetched ``PIECE`` bytes at a time (a
    partial ``BODY.PEEK[]<start.size>``), so that no more than a piece is held."""

    def __init__(self, inbox: ImapInbox, uid: int) -> None:
        self.inbox = inbox
        self.uid = uid
        self.buffer = b""
        self.pos = 0  # what was read of the buffer
        self.at = 0  # where the next piece starts in the message
        self.done = False

    def _more(self) -> None:
        piece = self.inbox._piece(self.uid, self.at, PIECE)
        self.at += len(piece)
        self.done = len(piece) < PIECE
        self.buffer = self.buffer[self.pos :] + piece
        self.pos = 0

    def _take(self, end: int) -> bytes:
        out = self.buffer[self.pos : end]
        self.pos = end
        return out

    def read(self, size: int) -> bytes:
        while len(self.buffer) - self.pos < size and not self.done:
            self._more()
        return self._take(min(self.pos + size, len(self.buffer)))

    def readline(self, limit: int) -> bytes:
        while True:
            stop = self.pos + limit
            end = self.buffer.find(b"\n", self.pos, stop)
            if end != -1:
                return self._take(end + 1)
            if len(self.buffer) >= stop or self.done:
                return self._take(min(stop, len(self.buffer)))
            self._more()


def _password(
    password_env: str,
    environ: Mapping[str, str] | None,
    ask: Callable[[str], str] | None,
    address: ImapAddress,
) -> str:
    value = (os.environ if environ is None else environ).get(password_env)
    if not value and ask is not None:
        value = ask(f"IMAP password for {address.user} at {address.server}: ")
    if not value:
        raise ConfigError(
            f"no IMAP password: the environment variable {password_env} is not set",
            hint=f"set {password_env} for the job (it is never stored), or run the command "
            "on a terminal to be asked for it",
        )
    return value


class ImapInbox(Inbox):
    kind = "imap"

    def __init__(self, address: ImapAddress, imap: imaplib.IMAP4, caps: set[str]) -> None:
        super().__init__(f"{address.server}/{address.folder}")
        self.address = address
        self._imap = imap
        self._caps = caps

    @classmethod
    def open(
        cls,
        source: str,
        *,
        password_env: str = DEFAULT_PASSWORD_ENV,
        cafile: Path | None = None,
        ask: Callable[[str], str] | None = None,
        environ: Mapping[str, str] | None = None,
        timeout: float = IMAP_TIMEOUT,
    ) -> ImapInbox:
        """Connect, log in and EXAMINE the folder, or raise with the reason."""
        address = parse_imap_url(source, password_env=password_env)
        password = _password(password_env, environ, ask, address)
        try:
            context = ssl.create_default_context(cafile=str(cafile) if cafile else None)
        except (OSError, ssl.SSLError):
            raise ConfigError("cannot load the CA certificate file", file=cafile) from None
        server = address.server
        try:
            imap = imaplib.IMAP4_SSL(
                address.host, address.port, ssl_context=context, timeout=timeout
            )
        except ssl.SSLCertVerificationError as exc:
            raise ConfigError(
                f"the certificate of the IMAP server {server} does not verify "
                f"({exc.verify_message})",
                hint="if the server uses a private CA, name its certificate with --cafile FILE",
            ) from None
        except (ssl.SSLError, imaplib.IMAP4.error, EOFError) as exc:
            raise InputError(
                f"cannot talk IMAP over TLS with {server} ({type(exc).__name__})",
                hint="check the host and port in SOURCE (IMAP over TLS is usually port 993)",
            ) from None
        except OSError as exc:
            reason = "unknown host" if isinstance(exc, socket.gaierror) else exc.strerror
            if isinstance(exc, ConnectionRefusedError):
                reason = "connection refused"
            raise InputError(
                f"cannot connect to the IMAP server {server} ({reason or type(exc).__name__})",
                hint="check the host and port in SOURCE (IMAP over TLS is usually port 993)",
            ) from None
        try:
            caps = cls._login(imap, address, password, password_env)
            inbox = cls(address, imap, caps)
            inbox._select(readonly=True)
        except BaseException:
            with contextlib.suppress(Exception):
                imap.shutdown()
            raise
        return inbox

    @staticmethod
    def _login(
        imap: imaplib.IMAP4, address: ImapAddress, password: str, password_env: str
    ) -> set[str]:
        try:
            if (address.user + password).isascii() or "AUTH=PLAIN" not in imap.capabilities:
                imap.login(address.user, password)
            else:  # LOGIN's quoted strings are ASCII only; SASL PLAIN carries UTF-8
                plain = f"\0{address.user}\0{password}".encode()
                imap.authenticate("PLAIN", lambda _challenge: plain)
            _typ, data = imap.capability()
        except (imaplib.IMAP4.error, UnicodeEncodeError):
            raise ConfigError(
                f"the IMAP server {address.server} refused the login",
                hint=f"check the user in SOURCE and the password ({password_env} or as typed)",
            ) from None
        return set(data[-1].decode("ascii", "replace").upper().split()) if data else set()

    @contextlib.contextmanager
    def _talking(self, doing: str) -> Iterator[None]:
        try:
            yield
        except (imaplib.IMAP4.error, OSError, EOFError) as exc:
            raise InputError(
                f"IMAP server {self.address.server}: {doing} failed ({type(exc).__name__})"
            ) from None

    def _select(self, *, readonly: bool) -> int:
        """EXAMINE (read-only) or SELECT the source folder; the number of messages in it."""
        folder = self.address.folder
        with self._talking("opening the folder"):
            typ, data = self._imap.select(_quoted(folder), readonly=readonly)
            if typ == "OK":
                return int(data[0] or 0)
            _typ, listed = self._imap.list('""', _quoted(folder))
        if listed and listed != [None]:
            raise InputError(f"the IMAP server {self.address.server} refused to open {folder!r}")
        raise InputError(
            f"the IMAP folder {folder!r} does not exist on {self.address.server}",
            hint="check the folder at the end of SOURCE (INBOX when left out)",
        )

    def messages(self) -> Iterator[Incoming]:
        if not self._select(readonly=True):
            return
        with self._talking("listing messages"):
            _typ, data = self._imap.uid("FETCH", "1:*", "(UID RFC822.SIZE)")
        sizes: dict[int, int] = {}
        for line in data:
            meta = line[0] if isinstance(line, tuple) else line
            uid, size = _UID.search(meta or b""), _SIZE.search(meta or b"")
            if uid and size:
                sizes[int(uid[1])] = int(size[1])
        batch: list[int] = []
        budget = 0
        for uid in sorted(sizes):
            if sizes[uid] > MAX_MESSAGE:  # not fetched, not parsed
                yield from self._fetch(batch)
                batch, budget = [], 0
                yield Incoming(str(uid), b"", sizes[uid], unreadable="too large")
                continue
            if sizes[uid] > FETCH_BYTES:  # fetched a piece at a time, never whole
                yield from self._fetch(batch)
                batch, budget = [], 0
                incoming = read_incoming(str(uid), _Pieces(self, uid))
                if incoming.size or incoming.unreadable:  # nothing: expunged meanwhile
                    yield incoming
                continue
            if batch and (budget + sizes[uid] > FETCH_BYTES or len(batch) >= FETCH_COUNT):
                yield from self._fetch(batch)
                batch, budget = [], 0
            batch.append(uid)
            budget += sizes[uid]
        if batch:
            yield from self._fetch(batch)

    def _fetch(self, uids: list[int]) -> Iterator[Incoming]:
        if not uids:
            return
        with self._talking("fetching messages"):
            # PEEK: reading must not set \Seen (EXAMINE already forbids it; belt and braces).
            _typ, data = self._imap.uid("FETCH", uid_set(uids), "(UID BODY.PEEK[])")
        got: dict[int, bytes] = {}
        body: bytes | None = None
        for item in data:
            if isinstance(item, tuple):
                uid = _UID.search(item[0])
                body = item[1]
            else:  # the server may put UID after the literal
                uid = _UID.search(item or b"")
            if uid and body is not None:
                got[int(uid[1])] = body
                body = None
        del data
        for uid in uids:
            if uid in got:  # missing: expunged by another client since the listing
                yield read_incoming(str(uid), io.BytesIO(got.pop(uid)))

    def _piece(self, uid: int, start: int, size: int) -> bytes:
        """``size`` bytes of message ``uid`` from ``start`` (fewer at its end)."""
        with self._talking("fetching messages"):
            _typ, data = self._imap.uid("FETCH", str(uid), f"(UID BODY.PEEK[]<{start}.{size}>)")
        for item in data:
            if isinstance(item, tuple) and _UID.search(item[0] or b""):
                return bytes(item[1])
        for item in data:  # the server may put UID after the literal
            if isinstance(item, tuple):
                return bytes(item[1])
        return b""

    def check_move(self, folder: str) -> None:
        check_folder_name(folder, local=False)
        same = {folder.upper(), self.address.folder.upper()} == {"INBOX"}
        if folder == self.address.folder or same:  # INBOX is the one case-blind name
            raise UsageError("cannot move messages into the folder they are read from")

    def move(self, keys: Iterable[str], folder: str) -> int:
        self.check_move(folder)
        keys = set(keys)
        if not all(key.isdigit() for key in keys):
            raise UsageError("IMAP message keys are UIDs, as messages() gives them")
        if not keys:
            return 0
        self._select(readonly=False)
        try:
            with self._talking("moving messages"):
                present = self._present(sorted(int(k) for k in keys))
                if present:
                    self._ensure_folder(folder)
                for start in range(0, len(present), UID_CHUNK):
                    self._move_chunk(uid_set(present[start : start + UID_CHUNK]), folder)
        finally:
            # Back to read-only, so nothing later in the session can change the folder (if
            # that fails the connection is gone, and the error in flight says more).
            with contextlib.suppress(InputError):
                self._select(readonly=True)
        return len(present)

    def _present(self, uids: list[int]) -> list[int]:
        found: list[int] = []
        for start in range(0, len(uids), UID_CHUNK):
            chunk = uid_set(uids[start : start + UID_CHUNK])
            _typ, data = self._imap.uid("SEARCH", "UID", chunk)
            found += [int(n) for n in b" ".join(d for d in data if d).split()]
        return sorted(set(found) & set(uids))

    def _ensure_folder(self, folder: str) -> None:
        _typ, listed = self._imap.list('""', _quoted(folder))
        if listed and listed != [None]:
            return
        typ, _data = self._imap.create(_quoted(folder))
        if typ != "OK":
            raise InputError(f"cannot create the IMAP folder {folder!r} on {self.address.server}")
        self._imap.subscribe(_quoted(folder))  # so mail clients show it

    def _move_chunk(self, uids: str, folder: str) -> None:
        imap = self._imap
        if "MOVE" in self._caps:
            steps = [("move", ("MOVE", uids, _quoted(folder)))]
        else:
            steps = [
                ("copy", ("COPY", uids, _quoted(folder))),
                ("flag", ("STORE", uids, "+FLAGS.SILENT", r"(\Deleted)")),
            ]
            if "UIDPLUS" in self._caps:
                steps.append(("expunge", ("EXPUNGE", uids)))
        for step, args in steps:
            typ, _data = imap.uid(*args)
            if typ != "OK":
                raise InputError(
                    f"IMAP server {self.address.server} refused to {step} messages to {folder!r}"
                )
        if "MOVE" not in self._caps and "UIDPLUS" not in self._caps:
            imap.expunge()

    def close(self) -> None:
        # LOGOUT, never CLOSE: CLOSE on a read-write folder expunges messages marked deleted.
        with contextlib.suppress(Exception):
            self._imap.logout()
