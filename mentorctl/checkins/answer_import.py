"""``checkin --import FILE.csv``: answers from a check-in form's CSV export.

The file is read as ``import-signups`` reads sign-ups (encoding and delimiter detected,
headers matched without case or spacing, ``--map FIELD=HEADER``), one row per person and
week:

- **who**: the email column (the program's aliases for ``email``). The person must be in a
  pair that has started; someone in several pairs (a mentor who is also a mentee, a mentee
  paired again) needs a ``pair`` column: without it the row is refused, never filed under a
  pair picked by its date. The column holds the pair's code (``M3``, ``Pair code: M3``, as
  every message's footer shows it), or the partner's full name (case and accents aside) or
  address, when it names one pair of that person's. A pair that has ended takes no more
  answers;
- **which week**: a week column ("3", "Week 3"), else ``--week N``, else a date column (a
  form's Timestamp) counted from the pair's start date. Dates such as 03/04/2026 are read in
  the program's ``signup.date_order``; when that order cannot read some of the column and
  the other one reads all of it (a 12/25/2026), the other is used, with a warning;
- **answers**: one column per check-in question, found by its key or its text, and the fit
  question (key ``fit``).

Rows that cannot be used are reported with their row number (as a spreadsheet shows it),
field and reason, never the answer or the address, and the other rows go in. Within one
file a later row for the same pair, person and week replaces the earlier one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mentorctl.checkins import schedule
from mentorctl.checkins.answers import (
    AnswerResult,
    Directory,
    Entry,
    Partners,
    Question,
    Reject,
    apply_answers,
    check_week,
    questions,
    read_value,
    read_week,
)
from mentorctl.checkins.schedule import parse_day
from mentorctl.errors import InputError, UsageError
from mentorctl.signups import people as parse
from mentorctl.signups.columns import describe_headers
from mentorctl.signups.people import ORDER_TEXT

if TYPE_CHECKING:
    from mentorctl.programs.program import Program

ALIASES: dict[str, list[str]] = {
    "pair": ["pair", "pair id", "pair code", "pair number"],
    "week": [
        "week",
        "week number",
        "program week",
        "which week",
        "which week?",
        "week of the program",
    ],
    "date": [
        "timestamp",
        "date",
        "submitted at",
        "submission date",
        "completion time",
        "submitted",
        "end time",
        "start time",
    ],
}


def _known(aliases: dict[str, list[str]]) -> list[str]:
    return [alias for names in aliases.values() for alias in names]


@dataclass
class Columns:
    email: int
    pair: int | None
    week: int | None
    date: int | None
    answers: list[tuple[Question, int]]


def map_columns(headers: list[str], program: Program, options: list[str], file: Path) -> Columns:
    from mentorctl.signups.formcsv import normalise_header

    asked = questions(program)
    fields = ["email", "pair", "week", "date", *(q.key for q in asked)]
    aliases: dict[str, list[str]] = {
        "email": [*program.aliases()["email"], "email address", "your email"],
        **ALIASES,
        **{q.key: list(q.aliases) for q in asked},
    }
    overrides: dict[str, str | None] = {}
    for option in options:
        name, sep, header = option.partition("=")
        if not sep or name.strip() not in fields:
            raise UsageError(
                f"--map '{option}': expected FIELD=HEADER with FIELD one of " + ", ".join(fields)
            )
        overrides[name.strip()] = header.strip() or None
    index: dict[str, int] = {}
    for col, header in enumerate(headers):
        index.setdefault(normalise_header(header), col)
    found: dict[str, int] = {}
    taken: set[int] = set()
    for name in fields:
        if name in overrides:
            header = overrides[name]
            if header is None:
                continue
            col = index.get(normalise_header(header))
            if col is None:
                raise UsageError(
                    f"--map {name}='{header}': the file has no such column",
                    file=file,
                    hint="its columns: " + describe_headers(headers, _known(aliases)),
                )
            found[name] = col
            taken.add(col)
    for name in fields:
        if name in overrides:
            continue
        for alias in aliases[name]:
            col = index.get(normalise_header(alias))
            if col is not None and col not in taken:
                found[name] = col
                taken.add(col)
                break
    if "email" not in found and "email" not in overrides:
        col = next(
            (c for c, h in enumerate(headers) if c not in taken and "mail" in h.casefold()), None
        )
        if col is not None:
            found["email"] = col
    if "email" not in found:
        raise InputError(
            "no email column found (who answered?)",
            file=file,
            hint="name it with --map email=HEADER; columns: "
            + describe_headers(headers, _known(aliases)),
        )
    answers = [(q, found[q.key]) for q in asked if q.key in found]
    if not answers:
        raise InputError(
            "no column answers a check-in question",
            file=file,
            hint="name the columns after the question keys or texts in program.yaml, or use "
            "--map KEY=HEADER; columns: " + describe_headers(headers, _known(aliases)),
        )
    return Columns(found["email"], found.get("pair"), found.get("week"), found.get("date"), answers)


def import_answers(
    csv_path: Path,
    program: Program,
    store_path: Path,
    *,
    map_options: list[str],
    week: int | None,
    today: dt.date,
    now: dt.datetime,
    dry_run: bool = False,
    date_order: str | None = None,
) -> AnswerResult:
    """Record the answers of a check-in form's export. ``date_order`` (DMY or MDY, from
    --date-order) reads its dates in that order, whatever program.yaml and the data say."""
    from mentorctl.signups.formcsv import read_form_csv
    from mentorctl.store.db import Store

    table = read_form_csv(csv_path)
    cols = map_columns(table.headers, program, map_options, csv_path)
    if cols.week is None and week is None and cols.date is None:
        raise InputError(
            "no week or date column: which week are these answers for?",
            file=csv_path,
            hint="add --week N, or --map week=HEADER / --map date=HEADER",
        )
    if week is not None and not 1 <= week <= program.duration_weeks:
        raise UsageError(f"--week {week}: the program has weeks 1-{program.duration_weeks}")
    result = AnswerResult("import", file=csv_path, dry_run=dry_run)
    result.mapping = _mapping_rows(table.headers, cols)
    order = date_order or str(program.data["signup"]["date_order"])
    if cols.date is not None and date_order is None:
        # the answers are from the program's weeks, up to today
        earliest = today - dt.timedelta(days=7 * (program.duration_weeks + 1))
        order, warning = choose_date_order(
            [r[cols.date] for _, r in table.records() if r[cols.date].strip()],
            order,
            (earliest, today),
        )
        if warning:
            result.warnings.append(warning)
    duration = program.duration_weeks
    stamp = now.isoformat(timespec="seconds")
    with Store.writing(store_path, dry_run=dry_run) as store:
        people = Directory(store)
        partners = Partners(people)
        entries: dict[tuple[str, str, int], Entry] = {}
        for row, record in table.records():
            result.rows += 1
            try:
                entry = _read_row(
                    record, cols, people, partners, week, (order, date_order is not None), today,
                    duration,
                )  # fmt: skip
            except parse.Rejection as exc:
                result.rejects.append(Reject(row, exc.field, exc.reason))
                continue
            entry.row = row
            key = (entry.pair["id"], entry.person, entry.week)
            if key in entries:
                first = entries[key].row
                result.warnings.append(
                    f"row {row}: same person and week as row {first}; the later row is kept"
                )
            entries[key] = entry
        if result.rows == 0:
            raise InputError("the file has a header row but no answers", file=csv_path)
        apply_answers(
            store,
            program,
            list(entries.values()),
            result,
            source="import",
            today=today,
            stamp=stamp,
        )
    return result


def _mapping_rows(headers: list[str], cols: Columns) -> list[tuple[str, str]]:
    named = {cols.email: "email", cols.pair: "pair", cols.week: "week", cols.date: "date"}
    named.update({col: q.key for q, col in cols.answers})
    return [(headers[c], f) for c, f in sorted((c, f) for c, f in named.items() if c is not None)]


def _read_row(
    record: list[str],
    cols: Columns,
    people: Directory,
    partners: Partners,
    week_option: int | None,
    order: tuple[str, bool],
    today: dt.date,
    duration: int,
) -> Entry:
    """One row's answers; ``order``: the dates' order and whether --date-order gave it."""
    email = parse.normalise_email(record[cols.email])
    person = people.by_email.get(email)
    if person is None:
        raise parse.Rejection("email", "not a participant of this program")
    day = None
    if cols.date is not None and record[cols.date].strip():
        day = _read_day(record[cols.date], *order)
    ref = record[cols.pair] if cols.pair is not None else ""
    pair = people.pair_for(person["id"], partners.code(person["id"], ref))
    week = read_week(record[cols.week]) if cols.week is not None else None
    if week is None:
        week = week_option
    if week is None:
        start = parse_day(pair.get("start_date"))
        if day is None or start is None:
            raise parse.Rejection("date", "missing, and the file gives no week")
        week = schedule.week_of(start, day)
    check_week(pair, week, today, duration)
    answers: dict[str, Any] = {}
    for question, col in cols.answers:
        value = read_value(question, record[col])
        if value is not None:
            answers[question.key] = value
    if not answers:
        raise parse.Rejection("answers", "no answer to any check-in question")
    people.check_open(pair, person["id"], week, answers)
    return Entry(pair, person["id"], week, answers)


# -- the date column ----------------------------------------------------------------------


def choose_date_order(
    cells: list[str], order: str, window: tuple[dt.date, dt.date] | None = None
) -> tuple[str, str | None]:
    """The day order to read a date column with, and a warning when it is not ``order`` or
    when the column could be read either way.

    The program's order is kept unless the other order reads every cell it reads, and more:
    then a day above 12 has shown which is which (12/25/2026 is month-first). Cells that
    neither order reads do not count. When both orders read every cell (no day above 12),
    ``window`` (the days the answers can be from: the program's weeks up to today) decides:
    the order whose dates all fall in it, when only one does; else the program's order, with
    a warning naming the setting."""
    other = parse.other_order(order)
    mine = [c for c in cells if parse.reads_as(c, order)]
    theirs = [c for c in cells if parse.reads_as(c, other)]
    # a cell neither order reads ("soon") says nothing about the order, and is refused
    if len(theirs) > len(mine) and set(mine) <= set(theirs):
        return other, (
            f"the date column reads as {ORDER_TEXT[other]} (a day above 12 shows it), not as "
            f"{ORDER_TEXT[order]}: read that way; say so with {parse.say_order(other)}"
        )
    if set(mine) != set(theirs) or not mine:
        return order, None
    both = [c for c in mine if _read_day(c, order) != _read_day(c, other)]
    if not both:
        return order, None  # 1/1, 2/2...: the same day either way
    if window is not None:
        fits = {
            o: all(window[0] <= (_read_day(c, o) or window[0]) <= window[1] for c in both)
            for o in (order, other)
        }
        if fits[other] and not fits[order]:
            return other, (
                f"the date column reads either way (no day above 12); only as "
                f"{ORDER_TEXT[other]} are its dates within the program's weeks: read that way; "
                f"say so with {parse.say_order(other)}"
            )
        if fits[order] and not fits[other]:
            return order, None
    return order, (
        f"the date column reads either way (no day above 12): read as {ORDER_TEXT[order]}, "
        f"the program's signup.date_order; if it is not, use {parse.say_order(other)}"
    )


def _read_day(cell: str, order: str, given: bool = False) -> dt.date | None:
    try:
        return parse.read_birth_date(cell.split()[0], order)
    except parse.Rejection:
        pass
    raise parse.Rejection("date", parse.wrong_order(cell, order, given) or "not a date")
