"""Importing sign-ups: mapping form columns to fields, validating people, merging into the store.

An import is idempotent: people are keyed by their normalised email, so importing the same
export twice changes nothing and an updated export changes only what changed. Rows that
cannot be used are reported (row, field, reason) while the valid rows still go in.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from mentorctl import forked, importindex
from mentorctl import people as parse
from mentorctl.errors import InputError, RejectedRowsError, UsageError
from mentorctl.fileio import atomic_write_text
from mentorctl.formcsv import FormTable, normalise_header, read_form_csv
from mentorctl.gcpause import paused_gc
from mentorctl.programs import PERSON_FIELDS, Program
from mentorctl.timezones import recognised

if TYPE_CHECKING:
    from mentorctl.store import Store

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
# Distinct answers remembered per column; past this a column is mostly unique answers.
CACHE_LIMIT = 4096
# Bump when a change to the parsers means the same row may now read differently.
PARSER_VERSION = 1
Progress = Callable[[int, int], None]
NAME_LIMIT = 200
TEXT_LIMIT = 5000
# Headers that are parts of a name, joined when the form has no single name question.
_NAME_PARTS = (
    ("first name", "given name", "first"),
    ("last name", "surname", "family name", "last"),
)
_EMAIL_WORDS = ("email", "e-mail")


@dataclass
class Mapping:
    """Which column feeds which field; columns mapped to nothing are kept as extra answers."""

    field_to_column: dict[str, int]
    extra_columns: dict[str, int]
    name_parts: tuple[int, int] | None
    headers: list[str]

    def rows(self) -> list[tuple[str, str]]:
        """(header, field) pairs, in the order of the file's columns, for display."""
        by_column: dict[int, str] = {col: f for f, col in self.field_to_column.items()}
        if self.name_parts:
            by_column[self.name_parts[0]] = "name (first part)"
            by_column[self.name_parts[1]] = "name (last part)"
        for key, col in self.extra_columns.items():
            by_column.setdefault(col, f"extra: {key}")
        return [(self.headers[col], by_column[col]) for col in sorted(by_column)]


def parse_map_options(options: list[str], program: Program) -> dict[str, str | None]:
    """``--map FIELD=HEADER`` options; ``FIELD=`` means "do not map this field"."""
    known = list(program.aliases())
    out: dict[str, str | None] = {}
    for option in options:
        if "=" not in option:
            raise UsageError(
                f"--map '{option}': expected FIELD=HEADER, e.g. --map email='Work email'"
            )
        name, header = option.split("=", 1)
        name = name.strip()
        if name not in known:
            raise UsageError(
                f"--map '{option}': no field '{name}'", hint="fields: " + ", ".join(known)
            )
        out[name] = header.strip() or None
    return out


def map_columns(
    headers: list[str], program: Program, overrides: dict[str, str | None], file: Path
) -> Mapping:
    normalised = [normalise_header(h) for h in headers]
    index: dict[str, int] = {}
    for col, key in enumerate(normalised):
        index.setdefault(key, col)
    taken: set[int] = set()
    field_to_column: dict[str, int] = {}

    for name, header in overrides.items():
        if header is None:
            continue
        col = index.get(normalise_header(header))
        if col is None:
            raise UsageError(
                f"--map {name}='{header}': the file has no such column",
                file=file,
                hint="its columns: " + describe_headers(headers),
            )
        field_to_column[name] = col
        taken.add(col)

    for name, aliases in program.aliases().items():
        if name in overrides:
            continue
        for alias in aliases:
            col = index.get(normalise_header(alias))
            if col is not None and col not in taken:
                field_to_column[name] = col
                taken.add(col)
                break

    if "email" not in field_to_column and "email" not in overrides:
        for col, key in enumerate(normalised):
            if col not in taken and any(word in key for word in _EMAIL_WORDS):
                field_to_column["email"] = col
                taken.add(col)
                break
    if "email" not in field_to_column:
        raise InputError(
            "no email column found",
            file=file,
            hint="name it with --map email=HEADER; columns: " + describe_headers(headers),
        )

    name_parts = None
    if "name" not in field_to_column and "name" not in overrides:
        first = next((index[k] for k in _NAME_PARTS[0] if k in index), None)
        last = next((index[k] for k in _NAME_PARTS[1] if k in index), None)
        if first is not None and last is not None and not {first, last} & taken:
            name_parts = (first, last)
            taken.update(name_parts)

    extra_columns: dict[str, int] = {}
    for name, col in list(field_to_column.items()):
        if name not in PERSON_FIELDS:
            extra_columns[name] = col
            del field_to_column[name]
    for col, header in enumerate(headers):
        if col not in taken and header.strip():
            extra_columns.setdefault(header, col)
    return Mapping(field_to_column, extra_columns, name_parts, headers)


