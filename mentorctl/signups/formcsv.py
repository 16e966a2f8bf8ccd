"""Reading CSV exports of online forms, whatever spreadsheet or form service made them.

Google Forms, Microsoft Forms and Typeform export UTF-8 with commas; Excel's "CSV UTF-8"
adds a byte-order mark; European Excel writes Windows-1252 with semicolons; Excel's
"Unicode text" is UTF-16 with tabs. Cells may hold line breaks. This module turns any of
these into a header row and records, or one :class:`InputError` that says what is wrong.
"""

from __future__ import annotations

import codecs
import csv
import io
import mmap
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mentorctl.errors import InputError

DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
# A spreadsheet numbers the header as row 1, so the first answer is row 2.
FIRST_DATA_ROW = 2
# Encodings in which the byte of a line feed is always a line feed, so a file can be cut there.
SPLITTABLE_ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "latin-1")
# Line breaks tried past the middle of a file before giving up splitting it.
SPLIT_TRIES = 1000
SPLIT_MARK = "\x00"
# Bytes of the mapped file looked at in one piece by the scans over the whole file.
SCAN_CHUNK = 1 << 20


@dataclass
class FormTable:
    """A form export: its header row, and its answers read on demand, one record at a time.

    Records are streamed rather than held in a list: an export of 100,000 rows takes several
    times its file size as Python strings, and an import needs each record only once. The
    file itself is mapped, not read: its pages belong to the page cache, which the system
    can drop and read again, so a large export does not take its size in the process's own
    memory.
    """

    path: Path
    headers: list[str]
    encoding: str
    delimiter: str
    raw: bytes | mmap.mmap = field(repr=False)

    def records(
        self,
        progress: Callable[[int, int], None] | None = None,
        *,
        start: int = 0,
        stop: int | None = None,
    ) -> Records:
        """(row number, cells) for each answer row; the number is the one a spreadsheet shows.

        Blank rows are skipped, short rows padded, and cells past the last header (a trailing
        delimiter) dropped, so every record has one cell per header. ``start`` and ``stop``
        read one part of the file (byte offsets from :meth:`split_point`); the rows of a
        part that starts past the header are numbered as if it were the first.
        """
        return Records(self, progress, start, stop)

    def split_point(self, near: float = 0.5) -> int | None:
        """A byte offset near the fraction ``near`` of the file that likely starts a record.

        A line break with an even number of quotes before it is outside any quoted cell in a
        well-formed file. A stray quote can mislead this guess, so a part that ends at the
        offset checks that it ended where a record ends (see :class:`Records`).
        """
        if self.encoding not in SPLITTABLE_ENCODINGS:
            return None
        raw = self.raw
        at = int(len(raw) * near)
        quotes = count_bytes(raw, b'"', 0, at)
        for _ in range(SPLIT_TRIES):
            end = raw.find(b"\n", at)
            if end < 0 or end + 1 >= len(raw):
                return None
            quotes += count_bytes(raw, b'"', at, end)
            at = end + 1
            if quotes % 2 == 0:
                return at
        return None


