"""Reading the rows of a sign-up export into people and rejects, in one process or two.

A large export is cut in two where a record ends: this process reads the first part while a
forked one reads the second, and the outcome is the same as reading the file whole. When
the people read can be given their place in the store already (a first import, into a store
that holds nobody yet), each process gives the people of its part their ids and serialises
them as the store will write them, so that neither the merge nor the store's write has to
go through them one by one again. The people of the second part come after those of the
first, so this process tells the forked one how many the first part holds.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mentorctl.errors import InputError
from mentorctl.fileio import write_all
from mentorctl.signups import forked
from mentorctl.signups import people as parse
from mentorctl.signups.formcsv import FIRST_DATA_ROW, FormTable, Misplit, Records
from mentorctl.store.db import SerialisedDocuments

if TYPE_CHECKING:
    from mentorctl.signups.reader import RowReader

Progress = Callable[[int, int], None]
# Below this many bytes a second process costs more than it saves.
PARALLEL_MIN_BYTES = 2 << 20
# The share of a split file read by this process: about half, as both processes place and
# serialise the people they read, and the forked one also sends its own (measured with
# benchmarks/bench_import.py).
FIRST_SHARE = 0.5


# Rejected rows kept to be shown; the others are only counted. An export of a million bad
# rows must not take a million rows' worth of memory: the rejects file reads them again.
KEPT_REJECTS = 1000


@dataclass
class Reject:
    row: int
    field: str
    reason: str


@dataclass
class Placed:
    """People given their ids and serialised for the store, with what the import needs of them."""

    emails: list[str]
    rows: list[int]
    ids: list[str]
    sources: list[str]
    documents: SerialisedDocuments

    # Sent between processes as a few long strings: pickling a hundred thousand short ones
    # one by one costs more than all the rest. None of them can hold a line break. The
    # documents go as buffers, which a pickler with a ``buffer_callback`` leaves out of the
    # pickle (see _send_part), so that they are not copied into it and out again.
    def __getstate__(self) -> tuple[str, list[int], str, str, int, int, list[Any]]:
        docs = self.documents
        return (
            "\n".join(self.emails),
            self.rows,
            "\n".join(self.ids),
            "\n".join(self.sources),
            docs.first_id,
            docs.count,
            [pickle.PickleBuffer(piece) for piece in docs.pieces],
        )

    def __setstate__(self, state: tuple[str, list[int], str, str, int, int, list[Any]]) -> None:
        emails, self.rows, ids, sources, first_id, count, pieces = state
        self.emails, self.ids, self.sources = (
            text.split("\n") if text else [] for text in (emails, ids, sources)
        )
        self.documents = SerialisedDocuments(first_id, count, pieces)

    def extend(self, later: Placed, shift: int) -> bool:
        """Take in the people placed right after these, whose rows are numbered ``shift`` rows
        further down the file; False (nothing done) if they were not placed right after."""
        docs, more = self.documents, later.documents
        if more.first_id != docs.first_id + docs.count or len(later.ids) != more.count:
            return False
        self.emails += later.emails
        self.rows += [row + shift for row in later.rows]
        self.ids += later.ids
        self.sources += later.sources
        docs.count += more.count
        docs.pieces += more.pieces
        return True


# [row, person]: a list rather than a tuple, so that rows can be renumbered in place.
Entry = list[Any]
# Gives the people of a part (email -> entry, in the order they go into the store), placed
# after the given number of others, their ids and serialises them; see ReadRows.place.
Placer = Callable[[dict[str, Entry], int], Placed]


@dataclass
class ReadRows:
    """What the rows of an export, or of one part of it, say before anything is merged.

    A row whose email (or, for a row imported before, whose person) appeared on an earlier
    row replaces it; each such repeat is kept as a (previous row, later row) pair.
    """

    parsed: dict[str, Entry] = field(default_factory=dict)  # email -> [row, person]
    known: dict[str, int] = field(
        default_factory=dict
    )  # person id -> row, for rows imported as they are
    # Email or person id -> the first row it is on, for those on more than one row.
    first_rows: dict[str, int] = field(default_factory=dict)
    repeats: list[tuple[int, int]] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)  # the first KEPT_REJECTS of them
    rejected: int = 0
    warnings: list[str] = field(default_factory=list)
    zones: Counter[str] = field(default_factory=Counter)  # unrecognised time zone -> rows
    topics: set[str] = field(default_factory=set)  # goals and expertise not among the topics
    rows: int = 0
    last_row: int = FIRST_DATA_ROW - 1  # the number of the last row read, blank or not
    processes: int = 1  # how many processes read the rows
    # People that come before all of ``parsed``, already placed for the store.
    placed: Placed | None = None

    def duplicate(self, first: int, later: int) -> None:
        self.warnings.append(
            f"row {later}: same email as row {first}; the later row (row {later}) is kept"
        )

    def place(self, placer: Placer, before: int = 0) -> None:
        """Hand the people read over to ``placer``, to come after ``before`` others placed
        already; they are then in ``placed``, not ``parsed``."""
        self.placed, self.parsed = placer(self.parsed, before), {}

    def unplace(self) -> None:
        """Turn placed people back into parsed ones (ahead of the others), ids and all."""
        placed, self.placed = self.placed, None
        if placed is None:
            return
        docs = placed.documents.decode().values()
        people = {
            email: [row, doc]
            for email, row, doc in zip(placed.emails, placed.rows, docs, strict=True)
        }
        people.update(self.parsed)
        self.parsed = people

    def add(self, part: ReadRows, shift: int) -> None:
        """Take in the rows of a later ``part``, numbered ``shift`` rows further down the file."""
        self.rows += part.rows
        self.last_row = part.last_row + shift
        self.zones.update(part.zones)
        self.topics.update(part.topics)
        self.rejected += part.rejected
        for reject in part.rejects[: KEPT_REJECTS - len(self.rejects)]:
            reject.row += shift
            self.rejects.append(reject)
        self.repeats.extend((first + shift, later + shift) for first, later in part.repeats)
        # Placed on both sides, and nobody on both: the people simply follow on.
        if (
            part.placed is not None
            and self.placed is not None
            and not self.parsed
            and not part.parsed
            and set(self.placed.emails).isdisjoint(part.placed.emails)
            and self.placed.extend(part.placed, shift)
        ):
            part.placed = None
        part.unplace()
        # A later row for a placed person means a person with other answers than placed.
        if self.placed is not None and not part.parsed.keys().isdisjoint(self.placed.emails):
            self.unplace()
        # Bulk dict operations: the two parts share few keys, if any.
        parsed, first_rows = self.parsed, part.first_rows
        for email in parsed.keys() & part.parsed.keys():
            later = first_rows.get(email, part.parsed[email][0])
            self.repeats.append((parsed[email][0], later + shift))
        for entry in part.parsed.values():
            entry[0] += shift
        parsed.update(part.parsed)
        known = self.known
        for person_id in known.keys() & part.known.keys():
            later = first_rows.get(person_id, part.known[person_id])
            self.repeats.append((known[person_id], later + shift))
        known.update({person_id: row + shift for person_id, row in part.known.items()})


def read_signups(
    table: FormTable,
    reader: RowReader,
    known: dict[str, str],
    progress: Progress | None = None,
    *,
    placer: Placer | None = None,
    parallel_min_bytes: int = PARALLEL_MIN_BYTES,
) -> ReadRows:
    """Read every row of ``table``: valid people (the later row wins a duplicate) and rejects.

    ``known`` maps the fingerprints of rows imported before to their person's id; such a row
    is unchanged by definition, so it is not parsed again. A large file is read in two parts
    at once; with a ``placer``, the people read may come back already placed.
    """
    out = None
    if len(table.raw) >= parallel_min_bytes and forked.available():
        out = _read_in_two(table, reader, known, progress, placer)
    if out is None:
        out = _read_part(table.records(progress), reader, known)
    if out.rows == 0:
        raise InputError("the file has a header row but no answers", file=table.path)
    # In row order, as a reader of the file meets them.
    for first, later in sorted(out.repeats, key=lambda pair: pair[1]):
        out.duplicate(first, later)
    if out.zones:
        # The answers themselves are not shown: warnings carry no personal data.
        out.warnings.append(
            f"{len(out.zones)} time-zone answer(s) on {out.zones.total()} row(s) not "
            "recognised; time-zone matching ignores them (see 'Time zone' in the README)"
        )
    out.warnings += topic_warnings(out.topics, reader.topics)
    return out


def topic_warnings(unknown: set[str], topics: list[str], lines: int = 10) -> list[str]:
    """One warning per goal or expertise that is not one of the program's topics, with the
    closest topic: today's typo is otherwise first noticed as a weak pair at pairing time."""
    if not topics or not unknown:
        return []
    import difflib

    folded = {t.casefold(): t for t in topics}
    out = []
    private = sorted(v for v in unknown if _contact_like(v))
    if private:
        # Somebody typed their address or phone number into a topic field: not echoed.
        out.append(
            f"{len(private)} answer(s) holding an address or a phone number are not topics of "
            "the program (not shown; see signup.topics)"
        )
    shown = sorted((v for v in unknown if not _contact_like(v)), key=str.casefold)
    for value in shown[:lines]:
        close = difflib.get_close_matches(value.casefold(), list(folded), n=1, cutoff=0.5)
        # A value that starts a topic ("Interview prep") is closest to it whatever the ratio.
        starts = [t for k, t in folded.items() if k.startswith(value.casefold())]
        best = starts[0] if starts else (folded[close[0]] if close else None)
        text = f"'{value[:60]}' is not a topic of the program"
        out.append(text + (f"; closest: '{best}'" if best else "") + " (see signup.topics)")
    if len(shown) > lines:
        out.append(f"... and {len(shown) - lines} more answer(s) that are not topics")
    return out