def describe_headers(headers: list[str], limit: int = 12) -> str:
    """The headers for an error hint. A file without a header row has answers there, so
    anything that looks like an address is masked: error messages carry no personal data."""
    shown = []
    for header in headers[:limit]:
        text = "(an email address)" if "@" in header else repr(header[:40])
        shown.append(text)
    if len(headers) > limit:
        shown.append(f"and {len(headers) - limit} more")
    return ", ".join(shown)


@dataclass
class Reject:
    row: int
    field: str
    reason: str
    record: list[str] = field(repr=False, default_factory=list)


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
    rejects: list[Reject] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    changed_fields: Counter[str] = field(default_factory=Counter)
    rejects_file: Path | None = None
    dry_run: bool = False

    @property
    def rejected(self) -> int:
        return len(self.rejects)


class RowReader:
    """Turns one record of a form export into a person's fields, or a :class:`Rejection`."""

    def __init__(
        self, program: Program, mapping: Mapping, role: str | None, today: dt.date
    ) -> None:
        signup = program.signup
        self.today = today
        self.min_age = int(signup["min_age"])
        self.require_age = bool(signup["require_age"])
        self.default_capacity = int(signup["default_capacity"])
        self.date_order = str(signup["date_order"])
        self.fixed_role = role
        self.stamp = ""  # the import's time, set by import_signups
        self.roles = parse.RoleReader(signup["role_answers"])
        topics = signup["topics"]
        self.goals = parse.ListReader(topics)
        self.expertise = parse.ListReader(topics)
        self.languages = parse.ListReader(languages=True)
        # A row's fingerprint covers everything that decides how it reads, so an identical row
        # under identical settings is known to be unchanged without being parsed again.
        settings = orjson.dumps(
            [
                PARSER_VERSION,
                role,
                sorted(mapping.field_to_column.items()),
                mapping.name_parts,
                sorted(mapping.extra_columns.items()),
                signup,
            ],
            option=orjson.OPT_SORT_KEYS,
        )
        salt = hashlib.blake2b(settings, digest_size=16).digest()
        self.hasher = hashlib.blake2b(digest_size=12, key=salt)
        # Column index per field, -1 when the form has no such column.
        cols = mapping.field_to_column
        self.at = {name: cols.get(name, -1) for name in PERSON_FIELDS}
        self.name_parts = mapping.name_parts
        # Most columns hold a few answers repeated thousands of times (time zones, employers,
        # multiple choices): each distinct answer is cleaned once.
        self.extra_items = [(key, col, {}) for key, col in mapping.extra_columns.items()]
        self._zones: dict[str, str | None] = {}
        self._organisations: dict[str, str | None] = {}
        self.unrecognised_zones: Counter[str] = Counter()
        # Answers such as ages and capacities repeat across thousands of rows.
        self._ages: dict[str, tuple[int | None, bool] | parse.Rejection] = {}
        self._capacities: dict[str, int | parse.Rejection] = {}

    def fingerprint(self, record: list[str]) -> str:
        hasher = self.hasher.copy()
        hasher.update("\x1f".join(record).encode("utf-8", "surrogatepass"))
        return hasher.hexdigest()

    def _age(self, text: str) -> tuple[int | None, bool]:
        try:
            found = self._ages[text]
        except KeyError:
            try:
                found = parse.read_age(text, self.min_age)
            except parse.Rejection as exc:
                found = exc
            self._ages[text] = found
        if isinstance(found, parse.Rejection):
            raise found
        return found

    def _capacity(self, text: str) -> int:
        try:
            found = self._capacities[text]
        except KeyError:
            try:
                found = parse.read_capacity(text, self.default_capacity)
            except parse.Rejection as exc:
                found = exc
            self._capacities[text] = found
        if isinstance(found, parse.Rejection):
            raise found
        return found

    def read(self, record: list[str]) -> dict[str, Any]:
        # The hot loop of an import: plain answers take inline fast paths, and only answers
        # with control characters or runs of spaces go through the slower cleaners.
        at = self.at
        email = parse.normalise_email(record[at["email"]])
        if self.name_parts:
            raw = f"{record[self.name_parts[0]]} {record[self.name_parts[1]]}"
        else:
            i = at["name"]
            raw = record[i] if i >= 0 else ""
        name = _line(raw, NAME_LIMIT)
        if not name:
            raise parse.Rejection("name", "missing")
        i = at["role"]
        role = self.fixed_role or self.roles.read(record[i] if i >= 0 else "")
        i = at["age"]
        age, confirmed = self._age(record[i]) if i >= 0 else (None, False)
        i = at["birth_date"]
        born = parse.read_birth_date(record[i], self.date_order) if i >= 0 else None
        if born is not None:
            years = parse.age_on(born, self.today)
            if years < self.min_age:
                raise parse.Rejection(
                    "birth_date", f"under {self.min_age}: only adults can take part"
                )
            if years > 120:
                raise parse.Rejection("birth_date", "not a plausible date of birth")
        if age is None and born is None and not confirmed and self.require_age:
            raise parse.Rejection("age", "missing (the program asks for an age or date of birth)")
        mentors = role != "mentee"
        capacity = None
        if mentors:
            i = at["capacity"]
            capacity = self._capacity(record[i]) if i >= 0 else self.default_capacity
        timezone = None
        i = at["timezone"]
        if i >= 0:
            raw = record[i]
            timezone = self._zones.get(raw, False)
            if timezone is False:
                timezone = _line(raw, 64) or None
                if timezone is not None and not recognised(timezone, self.today):
                    self.unrecognised_zones[timezone] += 1
                self._zones[raw] = timezone
        i = at["goals"]
        goals = self.goals.read(record[i]) if i >= 0 else []
        i = at["expertise"]
        expertise = self.expertise.read(record[i]) if i >= 0 and mentors else []
        i = at["languages"]
        languages = self.languages.read(record[i]) if i >= 0 else []
        organisation = None
        i = at["organisation"]
        if i >= 0:
            raw = record[i]
            organisation = self._organisations.get(raw, False)
            if organisation is False:
                organisation = _line(raw, NAME_LIMIT) or None
                if len(self._organisations) < CACHE_LIMIT:
                    self._organisations[raw] = organisation
        i = at["bio"]
        bio = _text(record[i], TEXT_LIMIT) or None if i >= 0 else None
        extra = {}
        for key, col, seen in self.extra_items:
            raw = record[col]
            if raw:
                value = seen.get(raw)
                if value is None:
                    value = _text(raw, TEXT_LIMIT)
                    if len(seen) < CACHE_LIMIT:
                        seen[raw] = value
                if value:
                    extra[key] = value
        return {
            "email": email,
            "name": name,
            "role": role,
            "age": age,
            "age_confirmed": confirmed,
            "birth_date": born.isoformat() if born else None,
            "goals": goals,
            "expertise": expertise,
            "languages": languages,
            "timezone": timezone,
            "capacity": capacity,
            "organisation": organisation,
            "bio": bio,
            "extra": extra,
            "status": "active",
            "created": self.stamp,
            "updated": self.stamp,
        }


