"""Which column of a form export feeds which field of a person.

Headers are matched to fields through the aliases in program.yaml (then common defaults),
ignoring case, spacing and a trailing required-mark; ``--map FIELD=HEADER`` overrides one.
Every column left over is kept as an extra answer under its header.

Two shapes of export are read from their first rows (a sample, never the whole file):
- one column per choice, as Typeform writes a multiple-selection question: columns headed by
  one of the program's topics, holding that topic or a tick when chosen and nothing when not,
  are read together as one list (goals, or expertise when the file has its own goals column
  or the form is for mentors only);
- a service column that holds nothing of use, as an anonymous Microsoft Forms export writes
  "anonymous" under Email and nothing under Name: the form's own question takes its place.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
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
# The first rows of a file, read to recognise the shapes above.
SAMPLE_ROWS = 100
# Cells that mean a choice was ticked, beside the choice's own text; and that it was not.
TICKS = frozenset({"1", "x", "yes", "y", "true", "✓", "✔", "checked", "selected"})
UNTICKED = frozenset({"", "0", "no", "n", "false"})


@dataclass
class Mapping:
    """Which column feeds which field; columns mapped to nothing are kept as extra answers."""

    field_to_column: dict[str, int]
    extra_columns: dict[str, int]
    name_parts: tuple[int, int] | None
    headers: list[str]
    # A list field read from one column per choice: (column, topic) in the file's order.
    choices: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def rows(self) -> list[tuple[str, str]]:
        """(header, field) pairs, in the order of the file's columns, for display."""
        by_column: dict[int, str] = {col: f for f, col in self.field_to_column.items()}
        if self.name_parts:
            by_column[self.name_parts[0]] = "name (first part)"
            by_column[self.name_parts[1]] = "name (last part)"
        for name, columns in self.choices.items():
            for col, _ in columns:
                by_column[col] = f"{name} (choice)"
        for key, col in self.extra_columns.items():
            by_column.setdefault(col, f"extra: {key}")
        return [(self.headers[col], by_column[col]) for col in sorted(by_column)]


NAME_PART_FIELDS = ("first_name", "last_name")


def parse_map_options(options: list[str], program: Program) -> dict[str, str | None]:
    """``--map FIELD=HEADER`` options; ``FIELD=`` means "do not map this field". Besides the
    fields, ``first_name`` and ``last_name`` name the two columns a name is split across."""
    known = [*program.aliases(), *NAME_PART_FIELDS]
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
    headers: list[str],
    program: Program,
    overrides: dict[str, str | None],
    file: Path,
    sample: Sequence[list[str]] = (),
    role: str | None = None,
) -> Mapping:
    """Which column feeds which field; ``sample``, the file's first records, tells the
    shapes of export the headers alone cannot (see the module's docstring); ``role`` is the
    one role of a one-role form."""
    normalised = [normalise_header(h) for h in headers]
    index: dict[str, int] = {}
    for col, key in enumerate(normalised):
        index.setdefault(key, col)
    taken: set[int] = set()
    field_to_column: dict[str, int] = {}

    parts = {k: overrides[k] for k in NAME_PART_FIELDS if k in overrides}
    if parts and (set(parts) != set(NAME_PART_FIELDS) or None in parts.values()):
        raise UsageError(
            "--map first_name and --map last_name go together: a name split across two "
            "columns needs both"
        )
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
    mapped_parts = tuple(field_to_column.pop(k) for k in NAME_PART_FIELDS if k in field_to_column)

    for name, aliases in program.aliases().items():
        if name in overrides:
            continue
        for alias in aliases:
            col = index.get(normalise_header(alias))
            if col is not None and col not in taken:
                field_to_column[name] = col
                taken.add(col)
                break

    if mapped_parts and "name" in field_to_column:
        taken.discard(field_to_column.pop("name"))  # the two parts mapped by hand are the name
    if "email" not in field_to_column and "email" not in overrides:
        for col, key in enumerate(normalised):
            if col not in taken and any(word in key for word in _EMAIL_WORDS):
                field_to_column["email"] = col
                taken.add(col)
                break
    warnings: list[str] = []
    if sample:
        for name in ("email", "name"):
            if name in field_to_column and name not in overrides:
                said = _give_way(
                    name, headers, normalised, program, field_to_column, taken, sample, file
                )
                if said:
                    warnings.append(said)
    if "email" not in field_to_column:
        raise InputError(
            "no email column found",
            file=file,
            # Without an email header the first row may well be a person's answers: not shown.
            hint=f"the first row must hold the questions; name the email column with "
            f"--map email=HEADER ({len(headers)} columns)",
        )

    name_parts = None
    if len(mapped_parts) == 2:
        name_parts = (mapped_parts[0], mapped_parts[1])
    elif "name" not in field_to_column and "name" not in overrides:
        first = next((index[k] for k in _NAME_PARTS[0] if k in index), None)
        last = next((index[k] for k in _NAME_PARTS[1] if k in index), None)
        if first is not None and last is not None and not {first, last} & taken:
            name_parts = (first, last)
            taken.update(name_parts)

    choices: dict[str, list[tuple[int, str]]] = {}
    topics = program.signup["topics"] or []
    found = choice_columns(headers, topics, taken, sample) if sample else []
    lead = _question_column(found, headers, topics, sample) if found else None
    lead_field = next((f for f, c in field_to_column.items() if lead and c == lead[0]), None)
    if (
        lead is not None
        and lead_field in (None, "goals", "expertise")
        and (lead_field not in overrides)
    ):
        # The question's own header was mapped as a list of its own: it holds one choice.
        if lead_field is not None:
            del field_to_column[lead_field]
        target = _choice_field(field_to_column, overrides, role)
        if target is not None:
            found.insert(0, lead)
            taken.discard(lead[0])
        elif lead_field is not None:
            field_to_column[lead_field] = lead[0]
    else:
        target = _choice_field(field_to_column, overrides, role)
    if found and target is not None:
        choices[target] = found
        taken.update(col for col, _ in found)
        shown = ", ".join(f"'{headers[col]}'" for col, _ in found)
        warnings.append(f"columns {shown} read as one multi-select question: {target}")

    extra_columns: dict[str, int] = {}
    for name, col in list(field_to_column.items()):
        if name not in PERSON_FIELDS:
            extra_columns[name] = col
            del field_to_column[name]
    for col, header in enumerate(headers):
        if col not in taken and header.strip():
            extra_columns.setdefault(header, col)
    return Mapping(field_to_column, extra_columns, name_parts, headers, choices, warnings)


