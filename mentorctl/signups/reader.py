"""One record of a form export read into a person's fields, or a :class:`people.Rejection`.

The reader is built once per import from the program's ``signup:`` settings and the column
mapping; it remembers the distinct answers it has cleaned, since most columns repeat a few
answers thousands of times.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Callable
from typing import Any, TypeVar

import orjson

from mentorctl.programs.program import PERSON_FIELDS, Program
from mentorctl.signups import people as parse
from mentorctl.signups.columns import Mapping, ticks_for
from mentorctl.timezones import recognised

# Distinct answers remembered per column; past this a column is mostly unique answers.
CACHE_LIMIT = 4096
# Bump when a change to the parsers means the same row may now read differently.
PARSER_VERSION = 1
T = TypeVar("T")
NAME_LIMIT = 200
TEXT_LIMIT = 5000


def _remembered(
    cache: dict[str, T | parse.Rejection], read: Callable[[str, int], T], text: str, setting: int
) -> T:
    """``read(text, setting)``, or its rejection, worked out once per distinct answer."""
    try:
        found = cache[text]
    except KeyError:
        try:
            found = read(text, setting)
        except parse.Rejection as exc:
            found = exc
        cache[text] = found
    if isinstance(found, parse.Rejection):
        # Each raise adds to the exception's traceback, whose frames hold their rows: without
        # the reset, the one cached rejection kept every row it was raised for.
        raise found.with_traceback(None)
    return found


def _choices(mapping: Mapping, name: str) -> tuple[tuple[int, frozenset[str], str], ...]:
    return tuple((col, ticks_for(topic), topic) for col, topic in mapping.choices.get(name, ()))


def _ticked(record: list[str], choices: tuple[tuple[int, frozenset[str], str], ...]) -> list[str]:
    """The topics whose column is ticked in ``record``."""
    return [
        topic for col, ticks, topic in choices if " ".join(record[col].split()).casefold() in ticks
    ]


class RowReader:
    """Turns one record of a form export into a person's fields, or a :class:`Rejection`."""

    def __init__(
        self,
        program: Program,
        mapping: Mapping,
        role: str | None,
        today: dt.date,
        stamp: str = "",
        *,
        date_order: str | None = None,
    ) -> None:
        signup = program.signup
        self.today = today
        self.min_age = int(signup["min_age"])
        self.require_age = bool(signup["require_age"])
        self.default_capacity = int(signup["default_capacity"])
        # --date-order for this run, else the program's setting (named in a date's error).
        self.date_order = date_order or str(signup["date_order"])
        self.order_given = date_order is not None
        self.fixed_role = role
        self.stamp = stamp  # the import's time, recorded on new and changed people
        self.roles = parse.RoleReader(signup["role_answers"])
        topics = signup["topics"]
        self.topics = list(topics or [])
        self.goals = parse.ListReader(topics)
        self.expertise = parse.ListReader(topics)
        self.languages = parse.ListReader(languages=True)
        self._plain_goals = self.goals.plain
        self._plain_expertise = self.expertise.plain
        self._plain_languages = self.languages.plain
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
                # Only when there are any, so that other files keep their fingerprints.
                *([mapping.choices] if mapping.choices else []),
            ],
            option=orjson.OPT_SORT_KEYS,
        )
        salt = hashlib.blake2b(settings, digest_size=16).digest()
        self.hasher = hashlib.blake2b(digest_size=12, key=salt)
        # Column index per field, -1 when the form has no such column.
        cols = mapping.field_to_column
        self.at = {name: cols.get(name, -1) for name in PERSON_FIELDS}
        self._columns = tuple(
            self.at[name]
            for name in (
                "email",
                "name",
                "role",
                "age",
                "birth_date",
                "capacity",
                "timezone",
                "goals",
                "expertise",
                "languages",
                "organisation",
                "bio",
            )
        )
        self.name_parts = mapping.name_parts
        # Lists read from one column per choice: (column, cells that tick it, topic).
        self.goal_choices = _choices(mapping, "goals")
        self.expertise_choices = _choices(mapping, "expertise")
        # Most columns hold a few answers repeated thousands of times (time zones, employers,
        # multiple choices): each distinct answer is cleaned once.
        self.extra_items = [(key, col, {}) for key, col in mapping.extra_columns.items()]
        self._zones: dict[str, str | None] = {}
        self._organisations: dict[str, str | None] = {}
        self._unknown_zones: set[str | None] = set()
        # Rows per unrecognised time zone, counted into the part of the file being read.
        self.unrecognised_zones: Counter[str] = Counter()
        # Answers such as ages and capacities repeat across thousands of rows.
        self._ages: dict[str, tuple[int | None, bool] | parse.Rejection] = {}
        self._capacities: dict[str, int | parse.Rejection] = {}

    def _age(self, text: str) -> tuple[int | None, bool]:
        return _remembered(self._ages, parse.read_age, text, self.min_age)

    def _born(self, text: str) -> Any:
        try:
            return parse.read_birth_date(text, self.date_order)
        except parse.Rejection as exc:
            # A birth date only the other order reads: say which order was used, and how to
            # name the other (for this run, or in program.yaml).
            wrong = parse.wrong_order(text.strip(), self.date_order, self.order_given)
            if wrong is None:
                raise
            raise parse.Rejection(exc.field, wrong) from None

    def _capacity(self, text: str) -> int:
        return _remembered(self._capacities, parse.read_capacity, text, self.default_capacity)

    def read(self, record: list[str]) -> dict[str, Any]:
        # The hot loop of an import: plain answers take inline fast paths (remembered answers
        # looked up here, not through a call), and only answers with control characters or
        # runs of spaces go through the slower cleaners.
        (
            email_at,
            name_at,
            role_at,
            age_at,
            born_at,
            capacity_at,
            zone_at,
            goals_at,
            expertise_at,
            languages_at,
            organisation_at,
            bio_at,
        ) = self._columns
        email = parse.normalise_email(record[email_at])
        if self.name_parts:
            raw = f"{record[self.name_parts[0]]} {record[self.name_parts[1]]}"
        else:
            raw = record[name_at] if name_at >= 0 else ""
        if raw.isprintable() and "  " not in raw:
            name = raw.strip()[:NAME_LIMIT]
        else:
            name = parse.clean_line(raw, NAME_LIMIT)
        if not name:
            raise parse.Rejection("name", "missing")
        role = self.fixed_role or self.roles.read(record[role_at] if role_at >= 0 else "")
        if age_at >= 0:
            found = self._ages.get(record[age_at])
            if found is None:
                found = self._age(record[age_at])
            elif type(found) is not tuple:
                raise found.with_traceback(None)  # see _remembered
            age, confirmed = found
        else:
            age, confirmed = None, False
        born = self._born(record[born_at]) if born_at >= 0 else None
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
            if capacity_at >= 0:
                capacity = self._capacities.get(record[capacity_at])
                if capacity is None:
                    capacity = self._capacity(record[capacity_at])
                elif type(capacity) is not int:
                    raise capacity.with_traceback(None)  # see _remembered
            else:
                capacity = self.default_capacity
        timezone = None
        if zone_at >= 0:
            raw = record[zone_at]
            timezone = self._zones.get(raw, False)
            if timezone is False:
                timezone = parse.clean_line(raw, 64) or None
                if timezone is not None and not recognised(timezone, self.today):
                    self._unknown_zones.add(timezone)
                self._zones[raw] = timezone
            if timezone in self._unknown_zones:
                self.unrecognised_zones[timezone] += 1
        goals = []
        if goals_at >= 0:
            goals = self._plain_goals.get(record[goals_at])
            if goals is None:
                goals = self.goals.read(record[goals_at])
        elif self.goal_choices:
            goals = _ticked(record, self.goal_choices)
        expertise = []
        if expertise_at >= 0 and mentors:
            expertise = self._plain_expertise.get(record[expertise_at])
            if expertise is None:
                expertise = self.expertise.read(record[expertise_at])
        elif self.expertise_choices and mentors:
            expertise = _ticked(record, self.expertise_choices)
        languages = []
        if languages_at >= 0:
            languages = self._plain_languages.get(record[languages_at])
            if languages is None:
                languages = self.languages.read(record[languages_at])
        organisation = None
        if organisation_at >= 0:
            raw = record[organisation_at]
            organisation = self._organisations.get(raw, False)
            if organisation is False:
                organisation = parse.clean_line(raw, NAME_LIMIT) or None
                if len(self._organisations) < CACHE_LIMIT:
                    self._organisations[raw] = organisation
        bio = None
        if bio_at >= 0:
            raw = record[bio_at]
            if raw.isprintable():
                bio = raw.strip()[:TEXT_LIMIT] or None
            else:
                bio = parse.clean_text(raw, TEXT_LIMIT) or None
        extra = {}
        for key, col, seen in self.extra_items:
            raw = record[col]
            if raw:
                value = seen.get(raw)
                if value is None:
                    if raw.isprintable():
                        value = raw.strip()[:TEXT_LIMIT]
                    else:
                        value = parse.clean_text(raw, TEXT_LIMIT)
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
