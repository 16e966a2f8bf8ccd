"""One message from a mailbox, read within bounds: what a reply needs, never all of it.

Anyone can put anything in a mailbox that mentorctl reads, so each message is read alone and
within limits, and a message past one of them is *unreadable* (:class:`Unreadable`, with a
short reason that never quotes the message), not an error of the run:

- ``MAX_MESSAGE`` bytes in the source: a larger message is not parsed at all;
- ``MAX_DEPTH`` levels of nested multiparts and ``MAX_PARTS`` parts;
- ``MAX_HEADERS`` bytes in one header block.

:func:`trim` streams a message line by line (in chunks of at most ``CHUNK`` bytes, so a
line of any length costs no memory) and keeps only what a reader of replies looks at: every
header block, and the bodies of the parts that are not attachments, each up to
``MAX_PART`` bytes and ``MAX_KEPT`` in all (a message of at most ``SMALL`` bytes whose
structure is plainly within bounds is taken whole: streaming it would gain nothing). An attachment (``Content-Disposition:
attachment`` or a file name) or a larger part is passed over without being decoded or held:
its body is left out, its headers stay. An attached message (``message/rfc822``) keeps its
own headers only (enough to tell which message a bounce returns), so the parser never
descends into it. A message with nothing left out comes back byte for byte.

:func:`parse_message` turns the trimmed bytes into an :class:`email.message.Message` under the
``compat32`` policy: headers stay the text they were (the readers take the few raw values they
need; the default policy's header objects cost more than the parse itself), and
:func:`guarded` runs any reader of it: whatever either raises (a recursion, a codec, a
number, a date) or a run longer than ``MAX_SECONDS`` becomes :class:`Unreadable`.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import signal
import threading
from collections.abc import Callable, Iterator
from email import policy
from email.message import Message
from email.parser import BytesParser
from typing import BinaryIO, TypeVar

MAX_MESSAGE = 100 * 1024 * 1024
MAX_HEADERS = 256 * 1024
MAX_PART = 1024 * 1024
MAX_KEPT = 8 * 1024 * 1024
MAX_DEPTH = 20
MAX_PARTS = 1000
MAX_SECONDS = 30
CHUNK = 64 * 1024
SMALL = 256 * 1024

T = TypeVar("T")

# What the email package takes for a header line (feedparser's headerRE); anything else
# ends the header block and starts the body.
_HEADER_LINE = re.compile(rb"^(?:From |[\041-\071\073-\176]*:|[\t ])")
_NAME = re.compile(rb"^([\041-\071\073-\176]+)[ \t]*:")
_BOUNDARY = re.compile(rb'(?:^|;)\s*boundary\s*=\s*(?:"([^"]*)"|([^;\s]+))', re.IGNORECASE)
_FILENAME = re.compile(rb"(?:^|;)\s*(?:file)?name\*?\d*\*?\s*=", re.IGNORECASE)


class Unreadable(Exception):
    """A message that cannot be read within bounds; ``reason`` never quotes it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def fingerprint_of(raw: bytes) -> str:
    """The name of a message without a Message-ID: a digest of all its bytes."""
    return _hasher(raw).hexdigest()


def _hasher(raw: bytes = b"") -> hashlib.blake2b:
    return hashlib.blake2b(b"raw:" + raw, digest_size=16)