def _line(text: str, limit: int) -> str:
    if text.isprintable() and "  " not in text:
        return text.strip()[:limit]
    return parse.clean_line(text, limit)


def _text(text: str, limit: int) -> str:
    if text.isprintable():
        return text.strip()[:limit]
    return parse.clean_text(text, limit)


@dataclass
class ReadRows:
    """What the rows of an export say, before anything is merged into the store."""

    parsed: dict[str, tuple[int, dict[str, Any]]] = field(
        default_factory=dict
    )  # email -> (row, person)
    known: dict[str, int] = field(
        default_factory=dict
    )  # person id -> row, for rows imported as they are
    rejects: list[Reject] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rows: int = 0

    def duplicate(self, first: int, later: int) -> None:
        self.warnings.append(
            f"row {later}: same email as row {first}; the later row (row {later}) is kept"
        )


# Below this many bytes a second process costs more than it saves.
PARALLEL_MIN_BYTES = 2 << 20


def read_signups(
    table: FormTable,
    reader: RowReader,
    known: dict[str, str],
    progress: Progress | None = None,
) -> ReadRows:
    """Read every row of ``table``: valid people (the later row wins a duplicate) and rejects.

    ``known`` maps the fingerprints of rows imported before to their person's id; such a row
    is unchanged by definition, so it is not parsed again. When nothing is known yet (a first
    import), no row can be skipped, so the fingerprints of a large file are computed by a
    second process while this one reads the rows.
    """
    side = None
    if not known and len(table.raw) >= PARALLEL_MIN_BYTES:
        side = forked.start(lambda: orjson.dumps(_fingerprints(table, reader)))
    out = ReadRows()
    parsed, seen = out.parsed, out.known
    hasher = reader.hasher
    index = -1
    for row, record in table.records(progress):
        out.rows += 1
        index += 1
        source: str | int = index
        if side is None:
            fingerprint = hasher.copy()  # inlined RowReader.fingerprint: this loop runs per row
            fingerprint.update("\x1f".join(record).encode("utf-8", "surrogatepass"))
            source = fingerprint.hexdigest()
            person_id = known.get(source)
            if person_id is not None:
                if person_id in seen:
                    out.duplicate(seen[person_id], row)
                seen[person_id] = row
                continue
        try:
            person = reader.read(record)
        except parse.Rejection as exc:
            out.rejects.append(Reject(row, exc.field, exc.reason, record))
            continue
        person["source"] = source
        email = person["email"]
        if email in parsed:
            out.duplicate(parsed[email][0], row)
        parsed[email] = (row, person)
    if out.rows == 0:
        raise InputError("the file has a header row but no answers", file=table.path)
    if side is not None:
        done = side.result()
        sources = orjson.loads(done) if done is not None else _fingerprints(table, reader)
        for _, person in parsed.values():
            person["source"] = sources[person["source"]]
    for zone, count in reader.unrecognised_zones.most_common(5):
        out.warnings.append(
            f"time zone '{zone}' not recognised on {count} row(s); time-zone matching ignores it"
        )
    return out