_PHONE = re.compile(r"\d[\d ()./-]{5,}\d")


def _contact_like(value: str) -> bool:
    """Whether a topic answer may hold someone's address or phone number."""
    if "@" in value or "＠" in value:
        return True
    return any(sum(ch.isdigit() for ch in m.group()) >= 7 for m in _PHONE.finditer(value))


def _read_in_two(
    table: FormTable,
    reader: RowReader,
    known: dict[str, str],
    progress: Progress | None,
    placer: Placer | None,
) -> ReadRows | None:
    """The rows of ``table``, read in two parts at once; None if that did not work out.

    This process reads the first part, so that it alone checks the cut is where a record
    ends and its rows are numbered as in the file, and so that its people, placed first, can
    be placed as soon as they are read. Whenever anything goes wrong (a cut inside a quoted
    cell, a row the csv module refuses), the file is read whole instead, which reports any
    error with the row numbered as in the file.
    """
    at = table.split_point(FIRST_SHARE)
    if at is None:
        return None
    # How many people the first part placed, for the forked process to place its own after.
    placed_r, placed_w = os.pipe()

    def second_part() -> bytes:
        os.close(placed_w)
        part = _read_part(table.records(start=at), reader, known)
        if placer is not None:
            before = _receive_count(placed_r)
            if before is not None:
                part.place(placer, before)
        return _send_part(part)

    try:
        side = forked.start(second_part)
    finally:
        os.close(placed_r)
    if side is None:
        os.close(placed_w)
        return None
    try:
        with contextlib.closing(_Descriptor(placed_w)) as told:
            try:
                out = _read_part(table.records(progress, stop=at), reader, known)
            except (InputError, Misplit):
                side.cancel()
                return None
            if placer is not None:
                told.write(len(out.parsed).to_bytes(8, "little"))
                told.close()
                out.place(placer)
        second = side.result(_receive_part)
    except BaseException:
        side.cancel()
        raise
    if second is None:
        return None
    out.add(second, out.last_row - (FIRST_DATA_ROW - 1))
    out.processes = 2
    return out