class _Lines:
    """A byte stream as chunks of lines, each flagged when it starts a line; hashes and
    counts every byte it reads, and reads no more than ``MAX_MESSAGE`` of them."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.hash = _hasher()
        self.size = 0
        self.at_start = True
        self.back: tuple[bytes, bool] | None = None

    def next(self) -> tuple[bytes, bool] | None:
        if self.back is not None:
            item, self.back = self.back, None
            return item
        chunk = self.stream.readline(CHUNK)
        if not chunk:
            return None
        self.size += len(chunk)
        if self.size > MAX_MESSAGE:
            raise Unreadable("too large")
        self.hash.update(chunk)
        start, self.at_start = self.at_start, chunk.endswith((b"\n", b"\r"))
        return chunk, start

    def push(self, item: tuple[bytes, bool]) -> None:
        self.back = item

    def drain(self) -> None:
        while self.next() is not None:
            pass


def _boundary_of(line: bytes, bounds: list[bytes]) -> tuple[int, bool] | None:
    """(which enclosing boundary, closing) when ``line`` is a boundary line."""
    if not line.startswith(b"--"):
        return None
    text = line.removesuffix(b"\n").removesuffix(b"\r").rstrip(b" \t")
    for level in range(len(bounds) - 1, -1, -1):
        mark = b"--" + bounds[level]
        if text == mark:
            return level, False
        if text == mark + b"--":
            return level, True
    return None


class _Trim:
    def __init__(self, lines: _Lines) -> None:
        self.lines = lines
        self.out: list[bytes] = []
        self.kept = 0
        self.parts = 0
        self.skipped = 0

    def keep(self, chunks: list[bytes]) -> None:
        self.out.extend(chunks)
        self.kept += sum(len(c) for c in chunks)

    def headers(self, bounds: list[bytes]) -> dict[bytes, bytes]:
        """Read and keep one header block; the first value of each header, unfolded."""
        block: list[bytes] = []
        size = 0
        fields: dict[bytes, bytes] = {}
        current: bytes | None = None  # the header being read, when it is a first one
        while (item := self.lines.next()) is not None:
            chunk, start = item
            if start and _boundary_of(chunk, bounds) is not None:
                self.lines.push(item)
                break
            if start and chunk.strip(b"\r\n") == b"":
                block.append(chunk)  # the blank line ends the headers
                break
            if start and not _HEADER_LINE.match(chunk):
                self.lines.push(item)  # the body starts without a blank line
                break
            size += len(chunk)
            if size > MAX_HEADERS:
                raise Unreadable("headers too large")
            block.append(chunk)
            found = _NAME.match(chunk) if start else None
            if found is not None:
                name = found[1].lower()
                current = None if name in fields else name
                if current is not None:
                    fields[current] = chunk[found.end() :].strip()
            elif current is not None:
                fields[current] += b" " + chunk.strip()
        self.keep(block)
        if self.kept > MAX_KEPT:
            raise Unreadable("headers too large")
        return fields

    def entity(self, bounds: list[bytes], depth: int) -> None:
        """One entity (headers and body) up to a boundary line of ``bounds`` or the end."""
        self.parts += 1
        if self.parts > MAX_PARTS:
            raise Unreadable("too many parts")
        fields = self.headers(bounds)
        ctype = fields.get(b"content-type", b"")
        main = ctype.split(b";", 1)[0].strip().lower()
        disposition = fields.get(b"content-disposition", b"")
        attachment = disposition.split(b";", 1)[0].strip().lower() == b"attachment" or bool(
            _FILENAME.search(disposition) or _FILENAME.search(ctype)
        )
        if main.startswith(b"multipart/") and not attachment:
            found = _BOUNDARY.search(ctype[:4096])
            boundary = (found[1] if found and found[1] is not None else found[2]) if found else b""
            if boundary.strip():
                if depth >= MAX_DEPTH:
                    raise Unreadable("nested too deep")
                self.multipart(bounds, boundary.rstrip(), depth)
                return
            self.body(bounds, keep=False)
        elif main in (b"message/rfc822", b"message/global"):
            # The attached message's own headers, nothing under them.
            self.headers(bounds)
            self.body(bounds, keep=False)
        else:
            self.body(bounds, keep=not attachment)

    def body(self, bounds: list[bytes], *, keep: bool) -> None:
        held: list[bytes] = []
        size = 0
        while (item := self.lines.next()) is not None:
            chunk, start = item
            if start and _boundary_of(chunk, bounds) is not None:
                self.lines.push(item)
                break
            size += len(chunk)
            if keep:
                if size > MAX_PART or self.kept + size > MAX_KEPT:
                    keep = False
                    held = []
                else:
                    held.append(chunk)
        if keep:
            self.keep(held)
        elif size:
            self.skipped += 1

    def multipart(self, bounds: list[bytes], boundary: bytes, depth: int) -> None:
        inner = [*bounds, boundary]
        own = len(bounds)
        self.body(inner, keep=True)  # the preamble
        while (item := self.lines.next()) is not None:
            chunk, start = item
            found = _boundary_of(chunk, inner) if start else None
            if found is None:  # cannot happen: body() stops at boundary lines only
                continue
            level, closing = found
            if level != own:  # an enclosing multipart goes on: this one was left open
                self.lines.push(item)
                return
            self.keep([chunk])
            if closing:
                self.body(bounds, keep=True)  # the epilogue
                return
            self.entity(inner, depth + 1)


class _Chain:
    """``head`` (bytes already read from ``rest``), then ``rest``, line by line."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self.head = io.BytesIO(head)
        self.rest = rest

    def readline(self, limit: int) -> bytes:
        piece = self.head.readline(limit)
        if not piece:
            return self.rest.readline(limit)
        if not piece.endswith((b"\n", b"\r")) and len(piece) < limit:
            piece += self.rest.readline(limit - len(piece))  # the line goes on after head
        return piece