def _useless(col: int, name: str, sample: Sequence[list[str]]) -> bool:
    """Whether the sampled cells of ``col`` hold nothing a ``name`` can be read from."""
    values = [cell for row in sample if (cell := row[col].strip())]
    if name == "email":
        return bool(values) and all(v.casefold() == "anonymous" for v in values)
    return not values


def _give_way(
    name: str,
    headers: list[str],
    normalised: list[str],
    program: Program,
    field_to_column: dict[str, int],
    taken: set[int],
    sample: Sequence[list[str]],
    file: Path,
) -> str | None:
    """Replace the column of ``name`` by another one that reads as the same question, when
    the sampled rows show it holds only "anonymous" (email) or nothing (name); the warning
    that says so."""
    col = field_to_column[name]
    if not _useless(col, name, sample):
        return None
    wanted = {normalise_header(a) for a in program.aliases()[name]}
    others = [
        c
        for c, key in enumerate(normalised)
        if c not in taken
        and (key in wanted or (name == "email" and any(w in key for w in _EMAIL_WORDS)))
    ]
    # A known question first, then any other header that mentions an address.
    others.sort(key=lambda c: normalised[c] not in wanted)
    other = next((c for c in others if not _useless(c, name, sample)), None)
    if name == "email":
        what = (
            f"the {headers[col]} column holds only 'anonymous' "
            "(an anonymous Microsoft Forms export)"
        )
        if other is None:
            raise InputError(
                f"{what}; no other column holds the addresses",
                file=file,
                hint="ask for the address as a question of the form, or name the column "
                "that holds it with --map email=HEADER",
            )
        said = f"{what}; addresses read from '{headers[other]}'"
    else:
        if other is None:
            return None  # every row says the name is missing
        said = f"the {headers[col]} column is empty; names read from '{headers[other]}'"
    taken.discard(col)
    taken.add(other)
    field_to_column[name] = other
    return said


def _choice_field(
    field_to_column: dict[str, int], overrides: dict[str, str | None], role: str | None
) -> str | None:
    """The list field that columns of choices feed: goals, unless the file has its own goals
    column or the form is for mentors only; then expertise, unless it has that too (or the
    form is for mentees only, who have no expertise)."""
    wanted = {"mentor": ("expertise",), "mentee": ("goals",)}.get(
        role or "", ("goals", "expertise")
    )
    free = [f for f in wanted if f not in field_to_column and f not in overrides]
    return free[0] if free else None


def choice_columns(
    headers: list[str], topics: Iterable[str], taken: set[int], sample: Sequence[list[str]]
) -> list[tuple[int, str]]:
    """(column, topic) of each column headed by a topic whose sampled cells are empty, the
    topic itself, or a tick: one column per choice of a multiple-selection question. None
    unless one of them is ticked in the sample (a choice nobody took may be all empty)."""
    by_key = {normalise_header(t): t for t in topics}
    found = []
    seen_tick = False
    for col, header in enumerate(headers):
        topic = by_key.get(normalise_header(header))
        if topic is None or col in taken:
            continue
        ticked = ticks_for(topic)
        cells = {" ".join(row[col].split()).casefold() for row in sample}
        if cells <= ticked | UNTICKED:
            found.append((col, topic))
            seen_tick = seen_tick or bool(cells & ticked)
    return found if seen_tick else []


def _question_column(
    found: list[tuple[int, str]],
    headers: list[str],
    topics: Iterable[str],
    sample: Sequence[list[str]],
) -> tuple[int, str] | None:
    """(column, topic) of the column just before the first column of choices when it is the
    first choice under the question's text (as some Typeform exports head it): its sampled
    cells are empty or one topic that has no column of its own, ticked at least once, and
    empty at least once where another choice is ticked (a list of its own, such as a goals
    column answered alike by everyone in the sample, is not)."""
    col = found[0][0] - 1
    if col < 0 or normalise_header(headers[col]) in {normalise_header(t) for t in topics}:
        return None
    have = {topic for _, topic in found}
    cells = {" ".join(row[col].split()).casefold() for row in sample} - UNTICKED
    by_cell = {" ".join(t.split()).casefold(): t for t in topics if t not in have}
    if len(cells) != 1 or not cells <= by_cell.keys():
        return None
    others = [(c, ticks_for(topic)) for c, topic in found]
    if not any(
        not row[col].strip() and any(" ".join(row[c].split()).casefold() in t for c, t in others)
        for row in sample
    ):
        return None
    return col, by_cell[cells.pop()]


def ticks_for(topic: str) -> frozenset[str]:
    """The cells, folded, that say the choice ``topic`` was ticked."""
    return TICKS | {" ".join(topic.split()).casefold()}


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