def _fingerprints(table: FormTable, reader: RowReader) -> list[str]:
    return [reader.fingerprint(record) for _, record in table.records()]


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
) -> ImportResult:
    from mentorctl.store import Store

    if role is not None and role not in parse.ROLES:
        raise UsageError(f"--role '{role}': expected mentor, mentee or both")
    overrides = parse_map_options(map_options, program)
    table = read_form_csv(csv_path)
    mapping = map_columns(table.headers, program, overrides, csv_path)
    if role is None and "role" not in mapping.field_to_column:
        raise InputError(
            "no role column found",
            file=csv_path,
            hint="pass --role mentor|mentee for a one-role form, or --map role=HEADER",
        )
    reader = RowReader(program, mapping, role, today)
    result = ImportResult(
        file=csv_path,
        encoding=table.encoding,
        delimiter=table.delimiter,
        rows=0,
        mapping=mapping.rows(),
        dry_run=dry_run,
    )
    stamp = reader.stamp = now.isoformat(timespec="seconds")
    index_file = importindex.index_path(store_path)
    with Store.writing(store_path, dry_run=dry_run) as store, paused_gc():
        known = importindex.load(index_file, store.identity())
        index_current = known is not None
        if known is None:
            known = importindex.build(store.documents("people"))
        rows = read_signups(table, reader, known, progress)
        result.rows, result.rejects, result.warnings = rows.rows, rows.rejects, rows.warnings
        if strict and rows.rejects:
            first = rows.rejects[0]
            raise RejectedRowsError(
                f"{len(rows.rejects)} row(s) rejected; nothing imported (--strict)",
                file=csv_path,
                row=first.row,
                field=first.field,
            )
        if rows.parsed:
            _settle_duplicates(rows, store.documents("people"))
        result.unchanged = len(rows.known)
        merge_people(
            store, {email: person for email, (_, person) in rows.parsed.items()}, stamp, result
        )
        # Written before the store commits, so a rejects file that cannot be written
        # stops the import as a whole.
        if write_rejects and rows.rejects and not dry_run:
            result.rejects_file = write_rejects_csv(csv_path, table.headers, rows.rejects)
        if not dry_run and (store.dirty or not index_current):
            if rows.parsed or not index_current:
                known = importindex.build(store.documents("people"))
            store.commit()
            importindex.save(index_file, store.identity(), known)
    return result