class Records:
    """The answer rows of a form export, or of one part of it, read on demand.

    A part that ends before the end of the file is read with a mark appended that holds a
    character no export can contain (NUL; :func:`detect_encoding` refuses such files). Read
    from the start of the file, the mark comes out as a row of its own exactly when the
    part ends where a record ends; inside a quoted cell it joins that cell instead, and
    reading the part raises :class:`Misplit`.
    """

    def __init__(
        self,
        table: FormTable,
        progress: Callable[[int, int], None] | None,
        start: int,
        stop: int | None,
    ) -> None:
        self.table = table
        self.progress = progress
        self.start = start
        self.stop = stop
        self.last_row = FIRST_DATA_ROW - 1  # the number of the last row read, blank or not

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        table, progress, stop = self.table, self.progress, self.stop
        # The mark is one byte in every splittable encoding.
        source = _Part(
            table.raw, self.start, stop, SPLIT_MARK.encode("ascii") if stop is not None else b""
        )
        # Only the file's first bytes can be its byte-order mark.
        encoding = "utf-8" if self.start and table.encoding == "utf-8-sig" else table.encoding
        buffered = io.BufferedReader(source, buffer_size=1 << 16)
        text = io.TextIOWrapper(buffered, encoding=encoding, newline="")
        reader = csv.reader(text, delimiter=table.delimiter)
        width = len(table.headers)
        row = self.last_row
        total = source.size
        try:
            if self.start == 0:
                next(reader, None)  # the header row, already read
            for record in reader:
                if stop is not None and record and record[-1].endswith(SPLIT_MARK):
                    if record != [SPLIT_MARK]:
                        raise Misplit(row + 1)
                    stop = None  # the part ended where a record ends
                    break
                row += 1
                self.last_row = row
                if progress is not None and row % 2000 == 0:
                    progress(source.consumed, total)
                if len(record) != width:
                    if not any(cell.strip() for cell in record):
                        continue
                    record = (record + [""] * width)[:width]
                elif not any(record):
                    continue
                yield row, record
        except csv.Error as exc:
            raise InputError(f"not readable as CSV: {exc}", file=table.path, row=row + 1) from None
        except UnicodeDecodeError:
            # Only UTF-16 gets here: the other encodings are checked before any row is read.
            raise InputError(
                f"not readable as UTF-16: at or after row {row + 1}, it holds bytes that are "
                "not UTF-16 text",
                file=table.path,
            ) from None
        if stop is not None:
            raise Misplit(row + 1)
        if progress is not None:
            progress(total, total)


class _Part(io.RawIOBase):
    """The bytes ``raw[start:stop]`` and then ``tail``, read as a file without copying them
    all at once (``raw`` may be a mapped file of any size)."""

    def __init__(self, raw: bytes | mmap.mmap, start: int, stop: int | None, tail: bytes) -> None:
        super().__init__()
        self.raw = raw
        self.start = self.pos = self.released = start
        self.stop = len(raw) if stop is None else stop
        self.tail = tail
        self.size = self.stop - start + len(tail)

    @property
    def consumed(self) -> int:
        return self.pos - self.start

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self.pos < self.stop:
            n = min(len(view), self.stop - self.pos)
            view[:n] = self.raw[self.pos : self.pos + n]
            if self.pos + n - self.released >= SCAN_CHUNK:
                release(self.raw, self.released, self.pos)
                self.released = self.pos
        elif self.tail:
            n = min(len(view), len(self.tail))
            view[:n], self.tail = self.tail[:n], self.tail[n:]
        else:
            return 0
        self.pos += n
        return n


