"""Which column of a form export feeds which field of a person.

Headers are matched to fields through the aliases in program.yaml (then common defaults),
ignoring case, spacing and a trailing required-mark; ``--map FIELD=HEADER`` overrides one.
Every column left over is kept as an extra answer under its header.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mentorctl.errors import InputError, UsageError
from mentorctl.programs.program import PERSON_FIELDS, Program
from mentorctl.signups.formcsv import normalise_header

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
                hint="its columns: "
                + describe_headers(
                    headers, [a for names in program.aliases().values() for a in names]
                ),
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
            # Without an email header the first row may well be a person's answers: not shown.
            hint=f"the first row must hold the questions; name the email column with "
            f"--map email=HEADER ({len(headers)} columns)",
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


def describe_headers(headers: list[str], known: Iterable[str] = (), limit: int = 12) -> str:
    """The headers for an error hint, without personal data.

    A file whose first row holds a person's answers instead of the questions would put their
    name or address here, so only headers that are known questions (aliases) or read as a
    question (end in "?") are shown; the others are only counted.
    """
    questions = {normalise_header(k) for k in known}
    shown = [
        repr(h[:40])
        for h in headers
        if normalise_header(h) in questions or (h.strip().endswith("?") and "@" not in h)
    ][:limit]
    others = len(headers) - len(shown)
    if others:
        shown.append(f"{others} other column(s)")
    return ", ".join(shown)
