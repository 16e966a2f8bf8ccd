"""Importing sign-ups: mapping form columns to fields, validating people, merging into the store.

An import is idempotent: people are keyed by their normalised email, so importing the same
export twice changes nothing and an updated export changes only what changed. Rows that
cannot be used are reported (row, field, reason) while the valid rows still go in.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mentorctl.errors import InputError, RejectedRowsError, UsageError
from mentorctl.gcpause import paused_gc
from mentorctl.programs.program import Program
from mentorctl.signups import index as importindex
from mentorctl.signups import people as parse
from mentorctl.signups.columns import SAMPLE_ROWS, map_columns, parse_map_options
from mentorctl.signups.formcsv import read_form_csv
from mentorctl.signups.reader import RowReader
from mentorctl.signups.rows import (
    PARALLEL_MIN_BYTES,
    Entry,
    Placed,
    Placer,
    Progress,
    ReadRows,
    Reject,
    read_signups,
    rejected_rows,
)
from mentorctl.store.db import Store, serialise_documents
from mentorctl.store.suppression import STORE_META, Matcher, SuppressionList

# Fields compared to decide whether a re-imported person changed.
COMPARED_FIELDS = (
    "email",
    "name",
    "role",
    "age",
    "age_confirmed",
    "birth_date",
    "goals",
    "expertise",
    "languages",
    "timezone",
    "capacity",
    "organisation",
    "bio",
    "extra",
)
# People's ids: P1, P2, ... from a counter in the store, never reused.
PERSON_COUNTER = "person"
PERSON_PREFIX = "P"


@dataclass
class ImportResult:
    file: Path
    encoding: str
    delimiter: str
    rows: int
    mapping: list[tuple[str, str]]
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    rejects: list[Reject] = field(default_factory=list)  # the first ones, to show
    rejected: int = 0
    warnings: list[str] = field(default_factory=list)
    changed_fields: Counter[str] = field(default_factory=Counter)
    rejects_file: Path | None = None
    dry_run: bool = False
    suppressed: int = 0  # rows of people who asked to be forgotten, skipped


def _settle_duplicates(rows: ReadRows, people: dict[str, dict[str, Any]]) -> None:
    """A person may appear in a known row and in a new one: the later row wins."""
    if not rows.known or not rows.parsed:
        return
    email_of = {doc.get("id"): doc.get("email") for doc in people.values()}
    for person_id, row in list(rows.known.items()):
        email = email_of.get(person_id)
        if email not in rows.parsed:
            continue
        other = rows.parsed[email][0]
        rows.duplicate(min(row, other), max(row, other))
        if row > other:
            del rows.parsed[email]
        else:
            del rows.known[person_id]


def import_signups(
    csv_path: Path,
    program: Program,
    store_path: Path,
    *,
    map_options: list[str],
    role: str | None,
    today: dt.date,
    now: dt.datetime,
    dry_run: bool = False,
    write_rejects: bool = False,
    strict: bool = False,
    progress: Progress | None = None,
    parallel_min_bytes: int = PARALLEL_MIN_BYTES,
    date_order: str | None = None,
) -> ImportResult:
    """Import the sign-ups of a form's export into the store. ``date_order`` (DMY or MDY,
    from --date-order) reads dates such as birth dates in that order, whatever
    program.yaml's signup.date_order says."""
    if role is not None and role not in parse.ROLES:
        raise UsageError(f"--role '{role}': expected mentor, mentee or both")
    overrides = parse_map_options(map_options, program)
    table = read_form_csv(csv_path)
    # The first rows tell the shapes of export a header cannot (see signups.columns).
    sample = [record for _, record in itertools.islice(table.records(), SAMPLE_ROWS)]
    mapping = map_columns(table.headers, program, overrides, csv_path, sample, role)
    if role is None and "role" not in mapping.field_to_column:
        raise InputError(
            "no role column found",
            file=csv_path,
            hint="pass --role mentor|mentee for a one-role form, or --map role=HEADER",
        )
    stamp = now.isoformat(timespec="seconds")
    reader = RowReader(program, mapping, role, today, stamp, date_order=date_order)
    result = ImportResult(
        file=csv_path,
        encoding=table.encoding,
        delimiter=table.delimiter,
        rows=0,
        mapping=mapping.rows(),
        dry_run=dry_run,
    )
    index_file = importindex.index_path(store_path)
    with Store.writing(store_path, dry_run=dry_run) as store, paused_gc():
        known = importindex.load(index_file, store.identity())
        index_current = known is not None
        if known is None:
            known = importindex.build(store.documents("people"))
        rows = read_signups(
            table,
            reader,
            known,
            progress,
            # A store whose import index knows rows holds people; it is not even loaded.
            placer=None if known else placer(store),
            parallel_min_bytes=parallel_min_bytes,
        )
        rows.warnings[:0] = mapping.warnings
        result.rows, result.rejects, result.warnings = rows.rows, rows.rejects, rows.warnings
        result.rejected = rows.rejected
        listed = SuppressionList.for_store(store_path)
        suppressed = listed.matcher()
        result.suppressed = skip_suppressed(rows, suppressed)
        if rows.parsed or rows.placed is not None:
            # Only people new to the store can be people it forgot; adding them loads the
            # store anyway, so an import of nothing new stays as quick as it was.
            listed.check_program(store.meta.get(STORE_META), store_path)
        if strict and rows.rejects:
            first = rows.rejects[0]
            raise RejectedRowsError(
                f"{first.reason} ({rows.rejected} row(s) rejected; nothing imported: --strict)",
                file=csv_path,
                row=first.row,
                field=first.field,
            )
        if rows.parsed:
            _settle_duplicates(rows, store.documents("people"))
        result.unchanged = len(rows.known)
        pending = [person for _, person in rows.parsed.values()]
        merge_people(store, pending, stamp, result, known, rows.placed)
        # Written before the store commits, so a rejects file that cannot be written
        # stops the import as a whole.
        if write_rejects and rows.rejects and not dry_run:
            forgotten = suppressed.suppressed if suppressed is not None else None
            result.rejects_file = write_rejects_csv(
                csv_path, table.headers, rejected_rows(table, reader, known, forgotten)
            )
            from mentorctl.store import manifest  # only for a rejects file

            manifest.record(store_path.parent, result.rejects_file, "rejects")
        if not dry_run and (store.dirty or not index_current):
            store.commit()
            try:
                importindex.save(index_file, store.identity(), known)
            except OSError as exc:
                # The people are in the store: the import succeeded. Without an index the
                # next import rebuilds it from the store, so a stale one must not remain.
                with contextlib.suppress(OSError):
                    importindex.discard(index_file)
                result.warnings.append(
                    f"the import index could not be written ({exc.strerror or exc}); "
                    "the next import rebuilds it"
                )
    return result