def merge_people(
    store: Store, pending: dict[str, dict[str, Any]], stamp: str, result: ImportResult
) -> None:
    """Insert new people and update changed ones, in one batch per kind of change."""
    existing = store.index("people", "email") if pending else {}
    new_docs = []
    changes: dict[int, dict[str, Any]] = {}
    for email, person in pending.items():
        found = existing.get(email)
        if found is None:
            new_docs.append(person)
            continue
        doc_id, doc = found
        changed = {name: person[name] for name in COMPARED_FIELDS if doc.get(name) != person[name]}
        if changed:
            result.changed_fields.update(changed.keys())
            result.updated += 1
            changed["updated"] = stamp
        else:
            result.unchanged += 1
            if doc.get("source") == person["source"]:
                continue
        # A row that reads the same but is written differently gets its new fingerprint.
        changed["source"] = person["source"]
        changes[doc_id] = changed
    if new_docs:
        ids = store.next_ids("person", "P", len(new_docs))
        for person, person_id in zip(new_docs, ids, strict=True):
            person["id"] = person_id
        store.insert_many("people", new_docs)
    store.update_many("people", changes)
    result.imported = len(new_docs)


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(cell: str) -> str:
    """Make a cell inert for spreadsheets (OWASP CSV injection): a leading quote before = + - @."""
    return "'" + cell if cell.startswith(FORMULA_PREFIXES) else cell


def write_rejects_csv(csv_path: Path, headers: list[str], rejects: list[Reject]) -> Path:
    """Write the rejected rows with their reasons beside the input, readable by the owner only."""
    target = csv_path.with_name(csv_path.stem + ".rejects.csv")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["row", "field", "reason", *headers])
    for reject in rejects:
        writer.writerow(
            [reject.row, reject.field, reject.reason, *(neutralise(c) for c in reject.record)]
        )
    try:
        atomic_write_text(target, buffer.getvalue())
    except OSError as exc:
        raise InputError(
            f"cannot write the rejected rows: {exc.strerror}; nothing was imported", file=target
        ) from None
    return target