def _send_part(part: ReadRows) -> list[bytes | memoryview]:
    """``part`` as pieces to be written one after the other: a header, the pickle, and the
    buffers the pickle leaves out (read back by :func:`_receive_part`)."""
    buffers: list[pickle.PickleBuffer] = []
    main = pickle.dumps(part, protocol=5, buffer_callback=buffers.append)
    raws = [buffer.raw() for buffer in buffers]
    header = pickle.dumps((len(main), [len(raw) for raw in raws]), protocol=5)
    return [len(header).to_bytes(8, "little"), header, main, *raws]


def _receive_part(view: memoryview) -> ReadRows:
    """The part :func:`_send_part` wrote; its buffers stay views of ``view``."""
    at = 8 + int.from_bytes(view[:8], "little")
    size, sizes = pickle.loads(view[8:at])
    main, at = view[at : at + size], at + size
    buffers = []
    for size in sizes:
        buffers.append(view[at : at + size])
        at += size
    part: ReadRows = pickle.loads(main, buffers=buffers)
    return part


class _Descriptor:
    """One end of a pipe, closed once."""

    def __init__(self, fd: int) -> None:
        self.fd: int | None = fd

    def write(self, data: bytes) -> None:
        if self.fd is not None:
            with contextlib.suppress(OSError):  # a child gone: its result says so
                write_all(self.fd, data)

    def close(self) -> None:
        if self.fd is not None:
            fd, self.fd = self.fd, None
            os.close(fd)


