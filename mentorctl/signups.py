"""Importing sign-ups: mapping form columns to fields, validating people, merging into the store.

An import is idempotent: people are keyed by their normalised email, so importing the same
export twice changes nothing and an updated export changes only what changed. Rows that
cannot be used are reported (row, field, reason) while the valid rows still go in.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mentorctl import people as parse
from mentorctl.errors import InputError, RejectedRowsError, UsageError
from mentorctl.fileio import atomic_write_text
from mentorctl.formcsv import FormTable, normalise_header, read_form_csv
from mentorctl.programs import PERSON_FIELDS, Program
from mentorctl.timezones import recognised

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
PROGRESS_EVERY = 2000
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
                hint="its columns: " + ", ".join(repr(h) for h in headers),
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
            hint="name it with --map email=HEADER; columns: " + ", ".join(repr(h) for h in headers),
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
        self.roles = parse.RoleReader(signup["role_answers"])
        topics = signup["topics"]
        self.goals = parse.ListReader(topics)
        self.expertise = parse.ListReader(topics)
        self.languages = parse.ListReader(languages=True)
        cols = mapping.field_to_column
        self.cols = cols
        self.name_parts = mapping.name_parts
        self.extra_items = list(mapping.extra_columns.items())
        self.unrecognised_zones: Counter[str] = Counter()

    def cell(self, record: list[str], name: str) -> str:
        col = self.cols.get(name)
        return record[col] if col is not None else ""

    def read(self, record: list[str]) -> dict[str, Any]:
        cell = self.cell
        email = parse.normalise_email(cell(record, "email"))
        if self.name_parts:
            raw_name = f"{record[self.name_parts[0]]} {record[self.name_parts[1]]}"
        else:
            raw_name = cell(record, "name")
        name = parse.clean_line(raw_name, NAME_LIMIT)
        if not name:
            raise parse.Rejection("name", "missing")
        role = self.fixed_role or self.roles.read(cell(record, "role"))
        age, confirmed = parse.read_age(cell(record, "age"), self.min_age)
        born = parse.read_birth_date(cell(record, "birth_date"), self.date_order)
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
        capacity = (
            parse.read_capacity(cell(record, "capacity"), self.default_capacity)
            if role != "mentee"
            else None
        )
        timezone = parse.clean_line(cell(record, "timezone"), 64) or None
        if timezone and not recognised(timezone, self.today):
            self.unrecognised_zones[timezone] += 1
        return {
            "key": email,
            "email": email,
            "name": name,
            "role": role,
            "age": age,
            "age_confirmed": confirmed,
            "birth_date": born.isoformat() if born else None,
            "goals": self.goals.read(cell(record, "goals")),
            "expertise": self.expertise.read(cell(record, "expertise")) if role != "mentee" else [],
            "languages": self.languages.read(cell(record, "languages")),
            "timezone": timezone,
            "capacity": capacity,
            "organisation": parse.clean_line(cell(record, "organisation"), NAME_LIMIT) or None,
            "bio": parse.clean_text(cell(record, "bio"), TEXT_LIMIT) or None,
            "extra": {
                key: parse.clean_text(record[col], TEXT_LIMIT)
                for key, col in self.extra_items
                if record[col].strip()
            },
        }


def read_signups(
    table: FormTable,
    program: Program,
    mapping: Mapping,
    role: str | None,
    today: dt.date,
    progress: Progress | None = None,
) -> tuple[dict[str, dict[str, Any]], list[Reject], list[str]]:
    """Valid people by key (the later row wins a duplicate), rejects, and warnings."""
    reader = RowReader(program, mapping, role, today)
    valid: dict[str, dict[str, Any]] = {}
    first_row: dict[str, int] = {}
    rejects: list[Reject] = []
    warnings: list[str] = []
    total = len(table.records)
    for index, record in enumerate(table.records):
        row = table.row_number(index)
        if progress is not None and index % PROGRESS_EVERY == 0:
            progress(index, total)
        try:
            person = reader.read(record)
        except parse.Rejection as exc:
            rejects.append(Reject(row, exc.field, exc.reason, record))
            continue
        key = person["key"]
        if key in valid:
            warnings.append(
                f"row {row}: same email as row {first_row[key]}; the later row (row {row}) is kept"
            )
        first_row[key] = row
        valid[key] = person
    for zone, count in reader.unrecognised_zones.most_common(5):
        warnings.append(
            f"time zone '{zone}' not recognised on {count} row(s); time-zone matching ignores it"
        )
    if progress is not None:
        progress(total, total)
    return valid, rejects, warnings


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
    valid, rejects, warnings = read_signups(table, program, mapping, role, today, progress)
    result = ImportResult(
        file=csv_path,
        encoding=table.encoding,
        delimiter=table.delimiter,
        rows=len(table.records),
        mapping=mapping.rows(),
        rejects=rejects,
        warnings=warnings,
        dry_run=dry_run,
    )
    if strict and rejects:
        raise RejectedRowsError(
            f"{len(rejects)} row(s) rejected; nothing imported (--strict)",
            file=csv_path,
            row=rejects[0].row,
            field=rejects[0].field,
        )
    stamp = now.isoformat(timespec="seconds")
    with Store.writing(store_path, dry_run=dry_run) as store:
        merge_people(store, valid, stamp, result)
    if write_rejects and rejects and not dry_run:
        result.rejects_file = write_rejects_csv(csv_path, table.headers, rejects)
    return result


def merge_people(
    store: Any, valid: dict[str, dict[str, Any]], stamp: str, result: ImportResult
) -> None:
    """Insert new people and update changed ones, in one batch per kind of change."""
    table = store.table("people")
    existing = {doc["key"]: doc for doc in table.all()}
    new_docs = []
    changes: dict[str, dict[str, Any]] = {}
    doc_ids = []
    for key, person in valid.items():
        doc = existing.get(key)
        if doc is None:
            person["id"] = store.next_id("person", "P")
            person["status"] = "active"
            person["created"] = stamp
            person["updated"] = stamp
            new_docs.append(person)
            continue
        changed = {name: person[name] for name in COMPARED_FIELDS if doc.get(name) != person[name]}
        if not changed:
            result.unchanged += 1
            continue
        result.changed_fields.update(changed.keys())
        changed["updated"] = stamp
        changes[key] = changed
        doc_ids.append(doc.doc_id)
    if new_docs:
        table.insert_multiple(new_docs)
    if changes:
        table.update(lambda doc: doc.update(changes[doc["key"]]), doc_ids=doc_ids)
    result.imported = len(new_docs)
    result.updated = len(changes)


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
    atomic_write_text(target, buffer.getvalue())
    return target
