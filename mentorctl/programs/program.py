"""``program.yaml``: its schema, validation on load, and opening a program of the workspace.

The catalogue of built-in templates and ``init-program`` are in :mod:`.catalogue`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mentorctl.errors import ConfigError
from mentorctl.programs import schema
from mentorctl.programs.schema import Bool, Day, Int, Invalid, ListOf, MapOf, Num, Obj, Str
from mentorctl.programs.translations import GUIDE, SHIPPED_SUBJECTS
from mentorctl.programs.yamlfile import load_yaml
from mentorctl.store.workspace import PROGRAM_FILE, SLUG_PATTERN, ProgramPaths, Workspace

MIN_AGE = 18

# The person fields an import understands; any other key under signup.fields names an extra.
PERSON_FIELDS = (
    "name",
    "email",
    "role",
    "age",
    "birth_date",
    "goals",
    "expertise",
    "languages",
    "timezone",
    "capacity",
    "organisation",
    "bio",
)

# Extra answers the product itself reads (matching's ranked choices, the language a person
# would like their messages in), found by these names like the fields above, kept under their
# name among a person's extra answers.
EXTRA_FIELDS = ("ranked_mentors", "language")

# Headers of common form exports, tried after the program's own aliases.
DEFAULT_ALIASES: dict[str, list[str]] = {
    "name": [
        "name",
        "full name",
        "your name",
        "what is your name?",
        "what's your name?",
        "first and last name",
    ],
    "email": [
        "email",
        "email address",
        "e-mail",
        "e-mail address",
        "your email",
        "your email address",
        "what is your email address?",
        "work email",
    ],
    "role": [
        "role",
        "i would like to",
        "i'd like to",
        "mentor or mentee",
        "mentor or mentee?",
        "i want to be a",
        "join as",
        "sign up as",
        "what role?",
    ],
    "age": ["age", "your age", "how old are you?", "age range", "age group"],
    "birth_date": ["date of birth", "birth date", "birthday", "dob"],
    "goals": [
        "goals",
        "topics",
        "interests",
        "what would you like help with?",
        "what would you like to work on?",
        "goal",
    ],
    "expertise": [
        "expertise",
        "areas of expertise",
        "what can you help with?",
        "skills",
        "what can you offer?",
    ],
    "languages": ["languages", "language", "languages you speak", "spoken languages"],
    "timezone": ["timezone", "time zone", "your time zone", "where are you based (time zone)?"],
    "capacity": ["capacity", "how many mentees can you take?", "number of mentees", "max mentees"],
    "organisation": ["organisation", "organization", "company", "employer", "workplace"],
    "bio": ["bio", "about you", "tell us about yourself", "about me", "short bio"],
    "ranked_mentors": [
        "ranked mentors",
        "ranked_mentors",
        "preferred mentors",
        "mentor preferences",
        "your preferred mentors, in order",
    ],
    # "Language(s)" alone is the languages a person speaks (for matching), not this.
    "language": [
        "preferred language",
        "your preferred language",
        "language for emails",
        "language of communication",
        "which language should we write to you in?",
        "in which language would you like to receive our emails?",
        "langue préférée",
        "langue de préférence",
        "idioma preferido",
        "bevorzugte sprache",
        "idioma de preferência",
        "idioma preferencial",
    ],
}


_CRITERION_KINDS = ("topics", "languages", "timezone", "extra")
_EXTRA_MODES = ("same", "overlap", "distance")


def _check_criterion(value: dict[str, Any], path: schema.Path_) -> None:
    if value["kind"] == "extra":
        if not value["field"]:
            raise Invalid([*path, "field"], "missing (an extra criterion names a sign-up field)")
        if not value["mode"]:
            raise Invalid([*path, "mode"], "missing (expected one of same, overlap, distance)")


def _check_fairness(value: dict[str, Any], path: schema.Path_) -> None:
    if value["min_ratio"] is not None and not value["by"]:
        raise Invalid([*path, "by"], "missing (min_ratio needs the field the groups are made by)")


def _check_circles(value: dict[str, Any], path: schema.Path_) -> None:
    for key in ("size", "hours"):
        if len(value[key]) != 2:
            raise Invalid([*path, key], f"expected two numbers, got {len(value[key])}")
    low, high = value["size"]
    if low > high:
        raise Invalid([*path, "size"], f"expected [smallest, largest], got [{low}, {high}]")
    if value["hours"][0] == value["hours"][1]:
        raise Invalid([*path, "hours"], "expected two different hours, e.g. [8, 21]")


# Circles of one mentor and a few mentees (format: circles); see matching.circles.
_CIRCLES = Obj(
    {
        "size": ListOf(Int(minimum=2, maximum=12), required=False, default=[3, 5], min_items=2),
        "topic_weight": Num(required=False, default=0.05, minimum=0, maximum=1),
        "hours": ListOf(Num(minimum=0, maximum=24), required=False, default=[8, 21], min_items=2),
        "hours_field": Str(required=False),
        "time_limit": Num(required=False, default=45, minimum=1, maximum=3600),
        "co_mentors": Bool(required=False, default=False),
        "consent_field": Str(required=False),
    },
    required=False,
    extra_check=_check_circles,
)


_MESSAGE = Obj(
    {
        "file": Str(allow_empty=False),
        "subject": Str(allow_empty=False),
        "html": Str(required=False),
        "mode": Str(required=False, default="together", choices=("together", "separate")),
    }
)


# A circle's weekly message and wrap-up (each member gets their own): to a mentee "with your
# circle", to the mentor "with" the circle's mentees.
CIRCLE_WEEKLY_SUBJECT = SHIPPED_SUBJECTS["circle_weekly"]["en"]
CIRCLE_WRAPUP_SUBJECT = SHIPPED_SUBJECTS["circle_wrapup"]["en"]


def _later_message(kind: str, subject: str) -> Obj:
    """A message kind added after the first programs were made: optional, so that an older
    program.yaml stays valid; its template falls back to the one shipped with mentorctl."""
    return Obj(
        {
            "file": Str(required=False, default=f"{kind}.txt.j2"),
            "subject": Str(required=False, default=subject),
            "html": Str(required=False),
            "mode": Str(required=False, default="separate", choices=("together", "separate")),
        },
        required=False,
    )


_PROGRAM = Obj(
    {
        "name": Str(allow_empty=False),
        "slug": Str(pattern=SLUG_PATTERN),
        "template": Str(required=False),
        "language": Str(required=False, default="en", allow_empty=False),
        # how messages name the sign-up fields of matching criteria ("industry": "Branche")
        "labels": MapOf(Str(allow_empty=False), required=False),
        "title": Str(required=False),
        "description": Str(allow_empty=False),
        "duration_weeks": Int(minimum=1, maximum=52),
        "start_date": Day(required=False),
        "format": Str(required=False, default="pairs", choices=("pairs", "circles")),
        "circles": _CIRCLES,
        "sender": Obj(
            {
                "name": Str(allow_empty=False),
                "email": Str(allow_empty=False),
                "reply_to": Str(required=False),
            }
        ),
        "smtp": Obj(
            {
                "host": Str(required=False, default="localhost"),
                "port": Int(required=False, default=587, minimum=1, maximum=65535),
                "security": Str(
                    required=False, default="starttls", choices=("starttls", "ssl", "none")
                ),
                "username": Str(required=False, default=""),
                "password_env": Str(required=False, default="MENTORCTL_SMTP_PASSWORD"),
                "rate_per_minute": Int(required=False, default=60, minimum=1),
            },
            required=False,
        ),
        "signup": Obj(
            {
                "min_age": Int(required=False, default=MIN_AGE, minimum=MIN_AGE, maximum=120),
                "require_age": Bool(required=False, default=True),
                "default_capacity": Int(required=False, default=2, minimum=1, maximum=100),
                "date_order": Str(required=False, default="DMY", choices=("DMY", "MDY")),
                "topics": ListOf(Str(allow_empty=False), required=False),
                "fields": MapOf(ListOf(Str(allow_empty=False)), required=False),
                "role_answers": Obj(
                    {
                        "mentor": ListOf(Str(allow_empty=False), required=False),
                        "mentee": ListOf(Str(allow_empty=False), required=False),
                        "both": ListOf(Str(allow_empty=False), required=False),
                    },
                    required=False,
                ),
            },
            required=False,
        ),
        "matching": Obj(
            {
                "min_score": Num(required=False, default=0.2, minimum=0, maximum=1),
                "criteria": ListOf(
                    Obj(
                        {
                            "kind": Str(choices=_CRITERION_KINDS),
                            "name": Str(required=False),
                            "weight": Num(minimum=0.0001),
                            "field": Str(required=False),
                            "mode": Str(required=False, choices=_EXTRA_MODES),
                            "max_hours": Num(required=False, default=6, minimum=1, maximum=24),
                            "scale": Num(required=False, minimum=0.0001),
                        },
                        extra_check=_check_criterion,
                    ),
                    min_items=1,
                ),
                "rules": Obj(
                    {
                        "shared_language": Bool(required=False, default=True),
                        "different_organisation": Bool(required=False, default=False),
                    },
                    required=False,
                ),
            }
        ),
        # Match rates per group of a sign-up field, and optionally a parity rule on them
        # (see mentorctl.matching.fairness).
        "fairness": Obj(
            {
                "by": Str(required=False),
                "min_ratio": Num(required=False, minimum=0, maximum=1),
            },
            required=False,
            extra_check=_check_fairness,
        ),
        "guide": GUIDE,
        "checkin": Obj(
            {
                "questions": ListOf(
                    Obj(
                        {
                            "key": Str(pattern=r"[a-z][a-z0-9_]*"),
                            "text": Str(allow_empty=False),
                            "kind": Str(choices=("yes_no", "scale", "text")),
                        }
                    ),
                    min_items=1,
                ),
                "fit_question": Str(required=False, default="Is this match working for you?"),
                # A circle's week 1 asks about the circle; its answer is the fit answer too.
                "circle_fit_question": Str(
                    required=False, default="Is your circle working well for you?"
                ),
                "quiet_after_weeks": Int(required=False, default=2, minimum=1),
                "first_week_with_introduction": Bool(required=False, default=False),
            }
        ),
        "messages": Obj(
            {
                "intro": _MESSAGE,
                "weekly": _MESSAGE,
                "nudge": _MESSAGE,
                "wrapup": _MESSAGE,
                "lapsed": _later_message("lapsed", "{{ program.name }}: thank you for joining"),
                "ended": _later_message("ended", "{{ program.name }}: your pairing has ended"),
                "waiting": _later_message("waiting", "{{ program.name }}: you're on our list"),
                "paused": _later_message("paused", "{{ program.name }}: a short break"),
                "circle_intro": _later_message(
                    "circle_intro", "{{ program.name }}: meet your circle"
                ),
                "mentor_ask": _later_message(
                    "mentor_ask", "{{ program.name }}: would you mentor them?"
                ),
                "circle_left": _later_message(
                    "circle_left", "{{ program.name }}: news from your circle"
                ),
                "circle_away": _later_message(
                    "circle_away", "{{ program.name }}: a member of your circle is away"
                ),
                "circle_closed": _later_message(
                    "circle_closed", "{{ program.name }}: your circle has closed"
                ),
                "circle_farewell": _later_message(
                    "circle_farewell", "{{ program.name }}: thank you from your circle"
                ),
                "circle_handover": _later_message(
                    "circle_handover", "{{ program.name }}: who leads your circle now"
                ),
                "shortlist": _later_message("shortlist", "{{ program.name }}: choose your mentor"),
                "circle_weekly": _later_message("circle_weekly", CIRCLE_WEEKLY_SUBJECT),
                "circle_wrapup": _later_message("circle_wrapup", CIRCLE_WRAPUP_SUBJECT),
                "circle_lapsed": _later_message(
                    "circle_lapsed", "{{ program.name }}: thank you for joining"
                ),
            }
        ),
    },
)


def _check_program(data: dict[str, Any]) -> None:
    from mentorctl.programs.translations import check_tag

    data["language"] = check_tag(data["language"], ["language"])
    weeks = [step["week"] for step in data["guide"]]
    if weeks != list(range(1, len(weeks) + 1)):
        raise Invalid(["guide"], "expected one step per week, numbered 1, 2, 3... in order")
    if len(weeks) != data["duration_weeks"]:
        raise Invalid(
            ["duration_weeks"],
            f"expected {len(weeks)} to match the {len(weeks)} guide steps, "
            f"got {data['duration_weeks']}",
        )
    fields = data["signup"]["fields"]
    for index, criterion in enumerate(data["matching"]["criteria"]):
        if criterion["kind"] == "extra" and criterion["field"] not in fields:
            raise Invalid(
                ["matching", "criteria", index, "field"],
                f"'{criterion['field']}' is not a field under signup.fields",
            )
    circles = data["circles"]
    if circles["hours_field"] and circles["hours_field"] not in fields:
        raise Invalid(
            ["circles", "hours_field"],
            f"'{circles['hours_field']}' is not a field under signup.fields",
        )
    if circles["consent_field"] and circles["consent_field"] not in fields:
        raise Invalid(
            ["circles", "consent_field"],
            f"'{circles['consent_field']}' is not a field under signup.fields",
        )
    keys = [q["key"] for q in data["checkin"]["questions"]]
    if len(set(keys)) != len(keys):
        raise Invalid(["checkin", "questions"], "expected each question key only once")


@dataclass(frozen=True)
class Program:
    """A validated program.yaml; the sections stay plain dicts with every default filled in."""

    path: Path
    data: dict[str, Any] = field(repr=False)

    @property
    def name(self) -> str:
        return str(self.data["name"])

    @property
    def slug(self) -> str:
        return str(self.data["slug"])

    @property
    def dir(self) -> Path:
        return self.path.parent

    @property
    def duration_weeks(self) -> int:
        return int(self.data["duration_weeks"])

    @property
    def signup(self) -> dict[str, Any]:
        return dict(self.data["signup"])

    def aliases(self) -> dict[str, list[str]]:
        """Header aliases per field: the program's own first, then the common defaults."""
        merged: dict[str, list[str]] = {}
        own = self.data["signup"]["fields"]
        for name in (*PERSON_FIELDS, *EXTRA_FIELDS, *own):
            merged[name] = [*own.get(name, []), *DEFAULT_ALIASES.get(name, [])]
        return merged


def parse_program(text: str, path: Path) -> Program:
    raw = load_yaml(text, path)
    if not isinstance(raw, dict):
        raise ConfigError("expected a mapping of settings at the top level", file=path)
    data = schema.validate(_PROGRAM, raw, file=path, source=text)
    try:
        _check_program(data)
    except Invalid as exc:
        line = schema._line_of(text, exc.path)
        where = f"{path}:{line}" if line else str(path)
        raise ConfigError(f"{schema.format_path(exc.path)}: {exc.message}", file=where) from None
    if data["slug"] != path.parent.name and path.name == PROGRAM_FILE:
        raise ConfigError(
            f"slug: '{data['slug']}' differs from the program's folder name '{path.parent.name}'",
            file=path,
        )
    return Program(path=path, data=data)


def load_program(path: Path) -> Program:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("file not found", file=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", file=path) from None
    return parse_program(text, path)


def open_program(workspace: Path | None, slug: str | None) -> tuple[Program, ProgramPaths]:
    """The program a command works on: found from the workspace and ``--program``, then validated."""
    found = Workspace.find(workspace)
    paths = found.select(slug)
    paths.check_permissions()
    return load_program(paths.program_file), paths