def skip_suppressed(rows: ReadRows, matcher: Matcher | None) -> int:
    """Drop the rows of people who asked to be forgotten (the workspace's suppression list,
    whichever program forgot them); how many rows that was.

    The warning names the rows only: who they are is exactly what must not be said.
    """
    if matcher is None:
        return 0
    if rows.placed is not None and any(map(matcher.suppressed, rows.placed.emails)):
        rows.unplace()  # placed people would otherwise go in as they are
    gone = [email for email in rows.parsed if matcher.suppressed(email)]
    if not gone:
        return 0
    skipped = sorted(rows.parsed.pop(email)[0] for email in gone)
    shown = ", ".join(map(str, skipped[:10])) + (", ..." if len(skipped) > 10 else "")
    rows.warnings.append(
        f"{len(skipped)} row(s) skipped: the person asked to be forgotten (row {shown}); "
        "if they signed up again on purpose, run 'mentorctl forget --lift EMAIL'"
    )
    return len(skipped)


def merge_people(
    store: Store,
    pending: list[dict[str, Any]],
    stamp: str,
    result: ImportResult,
    known: dict[str, str],
    placed: Placed | None = None,
) -> None:
    """Insert new people and update changed ones, in one batch per kind of change.

    ``placed`` people (see :func:`placer`) go in first, as they are. ``known``, the import
    index of the store (row fingerprint -> person id), is kept in step.
    """
    existing = store.index("people", "email") if pending else {}
    # Addresses stored before they were NFC-normalised still find their person.
    existing = {
        unicodedata.normalize("NFC", k) if isinstance(k, str) else k: v for k, v in existing.items()
    }
    if placed is not None and placed.ids:
        first = store.take_numbers(PERSON_COUNTER, len(placed.ids))
        if placed.ids[0] != PERSON_PREFIX + str(first):
            raise RuntimeError("people were placed under ids the store has given out since")
        store.insert_serialised("people", placed.documents)
        known.update(zip(placed.sources, placed.ids, strict=True))
        result.imported += len(placed.ids)
    changes: dict[int, dict[str, Any]] = {}
    new_docs = _compare(existing, pending, stamp, result, known, changes) if existing else pending
    if new_docs:
        ids = store.next_ids(PERSON_COUNTER, PERSON_PREFIX, len(new_docs))
        for person, person_id in zip(new_docs, ids, strict=True):
            person["id"] = person_id
            known[person["source"]] = person_id
        store.insert_many("people", new_docs)
    store.update_many("people", changes)
    result.imported += len(new_docs)