def release(raw: bytes | mmap.mmap, start: int, end: int) -> None:
    """Let go of the pages of ``raw[start:end]`` that were read (a mapped file only).

    They stay in the page cache, but no longer count as this process's memory: reading a
    large export then takes a few MB of it at a time, not its whole size.
    """
    if isinstance(raw, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED"):
        first = max(0, start - start % mmap.PAGESIZE)
        if end > first:
            raw.madvise(mmap.MADV_DONTNEED, first, end - first)


def _chunks(raw: bytes | mmap.mmap, start: int, end: int) -> Iterator[bytes]:
    for at in range(start, end, SCAN_CHUNK):
        yield raw[at : min(at + SCAN_CHUNK, end)]
        release(raw, at, min(at + SCAN_CHUNK, end))


def count_bytes(raw: bytes | mmap.mmap, byte: bytes, start: int, end: int) -> int:
    """``raw.count(byte, start, end)``, also for a mapped file (which has no count)."""
    if isinstance(raw, bytes):
        return raw.count(byte, start, end)
    return sum(chunk.count(byte) for chunk in _chunks(raw, start, end))


def _any_of(raw: bytes | mmap.mmap, byte: bytes) -> bool:
    return not _all(raw, lambda chunk: byte not in chunk)


def _all(raw: bytes | mmap.mmap, test: Callable[[bytes], bool]) -> bool:
    if isinstance(raw, bytes):
        return test(raw)
    return all(test(chunk) for chunk in _chunks(raw, 0, len(raw)))


class Misplit(Exception):
    """A part of an export did not end where a record ends; read the file as a whole."""


def normalise_header(text: str) -> str:
    """Headers compare without case, surrounding spaces, repeated spaces or a required-mark."""
    text = " ".join(text.replace("\ufeff", "").split()).casefold()
    return text.rstrip(" *:")


def detect_encoding(raw: bytes, path: Path) -> str:
    """The encoding of ``raw``: a byte-order mark decides, else UTF-8 if it is valid, else Windows-1252."""
    start = raw[:4]
    if start.startswith(b"PK\x03\x04"):
        raise InputError(
            "this is a spreadsheet workbook, not CSV",
            file=path,
            hint="export it from your spreadsheet as 'CSV UTF-8 (comma delimited)'",
        )
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    # No text in any other encoding holds a NUL byte (which the two-process read relies on).
    if _any_of(raw, b"\x00"):
        raise InputError("not a CSV file (it holds binary data)", file=path)
    if start.startswith(codecs.BOM_UTF8):
        bad = _first_bad_utf8(raw, len(codecs.BOM_UTF8))
        if bad is not None:
            line = count_bytes(raw, b"\n", 0, bad) + 1
            raise InputError(
                f"starts with the mark of UTF-8 text, but line {line} holds bytes that are not "
                "UTF-8",
                file=path,
                hint="export it again as 'CSV UTF-8'",
            )
        return "utf-8-sig"
    if _all(raw, bytes.isascii) or _first_bad_utf8(raw) is None:
        return "utf-8"
    # Windows-1252 leaves five bytes undefined; Latin-1 reads every byte.
    undefined = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")
    return "latin-1" if any(_any_of(raw, byte) for byte in undefined) else "cp1252"


def _first_bad_utf8(raw: bytes, start: int = 0, chunk: int = 1 << 14) -> int | None:
    """The offset of the first byte from ``start`` on that is not part of UTF-8 text, if any."""
    # Decoding in chunks checks validity without holding the whole text in memory. Small
    # chunks reuse the same memory; chunks of a megabyte or more each take fresh pages from
    # the system, which made this check two to three times slower.
    decoder = codecs.getincrementaldecoder("utf-8")()
    at = start
    try:
        for at in range(start, len(raw), chunk):
            decoder.decode(raw[at : at + chunk])
            if (at + chunk) % SCAN_CHUNK < chunk:
                release(raw, at + chunk - SCAN_CHUNK, at + chunk)
        at = len(raw)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        # The decoder holds back the start of a character cut at the end of a chunk.
        return at - len(exc.object) + len(raw[at : at + chunk]) + exc.start
    return None


def sniff_delimiter(text: str) -> str:
    """The delimiter of the header line: the candidate seen most often outside quotes."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in text[:65536]:
        if char == '"':
            quoted = not quoted
        elif not quoted:
            if char in "\r\n":
                break
            if char in counts:
                counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _unique_headers(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for header in headers:
        clean = " ".join(header.replace("\ufeff", "").split())
        key = clean.casefold()
        seen[key] = seen.get(key, 0) + 1
        out.append(clean if seen[key] == 1 else f"{clean} ({seen[key]})")
    return out


def read_form_csv(path: Path) -> FormTable:
    """Open a form export: detect its encoding and delimiter and read its header row.

    Only a regular file is read: a device such as /dev/zero or a pipe could feed an import
    until memory runs out.
    """
    raw = _map_file(path)
    if _all(raw, bytes.isspace):
        raise InputError("the file is empty", file=path)
    encoding = detect_encoding(raw, path)
    head = raw[:65536].decode(encoding, errors="ignore")
    if "\x00" in head:
        raise InputError("not a CSV file (it holds binary data)", file=path)
    delimiter = sniff_delimiter(head)
    try:
        headers = next(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter), None)
    except csv.Error as exc:
        raise InputError(f"not readable as CSV: {exc}", file=path, row=1) from None
    if headers is None or not any(h.strip() for h in headers):
        raise InputError("the file has no header row", file=path, row=1)
    return FormTable(path, _unique_headers(headers), encoding, delimiter, raw)


def _map_file(path: Path) -> mmap.mmap | bytes:
    try:
        # Non-blocking, so that opening a named pipe does not wait for a writer.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise InputError("file not found", file=path) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", file=path) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError("is a folder, not a CSV file", file=path)
        if not stat.S_ISREG(info.st_mode):
            raise InputError(
                "is not a regular file (a device, pipe or socket)",
                file=path,
                hint="save the form's export to a file and import that",
            )
        if info.st_size == 0:
            raise InputError("the file is empty", file=path)
        try:
            return mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot read the file: {exc}", file=path) from None
    finally:
        os.close(fd)