def _simple(raw: bytes) -> bool:
    """True when a small message cannot nest or split past the bounds: too few boundaries
    and attached messages to nest ``MAX_DEPTH`` deep, too few "--" lines for ``MAX_PARTS``."""
    lower = raw.lower()
    nesting = lower.count(b"boundary") + lower.count(b"message/")
    return nesting <= MAX_DEPTH and raw.count(b"\n--") < MAX_PARTS


def trim(stream: BinaryIO, *, whole: int = SMALL) -> tuple[bytes, int, str]:
    """(the message less attachments and oversized parts, its size, its fingerprint).

    A message of at most ``whole`` bytes whose structure is plainly within bounds is taken
    as it is (its attachments, if any, are small). Raises :class:`Unreadable` for a message
    past the bounds: reading stops where it is found."""
    head = stream.read(whole + 1)
    if len(head) <= whole and _simple(head):
        return head, len(head), fingerprint_of(head)
    lines = _Lines(_Chain(head, stream))  # type: ignore[arg-type]
    work = _Trim(lines)
    try:
        work.entity([], 0)
        lines.drain()  # a top-level multipart's epilogue ends at the end: nothing is left
    except RecursionError:
        raise Unreadable("nested too deep") from None
    return b"".join(work.out), lines.size, lines.hash.hexdigest()


_PARSER = BytesParser(policy=policy.compat32)


def parse_message(raw: bytes) -> Message:
    """The trimmed message, its headers as written; :class:`Unreadable` when it cannot be."""
    return guarded(_PARSER.parsebytes, raw)


def guarded(read: Callable[..., T], *args: object) -> T:
    """``read(*args)``, with anything it raises, or a run past ``MAX_SECONDS``, as
    :class:`Unreadable`."""
    try:
        with _time_limit(MAX_SECONDS):
            return read(*args)
    except Unreadable:
        raise
    except RecursionError:
        raise Unreadable("nested too deep") from None
    except MemoryError:
        raise Unreadable("too large") from None
    except Exception as exc:  # one message must never stop a run
        raise Unreadable(f"cannot be read ({type(exc).__name__})") from None


class _TooLong(Exception):
    pass


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block after ``seconds`` (a real-time timer; the main thread only, where
    signals arrive: elsewhere the bounds on size and parts keep the time in check)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "setitimer"
    ):
        yield
        return

    def expire(_signum: int, _frame: object) -> None:
        raise _TooLong

    before = signal.signal(signal.SIGALRM, expire)
    old_delay, _interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _TooLong:
        raise Unreadable("took too long to read") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, before)
        if old_delay:
            signal.setitimer(signal.ITIMER_REAL, old_delay)