def placer(store: Store) -> Placer | None:
    """How a forked reader can place the people it reads, when the store holds nobody yet.

    It gives them the ids :func:`merge_people` would give them, in the same order, and
    serialises them as the store writes them. Once the store holds people, each new one
    must be compared with them first, so there is no placer.
    """
    if store.documents("people"):
        return None
    first_number = store.next_number(PERSON_COUNTER)
    first_doc_id = store.next_doc_id("people")

    def place(parsed: dict[str, Entry], before: int) -> Placed:
        first = first_number + before
        ids = [PERSON_PREFIX + str(n) for n in range(first, first + len(parsed))]
        people, rows, sources = [], [], []
        # One pass over the people: each visit to a hundred thousand of them costs.
        for (row, person), person_id in zip(parsed.values(), ids, strict=True):
            person["id"] = person_id
            people.append(person)
            rows.append(row)
            sources.append(person["source"])
        return Placed(
            emails=list(parsed),
            rows=rows,
            ids=ids,
            sources=sources,
            documents=serialise_documents(people, first_doc_id + before),
        )

    return place


def _compare(
    existing: dict[Any, tuple[int, dict[str, Any]]],
    pending: list[dict[str, Any]],
    stamp: str,
    result: ImportResult,
    known: dict[str, str],
    changes: dict[int, dict[str, Any]],
) -> list[dict[str, Any]]:
    """The people new to the store; the changes to those already in it go into ``changes``."""
    from mentorctl.history import events  # only for changed people

    new_docs = []
    for person in pending:
        found = existing.get(person["email"])
        if found is None:
            new_docs.append(person)
            continue
        doc_id, doc = found
        changed = {name: person[name] for name in COMPARED_FIELDS if doc.get(name) != person[name]}
        if changed:
            result.changed_fields.update(changed.keys())
            result.updated += 1
            changed["updated"] = stamp
            # A changed row is a new sign-up: it brings back someone who finished a pair
            # or withdrew (see matching.people_status).
            changed["signed_up"] = stamp
            new = [events.entry(stamp, "signed_up")]
            if "email" in changed and events.undeliverable_on(doc, dt.date.max):
                new.append(events.entry(stamp, "deliverable"))  # a new address to try
            changed["history"] = events.appended(doc, *new)
            if doc.get("status") == "withdrawn":
                changed["status"] = "active"
        else:
            result.unchanged += 1
            if doc.get("source") == person["source"]:
                continue
        # A row that reads the same but is written differently gets its new fingerprint.
        changed["source"] = person["source"]
        changes[doc_id] = changed
        person_id = doc.get("id")
        if person_id is not None:
            if known.get(doc.get("source")) == person_id:
                del known[doc["source"]]
            known[person["source"]] = person_id
    return new_docs


def write_rejects_csv(csv_path: Path, headers: list[str], rows: Iterable[list[Any]]) -> Path:
    """Write the rejected rows with their reasons beside the input, readable by the owner only."""
    from mentorctl import csvout

    target = csv_path.with_name(csv_path.stem + ".rejects.csv")
    try:
        csvout.write(target, ["row", "field", "reason", *headers], rows)
    except OSError as exc:
        raise InputError(
            f"cannot write the rejected rows: {exc.strerror}; nothing was imported", file=target
        ) from None
    return target