def _receive_count(fd: int) -> int | None:
    """The number the other process sends, or None if it sent none."""
    data = b""
    while len(data) < 8:
        chunk = os.read(fd, 8 - len(data))
        if not chunk:
            return None
        data += chunk
    return int.from_bytes(data, "little")


def _read_part(records: Records, reader: RowReader, known: dict[str, str]) -> ReadRows:
    out = ReadRows()
    parsed, seen, first_rows, repeats = out.parsed, out.known, out.first_rows, out.repeats
    rejects = out.rejects
    reader.unrecognised_zones = out.zones
    reader.goals.unknown = reader.expertise.unknown = out.topics
    hasher = reader.hasher
    for row, record in records:
        out.rows += 1
        # The row's fingerprint: its cells under the reader's keyed hash (see RowReader).
        fingerprint = hasher.copy()
        fingerprint.update("\x1f".join(record).encode("utf-8", "surrogatepass"))
        source = fingerprint.hexdigest()
        person_id = known.get(source)
        if person_id is not None:
            previous = seen.get(person_id)
            if previous is not None:
                first_rows.setdefault(person_id, previous)
                repeats.append((previous, row))
            seen[person_id] = row
            continue
        try:
            person = reader.read(record)
        except parse.Rejection as exc:
            out.rejected += 1
            if len(rejects) < KEPT_REJECTS:
                rejects.append(Reject(row, exc.field, exc.reason))
            continue
        person["source"] = source
        email = person["email"]
        previous_entry = parsed.get(email)
        if previous_entry is not None:
            first_rows.setdefault(email, previous_entry[0])
            repeats.append((previous_entry[0], row))
        parsed[email] = [row, person]
    out.last_row = records.last_row
    return out


def rejected_rows(
    table: FormTable,
    reader: RowReader,
    known: dict[str, str],
    forgotten: Callable[[str], bool] | None = None,
) -> Iterator[list[Any]]:
    """[row, field, reason, *cells] of each rejected row, read again from the file; the rows
    of people who asked to be forgotten (``forgotten(address)``) are left out.

    The same decisions as :func:`_read_part` (a row imported before as it is was not
    rejected), one row at a time, so that writing the rejects takes no more memory than
    one row however many there are.
    """
    reader.unrecognised_zones = Counter()  # counted on the first read already
    hasher = reader.hasher
    for row, record in table.records():
        fingerprint = hasher.copy()
        fingerprint.update("\x1f".join(record).encode("utf-8", "surrogatepass"))
        if fingerprint.hexdigest() in known:
            continue
        try:
            reader.read(record)
        except parse.Rejection as exc:
            if forgotten is not None and _address_of(record, reader, forgotten):
                continue
            yield [row, exc.field, exc.reason, *record]


def _address_of(record: list[str], reader: RowReader, forgotten: Callable[[str], bool]) -> bool:
    """Whether the record's address is one ``forgotten`` knows (False when it has none)."""
    at = reader.at["email"]
    if at < 0:
        return False
    try:
        return forgotten(parse.normalise_email(record[at]))
    except parse.Rejection:
        return False
